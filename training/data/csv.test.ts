import { describe, expect, it } from "vitest";
import { AppError, ValidationError } from "../../src/shared";
import { applySchema, parseCsvText, typeTrainingTable } from "./csv";

const load = (text: string, target = "y", positive?: string) => typeTrainingTable(parseCsvText(text), { target, positive });
const errorOf = (f: () => unknown): AppError => {
  try {
    f();
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error("expected an AppError");
};
const text = (e: AppError) => (e instanceof ValidationError ? e.issues.map((i) => `${i.path} ${i.expected} ${i.received}`).join(" | ") : e.message);

describe("parseCsvText / typeTrainingTable", () => {
  it("sniffs semicolons, strips a BOM, keeps quoted delimiters, reads decimal commas and missing tokens", () => {
    const t = load('\uFEFFa;b;c;y\n1,5;"x;1";NA;good\n2;z;3;bad\n?;x;4;good\n4;z;;bad\n');
    expect(t.schema.features).toEqual([
      { name: "a", kind: "numeric" },
      { name: "b", kind: "categorical" },
      { name: "c", kind: "numeric" },
    ]);
    expect(t.schema.decimalComma).toBe(true);
    const a = t.dataset.columns[0].values as Float64Array;
    expect(Array.from(a)).toEqual([1.5, 2, NaN, 4]);
    expect(t.dataset.columns[1].values).toEqual(["x;1", "z", "x", "z"]);
    expect(Array.from(t.dataset.y!)).toEqual([0, 1, 0, 1]);
    expect(t.schema.positive).toBe("bad");
  });

  it("recognises 0/1 targets, 1.0 == 1, and --positive for other words", () => {
    expect(Array.from(load("x,y\n1,0\n2,1.0\n3,1\n").dataset.y!)).toEqual([0, 1, 1]);
    const t = load("x,status\n1,paid\n2,late\n3,paid\n", "status", "late");
    expect(Array.from(t.dataset.y!)).toEqual([0, 1, 0]);
    expect(t.schema).toMatchObject({ positive: "late", negative: "paid" });
  });

  it("drops id-like and constant columns with notes", () => {
    const rows = Array.from({ length: 40 }, (_, i) => `C${1000 + i},${i % 3},k,${i % 2}`).join("\n");
    const t = load(`customer_id,v,const,y\n${rows}\n`);
    expect(t.schema.features.map((f) => f.name)).toEqual(["v"]);
    expect(t.schema.dropped.map((d) => d.name)).toEqual(["customer_id", "const"]);
    expect(t.notes.join(" ")).toMatch(/identifier/);
  });

  it("names the problem for every bad input", () => {
    expect(text(errorOf(() => load("")))).toMatch(/empty/);
    expect(text(errorOf(() => load("a,y\n")))).toMatch(/no data rows/);
    expect(text(errorOf(() => load("a,b\n1,2\n", "target")))).toMatch(/--target.*'target'.*'a', 'b'/);
    expect(text(errorOf(() => load("a,y\n1,0\n2,1\n3,2\n")))).toMatch(/binary.*3 values/);
    expect(text(errorOf(() => load("a,y\n1,1\n2,1\n")))).toMatch(/binary.*only '1'/);
    expect(text(errorOf(() => load("a,b,y\n1,,0\n2,NA,1\n")))).toMatch(/column 'b'.*entirely missing/);
    expect(text(errorOf(() => load("a,y\n1,red\n2,blue\n")))).toMatch(/--positive.*'red', 'blue'/);
    expect(text(errorOf(() => load("a,y\n1,red\n2,blue\n", "y", "green")))).toMatch(/--positive.*'green'/);
    expect(text(errorOf(() => load("a,y\n1,0,7\n2,1\n")))).toMatch(/line 2.*2 fields.*3 fields/);
  });
});

describe("applySchema", () => {
  const t = load("a,b,y\n1,x,0\n2,y,1\n3,x,0\n");
  it("maps a test file onto the training columns (order-independent, unseen levels kept)", () => {
    const ds = applySchema(parseCsvText("y,b,a\n1,new,5\n0,x,\n"), t.schema, { mode: "test" });
    expect(ds.columns.map((c) => c.name)).toEqual(["a", "b"]);
    expect(Array.from(ds.columns[0].values as Float64Array)).toEqual([5, NaN]);
    expect(ds.columns[1].values).toEqual(["new", "x"]);
    expect(Array.from(ds.y!)).toEqual([1, 0]);
  });
  it("refuses test files with unknown or missing columns, or foreign target values", () => {
    expect(text(errorOf(() => applySchema(parseCsvText("a,b,c,y\n1,x,2,0\n"), t.schema, { mode: "test" })))).toMatch(/lacked: 'c'/);
    expect(text(errorOf(() => applySchema(parseCsvText("a,y\n1,0\n"), t.schema, { mode: "test" })))).toMatch(/no column 'b'/);
    expect(text(errorOf(() => applySchema(parseCsvText("a,b,y\n1,x,2\n"), t.schema, { mode: "test" })))).toMatch(/'1' or '0'.*'2'/);
  });
  it("ignores extra columns and a missing target when predicting", () => {
    const ds = applySchema(parseCsvText("id,a,b\n9,1,x\n"), t.schema, { mode: "predict" });
    expect(ds.n).toBe(1);
    expect(ds.y).toBeNull();
  });
});

describe("target coding", () => {
  it("asks for --positive when numeric classes are not 0/1", () => {
    expect(() => load("a,y\n1,1\n2,2\n")).toThrow(ValidationError);
    expect(Array.from(load("a,y\n1,1\n2,2\n", "y", "2").dataset.y!)).toEqual([0, 1]);
  });
});

describe("decodeText", () => {
  it("reads UTF-8 and falls back to GB18030 for Chinese spreadsheet exports", async () => {
    const { decodeText } = await import("./csv");
    const iconv = (await import("iconv-lite")).default;
    expect(decodeText(Buffer.from("行业,y\n制造,1\n", "utf8"))).toBe("行业,y\n制造,1\n");
    expect(decodeText(iconv.encode("行业,y\n制造,1\n", "gb18030"))).toBe("行业,y\n制造,1\n");
  });
});

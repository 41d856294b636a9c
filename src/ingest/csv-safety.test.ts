import { describe, expect, it } from "vitest";
import { parse } from "csv-parse/sync";
import { isFormulaLike, safeCsvCell, toSafeCsv } from "./csv-safety";

describe("formula injection on export", () => {
  it("prefixes formula-like text with a single quote", () => {
    expect(safeCsvCell("=1+2")).toBe("'=1+2");
    expect(safeCsvCell("+SUM(A1)")).toBe("'+SUM(A1)");
    expect(safeCsvCell("-2+3+cmd|' /C calc'!A0")).toBe("'-2+3+cmd|' /C calc'!A0");
    expect(safeCsvCell("@SUM(1)")).toBe("'@SUM(1)");
    expect(safeCsvCell("\t=1")).toBe("'\t=1");
    expect(safeCsvCell("\r=1")).toBe("'\r=1");
  });

  it("leaves numbers, numeric strings and ordinary text unchanged", () => {
    expect(safeCsvCell(-12.5)).toBe("-12.5");
    expect(safeCsvCell("-12.5")).toBe("-12.5");
    expect(safeCsvCell("+3")).toBe("+3");
    expect(safeCsvCell("1e-4")).toBe("1e-4");
    expect(safeCsvCell("Acme = best")).toBe("Acme = best");
    expect(safeCsvCell("上海钢铁")).toBe("上海钢铁");
    expect(safeCsvCell(null)).toBe("");
    expect(safeCsvCell(undefined)).toBe("");
    expect(safeCsvCell(true)).toBe("true");
    expect(safeCsvCell(10n)).toBe("10");
  });

  it("isFormulaLike decides on the first character, numbers excepted", () => {
    expect(["=A1", "+A1", "-A1", "@A1", "\tx", "\rx"].map(isFormulaLike)).toEqual([true, true, true, true, true, true]);
    expect(["", "A=1", "-1", "-0.5", "12"].map(isFormulaLike)).toEqual([false, false, false, false, false]);
  });

  it("toSafeCsv writes a header and neutralised cells that a CSV reader reads back", () => {
    const text = toSafeCsv([
      { id: "C1", name: "=HYPERLINK(\"http://x\",\"y\")", amount: -5 },
      { id: "C2", name: "Acme, Ltd", amount: 12.5 },
    ]);
    expect(text.split("\r\n")[0]).toBe("id,name,amount");
    const back = parse(text, { columns: true }) as Record<string, string>[];
    expect(back).toEqual([
      { id: "C1", name: "'=HYPERLINK(\"http://x\",\"y\")", amount: "-5" },
      { id: "C2", name: "Acme, Ltd", amount: "12.5" },
    ]);
    expect(toSafeCsv([["@a", 1]])).toBe("'@a,1\r\n");
  });
});

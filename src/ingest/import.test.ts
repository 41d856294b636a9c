import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import iconv from "iconv-lite";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../db";
import BetterSqlite3 from "better-sqlite3";
import { EncodingError, ImportInterruptedError, importCsv, releaseIngestStore, type RowError } from ".";

/**
 * CSV import on SQLite: idempotency, the per-row error report, all-or-nothing refusal, --skip-bad-rows,
 * encodings, ragged rows and formula injection.
 */

let dir: string;
let db: Database;
let n = 0;

function file(content: string | Buffer, name = `f${++n}.csv`): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

const CUSTOMERS = [
  "external_id,name,country,industry,payment_terms_days,registration_date,attributes",
  'C1,Acme Steel,CN,steel,30,2015-03-01,"{""tier"":""gold""}"',
  "C2,Beta Textiles,CN,textiles,60,,",
  "C3,Gamma Retail,HK,retail,,2019-12-31,",
].join("\n");

const INVOICES = [
  "invoiceId,customerId,issueDate,dueDate,amount,paidAmount,settledDate,disputed,status",
  "I1,C1,2024-01-01,2024-01-31,1234.50,,2024-02-05,no,",
  "I2,C1,2024-02-01,2024-03-02,99.99,10,,yes,",
  "I3,C2,2024-02-01,2024-03-02,5000,5000,2024-03-01,,paid",
  "I4,C3,2024-03-01,2024-03-31,0.01,,,,",
].join("\r\n");

const PAYMENTS = ["payment_id,customer_id,invoice_id,payment_date,amount,method", "P1,C1,I1,2024-02-05,1234.50,wire", "P2,C2,,2024-03-01,5000,"].join("\n");

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "ingest-test-"));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(async () => {
  db = await openDatabase(`file:${join(dir, `db${++n}.db`)}`);
});

afterEach(async () => {
  await releaseIngestStore(db);
  await db.close();
});

async function loadBase() {
  const c = await importCsv(db, "customers", file(CUSTOMERS));
  const i = await importCsv(db, "invoices", file(INVOICES));
  const p = await importCsv(db, "payments", file(PAYMENTS));
  return { c, i, p };
}

describe("CSV import", () => {
  it("imports customers, invoices and payments with exact minor units and derived fields", async () => {
    const { c, i, p } = await loadBase();
    expect([c.created, i.created, p.created]).toEqual([3, 4, 2]);
    expect(c.ignoredColumns).toEqual([]);
    const inv = await db.prisma.invoice.findMany({ orderBy: { externalId: "asc" }, include: { customer: true } });
    expect(inv.map((x) => [x.externalId, x.customer.externalId, Number(x.amountMinor), Number(x.paidMinor), x.status, x.disputed, x.settledDate])).toEqual([
      ["I1", "C1", 123450, 123450, "paid", false, "2024-02-05"],
      ["I2", "C1", 9999, 1000, "open", true, null],
      ["I3", "C2", 500000, 500000, "paid", false, "2024-03-01"],
      ["I4", "C3", 1, 0, "open", false, null],
    ]);
    const c1 = await db.prisma.customer.findUniqueOrThrow({ where: { externalId: "C1" } });
    expect([c1.name, c1.country, c1.paymentTermsDays, c1.registrationDate, c1.attributes, c1.currency]).toEqual(["Acme Steel", "CN", 30, "2015-03-01", { tier: "gold" }, "CNY"]);
    const pay = await db.prisma.payment.findMany({ orderBy: { externalId: "asc" }, include: { invoice: true } });
    expect(pay.map((x) => [x.externalId, x.invoice?.externalId ?? null, Number(x.amountMinor), x.method])).toEqual([
      ["P1", "I1", 123450, "wire"],
      ["P2", null, 500000, null],
    ]);
  });

  it("is idempotent: the same files again change nothing, not even updatedAt", async () => {
    await loadBase();
    const before = await db.prisma.invoice.findMany({ orderBy: { id: "asc" } });
    const again = await loadBase();
    for (const r of [again.c, again.i, again.p]) expect([r.created, r.updated, r.unchanged, r.committed]).toEqual([0, 0, r.rows, true]);
    const after = await db.prisma.invoice.findMany({ orderBy: { id: "asc" } });
    expect(after).toEqual(before);
    // One changed value: exactly one row updated, the others untouched.
    const changed = INVOICES.replace("I4,C3,2024-03-01,2024-03-31,0.01", "I4,C3,2024-03-01,2024-03-31,0.02");
    const r = await importCsv(db, "invoices", file(changed));
    expect([r.created, r.updated, r.unchanged]).toEqual([0, 1, 3]);
    const i4 = await db.prisma.invoice.findUniqueOrThrow({ where: { externalId: "I4" } });
    expect(Number(i4.amountMinor)).toBe(2);
    expect(i4.updatedAt.getTime()).toBeGreaterThanOrEqual(before[3].updatedAt.getTime());
    const i1 = await db.prisma.invoice.findUniqueOrThrow({ where: { externalId: "I1" } });
    expect(i1.updatedAt).toEqual(before[0].updatedAt);
  });

  it("refuses a file with bad rows as a whole and reports each error with row, line, field, expected, received", async () => {
    await importCsv(db, "customers", file(CUSTOMERS));
    const bad = [
      "invoice_id,customer_id,issue_date,due_date,amount,paid_amount",
      "I1,C1,2024-01-01,2024-01-31,100,", // good
      "I2,C1,2024-02-30,2024-03-01,100,", // no such date
      "I3,C1,2024-02-01,2024-01-01,100.005,", // due before issue; 3 decimals
      "I4,C9,2024-02-01,2024-03-01,100,", // unknown customer
      "I5,C1,2024-02-01,2024-03-01,100,150", // paid > amount
      "I1,C2,2024-02-01,2024-03-01,1,", // duplicate id
      "I6,C1,2024-02-01,2024-03-01,1 234.00,", // thousands separator
    ].join("\n");
    const errs: RowError[] = [];
    const r = await importCsv(db, "invoices", file(bad), { onError: (e) => errs.push(e) });
    expect(r.committed).toBe(false);
    expect([r.rows, r.rejected, r.errorCount, r.created]).toEqual([7, 6, 7, 0]);
    expect(errs).toEqual(r.errors);
    expect(r.errors).toEqual([
      { row: 2, line: 3, field: "issueDate", expected: "date YYYY-MM-DD", received: 'string "2024-02-30"' },
      { row: 3, line: 4, field: "amount", expected: "amount in major units with at most 2 decimals for CNY", received: 'string "100.005"' },
      { row: 3, line: 4, field: "dueDate", expected: "dueDate on or after issueDate 2024-02-01", received: 'string "2024-01-01"' },
      { row: 4, line: 5, field: "customerId", expected: "external id of an existing customer (import customers first)", received: 'string "C9"' },
      { row: 5, line: 6, field: "paidAmount", expected: "paid amount <= amount (100)", received: 'string "150"' },
      { row: 7, line: 8, field: "amount", expected: "decimal amount in major units, e.g. 1234.50 (no thousands separators)", received: 'string "1 234.00"' },
      { row: 6, line: 7, field: "externalId", expected: "an external id not already used in this file (also at row 1)", received: 'string "I1"' },
    ]);
    expect(await db.prisma.invoice.count()).toBe(0);
  });

  it("with skipBadRows writes the good rows only; dryRun writes nothing", async () => {
    await importCsv(db, "customers", file(CUSTOMERS));
    const mixed = ["id,customer,issue_date,due_date,amount", "I1,C1,2024-01-01,2024-01-31,100", "I2,C1,2024-01-01,2023-01-31,100", "I3,C2,2024-01-01,2024-01-31,7"].join("\n");
    const dry = await importCsv(db, "invoices", file(mixed), { dryRun: true });
    expect([dry.committed, dry.dryRun, dry.rejected, dry.created]).toEqual([false, true, 1, 0]);
    expect(await db.prisma.invoice.count()).toBe(0);
    const r = await importCsv(db, "invoices", file(mixed), { skipBadRows: true });
    expect([r.committed, r.created, r.rejected, r.errors[0].row]).toEqual([true, 2, 1, 2]);
    expect((await db.prisma.invoice.findMany({ orderBy: { externalId: "asc" } })).map((i) => i.externalId)).toEqual(["I1", "I3"]);
  });

  it("writes in chunks and reports progress per chunk", async () => {
    const rows = ["externalId,name"];
    for (let i = 0; i < 2500; i++) rows.push(`K${i},Customer ${i}`);
    const phases: string[] = [];
    const r = await importCsv(db, "customers", file(rows.join("\n")), { chunkSize: 1000, sqliteCacheMiB: 8, onProgress: (p) => phases.push(`${p.phase}:${p.rows}`) });
    expect(r.created).toBe(2500);
    expect(phases).toEqual(["validate:1000", "validate:2000", "validate:2500", "write:1000", "write:2000", "write:2500"]);
  });

  it("reports ragged rows and broken quoting per row", async () => {
    const text = ["externalId,name,country", "C1,Acme,CN", "C2,Beta", "C3,Gamma,CN,extra", "C5,Epsilon,CN", 'C4,"Delta,CN'].join("\n");
    const r = await importCsv(db, "customers", file(text));
    expect(r.errors).toEqual([
      { row: 2, line: 3, field: "(row)", expected: "3 fields, as in the header", received: "2 fields" },
      { row: 3, line: 4, field: "(row)", expected: "3 fields, as in the header", received: "4 fields" },
      expect.objectContaining({ row: 5, line: 6, field: "(row)", expected: "a well-formed CSV record (RFC 4180 quoting)" }),
    ]);
    expect(r.rows).toBe(5);
    expect(r.committed).toBe(false);
  });

  it("refuses formula-injection cells in text fields but accepts negative-looking numbers where numbers belong", async () => {
    const text = ["externalId,name,industry,region", "C1,=HYPERLINK(\"http://evil\"),steel,", "C2,Beta,@SUM(A1),", "C3,Gamma,steel,+cmd", "C4,-Delta,steel,", "C5,\"\t=1\",x,", "C6,Fine = ok,steel,"].join("\n");
    const r = await importCsv(db, "customers", file(text));
    const formula = "text not starting with = + - @ tab or CR (spreadsheet formula injection is refused)";
    expect(r.errors.map((e) => [e.row, e.field, e.expected])).toEqual([
      [1, "name", formula],
      [2, "industry", formula],
      [3, "region", formula],
      [4, "name", formula],
      [5, "name", formula],
    ]);
    // A negative amount is a number (and refused by the amount rule, not as a formula).
    await importCsv(db, "customers", file("externalId,name\nC1,Acme"));
    const inv = await importCsv(db, "invoices", file("externalId,customerId,issueDate,dueDate,amount,paidAmount\nI1,C1,2024-01-01,2024-01-02,-12.5,\nI2,C1,2024-01-01,2024-01-02,12.5,-0"));
    expect(inv.errors.map((e) => [e.row, e.field, e.expected])).toEqual([[1, "amount", "amount > 0"]]);
  });

  it("reads UTF-8 with BOM, GBK and UTF-16 files with Chinese names, and refuses undetectable encodings", async () => {
    const text = "externalId,name,region\r\nC1,上海钢铁有限公司,华东\r\nC2,广州纺织（集团）,华南\r\n";
    for (const [enc, bytes] of [
      ["utf-8", Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)])],
      ["gb18030", iconv.encode(text, "gbk")],
      ["utf-16le", Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(text, "utf-16le")])],
      ["utf-16be", Buffer.concat([Buffer.from([0xfe, 0xff]), iconv.encode(text, "utf-16be")])],
    ] as const) {
      const r = await importCsv(db, "customers", file(bytes));
      expect([enc, r.encoding, r.errorCount, r.rows]).toEqual([enc, enc, 0, 2]);
      const names = (await db.prisma.customer.findMany({ orderBy: { externalId: "asc" } })).map((c) => `${c.externalId}:${c.name}:${c.region}`);
      expect(names).toEqual(["C1:上海钢铁有限公司:华东", "C2:广州纺织（集团）:华南"]);
    }
    await expect(importCsv(db, "customers", file(iconv.encode("externalId,name\nC1,Société\n", "latin1")))).rejects.toThrow(EncodingError);
    const explicit = await importCsv(db, "customers", file(iconv.encode("externalId,name\nC9,Société\n", "latin1")), { encoding: "latin1" });
    expect(explicit.created).toBe(1);
    expect((await db.prisma.customer.findUniqueOrThrow({ where: { externalId: "C9" } })).name).toBe("Société");
  });

  it("reports invalid bytes after the detection sample as a per-row error, never as mojibake", async () => {
    const head = Buffer.from(`externalId,name\n${Array.from({ length: 20_000 }, (_, i) => `A${i},Name ${i}`).join("\n")}\n`);
    const bad = Buffer.concat([head, Buffer.from("B1,Caf"), Buffer.from([0xe9]), Buffer.from(" Noir\nB2,ok\n")]);
    expect(head.length).toBeGreaterThan(256 * 1024);
    const r = await importCsv(db, "customers", file(bad), { dryRun: true });
    expect(r.encoding).toBe("utf-8");
    expect(r.errors).toEqual([{ row: 20_001, line: 20_002, field: "name", expected: "text in utf-8", received: 'invalid byte sequence in string "Caf\ufffd Noir"' }]);
  });

  it("maps header aliases, ignores unknown columns and names missing required ones", async () => {
    const r = await importCsv(db, "customers", file("Customer ID,Company Name,Sector,notes\nC1,Acme,steel,hello"));
    expect([r.created, r.ignoredColumns]).toEqual([1, ["notes"]]);
    await expect(importCsv(db, "invoices", file("invoice_id,amount\nI1,5"))).rejects.toMatchObject({
      status: 400,
      issues: [{ path: "header", expected: "columns customerId, issueDate, dueDate (required)", received: "columns 'invoice_id', 'amount'" }],
    });
    await expect(importCsv(db, "customers", file(""))).rejects.toMatchObject({ status: 400 });
  });

  it("stops with 409 when a customer disappears between the passes, and a re-run completes the import", async () => {
    await importCsv(db, "customers", file("externalId,name\nC1,Acme\nC2,Beta"));
    const lines = ["externalId,customerId,issueDate,dueDate,amount"];
    for (let i = 1; i <= 3000; i++) lines.push(`N${i},${i <= 2000 ? "C1" : "C2"},2024-01-01,2024-01-31,${i}`);
    const f = file(lines.join("\n"));
    const other = new BetterSqlite3(db.url.replace(/^file:/, ""));
    let deleted = false;
    const err = await importCsv(db, "invoices", f, {
      chunkSize: 1000,
      onProgress: (p) => {
        // The end of pass 1: another writer deletes C2 before pass 2 starts.
        if (p.phase === "validate" && p.rows === 3000 && !deleted) deleted = other.prepare(`DELETE FROM "Customer" WHERE "externalId" = 'C2'`).run().changes === 1;
      },
    }).catch((e: unknown) => e);
    other.close();
    expect(deleted).toBe(true);
    expect(err).toBeInstanceOf(ImportInterruptedError);
    expect((err as ImportInterruptedError).status).toBe(409);
    expect((err as Error).message).toMatch(/rows 2001\.\.3000\); 2000 rows were committed before them; re-run/);
    expect(await db.prisma.invoice.count()).toBe(2000);
    await importCsv(db, "customers", file("externalId,name\nC1,Acme\nC2,Beta"));
    const rerun = await importCsv(db, "invoices", f, { chunkSize: 1000 });
    expect([rerun.created, rerun.updated, rerun.unchanged]).toEqual([1000, 0, 2000]);
  });

  it("checks that a payment's invoice belongs to the payment's customer", async () => {
    await loadBase();
    const r = await importCsv(db, "payments", file("paymentId,customerId,invoiceId,date,amount\nP9,C2,I1,2024-02-05,1\nP10,C1,I404,2024-02-05,1"));
    expect(r.errors.map((e) => [e.row, e.field, e.expected, e.received])).toEqual([
      [1, "invoiceId", "an invoice of customer C2", 'string "I1"'],
      [2, "invoiceId", "external id of an existing invoice (or empty)", 'string "I404"'],
    ]);
  });
});

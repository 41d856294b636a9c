import { readFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "csv-parse/sync";
import { closeHistoryReader, loadHistory, openDatabase, type Database } from "../db";
import { computeFeatures } from "../features";
import { daysBetween } from "../shared";
import { importIbm, mdyToIso, releaseIngestStore } from ".";

/** The IBM accounts-receivable sample loaded through the importer, and features computed on it. */

const FILE = join(import.meta.dirname, "../../../shared/data/ibm-accounts-receivable.csv");
type IbmRow = Record<string, string>;

let dir: string;
let db: Database;
let rows: IbmRow[];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "ingest-ibm-"));
  db = await openDatabase(`file:${join(dir, "ibm.db")}`);
  rows = parse(readFileSync(FILE), { columns: true }) as IbmRow[];
});

afterAll(async () => {
  closeHistoryReader(db);
  await releaseIngestStore(db);
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("IBM accounts-receivable loader", () => {
  it("converts M/D/YYYY dates", () => {
    expect(mdyToIso("1/2/2013")).toBe("2013-01-02");
    expect(mdyToIso("12/31/2013")).toBe("2013-12-31");
    expect(mdyToIso("2013-01-02")).toBeNull();
  });

  it("loads 100 customers, 2,466 invoices and 2,466 settlement payments, then is idempotent", async () => {
    const r = await importIbm(db, FILE);
    expect(r.errorCount).toBe(0);
    expect(r.rows).toBe(2466);
    expect(r.customers).toEqual({ created: 100, updated: 0, unchanged: 0 });
    expect(r.invoices).toEqual({ created: 2466, updated: 0, unchanged: 0 });
    expect(r.payments).toEqual({ created: 2466, updated: 0, unchanged: 0 });
    expect(await db.prisma.invoice.count()).toBe(2466);

    const again = await importIbm(db, FILE);
    expect([again.customers, again.invoices, again.payments]).toEqual([
      { created: 0, updated: 0, unchanged: 100 },
      { created: 0, updated: 0, unchanged: 2466 },
      { created: 0, updated: 0, unchanged: 2466 },
    ]);
  });

  it("stores the file's values exactly (amounts in cents, dates, disputes, country)", async () => {
    const first = rows[0];
    const inv = await db.prisma.invoice.findUniqueOrThrow({ where: { externalId: first.invoiceNumber }, include: { customer: true } });
    expect([inv.customer.externalId, inv.customer.country, inv.issueDate, inv.dueDate, Number(inv.amountMinor), inv.settledDate, inv.disputed, inv.status, inv.currency]).toEqual([
      "0379-NEVHP", "391", "2013-01-02", "2013-02-01", 5594, "2013-01-15", false, "paid", "USD",
    ]);
    const totalCents = rows.reduce((s, r) => s + Math.round(Number(r.InvoiceAmount) * 100), 0);
    const agg = await db.prisma.invoice.aggregate({ _sum: { amountMinor: true } });
    expect(Number(agg._sum.amountMinor)).toBe(totalCents);
    expect(await db.prisma.invoice.count({ where: { disputed: true } })).toBe(rows.filter((r) => r.Disputed === "Yes").length);
  });

  it("gives features that match the file: avg days late = mean DaysLate of the invoices due in the window", async () => {
    const asOf = "2014-01-10";
    const byCustomer = new Map<string, IbmRow[]>();
    for (const r of rows) byCustomer.set(r.customerID, [...(byCustomer.get(r.customerID) ?? []), r]);
    const iso = (s: string) => mdyToIso(s)!;
    let checked = 0;
    for (const id of [...byCustomer.keys()].slice(0, 10)) {
      const history = await loadHistory(db, id);
      expect(history).not.toBeNull();
      const f = computeFeatures(history!, asOf);
      const due365 = byCustomer.get(id)!.filter((r) => {
        const since = daysBetween(iso(r.DueDate), asOf);
        return since > 0 && since <= 365;
      });
      if (due365.length === 0) continue;
      const mean = due365.reduce((s, r) => s + Number(r.DaysLate), 0) / due365.length;
      expect(f.avg_days_late_365).toBeCloseTo(mean, 9);
      expect(f.max_days_late_365).toBe(Math.max(...due365.map((r) => Number(r.DaysLate))));
      expect(f.open_exposure).toBe(0);
      checked++;
    }
    expect(checked).toBeGreaterThan(5);
  });

  it("refuses a damaged copy whole, naming rows and fields, and writes nothing", async () => {
    const text = readFileSync(FILE, "latin1").split("\r\n");
    // Row 1: a day-first date; row 2: DaysLate that contradicts the dates.
    text[1] = text[1].replace("1/2/2013", "31/12/2013");
    text[2] = text[2].replace(/,6$/, ",7");
    const damaged = join(dir, "damaged.csv");
    writeFileSync(damaged, text.join("\r\n"));
    const fresh = await openDatabase(`file:${join(dir, "damaged.db")}`);
    try {
      const r = await importIbm(fresh, damaged);
      expect(r.committed).toBe(false);
      expect(r.errors).toEqual([
        { row: 1, line: 2, field: "InvoiceDate", expected: "date M/D/YYYY", received: 'string "31/12/2013"' },
        { row: 2, line: 3, field: "DaysLate", expected: "6 (SettledDate - DueDate, at least 0)", received: 'string "7"' },
      ]);
      expect(await fresh.prisma.invoice.count()).toBe(0);
    } finally {
      await releaseIngestStore(fresh);
      await fresh.close();
    }
  });
});

/**
 * Data access for the notebooks: where the shared data sets are, the IBM accounts-receivable sample as
 * payment histories (in memory, the same mapping as `credit import-ibm`), and seeded row sampling of a
 * training Dataset. Everything else comes from the project's own modules.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { readCsvFile, type Dataset } from "../../training/index.ts";
import { mdyToIso } from "../../src/ingest/index.ts";
import { Rng } from "../../src/demo/index.ts";
export { daysBetween, addDays } from "../../src/shared/index.ts";
import type { CustomerHistory, InvoiceRecord, PaymentRecord } from "../../src/features/index.ts";

/** The project root (the folder holding package.json). */
export const ROOT = resolve(import.meta.dirname!, "../..");

/**
 * Folder of the shared data sets: `CREDIT_DATA_DIR` when set, else `../shared/data` relative to the project root.
 * @throws Error naming the folder when it does not exist.
 */
export function dataDir(): string {
  const dir = process.env.CREDIT_DATA_DIR ? resolve(process.env.CREDIT_DATA_DIR) : resolve(ROOT, "../shared/data");
  if (!existsSync(dir)) throw new Error(`data folder '${dir}' not found: set CREDIT_DATA_DIR to the folder with uci-taiwan-train.csv`);
  return dir;
}

/** Path of a shared data file, e.g. `dataFile("uci-taiwan-train.csv")`. */
export function dataFile(name: string): string {
  return resolve(dataDir(), name);
}

/** One row of the IBM sample with its dates as ISO calendar dates. */
export interface IbmInvoice {
  customerId: string;
  invoiceNumber: string;
  country: string;
  invoiceDate: string;
  dueDate: string;
  settledDate: string | null;
  /** Invoice amount in cents (the file is in major units, currency not stated; USD assumed). */
  amountMinor: number;
  disputed: boolean;
  paperless: boolean;
  daysLate: number;
  daysToSettle: number;
}

/**
 * Reads the IBM accounts-receivable CSV (M/D/YYYY dates) through training's CSV reader.
 * @throws Error naming the row and column of a malformed date or amount.
 */
export function readIbm(path = dataFile("ibm-accounts-receivable.csv")): IbmInvoice[] {
  const raw = readCsvFile(path);
  const col = (name: string) => {
    const i = raw.header.indexOf(name);
    if (i < 0) throw new Error(`'${path}': expected column '${name}', received header ${raw.header.join(",")}`);
    return i;
  };
  const c = Object.fromEntries(
    ["countryCode", "customerID", "invoiceNumber", "InvoiceDate", "DueDate", "InvoiceAmount", "Disputed", "SettledDate", "PaperlessBill", "DaysToSettle", "DaysLate"].map((n) => [n, col(n)]),
  );
  return raw.rows.map((r, k) => {
    const date = (name: string, optional = false) => {
      const v = r[c[name]]?.trim() ?? "";
      if (optional && v === "") return null;
      const iso = mdyToIso(v);
      if (!iso) throw new Error(`'${path}' row ${k + 2}, ${name}: expected M/D/YYYY, received '${v}'`);
      return iso;
    };
    const amount = Number(r[c.InvoiceAmount]);
    if (!Number.isFinite(amount)) throw new Error(`'${path}' row ${k + 2}, InvoiceAmount: expected a number, received '${r[c.InvoiceAmount]}'`);
    return {
      customerId: r[c.customerID],
      invoiceNumber: r[c.invoiceNumber],
      country: r[c.countryCode],
      invoiceDate: date("InvoiceDate")!,
      dueDate: date("DueDate")!,
      settledDate: date("SettledDate", true),
      amountMinor: Math.round(amount * 100),
      disputed: r[c.Disputed] === "Yes",
      paperless: r[c.PaperlessBill] === "Electronic",
      daysLate: Number(r[c.DaysLate]),
      daysToSettle: Number(r[c.DaysToSettle]),
    };
  });
}

/**
 * The IBM invoices as one payment history per customer, mapped as `credit import-ibm` maps them into the
 * database: a settled invoice is paid in full by one payment on its settled date.
 */
export function ibmHistories(rows: readonly IbmInvoice[], currency = "USD"): CustomerHistory[] {
  const by = new Map<string, CustomerHistory>();
  for (const r of rows) {
    let h = by.get(r.customerId);
    if (!h) by.set(r.customerId, (h = { customerId: r.customerId, registrationDate: null, industry: null, paymentTermsDays: null, creditLimitMinor: null, invoices: [], payments: [] }));
    const inv: InvoiceRecord = {
      id: r.invoiceNumber, customerId: r.customerId, issueDate: r.invoiceDate, dueDate: r.dueDate, amountMinor: r.amountMinor, currency,
      paidMinor: r.settledDate ? r.amountMinor : 0, settledDate: r.settledDate, disputed: r.disputed, status: r.settledDate ? "paid" : "open", writtenOffDate: null,
    };
    h.invoices.push(inv);
    if (r.settledDate) {
      const p: PaymentRecord = { id: `${r.invoiceNumber}-settlement`, customerId: r.customerId, invoiceId: r.invoiceNumber, date: r.settledDate, amountMinor: r.amountMinor };
      h.payments.push(p);
    }
  }
  for (const h of by.values()) h.invoices.sort((a, b) => (a.issueDate < b.issueDate ? -1 : a.issueDate > b.issueDate ? 1 : 0));
  return [...by.values()];
}

/** Rows `idx` of `ds`, in that order (an index may repeat). */
export function rowsOf(ds: Dataset, idx: readonly number[]): Dataset {
  return {
    n: idx.length,
    columns: ds.columns.map((c) =>
      c.kind === "numeric"
        ? { name: c.name, kind: "numeric" as const, values: Float64Array.from(idx, (i) => c.values[i]) }
        : { name: c.name, kind: "categorical" as const, values: idx.map((i) => c.values[i]) },
    ),
    y: ds.y ? Uint8Array.from(idx, (i) => ds.y![i]) : null,
  };
}

/**
 * A seeded random sample of `n` rows of `ds` without replacement (all rows when `n >= ds.n`), in file order.
 * Same seed, same rows. Uses the project's PRNG (src/demo Rng).
 */
export function sampleRows(ds: Dataset, n: number, seed = 42): Dataset {
  const rng = new Rng(seed);
  const idx = Array.from({ length: ds.n }, (_, i) => i);
  const m = Math.min(n, ds.n);
  // Partial Fisher-Yates: the first m slots are a uniform sample.
  for (let i = 0; i < m; i++) {
    const j = i + Math.floor(rng.next() * (ds.n - i));
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  return rowsOf(ds, idx.slice(0, m).sort((a, b) => a - b));
}

/**
 * `n` row indices in [0, size) drawn with replacement, row `i` with probability proportional to `weight(i)`
 * (seeded; inverse CDF on the cumulative weights).
 * @throws Error when the weights do not sum to a positive finite number.
 */
export function weightedIndices(size: number, weight: (i: number) => number, n: number, seed = 42): number[] {
  const rng = new Rng(seed);
  const cum = new Float64Array(size);
  let s = 0;
  for (let i = 0; i < size; i++) cum[i] = s += weight(i);
  if (!(s > 0 && Number.isFinite(s))) throw new Error(`weightedIndices: expected positive finite total weight, received ${s}`);
  const out: number[] = [];
  for (let k = 0; k < n; k++) {
    const u = rng.next() * s;
    let lo = 0;
    let hi = size - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid] < u) lo = mid + 1;
      else hi = mid;
    }
    out.push(lo);
  }
  return out;
}

/** Calendar month `YYYY-MM` of an ISO date. */
export function monthOf(date: string): string {
  return date.slice(0, 7);
}

import type { Database, IngestStore, UpsertCounts } from "../db";
import { daysBetween, describeValue } from "../shared";
import { DuplicateTracker, ingestStoreFor, resolveReferences, writeRows, type ParsedRow } from "./batch";
import { openCsv } from "./reader";
import { isCalendarDate, parseRow, type RowError } from "./schemas";

/**
 * Loader for IBM's "accounts receivable" sample (Watson Analytics: 2,466 invoices of 100 customers,
 * `countryCode, customerID, PaperlessDate, invoiceNumber, InvoiceDate, DueDate, InvoiceAmount, Disputed,
 * SettledDate, PaperlessBill, DaysToSettle, DaysLate`, dates M/D/YYYY, CRLF line ends). It maps the file
 * onto the ingestion schemas and writes through the same validation and upsert code as the CSV importer:
 * - a customer per customerID (name = the id, country = countryCode, attributes: paperlessDate, source);
 * - an invoice per invoiceNumber (amount in major units of `currency`, disputed Yes/No, settledDate; a
 *   settled invoice is paid in full);
 * - a payment `<invoiceNumber>-settlement` on SettledDate for the invoice amount, per settled invoice.
 * It also checks the file's own arithmetic: DaysLate = max(0, SettledDate - DueDate) and DaysToSettle =
 * SettledDate - InvoiceDate. All rows are written in one transaction (the sample is small and is held in
 * memory), all or nothing; loading it again changes nothing.
 */

export interface IbmImportOptions {
  /** Currency of the amounts (the file has none; default USD). */
  currency?: string;
  /** Validate only. */
  dryRun?: boolean;
  store?: IngestStore;
  /** Row errors kept in the result (default 1,000). */
  maxErrorsKept?: number;
}

export interface IbmImportResult {
  file: string;
  rows: number;
  customers: UpsertCounts;
  invoices: UpsertCounts;
  payments: UpsertCounts;
  rejected: number;
  errorCount: number;
  errors: RowError[];
  committed: boolean;
  dryRun: boolean;
  seconds: number;
}

const IBM_COLUMNS = ["countryCode", "customerID", "PaperlessDate", "invoiceNumber", "InvoiceDate", "DueDate", "InvoiceAmount", "Disputed", "SettledDate", "PaperlessBill", "DaysToSettle", "DaysLate"];
const IBM_REQUIRED = ["customerID", "invoiceNumber", "InvoiceDate", "DueDate", "InvoiceAmount"];
const MDY = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;

/** `M/D/YYYY` to `YYYY-MM-DD` (validity is checked by the row schema); null when the shape is wrong. */
export function mdyToIso(s: string): string | null {
  const m = MDY.exec(s.trim());
  return m ? `${m[3]}-${m[1].padStart(2, "0")}-${m[2].padStart(2, "0")}` : null;
}

/** Canonical fields named back as the file's columns in error reports. */
const IBM_COLUMN_OF: Record<string, string> = {
  externalId: "invoiceNumber", customerId: "customerID", issueDate: "InvoiceDate", dueDate: "DueDate", amount: "InvoiceAmount",
  disputed: "Disputed", settledDate: "SettledDate", country: "countryCode", paidAmount: "InvoiceAmount", date: "SettledDate",
};
const asIbm = (errs: RowError[]): RowError[] => errs.map((e) => ({ ...e, field: IBM_COLUMN_OF[e.field] ?? e.field }));

const zero = (): UpsertCounts => ({ created: 0, updated: 0, unchanged: 0 });

/** Loads the IBM accounts-receivable CSV (see the module comment). */
export async function importIbm(db: Database, file: string, opts: IbmImportOptions = {}): Promise<IbmImportResult> {
  const t0 = performance.now();
  const currency = opts.currency ?? "USD";
  const src = await openCsv(file, { mapHeader: (h) => IBM_COLUMNS.find((c) => c.toLowerCase() === h.toLowerCase()), required: IBM_REQUIRED });
  const errors: RowError[] = [];
  const rejectedRows = new Set<number>();
  const fail = (errs: RowError[]) => {
    for (const e of errs) rejectedRows.add(e.row);
    errors.push(...errs);
  };
  const customers: ParsedRow<"customers">[] = [];
  const invoices: ParsedRow<"invoices">[] = [];
  const payments: ParsedRow<"payments">[] = [];
  const seenCustomers = new Set<string>();
  const dups = new DuplicateTracker();
  let rows = 0;

  for await (const chunk of src.chunks) {
    for (const rec of chunk) {
      rows++;
      if (rec.errors.length) {
        fail(rec.errors);
        continue;
      }
      const v = rec.values;
      const at = { row: rec.row, line: rec.line };
      const dateErrs: RowError[] = [];
      const date = (col: string, optional = false): string | undefined => {
        const raw = (v[col] ?? "").trim();
        if (raw === "" && optional) return undefined;
        const iso = mdyToIso(raw);
        if (iso === null || !isCalendarDate(iso)) dateErrs.push({ ...at, field: col, expected: "date M/D/YYYY", received: describeValue(v[col]) });
        return iso !== null && isCalendarDate(iso) ? iso : undefined;
      };
      const issueDate = date("InvoiceDate");
      const dueDate = date("DueDate");
      const settledDate = date("SettledDate", true);
      const paperlessDate = date("PaperlessDate", true);
      if (dateErrs.length) {
        fail(dateErrs);
        continue;
      }
      const rowErrs: RowError[] = [];
      if (settledDate && dueDate && issueDate) {
        const late = Math.max(0, daysBetween(dueDate, settledDate));
        if (v.DaysLate !== undefined && v.DaysLate.trim() !== "" && Number(v.DaysLate) !== late)
          rowErrs.push({ ...at, field: "DaysLate", expected: `${late} (SettledDate - DueDate, at least 0)`, received: describeValue(v.DaysLate) });
        const toSettle = daysBetween(issueDate, settledDate);
        if (v.DaysToSettle !== undefined && v.DaysToSettle.trim() !== "" && Number(v.DaysToSettle) !== toSettle)
          rowErrs.push({ ...at, field: "DaysToSettle", expected: `${toSettle} (SettledDate - InvoiceDate)`, received: describeValue(v.DaysToSettle) });
      }
      const customerId = v.customerID;
      const inv = parseRow(
        "invoices",
        { externalId: v.invoiceNumber, customerId, issueDate, dueDate, amount: v.InvoiceAmount, currency, settledDate, disputed: v.Disputed },
        rec.row,
        rec.line,
      );
      if (!inv.ok) rowErrs.push(...asIbm(inv.errors));
      if (!seenCustomers.has(customerId?.trim())) {
        const cust = parseRow(
          "customers",
          {
            externalId: customerId,
            name: customerId,
            country: v.countryCode,
            currency,
            attributes: JSON.stringify({ source: "ibm-accounts-receivable", ...(paperlessDate ? { paperlessDate } : {}) }),
          },
          rec.row,
          rec.line,
        );
        if (!cust.ok) rowErrs.push(...asIbm(cust.errors));
        else {
          seenCustomers.add(cust.value.externalId);
          customers.push({ ...at, value: cust.value });
        }
      }
      if (inv.ok) {
        const dup = dups.check(at, inv.value.externalId);
        if (dup) rowErrs.push(dup);
      }
      if (rowErrs.length) {
        fail(rowErrs);
        continue;
      }
      if (!inv.ok) continue;
      invoices.push({ ...at, value: inv.value });
      if (inv.value.settledDate) {
        const pay = parseRow(
          "payments",
          { externalId: `${inv.value.externalId}-settlement`, customerId, invoiceId: inv.value.externalId, date: inv.value.settledDate, amount: v.InvoiceAmount, currency },
          rec.row,
          rec.line,
        );
        if (pay.ok) payments.push({ ...at, value: pay.value });
        else fail(asIbm(pay.errors));
      }
    }
  }

  const result: IbmImportResult = {
    file, rows, customers: zero(), invoices: zero(), payments: zero(), rejected: rejectedRows.size, errorCount: errors.length,
    errors: errors.slice(0, opts.maxErrorsKept ?? 1000), committed: false, dryRun: opts.dryRun === true, seconds: 0,
  };
  if (errors.length === 0 && !opts.dryRun) {
    const store = opts.store ?? ingestStoreFor(db);
    await store.transaction(async (tx) => {
      result.customers = await writeRows(tx, "customers", customers.map((c) => c.value), [], []);
      const cache = new Map<string, number>();
      const ir = await resolveReferences(tx, "invoices", invoices, cache);
      if (ir.errors.length) throw new Error(`internal: ${ir.errors.length} invoice references unresolved after writing customers`);
      result.invoices = await writeRows(tx, "invoices", invoices.map((i) => i.value), ir.customerIds, []);
      const pr = await resolveReferences(tx, "payments", payments, cache);
      if (pr.errors.length) throw new Error(`internal: ${pr.errors.length} payment references unresolved after writing invoices`);
      result.payments = await writeRows(tx, "payments", payments.map((p) => p.value), pr.customerIds, pr.invoiceIds);
    });
    result.committed = true;
  }
  result.seconds = (performance.now() - t0) / 1000;
  return result;
}

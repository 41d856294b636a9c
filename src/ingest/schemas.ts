import { z } from "zod";
import { currencyExponent, describeValue, toMinor } from "../shared";
import type { CustomerUpsert, InvoiceUpsert, PaymentUpsert } from "../db";
import { isFormulaLike } from "./csv-safety";

/**
 * Row schemas of the three ingestible record kinds (zod). The same schemas validate CSV rows (all values
 * are strings) and REST JSON rows (strings, numbers, booleans), and turn them into the upsert records of
 * `src/db/repos/ingest.ts`: money in integer minor units, dates `YYYY-MM-DD`.
 */

/** customers | invoices | payments */
export type IngestKind = "customers" | "invoices" | "payments";
/** The record kinds ingestion accepts. */
export const INGEST_KINDS: readonly IngestKind[] = ["customers", "invoices", "payments"];

/** One problem with one field of one input row. */
export interface RowError {
  /** 1-based data row number (the header is not a row; in a REST batch: array index + 1). */
  row: number;
  /** CSV only: 1-based physical line of the file where the record ends (the header is line 1). */
  line?: number;
  /** Canonical field name (`amount`), a CSV column name for file-level problems, or `(row)`. */
  field: string;
  expected: string;
  received: string;
}

/** The upsert record a row of kind K becomes. */
export type RowOf<K extends IngestKind> = K extends "customers" ? CustomerUpsert : K extends "invoices" ? InvoiceUpsert : PaymentUpsert;

// ---------------------------------------------------------------------------------------------- fields

/** The `expected` texts of the field rules (shown to users in error reports). */
export const EXPECT = {
  text: (max: number) => `text of 1..${max} characters`,
  formula: "text not starting with = + - @ tab or CR (spreadsheet formula injection is refused)",
  date: "date YYYY-MM-DD",
  amount: "decimal amount in major units, e.g. 1234.50 (no thousands separators)",
  currency: "ISO 4217 currency code, 3 letters",
  bool: "true/false (also yes/no, y/n, 1/0)",
} as const;

const blank = (v: unknown) => v === undefined || v === null || (typeof v === "string" && v.trim() === "");
/** Blank strings and null count as absent. */
const opt = <T extends z.ZodType>(s: T) => z.preprocess((v) => (blank(v) ? undefined : v), s.optional());

const text = (max: number) =>
  z
    .string(EXPECT.text(max))
    .trim()
    .min(1, EXPECT.text(max))
    .max(max, EXPECT.text(max))
    .refine((t) => !isFormulaLike(t), EXPECT.formula);

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MONTH_DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
/** Same answer as shared isIsoDate without building a Date (it runs on every date of a million-row file). */
export function isCalendarDate(s: string): boolean {
  const m = DATE_RE.exec(s);
  if (!m) return false;
  const y = +m[1];
  const mo = +m[2];
  const d = +m[3];
  if (mo < 1 || mo > 12 || d < 1 || d > MONTH_DAYS[mo - 1]) return false;
  return mo !== 2 || d < 29 || (y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0));
}

const isoDate = z.string(EXPECT.date).trim().refine(isCalendarDate, EXPECT.date);

const DECIMAL = /^-?(\d+(\.\d*)?|\.\d+)$/;
/** A decimal amount kept as a canonical string; conversion to minor units needs the row's currency. */
const decimal = z.union([z.number(), z.string()], EXPECT.amount).transform((v, ctx) => {
  const s = typeof v === "number" ? (Number.isFinite(v) ? String(v) : "x") : v.trim();
  if (!DECIMAL.test(s)) {
    ctx.issues.push({ code: "custom", message: EXPECT.amount, input: v });
    return z.NEVER;
  }
  return s;
});

const currency = z
  .string(EXPECT.currency)
  .trim()
  .regex(/^[A-Za-z]{3}$/, EXPECT.currency)
  .transform((c) => c.toUpperCase());

const TRUE = new Set(["true", "yes", "y", "1", "t"]);
const FALSE = new Set(["false", "no", "n", "0", "f"]);
const bool = z.union([z.boolean(), z.number(), z.string()], EXPECT.bool).transform((v, ctx) => {
  const s = String(v).trim().toLowerCase();
  if (TRUE.has(s)) return true;
  if (FALSE.has(s)) return false;
  ctx.issues.push({ code: "custom", message: EXPECT.bool, input: v });
  return z.NEVER;
});

const termsDays = z.union([z.number(), z.string()], "whole number of days 0..3650").transform((v, ctx) => {
  const s = typeof v === "number" ? String(v) : v.trim();
  const n = /^\d{1,4}$/.test(s) ? Number(s) : NaN;
  if (!(n >= 0 && n <= 3650)) {
    ctx.issues.push({ code: "custom", message: "whole number of days 0..3650", input: v });
    return z.NEVER;
  }
  return n;
});

const ATTR_EXPECT = "JSON object (at most 10,000 characters, no formula-like strings)";
const attributes = z.union([z.string(), z.record(z.string(), z.unknown())], ATTR_EXPECT).transform((v, ctx) => {
  let obj: unknown = v;
  if (typeof v === "string") {
    try {
      obj = JSON.parse(v);
    } catch {
      obj = undefined;
    }
  }
  const json = obj !== null && typeof obj === "object" && !Array.isArray(obj) ? JSON.stringify(obj) : undefined;
  if (json === undefined || json.length > 10_000 || hasFormulaString(obj)) {
    ctx.issues.push({ code: "custom", message: ATTR_EXPECT, input: v });
    return z.NEVER;
  }
  return json;
});

function hasFormulaString(v: unknown): boolean {
  if (typeof v === "string") return isFormulaLike(v);
  if (Array.isArray(v)) return v.some(hasFormulaString);
  if (v !== null && typeof v === "object") return Object.entries(v).some(([k, x]) => isFormulaLike(k) || hasFormulaString(x));
  return false;
}

/** Decimal string to minor units, or why not: more decimals than the currency has, or beyond 2^53 minor units. */
function minorOf(s: string, cur: string): number | "decimals" | "range" {
  const dot = s.indexOf(".");
  const decimals = dot === -1 ? 0 : s.length - dot - 1;
  if (decimals > currencyExponent(cur)) return "decimals";
  try {
    return toMinor(Number(s), cur);
  } catch {
    return "range";
  }
}

function amountExpect(cur: string, why: "decimals" | "range", what = "amount"): string {
  const e = currencyExponent(cur);
  if (why === "range") return `${what} of at most ${Math.floor(Number.MAX_SAFE_INTEGER / 10 ** e).toLocaleString("en-US")} ${cur}`;
  return `${what} in major units with at most ${e} decimal${e === 1 ? "" : "s"} for ${cur}`;
}

type Ctx = z.core.$RefinementCtx;
const issue = (ctx: Ctx, path: string, message: string) => ctx.issues.push({ code: "custom", message, path: [path], input: undefined });

// --------------------------------------------------------------------------------------------- schemas

const ID_MAX = 100;

/** A customer row -> CustomerUpsert (currency defaults to CNY; attributes stored as JSON text). */
export const customerRowSchema = z
  .object({
    externalId: text(ID_MAX),
    name: text(200),
    country: opt(text(64)),
    region: opt(text(100)),
    industry: opt(text(100)),
    registrationDate: opt(isoDate),
    currency: opt(currency),
    paymentTermsDays: opt(termsDays),
    attributes: opt(attributes),
  })
  .transform(
    (o): CustomerUpsert => ({
      externalId: o.externalId,
      name: o.name,
      country: o.country ?? null,
      region: o.region ?? null,
      industry: o.industry ?? null,
      registrationDate: o.registrationDate ?? null,
      currency: o.currency ?? "CNY",
      paymentTermsDays: o.paymentTermsDays ?? null,
      attributes: o.attributes ?? null,
    }),
  );

const INVOICE_STATUSES = ["open", "paid", "written_off", "cancelled"] as const;

/**
 * An invoice row -> InvoiceUpsert: amounts to minor units in the row's currency (default CNY), paid amount
 * and status derived when absent, and the cross-field rules of docs/INGESTION.md.
 */
export const invoiceRowSchema = z
  .object({
    externalId: text(ID_MAX),
    customerId: text(ID_MAX),
    issueDate: isoDate,
    dueDate: isoDate,
    amount: decimal,
    currency: opt(currency),
    paidAmount: opt(decimal),
    settledDate: opt(isoDate),
    disputed: opt(bool),
    status: opt(z.string().trim().toLowerCase().pipe(z.enum(INVOICE_STATUSES, `one of ${INVOICE_STATUSES.join(", ")}`))),
    writtenOffDate: opt(isoDate),
  })
  .transform((o, ctx): InvoiceUpsert => {
    const cur = o.currency ?? "CNY";
    const a = minorOf(o.amount, cur);
    const amountMinor = typeof a === "number" ? a : null;
    if (typeof a === "string") issue(ctx, "amount", amountExpect(cur, a));
    else if (a <= 0) issue(ctx, "amount", "amount > 0");
    const p = o.paidAmount === undefined ? null : minorOf(o.paidAmount, cur);
    let paidMinor = typeof p === "number" ? p : null;
    if (typeof p === "string") issue(ctx, "paidAmount", amountExpect(cur, p, "paid amount"));
    if (o.dueDate < o.issueDate) issue(ctx, "dueDate", `dueDate on or after issueDate ${o.issueDate}`);
    if (o.settledDate && o.settledDate < o.issueDate) issue(ctx, "settledDate", `settledDate on or after issueDate ${o.issueDate}`);
    if (o.writtenOffDate && o.writtenOffDate < o.issueDate) issue(ctx, "writtenOffDate", `writtenOffDate on or after issueDate ${o.issueDate}`);
    // Without an explicit paid amount, a settled invoice was paid in full.
    if (o.paidAmount === undefined) paidMinor = o.settledDate && amountMinor !== null ? amountMinor : 0;
    if (paidMinor !== null && amountMinor !== null && amountMinor > 0) {
      if (paidMinor < 0) issue(ctx, "paidAmount", "paid amount >= 0");
      else if (paidMinor > amountMinor) issue(ctx, "paidAmount", `paid amount <= amount (${o.amount})`);
    }
    const status = o.status ?? (o.writtenOffDate ? "written_off" : amountMinor !== null && paidMinor === amountMinor ? "paid" : "open");
    if (status === "written_off" && !o.writtenOffDate) issue(ctx, "writtenOffDate", "writtenOffDate when status is written_off");
    if (o.writtenOffDate && status !== "written_off") issue(ctx, "status", "status written_off when writtenOffDate is set");
    if (status === "paid" && paidMinor !== amountMinor) issue(ctx, "paidAmount", "paid amount equal to amount when status is paid");
    if (status === "paid" && !o.settledDate) issue(ctx, "settledDate", "settledDate when status is paid");
    return {
      externalId: o.externalId,
      customerExternalId: o.customerId,
      issueDate: o.issueDate,
      dueDate: o.dueDate,
      amountMinor: amountMinor ?? 0,
      currency: cur,
      paidMinor: paidMinor ?? 0,
      settledDate: o.settledDate ?? null,
      disputed: o.disputed ?? false,
      status,
      writtenOffDate: o.writtenOffDate ?? null,
    };
  });

/** A payment row -> PaymentUpsert (amount > 0 in minor units). */
export const paymentRowSchema = z
  .object({
    externalId: text(ID_MAX),
    customerId: text(ID_MAX),
    invoiceId: opt(text(ID_MAX)),
    date: isoDate,
    amount: decimal,
    currency: opt(currency),
    method: opt(text(50)),
  })
  .transform((o, ctx): PaymentUpsert => {
    const cur = o.currency ?? "CNY";
    const a = minorOf(o.amount, cur);
    const amountMinor = typeof a === "number" ? a : null;
    if (typeof a === "string") issue(ctx, "amount", amountExpect(cur, a));
    else if (a <= 0) issue(ctx, "amount", "amount > 0");
    return {
      externalId: o.externalId,
      customerExternalId: o.customerId,
      invoiceExternalId: o.invoiceId ?? null,
      date: o.date,
      amountMinor: amountMinor ?? 0,
      currency: cur,
      method: o.method ?? null,
    };
  });

/** The row schema of each kind. */
export const ROW_SCHEMAS = { customers: customerRowSchema, invoices: invoiceRowSchema, payments: paymentRowSchema } as const;

/** Canonical fields per kind, in their documented order, and which are required. */
export const FIELDS: Record<IngestKind, { name: string; required: boolean }[]> = {
  customers: [
    { name: "externalId", required: true },
    { name: "name", required: true },
    { name: "country", required: false },
    { name: "region", required: false },
    { name: "industry", required: false },
    { name: "registrationDate", required: false },
    { name: "currency", required: false },
    { name: "paymentTermsDays", required: false },
    { name: "attributes", required: false },
  ],
  invoices: [
    { name: "externalId", required: true },
    { name: "customerId", required: true },
    { name: "issueDate", required: true },
    { name: "dueDate", required: true },
    { name: "amount", required: true },
    { name: "currency", required: false },
    { name: "paidAmount", required: false },
    { name: "settledDate", required: false },
    { name: "disputed", required: false },
    { name: "status", required: false },
    { name: "writtenOffDate", required: false },
  ],
  payments: [
    { name: "externalId", required: true },
    { name: "customerId", required: true },
    { name: "invoiceId", required: false },
    { name: "date", required: true },
    { name: "amount", required: true },
    { name: "currency", required: false },
    { name: "method", required: false },
  ],
};

/** Accepted header spellings (compared lower-cased with `_`, `-`, spaces and dots removed). */
const ALIASES: Record<IngestKind, Record<string, string[]>> = {
  customers: {
    externalId: ["externalid", "id", "customerid", "customerexternalid", "customerno", "customernumber", "customercode"],
    name: ["name", "customername", "companyname"],
    country: ["country", "countrycode"],
    region: ["region", "province", "state"],
    industry: ["industry", "sector"],
    registrationDate: ["registrationdate", "registeredon", "customersince"],
    currency: ["currency", "ccy"],
    paymentTermsDays: ["paymenttermsdays", "paymentterms", "termsdays", "terms"],
    attributes: ["attributes", "attrs"],
  },
  invoices: {
    externalId: ["externalid", "id", "invoiceid", "invoiceexternalid", "invoicenumber", "invoiceno"],
    customerId: ["customerid", "customerexternalid", "customer"],
    issueDate: ["issuedate", "invoicedate"],
    dueDate: ["duedate"],
    amount: ["amount", "invoiceamount", "amountmajor"],
    currency: ["currency", "ccy"],
    paidAmount: ["paidamount", "paid", "amountpaid"],
    settledDate: ["settleddate", "settlementdate"],
    disputed: ["disputed", "dispute"],
    status: ["status"],
    writtenOffDate: ["writtenoffdate", "writeoffdate"],
  },
  payments: {
    externalId: ["externalid", "id", "paymentid", "paymentexternalid", "paymentnumber", "paymentno"],
    customerId: ["customerid", "customerexternalid", "customer"],
    invoiceId: ["invoiceid", "invoiceexternalid", "invoice", "invoicenumber"],
    date: ["date", "paymentdate", "valuedate"],
    amount: ["amount", "paymentamount"],
    currency: ["currency", "ccy"],
    method: ["method", "paymentmethod", "channel"],
  },
};

const normKey = (h: string) => h.toLowerCase().replace(/[\s_.\-]/g, "");
const ALIAS_INDEX: Record<IngestKind, Map<string, string>> = Object.fromEntries(
  INGEST_KINDS.map((k) => [k, new Map(Object.entries(ALIASES[k]).flatMap(([field, names]) => names.map((n) => [n, field] as const)))]),
) as Record<IngestKind, Map<string, string>>;

/** Canonical field for a header or JSON key (`customer_id` -> `customerId`), or undefined when unknown. */
export function canonicalField(kind: IngestKind, header: string): string | undefined {
  return ALIAS_INDEX[kind].get(normKey(header.replace(/^\ufeff/, "").trim()));
}

/** The accepted spellings of every field, for help texts and docs. */
export function headerAliases(kind: IngestKind): Record<string, string[]> {
  return ALIASES[kind];
}

/**
 * Validates one row (canonical field names -> raw values) and converts it. Errors carry the row and line
 * numbers given; `received` describes the raw value of the field.
 */
export function parseRow<K extends IngestKind>(
  kind: K,
  values: Record<string, unknown>,
  row: number,
  line?: number,
): { ok: true; value: RowOf<K> } | { ok: false; errors: RowError[] } {
  const r = ROW_SCHEMAS[kind].safeParse(values);
  if (r.success) return { ok: true, value: r.data as RowOf<K> };
  const seen = new Set<string>();
  const errors: RowError[] = [];
  for (const i of r.error.issues) {
    const field = i.path.length ? String(i.path[0]) : "(row)";
    const key = `${field}\u0000${i.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    errors.push({ row, ...(line !== undefined ? { line } : {}), field, expected: i.message, received: describeValue(values[field]) });
  }
  return { ok: false, errors };
}

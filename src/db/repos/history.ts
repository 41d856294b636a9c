import BetterSqlite3 from "better-sqlite3";
import pg from "pg";
import type { CustomerHistory, InvoiceRecord, PaymentRecord } from "../../features";
import type { Database } from "../client";
import { sqlitePath } from "../migrate";
import { toNumber } from "../util";
import { OPEN_ORDER_STATUSES } from "./credit";

/**
 * Payment history for the feature code: one customer per request (`loadHistory`) or the whole
 * portfolio streamed in batches (`loadHistories`). Plain SQL (the same text on SQLite and PostgreSQL
 * apart from placeholders) on the (customerId, ...) indexes, straight on the drivers because Prisma's
 * raw query path costs 2-3x the query itself here: on SQLite a read-only better-sqlite3 connection to
 * the same file, on PostgreSQL a small `pg` pool for single lookups, both kept per `Database`, and a
 * dedicated `pg` client for the duration of a stream. Ids in the returned history are the external ids; money is
 * converted from BigInt to number (exact up to 2^53).
 */

/** Runs a query and returns its rows as arrays of column values, in SELECT order. */
type Query = <T>(sql: string, params: unknown[]) => Promise<T[]>;

const sqliteReaders = new WeakMap<Database, BetterSqlite3.Database>();
const statementCache = new WeakMap<BetterSqlite3.Database, Map<string, BetterSqlite3.Statement>>();

function sqliteQuery(db: Database): Query {
  let conn = sqliteReaders.get(db);
  if (!conn) {
    conn = new BetterSqlite3(sqlitePath(db.url), { readonly: true, fileMustExist: true });
    conn.pragma("busy_timeout = 10000");
    sqliteReaders.set(db, conn);
    statementCache.set(conn, new Map());
  }
  const c = conn;
  const cache = statementCache.get(c)!;
  return async <T>(sql: string, params: unknown[]) => {
    let st = cache.get(sql);
    if (!st) {
      // Rows as arrays: no per-row object with named keys, which is a third of the read time.
      st = c.prepare(sql).raw(true);
      if (cache.size < 200) cache.set(sql, st);
    }
    return st.all(...params) as T[];
  };
}

const pgPools = new WeakMap<Database, pg.Pool>();

function pgQuery(db: Database): Query {
  let pool = pgPools.get(db);
  if (!pool) {
    // Small and idle-friendly: it never keeps the process alive and gives connections back when idle.
    pool = new pg.Pool({ connectionString: db.url, max: 4, idleTimeoutMillis: 10_000, allowExitOnIdle: true });
    pgPools.set(db, pool);
  }
  const p = pool;
  return async <T>(sql: string, params: unknown[]) => (await p.query({ text: sql, values: params, rowMode: "array" })).rows as T[];
}

/**
 * Closes the connections `loadHistory` keeps for `db` (a read-only SQLite handle, or a small `pg` pool
 * that closes idle connections by itself after 10 s). Call it beside `db.close()` where the database is
 * deleted afterwards (tests); harmless otherwise.
 */
export async function closeHistoryReader(db: Database): Promise<void> {
  sqliteReaders.get(db)?.close();
  sqliteReaders.delete(db);
  const pool = pgPools.get(db);
  pgPools.delete(db);
  await pool?.end();
}

type Int = number | bigint;
type Money = number | bigint | string;
/** id, externalId, registrationDate, industry, paymentTermsDays, limitMinor */
type CustomerRow = [Int, string, string | null, string | null, Int | null, Money | null];
/** id, customerId, externalId, issueDate, dueDate, amountMinor, currency, paidMinor, settledDate, disputed, status, writtenOffDate */
type InvoiceRow = [Int, Int, string, string, string, Money, string, Money, string | null, boolean | number, string, string | null];
/** customerId, externalId, invoiceId, date, amountMinor */
type PaymentRow = [Int, string, Int | null, string, Money];

const STATUSES = new Set(["open", "paid", "written_off", "cancelled"]);

const num = (v: number | bigint | string | null): number => (typeof v === "string" ? toNumber(BigInt(v)) : toNumber(v));

function placeholders(db: Database, n: number, from = 1): string {
  const out: string[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = db.kind === "sqlite" ? "?" : `$${from + i}`;
  return out.join(", ");
}

const CUSTOMER_COLS = `c."id", c."externalId", c."registrationDate", c."industry", c."paymentTermsDays", p."limitMinor"
  FROM "Customer" c LEFT JOIN "CreditProfile" p ON p."customerId" = c."id"`;
const INVOICE_COLS = `"id", "customerId", "externalId", "issueDate", "dueDate", "amountMinor", "currency", "paidMinor", "settledDate", "disputed", "status", "writtenOffDate" FROM "Invoice"`;
const PAYMENT_COLS = `"customerId", "externalId", "invoiceId", "date", "amountMinor" FROM "Payment"`;

function toInvoice(r: InvoiceRow, customerExt: string): InvoiceRecord {
  return {
    id: r[2],
    customerId: customerExt,
    issueDate: r[3],
    dueDate: r[4],
    amountMinor: num(r[5]),
    currency: r[6],
    paidMinor: num(r[7]),
    settledDate: r[8],
    disputed: r[9] === true || r[9] === 1,
    // Unknown statuses (written by hand into the database) are read as open: the features never rely on it.
    status: (STATUSES.has(r[10]) ? r[10] : "open") as InvoiceRecord["status"],
    writtenOffDate: r[11],
  };
}

function assemble(c: CustomerRow, invoices: InvoiceRow[], payments: PaymentRow[]): CustomerHistory {
  const ext = c[1];
  const invExt = new Map<number, string>();
  const inv: InvoiceRecord[] = new Array(invoices.length);
  for (let i = 0; i < invoices.length; i++) {
    invExt.set(Number(invoices[i][0]), invoices[i][2]);
    inv[i] = toInvoice(invoices[i], ext);
  }
  const pay: PaymentRecord[] = new Array(payments.length);
  for (let i = 0; i < payments.length; i++) {
    const p = payments[i];
    pay[i] = { id: p[1], customerId: ext, invoiceId: p[2] === null ? null : (invExt.get(Number(p[2])) ?? null), date: p[3], amountMinor: num(p[4]) };
  }
  return {
    customerId: ext,
    registrationDate: c[2],
    industry: c[3],
    paymentTermsDays: c[4] === null ? null : Number(c[4]),
    creditLimitMinor: c[5] === null ? null : num(c[5]),
    invoices: inv,
    payments: pay,
  };
}

/** One customer's invoices (by issue date) and payments (by date), as driver rows. */
function customerRows(db: Database, q: Query, id: number): Promise<[InvoiceRow[], PaymentRow[]]> {
  return Promise.all([
    q<InvoiceRow>(`SELECT ${INVOICE_COLS} WHERE "customerId" = ${placeholders(db, 1)} ORDER BY "issueDate", "id"`, [id]),
    q<PaymentRow>(`SELECT ${PAYMENT_COLS} WHERE "customerId" = ${placeholders(db, 1)} ORDER BY "date", "id"`, [id]),
  ]);
}

/**
 * The payment history of the customer with external id `customerExternalId`, or null when there is no
 * such customer. Three indexed queries (customer with its credit profile, invoices, payments), ordered
 * by issue date and payment date. The credit limit is the credit profile's (null without a profile).
 */
export async function loadHistory(db: Database, customerExternalId: string): Promise<CustomerHistory | null> {
  const q = db.kind === "sqlite" ? sqliteQuery(db) : pgQuery(db);
  const cs = await q<CustomerRow>(`SELECT ${CUSTOMER_COLS} WHERE c."externalId" = ${placeholders(db, 1)}`, [customerExternalId]);
  if (cs.length === 0) return null;
  const id = Number(cs[0][0]);
  const [invoices, payments] = await customerRows(db, q, id);
  return assemble(cs[0], invoices, payments);
}

/** What the order credit check needs about one customer, read in one round of indexed queries. */
export interface CreditCase {
  /** Internal database id of the customer. */
  customerDbId: number;
  currency: string;
  history: CustomerHistory;
  profile: { tier: string; limitMinor: number; limitValidUntil: string | null; tierFloor: string | null; lastPd: number | null } | null;
  blacklisted: boolean;
  /** Open orders (pending, approved, review, held, prepay, released) except `excludeOrderRef`, minor units. */
  openOrdersMinor: number;
}

/** customer columns of CustomerRow, then currency, tier, limitValidUntil, tierFloor, lastPd, hasProfile, blacklisted, openOrders */
type CaseRow = [...CustomerRow, string, string | null, string | null, string | null, number | null, Int | boolean, Int | boolean, Money | null];

/**
 * The payment history plus credit profile, blacklist flag and open-order total of one customer (by
 * external id), or null when there is no such customer. The per-request path of `POST /score` with an
 * order: three indexed queries straight on the driver instead of one Prisma call per fact, which cost
 * about 1 ms each here. The order being checked (`excludeOrderRef`) is left out of the open orders.
 */
export async function loadCreditCase(db: Database, customerExternalId: string, excludeOrderRef = ""): Promise<CreditCase | null> {
  const q = db.kind === "sqlite" ? sqliteQuery(db) : pgQuery(db);
  const [p1, p2] = db.kind === "sqlite" ? ["?", "?"] : ["$1", "$2"];
  const open = OPEN_ORDER_STATUSES.map((s) => `'${s}'`).join(", ");
  const cs = await q<CaseRow>(
    `SELECT c."id", c."externalId", c."registrationDate", c."industry", c."paymentTermsDays", p."limitMinor",
       c."currency", p."tier", p."limitValidUntil", p."tierFloor", p."lastPd", p."id" IS NOT NULL,
       EXISTS (SELECT 1 FROM "BlacklistEntry" b WHERE b."customerId" = c."id" AND b."removedAt" IS NULL),
       (SELECT COALESCE(SUM(o."amountMinor"), 0) FROM "Order" o WHERE o."customerId" = c."id" AND o."status" IN (${open}) AND o."externalId" <> ${p1})
     FROM "Customer" c LEFT JOIN "CreditProfile" p ON p."customerId" = c."id" WHERE c."externalId" = ${p2}`,
    [excludeOrderRef, customerExternalId],
  );
  if (cs.length === 0) return null;
  const r = cs[0];
  const id = Number(r[0]);
  const [invoices, payments] = await customerRows(db, q, id);
  const truthy = (v: Int | boolean) => v === true || Number(v) === 1;
  return {
    customerDbId: id,
    currency: r[6],
    history: assemble([r[0], r[1], r[2], r[3], r[4], r[5]], invoices, payments),
    profile: truthy(r[11])
      ? { tier: r[7] as string, limitMinor: num(r[5]), limitValidUntil: r[8], tierFloor: r[9], lastPd: r[10] === null ? null : Number(r[10]) }
      : null,
    blacklisted: truthy(r[12]),
    openOrdersMinor: num(r[13]),
  };
}

/** Options of `loadHistories`. */
export interface LoadHistoriesOptions {
  /** Customers per batch (default 500): memory is bounded by one batch's invoices and payments. */
  batchSize?: number;
  /** Only these customers (external ids), in this order; unknown ids are skipped. Default: all, in id order. */
  customerIds?: readonly string[];
}

function group<T extends unknown[]>(rows: T[], col: number): Map<number, T[]> {
  const m = new Map<number, T[]>();
  for (const r of rows) {
    const k = Number(r[col]);
    let l = m.get(k);
    if (!l) m.set(k, (l = []));
    l.push(r);
  }
  return m;
}

/**
 * Streams the payment histories of the portfolio (or of `customerIds`) in batches of `batchSize`
 * customers: three queries per batch, keyset-paginated by customer id, so memory stays bounded whatever
 * the portfolio size.
 */
export async function* loadHistories(db: Database, opts: LoadHistoriesOptions = {}): AsyncIterable<CustomerHistory> {
  const size = Math.max(1, Math.floor(opts.batchSize ?? 500));
  let client: pg.Client | null = null;
  let q: Query;
  if (db.kind === "sqlite") q = sqliteQuery(db);
  else {
    const cl = (client = new pg.Client({ connectionString: db.url }));
    await cl.connect();
    q = async <T>(sql: string, params: unknown[]) => (await cl.query({ text: sql, values: params, rowMode: "array" })).rows as T[];
  }
  try {
    yield* stream(db, q, size, opts.customerIds);
  } finally {
    await client?.end();
  }
}

async function* stream(db: Database, q: Query, size: number, customerIds: readonly string[] | undefined): AsyncIterable<CustomerHistory> {
  let after = 0;
  let listPos = 0;
  for (;;) {
    let customers: CustomerRow[];
    if (customerIds) {
      if (listPos >= customerIds.length) return;
      const ids = customerIds.slice(listPos, listPos + size);
      listPos += size;
      customers = await q<CustomerRow>(`SELECT ${CUSTOMER_COLS} WHERE c."externalId" IN (${placeholders(db, ids.length)}) ORDER BY c."id"`, ids);
      if (customers.length === 0) continue;
      const pos = new Map(ids.map((x, i) => [x, i]));
      customers.sort((a, b) => pos.get(a[1])! - pos.get(b[1])!);
    } else {
      customers = await q<CustomerRow>(`SELECT ${CUSTOMER_COLS} WHERE c."id" > ${placeholders(db, 1)} ORDER BY c."id" LIMIT ${size}`, [after]);
      if (customers.length === 0) return;
      after = Number(customers[customers.length - 1][0]);
    }
    const ids = customers.map((c) => Number(c[0]));
    const lo = Math.min(...ids);
    const hi = Math.max(...ids);
    // A contiguous id range uses the (customerId, ...) indexes as one range scan; a sparse list uses IN.
    const contiguous = hi - lo + 1 === ids.length;
    const where = contiguous ? `"customerId" BETWEEN ${placeholders(db, 1)} AND ${placeholders(db, 1, 2)}` : `"customerId" IN (${placeholders(db, ids.length)})`;
    const params = contiguous ? [lo, hi] : ids;
    const [invoices, payments] = await Promise.all([
      q<InvoiceRow>(`SELECT ${INVOICE_COLS} WHERE ${where} ORDER BY "customerId", "issueDate", "id"`, params),
      q<PaymentRow>(`SELECT ${PAYMENT_COLS} WHERE ${where} ORDER BY "customerId", "date", "id"`, params),
    ]);
    const invBy = group(invoices, 1);
    const payBy = group(payments, 0);
    for (const c of customers) {
      const id = Number(c[0]);
      yield assemble(c, invBy.get(id) ?? [], payBy.get(id) ?? []);
    }
  }
}

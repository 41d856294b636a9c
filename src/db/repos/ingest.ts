import BetterSqlite3 from "better-sqlite3";
import pg from "pg";
import type { Database, DbKind } from "../client";
import { sqlitePath } from "../migrate";

/**
 * Bulk upserts by external id for ingestion, on raw driver connections (better-sqlite3 on the same file,
 * or a pg pool) because Prisma's per-statement overhead is too slow for million-row imports. Each upsert
 * writes only when a value differs, so re-importing the same data changes nothing (updatedAt included),
 * and reports per row whether it created, updated or left the record unchanged.
 */

/** A customer as written by ingestion (external id is the upsert key). */
export interface CustomerUpsert {
  externalId: string;
  name: string;
  country: string | null;
  region: string | null;
  industry: string | null;
  registrationDate: string | null;
  currency: string;
  paymentTermsDays: number | null;
  /** JSON text of an object, or null. */
  attributes: string | null;
}

/** An invoice; the customer is named by its external id. Money in integer minor units. */
export interface InvoiceUpsert {
  externalId: string;
  customerExternalId: string;
  issueDate: string;
  dueDate: string;
  amountMinor: number;
  currency: string;
  paidMinor: number;
  settledDate: string | null;
  disputed: boolean;
  status: "open" | "paid" | "written_off" | "cancelled";
  writtenOffDate: string | null;
}

/** A payment; customer and (optional) invoice are named by external id. */
export interface PaymentUpsert {
  externalId: string;
  customerExternalId: string;
  invoiceExternalId: string | null;
  date: string;
  amountMinor: number;
  currency: string;
  method: string | null;
}

/** What an upsert of a chunk did: per input row, 'created' | 'updated' | 'unchanged'. */
export interface UpsertCounts {
  created: number;
  updated: number;
  unchanged: number;
}

/** A stored idempotent answer. */
export interface IdempotencyEntry {
  requestHash: string;
  status: number;
  response: unknown;
}

/** Operations inside one transaction. Internal ids are resolved by the caller with the lookups. */
export interface IngestTx {
  /** Internal ids of the customers that exist, by external id. */
  lookupCustomers(externalIds: readonly string[]): Promise<Map<string, number>>;
  /** Internal id and owning customer's internal id of the invoices that exist, by external id. */
  lookupInvoices(externalIds: readonly string[]): Promise<Map<string, { id: number; customerId: number }>>;
  upsertCustomers(rows: readonly CustomerUpsert[]): Promise<UpsertCounts>;
  /** `customerIds[i]` is the internal id of `rows[i]`'s customer. */
  upsertInvoices(rows: readonly InvoiceUpsert[], customerIds: readonly number[]): Promise<UpsertCounts>;
  /** `customerIds[i]` / `invoiceIds[i]` are the internal ids of `rows[i]`'s customer and invoice (or null). */
  upsertPayments(rows: readonly PaymentUpsert[], customerIds: readonly number[], invoiceIds: readonly (number | null)[]): Promise<UpsertCounts>;
  getIdempotency(scope: string, key: string): Promise<IdempotencyEntry | null>;
  putIdempotency(scope: string, key: string, entry: IdempotencyEntry): Promise<void>;
}

/** A raw-driver connection for ingestion. Close it when done (the Database's Prisma client is separate). */
export interface IngestStore extends Pick<IngestTx, "lookupCustomers" | "lookupInvoices"> {
  readonly kind: DbKind;
  /**
   * Runs `fn` in one transaction (SQLite: BEGIN IMMEDIATE on a dedicated connection, transactions of one
   * store run one at a time; PostgreSQL: one pooled client). Commits when `fn` resolves, rolls back when it
   * throws (and rethrows).
   */
  transaction<T>(fn: (tx: IngestTx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface IngestStoreOptions {
  /**
   * SQLite page cache of the ingestion connection in MiB (default: SQLite's 2 MiB). Large imports with
   * large transactions run faster with a cache that holds a transaction's dirty index pages; it costs
   * that much memory. Ignored on PostgreSQL.
   */
  sqliteCacheMiB?: number;
}

/** Opens an ingestion store on the database `db` points at. */
export function openIngestStore(db: Pick<Database, "kind" | "url">, opts: IngestStoreOptions = {}): IngestStore {
  return db.kind === "sqlite" ? new SqliteIngestStore(db.url, opts) : new PgIngestStore(db.url);
}

// Prisma's own DateTime text form on SQLite ('2026-11-22T14:21:57.415+00:00'), so Prisma reads it back.
const sqliteNow = () => new Date().toISOString().replace("Z", "+00:00");

const CUSTOMER_COLS = ["name", "country", "region", "industry", "registrationDate", "currency", "paymentTermsDays", "attributes"] as const;
const INVOICE_COLS = ["customerId", "issueDate", "dueDate", "amountMinor", "currency", "paidMinor", "settledDate", "disputed", "status", "writtenOffDate"] as const;
const PAYMENT_COLS = ["customerId", "invoiceId", "date", "amountMinor", "currency", "method"] as const;

function sqliteUpsertSql(table: string, cols: readonly string[]): string {
  const all = ["externalId", ...cols, "createdAt", "updatedAt"];
  return (
    `INSERT INTO "${table}" (${all.map((c) => `"${c}"`).join(", ")}) VALUES (${all.map(() => "?").join(", ")}) ` +
    `ON CONFLICT("externalId") DO UPDATE SET ${[...cols, "updatedAt"].map((c) => `"${c}" = excluded."${c}"`).join(", ")} ` +
    `WHERE ${cols.map((c) => `"${table}"."${c}" IS NOT excluded."${c}"`).join(" OR ")} RETURNING "id"`
  );
}

class SqliteIngestStore implements IngestStore {
  readonly kind = "sqlite" as const;
  private readonly conn: BetterSqlite3.Database;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly st;

  constructor(url: string, opts: IngestStoreOptions) {
    this.conn = new BetterSqlite3(sqlitePath(url));
    this.conn.pragma("busy_timeout = 10000");
    this.conn.pragma("journal_mode = WAL");
    // WAL + NORMAL: a committed transaction survives a process crash; only power loss may drop the last ones.
    this.conn.pragma("synchronous = NORMAL");
    if (opts.sqliteCacheMiB) this.conn.pragma(`cache_size = -${Math.round(opts.sqliteCacheMiB * 1024)}`);
    const c = this.conn;
    this.st = {
      customer: c.prepare(sqliteUpsertSql("Customer", CUSTOMER_COLS)),
      invoice: c.prepare(sqliteUpsertSql("Invoice", INVOICE_COLS)),
      payment: c.prepare(sqliteUpsertSql("Payment", PAYMENT_COLS)),
      maxCustomer: c.prepare(`SELECT COALESCE(MAX("id"), 0) AS m FROM "Customer"`).pluck(),
      maxInvoice: c.prepare(`SELECT COALESCE(MAX("id"), 0) AS m FROM "Invoice"`).pluck(),
      maxPayment: c.prepare(`SELECT COALESCE(MAX("id"), 0) AS m FROM "Payment"`).pluck(),
      findCustomer: c.prepare(`SELECT "id" FROM "Customer" WHERE "externalId" = ?`).pluck(),
      findInvoice: c.prepare(`SELECT "id", "customerId" FROM "Invoice" WHERE "externalId" = ?`),
      getIdem: c.prepare(`SELECT "requestHash", "status", "response" FROM "IdempotencyRecord" WHERE "scope" = ? AND "key" = ?`),
      putIdem: c.prepare(`INSERT INTO "IdempotencyRecord" ("scope", "key", "requestHash", "status", "response", "createdAt") VALUES (?, ?, ?, ?, ?, ?)`),
    };
  }

  private run(stmt: BetterSqlite3.Statement, maxId: number, params: unknown[][]): UpsertCounts {
    const counts = { created: 0, updated: 0, unchanged: 0 };
    for (const p of params) {
      const r = stmt.get(...p) as { id: number } | undefined;
      if (r === undefined) counts.unchanged++;
      else if (r.id > maxId) counts.created++;
      else counts.updated++;
    }
    return counts;
  }

  private readonly tx: IngestTx = {
    lookupCustomers: async (ids) => this.lookupCustomersSync(ids),
    lookupInvoices: async (ids) => this.lookupInvoicesSync(ids),
    upsertCustomers: async (rows) => {
      const now = sqliteNow();
      const max = this.st.maxCustomer.get() as number;
      return this.run(
        this.st.customer,
        max,
        rows.map((r) => [r.externalId, r.name, r.country, r.region, r.industry, r.registrationDate, r.currency, r.paymentTermsDays, r.attributes, now, now]),
      );
    },
    upsertInvoices: async (rows, customerIds) => {
      const now = sqliteNow();
      const max = this.st.maxInvoice.get() as number;
      return this.run(
        this.st.invoice,
        max,
        rows.map((r, i) => [
          r.externalId, customerIds[i], r.issueDate, r.dueDate, r.amountMinor, r.currency, r.paidMinor, r.settledDate,
          r.disputed ? 1 : 0, r.status, r.writtenOffDate, now, now,
        ]),
      );
    },
    upsertPayments: async (rows, customerIds, invoiceIds) => {
      const now = sqliteNow();
      const max = this.st.maxPayment.get() as number;
      return this.run(
        this.st.payment,
        max,
        rows.map((r, i) => [r.externalId, customerIds[i], invoiceIds[i], r.date, r.amountMinor, r.currency, r.method, now, now]),
      );
    },
    getIdempotency: async (scope, key) => {
      const r = this.st.getIdem.get(scope, key) as { requestHash: string; status: number; response: string } | undefined;
      return r ? { requestHash: r.requestHash, status: r.status, response: JSON.parse(r.response) } : null;
    },
    putIdempotency: async (scope, key, e) => {
      this.st.putIdem.run(scope, key, e.requestHash, e.status, JSON.stringify(e.response), sqliteNow());
    },
  };

  private lookupCustomersSync(ids: readonly string[]): Map<string, number> {
    const m = new Map<string, number>();
    for (const id of ids) {
      const v = this.st.findCustomer.get(id) as number | undefined;
      if (v !== undefined) m.set(id, v);
    }
    return m;
  }

  private lookupInvoicesSync(ids: readonly string[]): Map<string, { id: number; customerId: number }> {
    const m = new Map<string, { id: number; customerId: number }>();
    for (const id of ids) {
      const v = this.st.findInvoice.get(id) as { id: number; customerId: number } | undefined;
      if (v !== undefined) m.set(id, v);
    }
    return m;
  }

  async lookupCustomers(ids: readonly string[]) {
    return this.lookupCustomersSync(ids);
  }

  async lookupInvoices(ids: readonly string[]) {
    return this.lookupInvoicesSync(ids);
  }

  transaction<T>(fn: (tx: IngestTx) => Promise<T>): Promise<T> {
    // One connection: transactions must not interleave across awaits, so they queue.
    const next = this.queue.then(async () => {
      this.conn.exec("BEGIN IMMEDIATE");
      try {
        const r = await fn(this.tx);
        this.conn.exec("COMMIT");
        return r;
      } catch (e) {
        if (this.conn.inTransaction) this.conn.exec("ROLLBACK");
        throw e;
      }
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  async close(): Promise<void> {
    await this.queue;
    if (this.conn.open) this.conn.close();
  }
}

// ------------------------------------------------------------------------------------------ PostgreSQL

const PG_NOW = `timezone('UTC', now())`;

function pgUpsertSql(table: string, cols: readonly string[], types: readonly string[]): string {
  const all = ["externalId", ...cols];
  const unnest = all.map((_, i) => `$${i + 1}::${types[i]}[]`).join(", ");
  const select = all.map((c, i) => (types[i] === "text" && c === "attributes" ? `t."${c}"::jsonb` : `t."${c}"`)).join(", ");
  return (
    `INSERT INTO "${table}" (${[...all, "createdAt", "updatedAt"].map((c) => `"${c}"`).join(", ")}) ` +
    `SELECT ${select}, ${PG_NOW}, ${PG_NOW} FROM unnest(${unnest}) AS t(${all.map((c) => `"${c}"`).join(", ")}) ` +
    `ON CONFLICT ("externalId") DO UPDATE SET ${[...cols, "updatedAt"].map((c) => `"${c}" = EXCLUDED."${c}"`).join(", ")} ` +
    `WHERE (${cols.map((c) => `"${table}"."${c}"`).join(", ")}) IS DISTINCT FROM (${cols.map((c) => `EXCLUDED."${c}"`).join(", ")}) ` +
    `RETURNING (xmax = 0) AS inserted`
  );
}

const PG_SQL = {
  customer: pgUpsertSql("Customer", CUSTOMER_COLS, ["text", "text", "text", "text", "text", "text", "text", "int4", "text"]),
  invoice: pgUpsertSql("Invoice", INVOICE_COLS, ["text", "int4", "text", "text", "int8", "text", "int8", "text", "bool", "text", "text"]),
  payment: pgUpsertSql("Payment", PAYMENT_COLS, ["text", "int4", "int4", "text", "int8", "text", "text"]),
};

/** Rows per INSERT statement on PostgreSQL (arrays travel as one parameter per column). */
const PG_STATEMENT_ROWS = 5000;

class PgIngestStore implements IngestStore {
  readonly kind = "postgres" as const;
  private readonly pool: pg.Pool;

  constructor(url: string) {
    this.pool = new pg.Pool({ connectionString: url, max: 4, allowExitOnIdle: true });
  }

  private static async upsert(client: pg.PoolClient, sql: string, columns: unknown[][], n: number): Promise<UpsertCounts> {
    const counts = { created: 0, updated: 0, unchanged: 0 };
    for (let from = 0; from < n; from += PG_STATEMENT_ROWS) {
      const to = Math.min(n, from + PG_STATEMENT_ROWS);
      const params = columns.map((col) => col.slice(from, to));
      const { rows } = await client.query<{ inserted: boolean }>(sql, params);
      for (const r of rows) r.inserted ? counts.created++ : counts.updated++;
      counts.unchanged += to - from - rows.length;
    }
    return counts;
  }

  private static async lookupCustomers(q: pg.Pool | pg.PoolClient, ids: readonly string[]) {
    const m = new Map<string, number>();
    if (ids.length === 0) return m;
    const { rows } = await q.query<{ externalId: string; id: number }>(`SELECT "externalId", "id" FROM "Customer" WHERE "externalId" = ANY($1::text[])`, [ids]);
    for (const r of rows) m.set(r.externalId, r.id);
    return m;
  }

  private static async lookupInvoices(q: pg.Pool | pg.PoolClient, ids: readonly string[]) {
    const m = new Map<string, { id: number; customerId: number }>();
    if (ids.length === 0) return m;
    const { rows } = await q.query<{ externalId: string; id: number; customerId: number }>(
      `SELECT "externalId", "id", "customerId" FROM "Invoice" WHERE "externalId" = ANY($1::text[])`,
      [ids],
    );
    for (const r of rows) m.set(r.externalId, { id: r.id, customerId: r.customerId });
    return m;
  }

  private txFor(c: pg.PoolClient): IngestTx {
    const col = <R>(rows: readonly R[], f: (r: R, i: number) => unknown) => rows.map(f);
    return {
      lookupCustomers: (ids) => PgIngestStore.lookupCustomers(c, ids),
      lookupInvoices: (ids) => PgIngestStore.lookupInvoices(c, ids),
      upsertCustomers: (rows) =>
        PgIngestStore.upsert(
          c,
          PG_SQL.customer,
          [
            col(rows, (r) => r.externalId), col(rows, (r) => r.name), col(rows, (r) => r.country), col(rows, (r) => r.region),
            col(rows, (r) => r.industry), col(rows, (r) => r.registrationDate), col(rows, (r) => r.currency),
            col(rows, (r) => r.paymentTermsDays), col(rows, (r) => r.attributes),
          ],
          rows.length,
        ),
      upsertInvoices: (rows, customerIds) =>
        PgIngestStore.upsert(
          c,
          PG_SQL.invoice,
          [
            col(rows, (r) => r.externalId), [...customerIds], col(rows, (r) => r.issueDate), col(rows, (r) => r.dueDate),
            col(rows, (r) => r.amountMinor), col(rows, (r) => r.currency), col(rows, (r) => r.paidMinor), col(rows, (r) => r.settledDate),
            col(rows, (r) => r.disputed), col(rows, (r) => r.status), col(rows, (r) => r.writtenOffDate),
          ],
          rows.length,
        ),
      upsertPayments: (rows, customerIds, invoiceIds) =>
        PgIngestStore.upsert(
          c,
          PG_SQL.payment,
          [
            col(rows, (r) => r.externalId), [...customerIds], [...invoiceIds], col(rows, (r) => r.date), col(rows, (r) => r.amountMinor),
            col(rows, (r) => r.currency), col(rows, (r) => r.method),
          ],
          rows.length,
        ),
      getIdempotency: async (scope, key) => {
        const { rows } = await c.query<{ requestHash: string; status: number; response: unknown }>(
          `SELECT "requestHash", "status", "response" FROM "IdempotencyRecord" WHERE "scope" = $1 AND "key" = $2`,
          [scope, key],
        );
        return rows[0] ?? null;
      },
      putIdempotency: async (scope, key, e) => {
        await c.query(
          `INSERT INTO "IdempotencyRecord" ("scope", "key", "requestHash", "status", "response", "createdAt") VALUES ($1, $2, $3, $4, $5::jsonb, ${PG_NOW})`,
          [scope, key, e.requestHash, e.status, JSON.stringify(e.response)],
        );
      },
    };
  }

  lookupCustomers(ids: readonly string[]) {
    return PgIngestStore.lookupCustomers(this.pool, ids);
  }

  lookupInvoices(ids: readonly string[]) {
    return PgIngestStore.lookupInvoices(this.pool, ids);
  }

  async transaction<T>(fn: (tx: IngestTx) => Promise<T>): Promise<T> {
    const c = await this.pool.connect();
    try {
      await c.query("BEGIN");
      const r = await fn(this.txFor(c));
      await c.query("COMMIT");
      return r;
    } catch (e) {
      await c.query("ROLLBACK").catch(() => undefined);
      throw e;
    } finally {
      c.release();
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

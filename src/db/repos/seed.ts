import BetterSqlite3 from "better-sqlite3";
import pg from "pg";
import { ConflictError } from "../../shared";
import { generateCustomers, validateDemoOptions, type DemoCustomerBundle, type DemoOptions } from "../../demo";
import type { Database } from "../client";
import { sqlitePath } from "../migrate";

/**
 * Bulk insertion of the demo portfolio. The ORM is bypassed for speed: on SQLite raw better-sqlite3
 * prepared statements on the same file, on PostgreSQL multi-row `INSERT ... SELECT FROM unnest(...)`
 * through `pg`; both in one transaction, so a failed seed leaves nothing behind.
 */

/** What to do when the database already holds customers. */
export type SeedMode = "refuse" | "append" | "reset";

export interface SeedOptions extends DemoOptions {
  /**
   * `refuse` (default): throw a ConflictError when any customer exists; `append`: add the portfolio
   * beside existing data (refused when this seed's demo ids are already present); `reset`: delete all
   * customer data first (see `resetCustomerData`).
   */
  mode?: SeedMode;
  /** Customers generated and inserted per batch (default 250). */
  batchCustomers?: number;
  /** Called after each batch with customers done so far and the total. */
  onProgress?: (done: number, total: number) => void;
}

export interface SeedCounts {
  customers: number;
  invoices: number;
  payments: number;
  orders: number;
  profiles: number;
  /** Customers deleted first (mode `reset`). */
  deletedCustomers: number;
  /** Wall time of generation plus insertion, in milliseconds. */
  elapsedMs: number;
}

/** Tables holding customer data, children first (the order `resetCustomerData` deletes in). */
const CUSTOMER_TABLES = ["WebhookDelivery", "CollectionAction", "Payment", "Invoice", "Order", "CreditProfile", "LimitChange", "ScoreSnapshot", "BlacklistEntry"];

async function countCustomers(db: Database, where = "", param?: string): Promise<number> {
  const sql = `SELECT COUNT(*) AS n FROM "Customer"${where ? ` WHERE "externalId" LIKE ${db.kind === "sqlite" ? "?" : "$1"}` : ""}`;
  const rows = await db.prisma.$queryRawUnsafe<{ n: number | bigint | string }[]>(sql, ...(param !== undefined ? [param] : []));
  return Number(rows[0].n);
}

/**
 * Deletes every customer and everything that belongs to one (invoices, payments, orders, credit
 * profiles, limit changes, score snapshots, collection actions and their webhook deliveries, blacklist
 * entries). Audit records (decisions, overrides) are kept with their customer reference set to null.
 * Models, policies, API keys and job runs are untouched. Returns the number of customers deleted.
 */
export async function resetCustomerData(db: Database): Promise<number> {
  const n = await countCustomers(db);
  const stmts = [
    ...CUSTOMER_TABLES.map((t) => `DELETE FROM "${t}"`),
    `UPDATE "Decision" SET "customerId" = NULL WHERE "customerId" IS NOT NULL`,
    `UPDATE "Override" SET "customerId" = NULL WHERE "customerId" IS NOT NULL`,
    `DELETE FROM "Customer"`,
  ];
  await db.prisma.$transaction(stmts.map((s) => db.prisma.$executeRawUnsafe(s)));
  return n;
}

/**
 * Generates the demo portfolio (`generateCustomers`) and inserts it into `db` in one transaction,
 * batch by batch. Returns the counts inserted.
 * @throws ValidationError on bad generator options.
 * @throws ConflictError when the database is not empty and mode is `refuse`, or when appending a seed
 *   whose demo customers are already present.
 */
export async function seedDemo(db: Database, opts: SeedOptions): Promise<SeedCounts> {
  validateDemoOptions(opts);
  const t0 = performance.now();
  const mode = opts.mode ?? "refuse";
  let deleted = 0;
  const existing = await countCustomers(db);
  if (existing > 0) {
    if (mode === "refuse") {
      throw new ConflictError(`the database already holds ${existing} customers; pass --append to add the demo portfolio beside them or --reset to delete all customer data first`, "not-empty", { customers: existing });
    }
    if (mode === "reset") deleted = await resetCustomerData(db);
    else if ((await countCustomers(db, "prefix", `D${opts.seed}-C%`)) > 0) {
      throw new ConflictError(`demo customers of seed ${opts.seed} are already in the database; use another --seed or --reset`, "demo-seed-present", { seed: opts.seed });
    }
  }
  const counts: SeedCounts = { customers: 0, invoices: 0, payments: 0, orders: 0, profiles: 0, deletedCustomers: deleted, elapsedMs: 0 };
  const writer = db.kind === "sqlite" ? new SqliteWriter(sqlitePath(db.url)) : new PgWriter(db.url);
  const size = Math.max(1, Math.floor(opts.batchCustomers ?? 250));
  const now = new Date();
  try {
    await writer.begin();
    let batch: DemoCustomerBundle[] = [];
    for (const b of generateCustomers(opts)) {
      batch.push(b);
      if (batch.length === size) {
        await writer.insert(batch, counts, now);
        batch = [];
        opts.onProgress?.(counts.customers, opts.customers);
        // Let timers (progress bars, health checks) run between batches.
        await new Promise((r) => setImmediate(r));
      }
    }
    if (batch.length) await writer.insert(batch, counts, now);
    await writer.commit();
    opts.onProgress?.(counts.customers, opts.customers);
  } catch (e) {
    await writer.rollback();
    throw e;
  } finally {
    await writer.close();
  }
  counts.elapsedMs = Math.round(performance.now() - t0);
  return counts;
}

interface Writer {
  begin(): Promise<void>;
  insert(batch: DemoCustomerBundle[], counts: SeedCounts, now: Date): Promise<void>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
  close(): Promise<void>;
}

class SqliteWriter implements Writer {
  private readonly conn: BetterSqlite3.Database;
  private readonly customer: BetterSqlite3.Statement;
  private readonly invoice: BetterSqlite3.Statement;
  private readonly payment: BetterSqlite3.Statement;
  private readonly order: BetterSqlite3.Statement;
  private readonly profile: BetterSqlite3.Statement;

  constructor(path: string) {
    this.conn = new BetterSqlite3(path);
    this.conn.pragma("busy_timeout = 10000");
    // WAL (set by the migrations) with NORMAL sync stays durable across a process crash; a bigger page
    // cache keeps the externalId indexes in memory during the bulk insert. Both apply to this connection only.
    this.conn.pragma("synchronous = NORMAL");
    this.conn.pragma("cache_size = -131072");
    this.customer = this.conn.prepare(
      `INSERT INTO "Customer" ("externalId", "name", "country", "region", "industry", "registrationDate", "currency", "paymentTermsDays", "status", "attributes", "createdAt", "updatedAt") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.invoice = this.conn.prepare(
      `INSERT INTO "Invoice" ("externalId", "customerId", "issueDate", "dueDate", "amountMinor", "currency", "paidMinor", "settledDate", "disputed", "status", "writtenOffDate", "createdAt", "updatedAt") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.payment = this.conn.prepare(
      `INSERT INTO "Payment" ("externalId", "customerId", "invoiceId", "date", "amountMinor", "currency", "method", "createdAt", "updatedAt") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.order = this.conn.prepare(
      `INSERT INTO "Order" ("externalId", "customerId", "amountMinor", "currency", "orderDate", "status", "createdAt", "updatedAt") VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.profile = this.conn.prepare(
      `INSERT INTO "CreditProfile" ("customerId", "tier", "limitMinor", "currency", "limitValidUntil", "limitCalculation", "updatedAt") VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
  }

  async begin() {
    this.conn.exec("BEGIN IMMEDIATE");
  }

  async insert(batch: DemoCustomerBundle[], counts: SeedCounts, now: Date) {
    // Prisma's SQLite adapter stores DateTime as ISO 8601 with an explicit offset.
    const ts = now.toISOString().replace("Z", "+00:00");
    for (const b of batch) {
      const c = b.customer;
      const cid = Number(
        this.customer.run(c.externalId, c.name, c.country, c.region, c.industry, c.registrationDate, c.currency, c.paymentTermsDays, c.status, JSON.stringify(c.attributes), ts, ts).lastInsertRowid,
      );
      const invIds = new Map<string, number>();
      for (const i of b.invoices) {
        const r = this.invoice.run(i.externalId, cid, i.issueDate, i.dueDate, i.amountMinor, i.currency, i.paidMinor, i.settledDate, i.disputed ? 1 : 0, i.status, i.writtenOffDate, ts, ts);
        invIds.set(i.externalId, Number(r.lastInsertRowid));
      }
      for (const p of b.payments) this.payment.run(p.externalId, cid, invIds.get(p.invoiceExternalId) ?? null, p.date, p.amountMinor, p.currency, p.method, ts, ts);
      for (const o of b.orders) this.order.run(o.externalId, cid, o.amountMinor, o.currency, o.orderDate, o.status, ts, ts);
      const pr = b.profile;
      this.profile.run(cid, pr.tier, pr.limitMinor, pr.currency, pr.limitValidUntil, JSON.stringify(pr.limitCalculation), ts);
      counts.customers++;
      counts.invoices += b.invoices.length;
      counts.payments += b.payments.length;
      counts.orders += b.orders.length;
      counts.profiles++;
    }
  }

  async commit() {
    this.conn.exec("COMMIT");
  }

  async rollback() {
    if (this.conn.inTransaction) this.conn.exec("ROLLBACK");
  }

  async close() {
    this.conn.close();
  }
}

class PgWriter implements Writer {
  private readonly client: pg.Client;
  private connected = false;

  constructor(url: string) {
    this.client = new pg.Client({ connectionString: url });
  }

  async begin() {
    await this.client.connect();
    this.connected = true;
    await this.client.query("BEGIN");
  }

  async insert(batch: DemoCustomerBundle[], counts: SeedCounts, _now: Date) {
    const q = this.client;
    const cs = batch.map((b) => b.customer);
    const cr = await q.query<{ id: number; externalId: string }>(
      `INSERT INTO "Customer" ("externalId", "name", "country", "region", "industry", "registrationDate", "currency", "paymentTermsDays", "status", "attributes", "createdAt", "updatedAt")
       SELECT e, n, co, r, i, rd, cu, t, s, a, now(), now() FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::int[], $9::text[], $10::jsonb[]) AS x(e, n, co, r, i, rd, cu, t, s, a)
       RETURNING "id", "externalId"`,
      [cs.map((c) => c.externalId), cs.map((c) => c.name), cs.map((c) => c.country), cs.map((c) => c.region), cs.map((c) => c.industry), cs.map((c) => c.registrationDate), cs.map((c) => c.currency), cs.map((c) => c.paymentTermsDays), cs.map((c) => c.status), cs.map((c) => JSON.stringify(c.attributes))],
    );
    const cid = new Map(cr.rows.map((r) => [r.externalId, r.id]));
    const invs = batch.flatMap((b) => b.invoices);
    const ir = await q.query<{ id: number; externalId: string }>(
      `INSERT INTO "Invoice" ("externalId", "customerId", "issueDate", "dueDate", "amountMinor", "currency", "paidMinor", "settledDate", "disputed", "status", "writtenOffDate", "createdAt", "updatedAt")
       SELECT e, c, i, d, a, cu, p, s, dis, st, w, now(), now() FROM unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::bigint[], $8::text[], $9::boolean[], $10::text[], $11::text[]) AS x(e, c, i, d, a, cu, p, s, dis, st, w)
       RETURNING "id", "externalId"`,
      [
        invs.map((i) => i.externalId),
        invs.map((i) => cid.get(i.customerExternalId)),
        invs.map((i) => i.issueDate),
        invs.map((i) => i.dueDate),
        invs.map((i) => i.amountMinor),
        invs.map((i) => i.currency),
        invs.map((i) => i.paidMinor),
        invs.map((i) => i.settledDate),
        invs.map((i) => i.disputed),
        invs.map((i) => i.status),
        invs.map((i) => i.writtenOffDate),
      ],
    );
    const iid = new Map(ir.rows.map((r) => [r.externalId, r.id]));
    const pays = batch.flatMap((b) => b.payments);
    await q.query(
      `INSERT INTO "Payment" ("externalId", "customerId", "invoiceId", "date", "amountMinor", "currency", "method", "createdAt", "updatedAt")
       SELECT e, c, i, d, a, cu, m, now(), now() FROM unnest($1::text[], $2::int[], $3::int[], $4::text[], $5::bigint[], $6::text[], $7::text[]) AS x(e, c, i, d, a, cu, m)`,
      [pays.map((p) => p.externalId), pays.map((p) => cid.get(p.customerExternalId)), pays.map((p) => iid.get(p.invoiceExternalId) ?? null), pays.map((p) => p.date), pays.map((p) => p.amountMinor), pays.map((p) => p.currency), pays.map((p) => p.method)],
    );
    const ords = batch.flatMap((b) => b.orders);
    if (ords.length) {
      await q.query(
        `INSERT INTO "Order" ("externalId", "customerId", "amountMinor", "currency", "orderDate", "status", "createdAt", "updatedAt")
         SELECT e, c, a, cu, d, s, now(), now() FROM unnest($1::text[], $2::int[], $3::bigint[], $4::text[], $5::text[], $6::text[]) AS x(e, c, a, cu, d, s)`,
        [ords.map((o) => o.externalId), ords.map((o) => cid.get(o.customerExternalId)), ords.map((o) => o.amountMinor), ords.map((o) => o.currency), ords.map((o) => o.orderDate), ords.map((o) => o.status)],
      );
    }
    const prs = batch.map((b) => b.profile);
    await q.query(
      `INSERT INTO "CreditProfile" ("customerId", "tier", "limitMinor", "currency", "limitValidUntil", "limitCalculation", "updatedAt")
       SELECT c, t, l, cu, v, lc, now() FROM unnest($1::int[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::jsonb[]) AS x(c, t, l, cu, v, lc)`,
      [prs.map((p) => cid.get(p.customerExternalId)), prs.map((p) => p.tier), prs.map((p) => p.limitMinor), prs.map((p) => p.currency), prs.map((p) => p.limitValidUntil), prs.map((p) => JSON.stringify(p.limitCalculation))],
    );
    counts.customers += cs.length;
    counts.invoices += invs.length;
    counts.payments += pays.length;
    counts.orders += ords.length;
    counts.profiles += prs.length;
  }

  async commit() {
    await this.client.query("COMMIT");
  }

  async rollback() {
    if (this.connected) await this.client.query("ROLLBACK").catch(() => undefined);
  }

  async close() {
    if (this.connected) await this.client.end();
  }
}

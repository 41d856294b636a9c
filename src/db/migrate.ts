import { createHash } from "node:crypto";
import { readdirSync, readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import pg from "pg";
import { logger } from "../shared";

/** Where the committed SQL migrations live, one folder per provider. */
export const MIGRATIONS_DIR = join(import.meta.dirname, "../../prisma/migrations");

export interface MigrationResult {
  applied: string[];
  alreadyApplied: string[];
}

interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

function listMigrations(provider: "sqlite" | "postgres"): Migration[] {
  const dir = join(MIGRATIONS_DIR, provider);
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, "migration.sql")))
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    });
}

/** Path of the SQLite file named by a `file:` URL (relative paths are relative to the working directory). */
export function sqlitePath(url: string): string {
  return url.replace(/^file:/, "").replace(/\?.*$/, "");
}

/**
 * Applies the committed SQLite migrations that are not yet applied, each in its own transaction,
 * recording name and checksum in `_credit_migrations`. Also switches the file to WAL mode, which makes
 * committed writes survive a process crash without an fsync per transaction.
 * @throws Error when an applied migration's file has changed since it was applied.
 */
export function migrateSqlite(url: string): MigrationResult {
  const db = new BetterSqlite3(sqlitePath(url));
  try {
    db.pragma("journal_mode = WAL");
    db.pragma("busy_timeout = 10000");
    db.exec(`CREATE TABLE IF NOT EXISTS "_credit_migrations" (name TEXT PRIMARY KEY, checksum TEXT NOT NULL, applied_at TEXT NOT NULL)`);
    const done = new Map(
      (db.prepare(`SELECT name, checksum FROM "_credit_migrations"`).all() as { name: string; checksum: string }[]).map((r) => [r.name, r.checksum]),
    );
    const result: MigrationResult = { applied: [], alreadyApplied: [] };
    for (const m of listMigrations("sqlite")) {
      const prev = done.get(m.name);
      if (prev !== undefined) {
        if (prev !== m.checksum) throw new Error(`migration ${m.name} was changed after it was applied (checksum mismatch)`);
        result.alreadyApplied.push(m.name);
        continue;
      }
      db.transaction(() => {
        db.exec(m.sql);
        db.prepare(`INSERT INTO "_credit_migrations" (name, checksum, applied_at) VALUES (?, ?, ?)`).run(m.name, m.checksum, new Date().toISOString());
      }).immediate();
      result.applied.push(m.name);
      logger().info({ migration: m.name }, "applied migration");
    }
    return result;
  } finally {
    db.close();
  }
}

/**
 * Applies the committed PostgreSQL migrations through the `pg` driver (Prisma's migrate deploy fails
 * with driver adapters on PostgreSQL). An advisory lock serialises concurrent starters.
 */
export async function migratePostgres(url: string): Promise<MigrationResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query("SELECT pg_advisory_lock(727274)");
    await client.query(`CREATE TABLE IF NOT EXISTS "_credit_migrations" (name TEXT PRIMARY KEY, checksum TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL)`);
    const { rows } = await client.query<{ name: string; checksum: string }>(`SELECT name, checksum FROM "_credit_migrations"`);
    const done = new Map(rows.map((r) => [r.name, r.checksum]));
    const result: MigrationResult = { applied: [], alreadyApplied: [] };
    for (const m of listMigrations("postgres")) {
      const prev = done.get(m.name);
      if (prev !== undefined) {
        if (prev !== m.checksum) throw new Error(`migration ${m.name} was changed after it was applied (checksum mismatch)`);
        result.alreadyApplied.push(m.name);
        continue;
      }
      await client.query("BEGIN");
      try {
        await client.query(m.sql);
        await client.query(`INSERT INTO "_credit_migrations" (name, checksum, applied_at) VALUES ($1, $2, now())`, [m.name, m.checksum]);
        await client.query("COMMIT");
      } catch (e) {
        await client.query("ROLLBACK");
        throw e;
      }
      result.applied.push(m.name);
      logger().info({ migration: m.name }, "applied migration");
    }
    return result;
  } finally {
    await client.query("SELECT pg_advisory_unlock(727274)").catch(() => undefined);
    await client.end();
  }
}

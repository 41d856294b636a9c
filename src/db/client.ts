import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient as SqliteClient } from "../../generated/sqlite/client";
import { PrismaClient as PostgresClient } from "../../generated/postgres/client";
import { migratePostgres, migrateSqlite, sqlitePath, type MigrationResult } from "./migrate";

/**
 * The Prisma client type the repositories are written against. Both generated clients (SQLite and
 * PostgreSQL) come from one schema and expose the same model API; only the SQL dialect differs.
 */
export type Prisma = SqliteClient;

export type DbKind = "sqlite" | "postgres";

/** An open database: the Prisma client plus what repositories need to know about it. */
export interface Database {
  readonly kind: DbKind;
  readonly url: string;
  readonly prisma: Prisma;
  /** Closes the client and its pool. Idempotent. */
  close(): Promise<void>;
}

/** `sqlite` for `file:` URLs, `postgres` for `postgres://` or `postgresql://` URLs. @throws Error otherwise. */
export function dbKind(url: string): DbKind {
  if (url.startsWith("file:")) return "sqlite";
  if (/^postgres(ql)?:\/\//.test(url)) return "postgres";
  throw new Error(`DATABASE_URL must start with 'file:' or 'postgresql://', got '${url.split(":")[0]}:...'`);
}

/** Applies committed migrations for the database at `url`. */
export async function migrate(url: string): Promise<MigrationResult> {
  if (dbKind(url) === "sqlite") {
    mkdirSync(dirname(sqlitePath(url)), { recursive: true });
    return migrateSqlite(url);
  }
  return migratePostgres(url);
}

export interface OpenOptions {
  /** Apply pending migrations first (default true). */
  migrate?: boolean;
  /** PostgreSQL pool size (default 10). */
  poolSize?: number;
}

/**
 * Opens the database named by `url` (SQLite through better-sqlite3, PostgreSQL through pg), applying
 * migrations unless told not to.
 */
export async function openDatabase(url: string, opts: OpenOptions = {}): Promise<Database> {
  const kind = dbKind(url);
  if (opts.migrate !== false) await migrate(url);
  let prisma: Prisma;
  if (kind === "sqlite") {
    const adapter = new PrismaBetterSQLite3({ url: sqlitePath(url), timeout: 10_000 } as { url: string });
    prisma = new SqliteClient({ adapter });
  } else {
    const adapter = new PrismaPg({ connectionString: url, max: opts.poolSize ?? 10 });
    prisma = new PostgresClient({ adapter }) as unknown as Prisma;
  }
  await prisma.$connect();
  let closed = false;
  return {
    kind,
    url,
    prisma,
    async close() {
      if (closed) return;
      closed = true;
      await prisma.$disconnect();
    },
  };
}

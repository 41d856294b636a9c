import { randomBytes } from "node:crypto";
import pg from "pg";

/**
 * Test access to the real servers that `.ci/run` (or a developer) starts on loopback:
 * `PG_TEST_URL` (a PostgreSQL superuser URL) and `REDIS_TEST_URL`. With `CI=true` a missing server is an
 * error, not a skip, so CI can never pass by silently skipping database tests.
 */
export const PG_TEST_URL = process.env.PG_TEST_URL;
export const REDIS_TEST_URL = process.env.REDIS_TEST_URL;

if (process.env.CI === "true" && (!PG_TEST_URL || !REDIS_TEST_URL)) {
  throw new Error("CI=true but PG_TEST_URL / REDIS_TEST_URL are not set: .ci/run must start PostgreSQL and Redis");
}

/** True when a PostgreSQL server is available for tests. */
export const hasPostgres = Boolean(PG_TEST_URL);
/** True when a Redis server is available for tests. */
export const hasRedis = Boolean(REDIS_TEST_URL);

/**
 * Creates a fresh, uniquely named PostgreSQL database and returns its URL and a drop function, so tests
 * running in parallel never share state.
 */
export async function createPgDatabase(prefix = "t"): Promise<{ url: string; drop: () => Promise<void> }> {
  if (!PG_TEST_URL) throw new Error("PG_TEST_URL is not set");
  const name = `${prefix}_${randomBytes(6).toString("hex")}`.toLowerCase();
  const admin = new pg.Client({ connectionString: PG_TEST_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const u = new URL(PG_TEST_URL);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: PG_TEST_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await c.end();
    },
  };
}

/** A Redis key prefix unique to one test, so parallel tests never see each other's queues. */
export function redisPrefix(): string {
  return `t${randomBytes(4).toString("hex")}`;
}

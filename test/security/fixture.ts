import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ApiKeyStore, ROLES, type Role } from "../../src/auth";
import { loadConfig } from "../../src/config";
import { openDatabase, seedDemo, type Database } from "../../src/db";
import { artifactSource } from "../../src/decisions";
import { createLogger } from "../../src/shared";
import { createApp, openRuntime, startServer, type RunningServer, type Runtime } from "../../src/api";
import { trainFromDatabase } from "../../training";

/** The fixed clock of the security tests. */
export const NOW = new Date("2026-11-02T09:00:00.000Z");
/** CREDIT_API_KEY of the fixture (role admin). */
export const ENV_KEY = "security-env-key-0123456789";

/** A live API on a temp database with a small trained scorecard and one hashed key per role. */
export interface Fixture {
  dir: string;
  url: string;
  db: Database;
  rt: Runtime;
  server: RunningServer;
  /** One key per role (created through ApiKeyStore, stored hashed). */
  keys: Record<Role, string>;
  /** External ids of seeded customers. */
  customers: string[];
  /** The model artifact directory. */
  modelDir: string;
  close(): Promise<void>;
}

/**
 * Seeds `customers` demo customers, trains a scorecard, starts the API on port 0.
 * @param env extra environment for loadConfig (e.g. RATE_LIMIT_PER_MINUTE).
 */
export async function startFixture(opts: { customers?: number; env?: Record<string, string>; databaseUrl?: string } = {}): Promise<Fixture> {
  const dir = mkdtempSync(join(tmpdir(), "sec-test-"));
  const url = opts.databaseUrl ?? `file:${join(dir, "sec.db")}`;
  const db = await openDatabase(url);
  await seedDemo(db, { customers: opts.customers ?? 80, seed: 11, asOf: "2026-11-01" });
  const sc = await trainFromDatabase(db, { out: join(dir, "scorecard"), now: new Date("2026-11-01T00:00:00Z"), model: "scorecard", name: "sec-scorecard" });
  const config = loadConfig({ DATABASE_URL: url, CREDIT_API_KEY: ENV_KEY, POLICY_FILE: "policy/default.yaml", LOG_LEVEL: "silent", ...opts.env });
  const { source, model } = artifactSource([sc.dir], sc.manifest.id, () => NOW);
  const rt = await openRuntime(config, { logger: createLogger("security-test"), db, models: { source, champion: model }, clock: () => NOW });
  const server = await startServer(await createApp(rt.ctx), { port: 0, host: "127.0.0.1" });
  const store = rt.ctx.keys ?? new ApiKeyStore(db);
  const keys = {} as Record<Role, string>;
  for (const role of ROLES) keys[role] = (await store.create(`test-${role}`, role)).key;
  const customers = (await db.prisma.customer.findMany({ orderBy: { id: "asc" }, take: 50, select: { externalId: true } })).map((c) => c.externalId);
  return {
    dir,
    url,
    db,
    rt,
    server,
    keys,
    customers,
    modelDir: sc.dir,
    async close() {
      await server.stop(2000);
      await rt.close();
      const { releaseIngestStore } = await import("../../src/ingest");
      await releaseIngestStore(db);
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Res {
  status: number;
  type: string;
  headers: Headers;
  body: any;
  text: string;
}

/** One HTTP call against the fixture. `key: null` sends no Authorization header. */
export async function call(
  base: string,
  method: string,
  path: string,
  opts: { body?: unknown; raw?: string | Uint8Array; key?: string | null; headers?: Record<string, string> } = {},
): Promise<Res> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.key) headers.authorization = `Bearer ${opts.key}`;
  let body: string | Uint8Array | undefined;
  if (opts.raw !== undefined) body = opts.raw;
  else if (opts.body !== undefined) body = JSON.stringify(opts.body);
  if (body !== undefined && !("content-type" in headers)) headers["content-type"] = "application/json";
  const r = await fetch(base + path, { method, headers, body: body as BodyInit | undefined });
  const text = await r.text();
  const type = r.headers.get("content-type") ?? "";
  let parsed: unknown;
  if (type.includes("json")) parsed = JSON.parse(text);
  return { status: r.status, type, headers: r.headers, text, body: parsed };
}

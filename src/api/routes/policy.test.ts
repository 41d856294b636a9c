import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../config";
import { openDatabase, seedDemo, type Database } from "../../db";
import { createLogger } from "../../shared";
import { trainFromDatabase } from "../../../training";
import { createApp, openRuntime, startServer, type RunningServer, type Runtime } from "..";

const KEY = "policy-test-key-0123456789";
let dir: string;
let db: Database;
let rt: Runtime;
let server: RunningServer;
let policyFile: string;
const original = readFileSync("policy/default.yaml", "utf8");

async function call(method: string, path: string) {
  const r = await fetch(server.url + path, { method, headers: { authorization: `Bearer ${KEY}` } });
  return { status: r.status, body: (await r.json()) as any };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "policy-route-"));
  policyFile = join(dir, "policy.yaml");
  writeFileSync(policyFile, original);
  const url = `file:${join(dir, "p.db")}`;
  db = await openDatabase(url);
  await seedDemo(db, { customers: 60, seed: 3, asOf: "2026-11-01" });
  const sc = await trainFromDatabase(db, { out: join(dir, "model"), now: new Date("2026-11-01T00:00:00Z"), model: "scorecard", name: "t-policy" });
  const config = loadConfig({ DATABASE_URL: url, CREDIT_API_KEY: KEY, POLICY_FILE: policyFile, LOG_LEVEL: "silent" });
  rt = await openRuntime(config, { logger: createLogger("test"), db, modelDir: sc.dir });
  server = await startServer(await createApp(rt.ctx), { port: 0, host: "127.0.0.1" });
}, 180_000);

afterAll(async () => {
  await server?.stop(2000);
  await rt?.close();
  await db?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("policy in force and reload without restart", () => {
  it("reports the active policy and records it in PolicyVersion", async () => {
    const r = await call("GET", "/policy");
    expect(r.status).toBe(200);
    expect(r.body.version).toMatch(/^2026\.11-default\+[0-9a-f]{12}$/);
    expect(r.body.tiers).toEqual(["A", "B", "C", "D"]);
    const rows = await db.prisma.policyVersion.findMany();
    expect(rows.map((p) => [p.version, p.status])).toEqual([[r.body.version, "active"]]);
  });

  it("refuses an invalid policy naming the field, and keeps the running one", async () => {
    const before = (await call("GET", "/policy")).body.version;
    writeFileSync(policyFile, original.replace("maxPd: 0.02", "maxPd: 1.7"));
    const r = await call("POST", "/policy/reload");
    expect(r.status).toBe(400);
    expect(r.body.type).toBe("/problems/validation-error");
    expect(JSON.stringify(r.body.errors)).toContain("maxPd");
    expect((await call("GET", "/policy")).body.version).toBe(before);
  });

  it("puts a valid new version in force and records the swap", async () => {
    const before = (await call("GET", "/policy")).body.version;
    writeFileSync(policyFile, original.replace('version: "2026.11-default"', 'version: "2026.12-test"'));
    const r = await call("POST", "/policy/reload");
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ previousVersion: before, changed: true });
    expect(r.body.version).toMatch(/^2026\.12-test\+/);
    await expect.poll(async () => (await db.prisma.policyVersion.findMany({ where: { status: "active" } })).map((p) => p.version)).toEqual([r.body.version]);
    expect(await db.prisma.policyVersion.count()).toBe(2);
  });
});

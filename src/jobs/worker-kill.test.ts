import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../config";
import { openDatabase, seedDemo, type Database } from "../db";
import { PolicyStore } from "../policy";
import { ModelRegistry } from "../scoring";
import { createLogger } from "../shared";
import { hasRedis, REDIS_TEST_URL, redisPrefix } from "../../test/support/servers";
import { createJobRunner, readJobRun, type BullJobRunner, type JobRun, type JobRunnerDeps } from ".";

/**
 * A `credit worker` child process is SIGKILLed in the middle of a retrain: the champion pointer must be
 * untouched, and the run must be picked up again by another worker once the dead one's lock expires and
 * finish cleanly (one completed run, two attempts).
 */
const ROOT = join(import.meta.dirname, "../..");
let dir: string;
let db: Database;
let deps: JobRunnerDeps;
const children: ChildProcess[] = [];

function startWorker(prefix: string): ChildProcess {
  const c = spawn(
    process.execPath,
    [join(ROOT, "bin/credit.mjs"), "worker", "--prefix", prefix, "--jobs", "retrain", "--lock-duration", "1500", "--stalled-interval", "500", "--attempts", "3", "--backoff", "100", "--no-schedule"],
    {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: deps.config.DATABASE_URL, REDIS_URL: REDIS_TEST_URL, MODELS_DIR: deps.config.MODELS_DIR, LOG_LEVEL: "warn", VITEST: "" },
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  let err = "";
  c.stderr!.on("data", (d) => (err = (err + d).slice(-4000)));
  c.on("exit", (code, sig) => {
    if (code && code !== 0) process.stderr.write(`worker exited ${code} ${sig}: ${err}\n`);
  });
  children.push(c);
  return c;
}

async function until<T>(f: () => Promise<T | null | undefined | false>, ms: number, what: string): Promise<T> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const v = await f();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

beforeAll(async () => {
  if (!hasRedis) return;
  dir = mkdtempSync(join(tmpdir(), "jobs-kill-"));
  db = await openDatabase(`file:${join(dir, "k.db")}`);
  await seedDemo(db, { customers: 150, seed: 11, asOf: "2026-11-22" });
  const config = loadConfig({ DATABASE_URL: db.url, MODELS_DIR: join(dir, "models"), REDIS_URL: REDIS_TEST_URL! });
  deps = { config, db, registry: new ModelRegistry(config.MODELS_DIR), policies: PolicyStore.fromFile(join(ROOT, "policy/default.yaml")), log: createLogger("kill") };
});

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  if (db) await db.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.runIf(hasRedis)("a worker killed during a retrain", () => {
  it("leaves the champion untouched; another worker retries the run to completion", async () => {
    // A champion to protect: the first retrain, in-process.
    const inproc = createJobRunner(deps, { mode: "in-process", retry: { attempts: 1, backoffMs: 10 } });
    const first = await inproc.runNow("retrain", { asOf: "2026-11-22", model: "gbdt" });
    await inproc.close();
    expect(first.result).toMatchObject({ promoted: true });
    const pointer = join(deps.config.MODELS_DIR, "champion.json");
    const before = readFileSync(pointer, "utf8");

    const prefix = redisPrefix();
    const producer = createJobRunner(deps, { mode: "bull", retry: { attempts: 3, backoffMs: 100 }, bull: { prefix } }) as BullJobRunner;
    try {
      const victim = startWorker(prefix);
      const queued = await producer.runNow("retrain", { asOf: "2026-10-22", model: "gbdt" });
      // Kill it once it is training (progress written by the training callback).
      const running = await until(async () => {
        const r = await readJobRun(db, queued.id);
        if (r && r.status !== "running" && r.status !== "queued") throw new Error(`the retrain ended (${r.status}) before it could be killed`);
        return r && r.status === "running" && r.progress > 0.05 ? r : null;
      }, 120_000, "the retrain to be running");
      expect(running.runner).toContain(`:${victim.pid}:`);
      victim.kill("SIGKILL");
      await new Promise((r) => victim.once("exit", r));

      expect(readFileSync(pointer, "utf8")).toBe(before);
      const orphan = (await readJobRun(db, queued.id)) as JobRun;
      expect(orphan.status).toBe("running");
      expect(orphan.error ?? "").toBe("");
      expect(orphan.attempts).toBe(1);
      expect(existsSync(join(deps.config.MODELS_DIR, "champion.json.tmp"))).toBe(false);

      // A second worker takes the stalled job over after the lock expires and finishes it.
      const rescuer = startWorker(prefix);
      const done = await until(async () => {
        const r = await readJobRun(db, queued.id);
        return r && (r.status === "completed" || r.status === "failed") ? r : null;
      }, 90_000, "the retried retrain to finish");
      expect(done.status).toBe("completed");
      expect(done.attempts).toBe(2);
      expect(done.runner).toContain(`:${rescuer.pid}:`);
      const r = done.result as Record<string, unknown>;
      const after = JSON.parse(readFileSync(pointer, "utf8")) as { id: string };
      // Either way the pointer names a complete, registered model: the new one only if the gate passed.
      expect(after.id).toBe(r.promoted ? r.challengerId : JSON.parse(before).id);
      rescuer.kill("SIGTERM");
    } finally {
      await producer.close();
    }
    // Two trainings, two worker start-ups and a lock expiry: its own waits allow up to 150 s, so the
    // suite's 60 s default would cut it short on a busy 2-core machine.
  }, 240_000);
});

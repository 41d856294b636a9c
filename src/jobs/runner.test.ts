import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../config";
import { openDatabase, type Database } from "../db";
import { createLogger, todayUtc, ValidationError } from "../shared";
import { createPgDatabase, hasPostgres, hasRedis, REDIS_TEST_URL, redisPrefix } from "../../test/support/servers";
import { BullJobRunner, createJobRunner, nextCronTime, type JobHandler, type JobName, type JobRunner } from ".";
import { claimRun, ensureRun, runnerId } from "./store";

/**
 * Queue semantics of both runners with small recording handlers (the real jobs are tested in their own
 * files): exactly-once per instance key, retries with backoff, permanent failures, cron scheduling.
 */
let dir: string;
let db: Database;
const log = createLogger("test");

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "jobs-"));
  db = await openDatabase(`file:${join(dir, "jobs.db")}`);
});
afterAll(async () => {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

function recorder(opts: { failTimes?: number; delayMs?: number; error?: () => Error } = {}) {
  const calls: string[] = [];
  let failures = 0;
  const handler: JobHandler = async (ctx, params, progress) => {
    calls.push(ctx.instanceKey);
    if (opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs));
    await progress(0.5);
    if (opts.error) throw opts.error();
    if (failures < (opts.failTimes ?? 0)) {
      failures++;
      throw new Error(`transient failure ${failures}`);
    }
    return { asOf: params.asOf, summary: `ran ${ctx.instanceKey}` };
  };
  return { calls, handler };
}

const all = (h: JobHandler) => ({ retrain: h, rescore: h, drift: h, collections: h });

function config(extra: Record<string, string> = {}) {
  return loadConfig({ DATABASE_URL: db.url, ...extra });
}

describe("cron", () => {
  it("computes the next UTC fire time", () => {
    expect(nextCronTime("0 2 * * *", new Date("2026-11-22T01:59:00Z")).toISOString()).toBe("2026-11-22T02:00:00.000Z");
    expect(nextCronTime("0 2 * * *", new Date("2026-11-22T02:00:00Z")).toISOString()).toBe("2026-11-23T02:00:00.000Z");
    // Sunday 03:00 weekly (2026-11-22 is a Sunday).
    expect(nextCronTime("0 3 * * 0", new Date("2026-11-22T04:00:00Z")).toISOString()).toBe("2026-11-29T03:00:00.000Z");
    expect(() => nextCronTime("not a cron", new Date())).toThrow(ValidationError);
  });
});

describe("claiming a run", () => {
  it("takes a running row over only from a holder that is gone, stale, or (bull) on another host", async () => {
    const tokens = new Set<string>();
    await ensureRun(db, "drift", "drift:claim-test", {});
    const a = runnerId("bull");
    tokens.add(a);
    expect((await claimRun(db, "drift:claim-test", a, { activeTokens: tokens })).state).toBe("claimed");
    // Alive in this process: busy even for a bull redelivery.
    const b = runnerId("bull");
    expect((await claimRun(db, "drift:claim-test", b, { activeTokens: tokens, trustQueueFor: "bull:" })).state).toBe("busy");
    // Gone: taken over, the attempt count goes up.
    tokens.delete(a);
    const taken = await claimRun(db, "drift:claim-test", b, { activeTokens: tokens, trustQueueFor: "bull:" });
    expect(taken).toMatchObject({ state: "claimed", run: { runner: b, attempts: 2 } });
    // A holder on another host is judged by the queue's lock (trusted) or by age.
    await db.prisma.jobRun.update({ where: { instanceKey: "drift:claim-test" }, data: { runner: "bull:elsewhere:1:x" } });
    expect((await claimRun(db, "drift:claim-test", runnerId("inproc"), { activeTokens: tokens })).state).toBe("busy");
    expect((await claimRun(db, "drift:claim-test", runnerId("inproc"), { activeTokens: tokens, staleAfterMs: 0 })).state).toBe("claimed");
    await db.prisma.jobRun.update({ where: { instanceKey: "drift:claim-test" }, data: { runner: "bull:elsewhere:1:y" } });
    expect((await claimRun(db, "drift:claim-test", runnerId("bull"), { activeTokens: tokens, trustQueueFor: "bull:" })).state).toBe("claimed");
  });
});

describe("in-process runner", () => {
  it("runs an instance once, returns the stored run on a repeat, and runs a forced new instance", async () => {
    const r = recorder();
    const runner = createJobRunner({ config: config(), db, registry: null, policies: null, log }, { handlers: all(r.handler), mode: "in-process" });
    const a = await runner.runNow("drift", { asOf: "2026-01-05" });
    expect(a.status).toBe("completed");
    expect(a.instanceKey).toBe("drift:2026-01-05");
    expect(a.result).toMatchObject({ params: { asOf: "2026-01-05" }, summary: "ran drift:2026-01-05" });
    expect(a.progress).toBe(1);
    const b = await runner.runNow("drift", { asOf: "2026-01-05" });
    expect(b.id).toBe(a.id);
    const [c1, c2] = await Promise.all([runner.runNow("drift", { asOf: "2026-01-06" }), runner.runNow("drift", { asOf: "2026-01-06" })]);
    expect(c1.id).toBe(c2.id);
    const f = await runner.runNow("drift", { asOf: "2026-01-05", force: true });
    expect(f.instanceKey).toMatch(/^drift:2026-01-05:/);
    expect(r.calls).toEqual(["drift:2026-01-05", "drift:2026-01-06", f.instanceKey]);
    expect((await runner.list({ name: "drift" })).map((x) => x.instanceKey)).toContain("drift:2026-01-06");
    await runner.close();
  });

  it("retries with backoff and records attempts; a validation error fails at once", async () => {
    const flaky = recorder({ failTimes: 2 });
    const bad = recorder({ error: () => new ValidationError([{ path: "asOf", expected: "x", received: "y" }]) });
    const runner = createJobRunner(
      { config: config(), db, registry: null, policies: null, log },
      { handlers: { ...all(flaky.handler), collections: bad.handler }, mode: "in-process", retry: { attempts: 3, backoffMs: 20 } },
    );
    const t0 = Date.now();
    const run = await runner.runNow("rescore", { asOf: "2026-02-01" });
    expect(run.status).toBe("completed");
    expect(run.attempts).toBe(3);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(20 + 40);
    const failed = await runner.runNow("collections", { asOf: "2026-02-01" });
    expect(failed.status).toBe("failed");
    expect(failed.attempts).toBe(1);
    expect(failed.error).toContain("asOf");
    await runner.close();
  });

  it("two runners in one process racing for the same instances run each once", async () => {
    const rec = recorder({ delayMs: 30 });
    const make = () => createJobRunner({ config: config(), db, registry: null, policies: null, log }, { handlers: all(rec.handler), mode: "in-process", retry: { attempts: 1, backoffMs: 10 } });
    const [a, b] = [make(), make()];
    const dates = ["2026-06-01", "2026-06-02", "2026-06-03"];
    const runs = await Promise.allSettled(dates.flatMap((asOf) => [a.runNow("drift", { asOf }), b.runNow("drift", { asOf })]));
    expect(runs.every((r) => r.status === "fulfilled" || /is being run by/.test(String((r as PromiseRejectedResult).reason)))).toBe(true);
    expect([...rec.calls].sort()).toEqual(dates.map((d) => `drift:${d}`));
    await Promise.all([a.close(), b.close()]);
  });

  it("rejects an unknown job and a bad date naming the field", async () => {
    const runner = createJobRunner({ config: config(), db, registry: null, policies: null, log }, { mode: "in-process" });
    await expect(runner.runNow("nope" as JobName)).rejects.toThrow(/name: expected one of retrain, rescore, drift, collections/);
    await expect(runner.runNow("drift", { asOf: "2026-13-01" })).rejects.toThrow(/params\/asOf/);
    await runner.close();
  });

  it("resumes at start a run whose in-process runner died mid-job", async () => {
    const r = recorder();
    const { hostname } = await import("node:os");
    // pid 2^22 - 1 is beyond Linux's default pid_max: no such process.
    await db.prisma.jobRun.create({
      data: { id: "job_orphan", name: "rescore", instanceKey: "rescore:2026-07-01", status: "running", attempts: 1, runner: `inproc:${hostname()}:4194303:x`, result: { params: { asOf: "2026-07-01" } }, startedAt: new Date() },
    });
    const never = "0 0 1 1 *";
    const runner = createJobRunner(
      { config: config({ RETRAIN_CRON: never, RESCORE_CRON: never, DRIFT_CRON: never, COLLECTIONS_CRON: never }), db, registry: null, policies: null, log },
      { handlers: all(r.handler), mode: "in-process" },
    );
    await runner.start();
    await waitFor(async () => (await runner.get("rescore:2026-07-01"))?.status === "completed", 5000);
    expect(await runner.get("job_orphan")).toMatchObject({ status: "completed", attempts: 2 });
    expect(r.calls).toEqual(["rescore:2026-07-01"]);
    await runner.close();
  });

  it("fires the cron schedule and runs today's instance once", async () => {
    const r = recorder();
    const every = "* * * * * *";
    const runner = createJobRunner(
      { config: config({ RETRAIN_CRON: "0 0 1 1 *", RESCORE_CRON: every, DRIFT_CRON: "0 0 1 1 *", COLLECTIONS_CRON: "0 0 1 1 *" }), db, registry: null, policies: null, log },
      { handlers: all(r.handler), mode: "in-process" },
    );
    await runner.start();
    const key = `rescore:${todayUtc()}`;
    await waitFor(async () => (await runner.get(key))?.status === "completed", 5000);
    await new Promise((res) => setTimeout(res, 1200));
    await runner.close();
    expect(r.calls.filter((k) => k === key)).toHaveLength(1);
  });
});

async function waitFor(cond: () => Promise<boolean>, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("timed out");
}

describe.runIf(hasRedis)("bull runner (real Redis)", () => {
  const runners: JobRunner[] = [];
  afterAll(async () => {
    // Leave nothing behind in the shared Redis: the queues (and repeatable schedules) of each prefix.
    for (const r of runners) for (const n of ["retrain", "rescore", "drift", "collections"] as const) await (r as BullJobRunner).queue(n).obliterate({ force: true }).catch(() => undefined);
    await Promise.all(runners.map((r) => r.close()));
  });
  function bull(prefix: string, handler: JobHandler, extra: Record<string, string> = {}, backoffMs = 20) {
    const r = createJobRunner(
      { config: config({ REDIS_URL: REDIS_TEST_URL!, ...extra }), db, registry: null, policies: null, log },
      { handlers: all(handler), retry: { attempts: 3, backoffMs }, bull: { prefix } },
    ) as BullJobRunner;
    runners.push(r);
    return r;
  }

  it("two workers never run the same instance twice", async () => {
    const prefix = redisPrefix();
    const rec = recorder({ delayMs: 150 });
    const producer = bull(prefix, rec.handler);
    const w1 = bull(prefix, rec.handler);
    const w2 = bull(prefix, rec.handler);
    await w1.work();
    await w2.work();
    const keys = ["2026-03-01", "2026-03-02", "2026-03-03", "2026-03-04"];
    // Each instance enqueued several times, concurrently, from the producer and from both workers.
    await Promise.all(keys.flatMap((asOf) => [producer, w1, w2, producer].map((r) => r.runNow("rescore", { asOf }))));
    await waitFor(async () => (await Promise.all(keys.map((k) => producer.get(`rescore:${k}`)))).every((x) => x?.status === "completed"), 15_000);
    // And again after completion: the database refuses a second run.
    await Promise.all(keys.map((asOf) => w2.runNow("rescore", { asOf }, { wait: true })));
    expect([...rec.calls].sort()).toEqual(keys.map((k) => `rescore:${k}`));
    const runs = await Promise.all(keys.map((k) => producer.get(`rescore:${k}`)));
    expect(new Set(runs.map((x) => x!.runner!.split(":").slice(0, 3).join(":"))).size).toBeGreaterThanOrEqual(1);
    expect(runs.every((x) => x!.attempts === 1)).toBe(true);
  });

  it("retries a failing job with exponential backoff and reports it through the database", async () => {
    const prefix = redisPrefix();
    const rec = recorder({ failTimes: 2 });
    const w = bull(prefix, rec.handler);
    await w.work();
    const run = await w.runNow("drift", { asOf: "2026-04-01" }, { wait: true, timeoutMs: 10_000 });
    expect(run.status).toBe("completed");
    expect(run.attempts).toBe(3);
    expect(rec.calls).toEqual(["drift:2026-04-01", "drift:2026-04-01", "drift:2026-04-01"]);
  });

  it("schedules repeatable cron jobs that enqueue today's instance once", async () => {
    const prefix = redisPrefix();
    const rec = recorder();
    const never = "0 0 1 1 *";
    const w = bull(prefix, rec.handler, { RETRAIN_CRON: never, RESCORE_CRON: never, DRIFT_CRON: never, COLLECTIONS_CRON: "* * * * * *" });
    await w.start();
    await w.start();
    expect(await w.queue("collections").getRepeatableJobs()).toHaveLength(1);
    await w.work();
    const key = `collections:${todayUtc()}`;
    await waitFor(async () => (await w.get(key))?.status === "completed", 10_000);
    await new Promise((r) => setTimeout(r, 2200));
    expect(rec.calls.filter((k) => k === key)).toHaveLength(1);
  });
});

describe.runIf(hasPostgres)("claims on PostgreSQL", () => {
  it("two runners racing for the same instances run each once", async () => {
    const pg = await createPgDatabase("jobs");
    const pdb = await openDatabase(pg.url);
    try {
      const rec = recorder({ delayMs: 30 });
      const make = () => createJobRunner({ config: loadConfig({ DATABASE_URL: pg.url }), db: pdb, registry: null, policies: null, log }, { handlers: all(rec.handler), mode: "in-process", retry: { attempts: 1, backoffMs: 10 } });
      const [a, b] = [make(), make()];
      const dates = ["2026-05-01", "2026-05-02", "2026-05-03"];
      const runs = await Promise.allSettled(dates.flatMap((asOf) => [a.runNow("rescore", { asOf }), b.runNow("rescore", { asOf })]));
      // The loser of a race either sees the completed run or is told the run is busy; never runs it.
      expect(runs.every((r) => r.status === "fulfilled" || /is being run by/.test(String((r as PromiseRejectedResult).reason)))).toBe(true);
      expect([...rec.calls].sort()).toEqual(dates.map((d) => `rescore:${d}`));
      await Promise.all([a.close(), b.close()]);
    } finally {
      await pdb.close();
      await pg.drop();
    }
  });
});

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
import { createJobRunner, listAlerts, listDriftReports, type BullJobRunner, type JobRunnerDeps } from ".";

/**
 * The four real jobs on a small seeded demo portfolio, with the real registry, policy and database:
 * in-process, then through bull on Redis (same handlers).
 */
const AS_OF = "2026-11-22";
let dir: string;
let db: Database;
let deps: JobRunnerDeps;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "jobs-e2e-"));
  db = await openDatabase(`file:${join(dir, "e2e.db")}`);
  await seedDemo(db, { customers: 120, seed: 11, asOf: AS_OF });
  const config = loadConfig({ DATABASE_URL: db.url, MODELS_DIR: join(dir, "models"), ...(REDIS_TEST_URL ? { REDIS_URL: REDIS_TEST_URL } : {}) });
  deps = { config, db, registry: new ModelRegistry(config.MODELS_DIR), policies: PolicyStore.fromFile(join(import.meta.dirname, "../../policy/default.yaml")), log: createLogger("e2e") };
});

afterAll(async () => {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("jobs on the demo portfolio (in-process)", () => {
  it("retrain promotes a first champion through the gate, written last to champion.json", async () => {
    const runner = createJobRunner(deps, { mode: "in-process", retry: { attempts: 1, backoffMs: 10 } });
    const run = await runner.runNow("retrain", { asOf: AS_OF, model: "gbdt" });
    expect(run.status).toBe("completed");
    const r = run.result as Record<string, any>;
    expect(r.championBefore).toBeNull();
    expect(r.window).toMatchObject({ trainThrough: "2025-05-22", oot: { from: "2025-05-23", to: "2025-11-22" } });
    expect(r.window.oot.rows).toBeGreaterThan(50);
    expect(r.challenger.auc).toBeGreaterThan(0.6);
    expect(r.gate.checks.map((c: { name: string }) => c.name)).toEqual(["auc", "calibration", "psi"]);
    const pointer = join(deps.config.MODELS_DIR, "champion.json");
    if (r.promoted) {
      expect(JSON.parse(readFileSync(pointer, "utf8")).id).toBe(r.challengerId);
      expect(await db.prisma.modelVersion.findUnique({ where: { id: r.challengerId } })).toMatchObject({ status: "champion", notes: expect.stringMatching(/^promoted: /) });
    } else {
      // A rejected first model leaves no champion and says why.
      expect(existsSync(pointer)).toBe(false);
      expect(r.reason).toMatch(/^kept as candidate: /);
    }
    // The same instance again is not re-run; a forced one retrains the same (deterministic) model and
    // recognises it as the champion instead of comparing it with itself.
    expect((await runner.runNow("retrain", { asOf: AS_OF, model: "gbdt" })).id).toBe(run.id);
    if (r.promoted) {
      const again = await runner.runNow("retrain", { asOf: AS_OF, model: "gbdt", force: true });
      expect(again.result).toMatchObject({ promoted: false, challengerId: r.challengerId, reason: expect.stringContaining("already the champion") });
    }
    // Three days later the champion has seen every labelled snapshot there is: nothing unseen to judge on,
    // so no challenger is trained and the champion stays, with the reason.
    const early = await runner.runNow("retrain", { asOf: "2026-05-25", model: "gbdt" });
    expect(early.status).toBe("completed");
    expect(early.result).toMatchObject({ promoted: false, challengerId: null, window: { championTrainedThrough: "2025-05-22", oot: { rows: 0 } } });
    expect((early.result as { reason: string }).reason).toMatch(/^not retrained: .* the champion was trained on data through 2025-05-22/);
    await runner.close();
    expect(r.promoted).toBe(true);
  });

  it("rescore writes a score snapshot per active customer and limit changes with reasons, once per instance", async () => {
    const runner = createJobRunner(deps, { mode: "in-process", retry: { attempts: 1, backoffMs: 10 } });
    const active = await db.prisma.customer.count({ where: { status: "active" } });
    const run = await runner.runNow("rescore", { asOf: AS_OF, batchSize: 50 });
    expect(run.status).toBe("completed");
    const r = run.result as Record<string, any>;
    expect(r.scored).toBe(active);
    expect(await db.prisma.scoreSnapshot.count({ where: { asOf: AS_OF, source: "rescore" } })).toBe(active);
    const changes = await db.prisma.limitChange.findMany({ where: { jobRunId: run.id } });
    expect(changes.length).toBeGreaterThan(0);
    expect(changes.every((c) => c.source === "rescore" && c.reason.length > 10)).toBe(true);
    const profiles = await db.prisma.creditProfile.findMany({ where: { lastModelId: r.modelId } });
    expect(profiles.length).toBe(active);
    // Forced second instance on the same date: every customer already scored by this model, nothing changes.
    const again = await runner.runNow("rescore", { asOf: AS_OF, force: true });
    expect(again.result).toMatchObject({ scored: 0, skipped: active });
    expect(await db.prisma.limitChange.count({ where: { source: "rescore" } })).toBe(changes.length);
    // The next night: increases still waiting for an officer are not requested again.
    const next = await runner.runNow("rescore", { asOf: "2026-11-23" });
    expect(next.status).toBe("completed");
    const pending = await db.prisma.limitChange.findMany({ where: { status: "pending_approval" }, select: { customerId: true, toMinor: true } });
    expect(new Set(pending.map((x) => `${x.customerId}:${x.toMinor}`)).size).toBe(pending.length);
    if (r.pendingApproval > 0) expect((next.result as { alreadyPending: number }).alreadyPending).toBeGreaterThan(0);
    await runner.close();
  });

  it("drift writes a report with score and feature PSI and bad rates by tier, and alerts past 0.1", async () => {
    const runner = createJobRunner(deps, { mode: "in-process", retry: { attempts: 1, backoffMs: 10 } });
    const run = await runner.runNow("drift", { asOf: AS_OF });
    expect(run.status).toBe("completed");
    const r = run.result as Record<string, any>;
    const [report] = await listDriftReports(db, 1);
    expect(report.id).toBe(r.reportId);
    expect(report.scorePsi).toBeCloseTo(r.scorePsi, 12);
    expect(r.scorePsi).toBeGreaterThanOrEqual(0);
    expect((report.features as unknown[]).length).toBeGreaterThan(10);
    expect(r.badRateByTier.tiers.map((t: { tier: string }) => t.tier)).toEqual(["A", "B", "C", "D"]);
    expect(r.badRateByTier.tiers.reduce((a: number, t: { n: number }) => a + t.n, 0)).toBeGreaterThan(0);
    const alerts = await listAlerts(db);
    if (r.level === "ok") expect(alerts).toHaveLength(0);
    else expect(alerts[0]).toMatchObject({ kind: "drift", level: r.level, message: expect.stringContaining(`score PSI ${r.scorePsi.toFixed(3)}`) });
    await runner.close();
  });
});

describe.runIf(hasRedis)("the same jobs through bull on Redis", () => {
  it("a worker runs rescore, drift and collections enqueued by another process's runner", async () => {
    const prefix = redisPrefix();
    const producer = createJobRunner(deps, { mode: "bull", retry: { attempts: 2, backoffMs: 50 }, bull: { prefix } }) as BullJobRunner;
    const worker = createJobRunner(deps, { mode: "bull", retry: { attempts: 2, backoffMs: 50 }, bull: { prefix } }) as BullJobRunner;
    await worker.work();
    try {
      const asOf = "2026-11-21";
      const runs = await Promise.all((["rescore", "drift", "collections"] as const).map((n) => producer.runNow(n, { asOf }, { wait: true, timeoutMs: 60_000 })));
      expect(runs.map((r) => [r.name, r.status, r.attempts])).toEqual([
        ["rescore", "completed", 1],
        ["drift", "completed", 1],
        ["collections", "completed", 1],
      ]);
      expect(runs.every((r) => r.runner!.startsWith("bull:"))).toBe(true);
      expect(await db.prisma.scoreSnapshot.count({ where: { asOf } })).toBe(await db.prisma.customer.count({ where: { status: "active" } }));
    } finally {
      await producer.close();
      await worker.close();
    }
  });
});

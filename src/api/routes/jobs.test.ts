import { mkdtempSync, rmSync } from "node:fs";
import type { Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../config";
import { openDatabase, seedDemo, type Database } from "../../db";
import { createJobRunner, type JobRunner } from "../../jobs";
import { ModelRegistry } from "../../scoring";
import { createLogger } from "../../shared";
import { createApp } from "../app";
import { openRuntime, type Runtime } from "../runtime";

/**
 * GET /jobs, POST /jobs/{name}/run, GET /jobs/{id}, GET /drift/reports, GET /alerts, POST /alerts/{id}/ack
 * and the drift gauges on /metrics, against the real app, database and in-process job runner.
 */
const KEY = "jobs-route-test-key-0123456789";
const ROOT = join(import.meta.dirname, "../../..");
let dir: string;
let db: Database;
let rt: Runtime;
let runner: JobRunner;
let server: Server;
let base: string;

const call = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(base + path, {
    method,
    headers: { authorization: `Bearer ${KEY}`, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text && res.headers.get("content-type")?.includes("json") ? JSON.parse(text) : text };
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "jobs-api-"));
  db = await openDatabase(`file:${join(dir, "api.db")}`);
  await seedDemo(db, { customers: 150, seed: 11, asOf: "2026-11-22" });
  const config = loadConfig({ DATABASE_URL: db.url, MODELS_DIR: join(dir, "models"), CREDIT_API_KEY: KEY, POLICY_FILE: join(ROOT, "policy/default.yaml") });
  const log = createLogger("api-test");
  const registry = new ModelRegistry(config.MODELS_DIR);
  const { PolicyStore } = await import("../../policy");
  runner = createJobRunner({ config, db, registry, policies: PolicyStore.fromFile(config.POLICY_FILE), log }, { mode: "in-process", retry: { attempts: 1, backoffMs: 10 } });
  const first = await runner.runNow("retrain", { asOf: "2026-11-22", model: "gbdt" });
  expect(first.result).toMatchObject({ promoted: true });
  rt = await openRuntime(config, { logger: log, db, modelDir: registry.pathOf(registry.championId()!) });
  rt.ctx.jobs = runner;
  const app = await createApp(rt.ctx);
  await new Promise<void>((r) => (server = app.listen(0, "127.0.0.1", () => r())));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

afterAll(async () => {
  server?.close();
  await runner?.close();
  await rt?.close();
  await db?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("jobs routes", () => {
  it("lists runs with a summary, runs a job through the API and shows its result", async () => {
    const list = await call("GET", "/jobs?name=retrain");
    expect(list.status).toBe(200);
    expect(list.body.mode).toBe("in-process");
    expect(list.body.runs[0]).toMatchObject({ name: "retrain", instanceKey: "retrain:2026-11-22", status: "completed", params: { asOf: "2026-11-22" } });
    expect(list.body.runs[0].summary).toMatch(/^promoted pd-payment-history-/);

    const started = await call("POST", "/jobs/drift/run", { asOf: "2026-11-22" });
    expect(started.status).toBe(202);
    expect(started.body.instanceKey).toBe("drift:2026-11-22");
    let run = started.body;
    for (let i = 0; i < 200 && run.status !== "completed" && run.status !== "failed"; i++) {
      await new Promise((r) => setTimeout(r, 50));
      run = (await call("GET", `/jobs/${started.body.id}`)).body;
    }
    expect(run.status).toBe("completed");
    expect((await call("GET", "/jobs/drift:2026-11-22")).body.id).toBe(started.body.id);

    const reports = await call("GET", "/drift/reports?limit=5");
    expect(reports.body.reports[0]).toMatchObject({ id: run.result.reportId, level: run.result.level, asOf: "2026-11-22" });
    const metrics = await fetch(`${base}/metrics`).then((r) => r.text());
    expect(metrics).toContain(`credit_drift_latest_psi{model="${run.result.modelId}",feature="score"} ${run.result.scorePsi}`);
    expect(metrics).toMatch(/credit_job_runs_total\{job="drift",status="completed"\} \d/);

    const alerts = await call("GET", "/alerts?open=true");
    if (run.result.level !== "ok") {
      const id = alerts.body.alerts[0].id;
      const ack = await call("POST", `/alerts/${id}/ack`);
      expect(ack.status).toBe(200);
      expect(ack.body.acknowledgedAt).not.toBeNull();
      expect((await call("GET", "/alerts?open=true")).body.alerts.find((a: { id: number }) => a.id === id)).toBeUndefined();
    }
  });

  it("answers bad input with problem+json naming the field", async () => {
    const bad = await call("GET", "/jobs?name=nope");
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0]).toMatchObject({ path: "query/name", expected: "one of retrain, rescore, drift, collections" });
    const badDate = await call("POST", "/jobs/rescore/run", { asOf: "2026-02-30" });
    expect(badDate.status).toBe(400);
    expect(badDate.body.errors[0].path).toBe("params/asOf");
    expect((await call("GET", "/jobs/job_nothing")).status).toBe(404);
    expect((await call("POST", "/alerts/999999/ack")).status).toBe(404);
  });
});

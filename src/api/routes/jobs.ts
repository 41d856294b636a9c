import type { Router } from "express";
import { ForbiddenError, NotFoundError, UnavailableError, ValidationError, describeValue } from "../../shared";
import { principalOf } from "../auth";
import type { AppContext } from "../context";
import { readJson, sendJson } from "../http";
import { JOB_NAMES, listAlerts, acknowledgeAlert, listDriftReports, readJobRun, listJobRuns, registerJobMetrics, summarizeRun, type JobName, type JobRunner, type JobStatus } from "../../jobs";

const STATUSES = ["queued", "running", "completed", "failed"] as const;

function intParam(v: unknown, field: string, def: number, max: number): number {
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new ValidationError([{ path: field, expected: `an integer 1..${max}`, received: describeValue(v) }]);
  return n;
}

function oneOf<T extends string>(v: unknown, field: string, allowed: readonly T[]): T | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== "string" || !(allowed as readonly string[]).includes(v)) {
    throw new ValidationError([{ path: field, expected: `one of ${allowed.join(", ")}`, received: describeValue(v) }]);
  }
  return v as T;
}

/**
 * Jobs, drift reports and alerts, read from the database (the source of truth in bull and in-process mode
 * alike), and POST /jobs/{name}/run to start one instance through this process's job runner.
 *
 * - GET /jobs?name=&status=&limit=  recent runs with status, progress, attempts and a result summary
 * - GET /jobs/{id}                  one run (id or instance key) with its full result
 * - POST /jobs/{name}/run           body `{ "asOf"?: "YYYY-MM-DD", "force"?: boolean }`; 202 with the run (admin, analyst)
 * - GET /drift/reports?limit=       drift reports, newest first
 * - GET /alerts?open=true&limit=    alerts (drift watch/act), newest first
 * - POST /alerts/{id}/ack           acknowledge an alert (admin, analyst, officer)
 */
export function register(router: Router, ctx: AppContext): void {
  if (ctx.metrics) registerJobMetrics(ctx.metrics.registry, ctx.db);
  const runner = ctx.jobs as JobRunner | undefined;

  router.get("/jobs", async (req, res) => {
    const q = req.query as Record<string, unknown>;
    const runs = await listJobRuns(ctx.db, {
      name: oneOf(q.name, "query/name", JOB_NAMES),
      status: oneOf(q.status, "query/status", STATUSES) as JobStatus | undefined,
      limit: intParam(q.limit, "query/limit", 50, 500),
    });
    sendJson(res, 200, {
      mode: runner?.mode ?? null,
      runs: runs.map((r) => ({ ...r, result: undefined, summary: summarizeRun(r), params: (r.result as { params?: unknown } | null)?.params ?? null })),
    });
  });

  router.get("/jobs/:id", async (req, res) => {
    const id = String(req.params.id);
    const run = await readJobRun(ctx.db, id);
    if (!run) throw new NotFoundError("job run", id);
    sendJson(res, 200, { ...run, summary: summarizeRun(run) });
  });

  router.post("/jobs/:name/run", async (req, res) => {
    const who = principalOf(res);
    if (who.role !== "admin" && who.role !== "analyst") throw new ForbiddenError(`running a job needs role admin or analyst; the key has role ${who.role}`);
    const name = oneOf(String(req.params.name), "path/name", JOB_NAMES) as JobName;
    let body: Record<string, unknown> = {};
    if (req.headers["content-length"] && req.headers["content-length"] !== "0") {
      const b = await readJson(req);
      if (b === null || typeof b !== "object" || Array.isArray(b)) throw new ValidationError([{ path: "body", expected: "a JSON object", received: describeValue(b) }]);
      body = b as Record<string, unknown>;
    } else req.resume();
    if (!runner) throw new UnavailableError("this process runs no job runner");
    const { asOf, force } = body;
    const run = await runner.runNow(name, { ...(asOf !== undefined ? { asOf: asOf as string } : {}), ...(force !== undefined ? { force: force as boolean } : {}) }, { wait: false });
    ctx.logger.info({ job: name, instanceKey: run.instanceKey, actor: who.keyId }, "job started by API");
    sendJson(res, 202, { ...run, summary: summarizeRun(run) }, { location: `/jobs/${run.id}` });
  });

  router.get("/drift/reports", async (req, res) => {
    const q = req.query as Record<string, unknown>;
    sendJson(res, 200, { reports: await listDriftReports(ctx.db, intParam(q.limit, "query/limit", 20, 200)) });
  });

  router.get("/alerts", async (req, res) => {
    const q = req.query as Record<string, unknown>;
    const open = oneOf(q.open, "query/open", ["true", "false"] as const);
    sendJson(res, 200, { alerts: await listAlerts(ctx.db, { openOnly: open === "true", limit: intParam(q.limit, "query/limit", 50, 500) }) });
  });

  router.post("/alerts/:id/ack", async (req, res) => {
    const who = principalOf(res);
    if (who.role === "erp") throw new ForbiddenError("acknowledging an alert needs role officer, analyst or admin");
    req.resume();
    const id = Number(req.params.id);
    if (!Number.isInteger(id)) throw new ValidationError([{ path: "path/id", expected: "an integer alert id", received: describeValue(req.params.id) }]);
    const a = await acknowledgeAlert(ctx.db, id);
    if (!a) throw new NotFoundError("alert", String(id));
    sendJson(res, 200, a);
  });
}

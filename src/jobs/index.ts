/**
 * Background jobs: retrain (champion/challenger gate), rescore (portfolio limits), drift (PSI and bad rates,
 * alerts) and collections (dunning ladder, signed webhook). With REDIS_URL they run through bull on Redis,
 * shared by any number of `credit worker` processes; without it the same handlers run on an in-process
 * cron scheduler. Either way the JobRun table holds state and results.
 */
import type { Config } from "../config";
import type { Database } from "../db";
import type { Logger } from "../shared";
import { BullJobRunner, type BullOptions } from "./bull";
import { defaultHandlers } from "./handlers";
import { InProcessJobRunner } from "./inprocess";
import { DEFAULT_RETRY } from "./runner-base";
import type { HandlerTable, JobRunner, RetryPolicy } from "./types";

export * from "./types";
export { BullJobRunner, type BullOptions } from "./bull";
export { InProcessJobRunner } from "./inprocess";
export { LostOwnershipError, RunBusyError } from "./store";
export { nextCronTime, CronSchedule } from "./cron";
export { DEFAULT_RETRY } from "./runner-base";
export { defaultHandlers } from "./handlers";
export { signWebhook, verifyWebhookSignature } from "./handlers/webhook";
export { promotionGate, type GateInput, type GateResult, type GateThresholds } from "./handlers/gate";
export { summarizeRun } from "./summary";
export { registerJobMetrics, jobMetrics } from "./metrics";
export { listAlerts, acknowledgeAlert, listDriftReports, raiseAlert, psiLevel, PSI_WATCH, PSI_ACT, type AlertRow, type DriftReportRow, type DriftLevel } from "./reports";
export { getRun as readJobRun, listRuns as listJobRuns } from "./store";

export interface JobRunnerDeps {
  config: Config;
  db: Database;
  /** The scoring component's ModelRegistry (champion, candidates, atomic promote). */
  registry: unknown;
  /** The policy component's PolicyStore (active policy). */
  policies: unknown;
  log: Logger;
}

export interface JobRunnerOptions {
  /** Force a mode; default: bull when `config.REDIS_URL` is set, else in-process. */
  mode?: "bull" | "in-process";
  /** Attempts and backoff (default 3 attempts, 30 s then 60 s). */
  retry?: RetryPolicy;
  /** Replace handlers (e.g. a long-running one in a queue test); default: the four real jobs. */
  handlers?: Partial<HandlerTable>;
  bull?: BullOptions;
}

/**
 * Creates the job runner for this process. Bull mode needs `config.REDIS_URL`; call `work()` on the returned
 * BullJobRunner in worker processes. @throws Error when bull mode is forced without REDIS_URL.
 */
export function createJobRunner(deps: JobRunnerDeps, opts: JobRunnerOptions = {}): JobRunner {
  const handlers = { ...defaultHandlers, ...opts.handlers } as HandlerTable;
  const retry = opts.retry ?? DEFAULT_RETRY;
  const mode = opts.mode ?? (deps.config.REDIS_URL ? "bull" : "in-process");
  if (mode === "bull") {
    if (!deps.config.REDIS_URL) throw new Error("bull mode needs REDIS_URL");
    return new BullJobRunner(deps, handlers, retry, deps.config.REDIS_URL, opts.bull);
  }
  return new InProcessJobRunner(deps, handlers, retry);
}

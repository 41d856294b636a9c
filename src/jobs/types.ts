import type { Config } from "../config";
import type { Database } from "../db";
import type { IsoDate, Logger } from "../shared";

/** The four scheduled jobs. */
export const JOB_NAMES = ["retrain", "rescore", "drift", "collections"] as const;
export type JobName = (typeof JOB_NAMES)[number];

/** Status of one logical job instance (one JobRun row). */
export type JobStatus = "queued" | "running" | "completed" | "failed";

/** A job instance as persisted in the JobRun table (the source of truth in both modes). */
export interface JobRun {
  id: string;
  name: JobName;
  /** One run per logical instance, e.g. `rescore:2026-11-22`. */
  instanceKey: string;
  status: JobStatus;
  /** 0..1. */
  progress: number;
  /** Attempts started so far (a retried or taken-over run counts each start). */
  attempts: number;
  /** `{ params, ...handler result }`; while queued or running only `{ params }`. */
  result: Record<string, unknown> | null;
  error: string | null;
  /** Who holds or last held the run: `<mode>:<host>:<pid>:<token>`. */
  runner: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

/** Parameters every job accepts. */
export interface JobParams {
  /** Business date the run is for (default: the scheduler's or caller's today, UTC). */
  asOf?: IsoDate;
  /** Start a new instance even when one for this date already completed. */
  force?: boolean;
  [k: string]: unknown;
}

/**
 * Reports progress (fraction 0..1). Writes are throttled; awaiting it is cheap. It also checks that this
 * attempt still owns the run and throws `LostOwnershipError` otherwise, so a taken-over attempt stops.
 */
export type ProgressFn = (fraction: number, note?: string) => Promise<void>;

/**
 * Components the handlers call. `registry` and `policies` are the scoring and policy components' objects
 * (ModelRegistry, PolicyStore); they are typed structurally in the handlers that use them.
 */
export interface JobDeps {
  config: Config;
  db: Database;
  registry: unknown;
  policies: unknown;
  log: Logger;
}

/** What a handler receives besides its params. */
export interface JobContext extends JobDeps {
  /** The JobRun id (recorded on rows the job writes, e.g. LimitChange.jobRunId). */
  runId: string;
  instanceKey: string;
  /** Throws `LostOwnershipError` unless this attempt still owns the run; call before irreversible steps. */
  assertOwner(): Promise<void>;
}

/** A job handler: a plain function calling the components. Must be idempotent for one instance key. */
export type JobHandler<P extends JobParams = JobParams, R extends Record<string, unknown> = Record<string, unknown>> = (
  ctx: JobContext,
  params: P,
  progress: ProgressFn,
) => Promise<R>;

export type HandlerTable = Record<JobName, JobHandler>;

/** Retry policy shared by both runners: `attempts` tries, waiting `backoffMs * 2^(n-1)` after the n-th failure. */
export interface RetryPolicy {
  attempts: number;
  backoffMs: number;
}

export interface RunNowOptions {
  /** Wait for the run to finish. Default: false in bull mode (return the queued run), true in-process. */
  wait?: boolean;
  /** Milliseconds to wait when `wait` is set (default 1 h). */
  timeoutMs?: number;
}

export interface ListOptions {
  name?: JobName;
  status?: JobStatus;
  /** Default 50, at most 500. */
  limit?: number;
}

/** The job runner: same jobs and handlers whether bull on Redis or in-process. */
export interface JobRunner {
  readonly mode: "bull" | "in-process";
  /** Schedules the crons (RETRAIN_CRON, RESCORE_CRON, DRIFT_CRON, COLLECTIONS_CRON). Idempotent. */
  start(): Promise<void>;
  /**
   * Runs (in-process) or enqueues (bull) one instance of `name`. An instance that already completed is not
   * run again: its run is returned as is (pass `force` for a new instance).
   * @throws ValidationError on an unknown job name or bad params.
   */
  runNow(name: JobName, params?: JobParams, opts?: RunNowOptions): Promise<JobRun>;
  /** Recent runs, newest first. */
  list(opts?: ListOptions): Promise<JobRun[]>;
  /** One run by id or instance key, or null. */
  get(idOrKey: string): Promise<JobRun | null>;
  /** Stops schedules and consumers, waits for running handlers to settle (bull) and releases connections. */
  close(): Promise<void>;
}

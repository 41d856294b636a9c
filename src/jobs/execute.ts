import { AppError, todayUtc, isIsoDate, ValidationError, newId, type IsoDate } from "../shared";
import { claimRun, completeRun, failRun, LostOwnershipError, RunBusyError, setProgress, type ClaimOptions } from "./store";
import { jobMetrics } from "./metrics";
import { JOB_NAMES, type HandlerTable, type JobDeps, type JobName, type JobParams, type JobRun } from "./types";

/** Validates a job name and its common params. @throws ValidationError naming the bad field. */
export function validateJob(name: string, params: JobParams = {}): { name: JobName; params: JobParams } {
  if (!(JOB_NAMES as readonly string[]).includes(name)) {
    throw new ValidationError([{ path: "name", expected: `one of ${JOB_NAMES.join(", ")}`, received: `"${name}"` }]);
  }
  if (params.asOf !== undefined && !isIsoDate(params.asOf)) {
    throw new ValidationError([{ path: "params/asOf", expected: "a YYYY-MM-DD date", received: JSON.stringify(params.asOf) }]);
  }
  if (params.force !== undefined && typeof params.force !== "boolean") {
    throw new ValidationError([{ path: "params/force", expected: "a boolean", received: JSON.stringify(params.force) }]);
  }
  return { name: name as JobName, params };
}

/**
 * The logical instance key: `<name>:<asOf>` so a day's (a week's, for retrain) run happens once; with
 * `force` a new, unique instance `<name>:<asOf>:<id>`.
 */
export function instanceKeyOf(name: JobName, params: JobParams, today: IsoDate = todayUtc()): { key: string; params: JobParams } {
  const asOf = params.asOf ?? today;
  const p: JobParams = { ...params, asOf };
  const key = params.force ? `${name}:${asOf}:${newId()}` : `${name}:${asOf}`;
  return { key, params: p };
}

/** Errors that a retry cannot fix: bad input and other 4xx application errors (except a busy run). */
export function isPermanent(err: unknown): boolean {
  return err instanceof AppError && err.status >= 400 && err.status < 500 && !(err instanceof RunBusyError) && !(err instanceof LostOwnershipError);
}

export type AttemptOutcome =
  | { outcome: "completed"; run: JobRun }
  | { outcome: "already-completed"; run: JobRun };

export interface AttemptOptions extends Omit<ClaimOptions, "activeTokens"> {
  runner: string;
  /** This is the last attempt the retry policy allows (a failure is final). */
  finalAttempt: boolean;
  activeTokens: Set<string>;
  /** Minimum milliseconds between progress writes (default 250). */
  progressEveryMs?: number;
}

/**
 * One attempt at one instance: claim it (compare-and-set in the database), run the handler, record the
 * result. A completed instance is returned without running. @throws RunBusyError when another live attempt
 * holds it; the handler's error after recording it (failed if final, queued for retry otherwise).
 */
export async function runAttempt(
  deps: JobDeps,
  handlers: HandlerTable,
  name: JobName,
  instanceKey: string,
  params: JobParams,
  opts: AttemptOptions,
): Promise<AttemptOutcome> {
  const { db, log } = deps;
  // Registered before the claim, so that no claimant in this process can take the row for abandoned
  // between our claim and the start of the work.
  opts.activeTokens.add(opts.runner);
  let claim;
  try {
    claim = await claimRun(db, instanceKey, opts.runner, opts);
  } catch (e) {
    opts.activeTokens.delete(opts.runner);
    throw e;
  }
  if (claim.state !== "claimed") {
    opts.activeTokens.delete(opts.runner);
    if (claim.state === "completed") return { outcome: "already-completed", run: claim.run };
    throw new RunBusyError(instanceKey, claim.run.runner);
  }
  const run = claim.run;
  const started = Date.now();
  const jlog = log.child({ job: name, instanceKey, runId: run.id, attempt: run.attempts });
  jlog.info("job started");
  let lastWrite = 0;
  const every = opts.progressEveryMs ?? 250;
  const assertOwner = async () => {
    if (!(await setProgressGuard(deps, run.id, opts.runner, null))) throw new LostOwnershipError(instanceKey);
  };
  const progress = async (fraction: number, note?: string) => {
    const now = Date.now();
    if (now - lastWrite < every && fraction < 1) return;
    lastWrite = now;
    if (!(await setProgressGuard(deps, run.id, opts.runner, fraction))) throw new LostOwnershipError(instanceKey);
    if (note) jlog.debug({ progress: fraction, note }, "job progress");
  };
  try {
    const result = await handlers[name]({ ...deps, log: jlog, runId: run.id, instanceKey, assertOwner }, params, progress);
    const done = await completeRun(db, run, opts.runner, result);
    jobMetrics().runs.inc({ job: name, status: "completed" });
    jobMetrics().duration.observe({ job: name }, (Date.now() - started) / 1000);
    jlog.info({ seconds: (Date.now() - started) / 1000 }, "job completed");
    return { outcome: "completed", run: done };
  } catch (err) {
    const final = opts.finalAttempt || isPermanent(err);
    const message = err instanceof Error ? err.message : String(err);
    if (!(err instanceof LostOwnershipError)) await failRun(db, run, opts.runner, message, final);
    jobMetrics().runs.inc({ job: name, status: final ? "failed" : "retrying" });
    jlog.error({ err, final }, final ? "job failed" : "job attempt failed; will retry");
    throw err;
  } finally {
    opts.activeTokens.delete(opts.runner);
  }
}

async function setProgressGuard(deps: JobDeps, id: string, runner: string, fraction: number | null): Promise<boolean> {
  if (fraction === null) {
    return (await deps.db.prisma.jobRun.count({ where: { id, runner, status: "running" } })) === 1;
  }
  return setProgress(deps.db, id, runner, fraction);
}

/** Exponential backoff: `backoffMs * 2^(n-1)` after the n-th failed attempt. */
export function backoffDelay(backoffMs: number, failedAttempts: number): number {
  return backoffMs * 2 ** Math.max(0, failedAttempts - 1);
}

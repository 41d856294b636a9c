import { hostname } from "node:os";
import type { Database } from "../db";
import { AppError, newId } from "../shared";
import type { JobName, JobRun, JobStatus, ListOptions } from "./types";

/**
 * Persistence of job instances in the JobRun table. The database, not Redis, is the source of truth:
 * `instanceKey` is unique, so an instance exists once, and every state change is a compare-and-set
 * (`updateMany` guarded by the observed status and runner), so two attempts can never both own a run.
 */

/** Thrown when an attempt finds it no longer owns its run (it was taken over after being presumed dead). */
export class LostOwnershipError extends AppError {
  constructor(instanceKey: string) {
    super(409, "job-lost-ownership", "Job run taken over", `job run ${instanceKey} is no longer owned by this attempt`);
  }
}

/** Thrown when another live attempt is running the instance; the queue retries later. */
export class RunBusyError extends AppError {
  constructor(instanceKey: string, runner: string | null) {
    super(409, "job-busy", "Job run in progress", `job run ${instanceKey} is being run by ${runner ?? "another runner"}`);
  }
}

type Row = {
  id: string;
  name: string;
  instanceKey: string;
  status: string;
  progress: number;
  attempts: number;
  result: unknown;
  error: string | null;
  runner: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
};

function toRun(r: Row): JobRun {
  return {
    ...r,
    name: r.name as JobName,
    status: r.status as JobStatus,
    result: (r.result ?? null) as Record<string, unknown> | null,
  };
}

/**
 * Tokens of the attempts active in this process, shared by every runner in it: a claimant in this process
 * treats a `running` row held by this process as abandoned only when its token is no longer here.
 */
export const ACTIVE_TOKENS = new Set<string>();

/** A runner identity: `<mode>:<host>:<pid>:<token>`. */
export function runnerId(mode: "bull" | "inproc"): string {
  return `${mode}:${hostname()}:${process.pid}:${newId()}`;
}

function isUniqueViolation(e: unknown): boolean {
  return typeof e === "object" && e !== null && (e as { code?: string }).code === "P2002";
}

/** The run for `instanceKey`, creating it (status queued, result `{ params }`) when absent. Race-safe. */
export async function ensureRun(db: Database, name: JobName, instanceKey: string, params: Record<string, unknown>): Promise<JobRun> {
  const existing = await db.prisma.jobRun.findUnique({ where: { instanceKey } });
  if (existing) return toRun(existing);
  try {
    const row = await db.prisma.jobRun.create({
      data: { id: newId("job_"), name, instanceKey, status: "queued", result: { params } as object },
    });
    return toRun(row);
  } catch (e) {
    if (!isUniqueViolation(e)) throw e;
    const row = await db.prisma.jobRun.findUnique({ where: { instanceKey } });
    if (!row) throw e;
    return toRun(row);
  }
}

export async function getRun(db: Database, idOrKey: string): Promise<JobRun | null> {
  const row = (await db.prisma.jobRun.findUnique({ where: { id: idOrKey } })) ?? (await db.prisma.jobRun.findUnique({ where: { instanceKey: idOrKey } }));
  return row ? toRun(row) : null;
}

export async function listRuns(db: Database, opts: ListOptions = {}): Promise<JobRun[]> {
  const rows = await db.prisma.jobRun.findMany({
    where: { ...(opts.name ? { name: opts.name } : {}), ...(opts.status ? { status: opts.status } : {}) },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: Math.min(Math.max(opts.limit ?? 50, 1), 500),
  });
  return rows.map(toRun);
}

/**
 * True when the runner that holds a `running` row is known to be gone: a process on this host that no
 * longer exists, or a token of this process that is no longer active. Runners on other hosts are judged
 * by the queue (bull redelivers a job only after its holder's lock expired) or by `staleAfterMs`.
 */
/** True when `runner` names a process on this host. */
export function isLocal(runner: string | null): boolean {
  return (runner ?? "").split(":")[1] === hostname();
}

export function runnerIsGone(runner: string | null, activeTokens: ReadonlySet<string>): boolean {
  if (!runner) return true;
  const [, host, pidStr] = runner.split(":");
  const pid = Number(pidStr);
  if (host !== hostname() || !Number.isInteger(pid)) return false;
  if (pid === process.pid) return !activeTokens.has(runner);
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "ESRCH";
  }
}

export interface ClaimOptions {
  /**
   * Take over a `running` row whose holder's id starts with this prefix and runs on another host: bull
   * redelivers a job only after its holder's lock in Redis expired.
   */
  trustQueueFor?: string;
  /** Tokens of attempts active in this process. */
  activeTokens: ReadonlySet<string>;
  /** A `running` row older than this is presumed abandoned (default 6 h). */
  staleAfterMs?: number;
}

export type ClaimResult = { state: "claimed"; run: JobRun } | { state: "completed"; run: JobRun } | { state: "busy"; run: JobRun };

/**
 * Claims the run for this attempt with a compare-and-set on (status, runner): only one of any number of
 * concurrent claimants can succeed. A completed run is never claimed again.
 */
export async function claimRun(db: Database, instanceKey: string, runner: string, opts: ClaimOptions): Promise<ClaimResult> {
  const staleAfterMs = opts.staleAfterMs ?? 6 * 3600_000;
  for (let i = 0; i < 5; i++) {
    const row = await db.prisma.jobRun.findUnique({ where: { instanceKey } });
    if (!row) throw new Error(`job run ${instanceKey} does not exist`);
    const run = toRun(row);
    if (run.status === "completed") return { state: "completed", run };
    if (run.status === "running") {
      const stale = run.startedAt !== null && Date.now() - run.startedAt.getTime() > staleAfterMs;
      // Bull redelivers only after the holder's lock expired; that is trusted for holders on other hosts.
      // On this host liveness is checked directly: a live holder (e.g. one whose lock lapsed while training
      // held the event loop) keeps the run.
      const trusted = opts.trustQueueFor !== undefined && (run.runner ?? "").startsWith(opts.trustQueueFor) && !isLocal(run.runner);
      const canTake = trusted || stale || runnerIsGone(run.runner, opts.activeTokens);
      if (!canTake) return { state: "busy", run };
    }
    const { count } = await db.prisma.jobRun.updateMany({
      where: { instanceKey, status: run.status, runner: run.runner, attempts: run.attempts },
      data: { status: "running", runner, attempts: run.attempts + 1, startedAt: new Date(), finishedAt: null, error: null, progress: 0 },
    });
    if (count === 1) {
      const claimed = await db.prisma.jobRun.findUniqueOrThrow({ where: { instanceKey } });
      return { state: "claimed", run: toRun(claimed) };
    }
  }
  const row = await db.prisma.jobRun.findUniqueOrThrow({ where: { instanceKey } });
  return { state: row.status === "completed" ? "completed" : "busy", run: toRun(row) };
}

/** True when `runner` still holds the run. */
export async function ownsRun(db: Database, id: string, runner: string): Promise<boolean> {
  return (await db.prisma.jobRun.count({ where: { id, runner, status: "running" } })) === 1;
}

/** Records progress; returns false when this attempt no longer owns the run. */
export async function setProgress(db: Database, id: string, runner: string, progress: number): Promise<boolean> {
  const { count } = await db.prisma.jobRun.updateMany({
    where: { id, runner, status: "running" },
    data: { progress: Math.min(1, Math.max(0, progress)) },
  });
  return count === 1;
}

/** Marks the run completed with its result. @throws LostOwnershipError when this attempt no longer owns it. */
export async function completeRun(db: Database, run: JobRun, runner: string, result: Record<string, unknown>): Promise<JobRun> {
  const params = (run.result as { params?: unknown } | null)?.params ?? {};
  const { count } = await db.prisma.jobRun.updateMany({
    where: { id: run.id, runner, status: "running" },
    data: { status: "completed", progress: 1, result: { params, ...result } as object, finishedAt: new Date(), error: null },
  });
  if (count !== 1) throw new LostOwnershipError(run.instanceKey);
  return toRun(await db.prisma.jobRun.findUniqueOrThrow({ where: { id: run.id } }));
}

/**
 * Records a failed attempt: `failed` when no attempt is left, otherwise back to `queued` with the error,
 * waiting for the retry. A no-op when this attempt no longer owns the run.
 */
export async function failRun(db: Database, run: JobRun, runner: string, error: string, final: boolean): Promise<JobRun> {
  await db.prisma.jobRun.updateMany({
    where: { id: run.id, runner, status: "running" },
    data: { status: final ? "failed" : "queued", error: error.slice(0, 4000), finishedAt: final ? new Date() : null },
  });
  return toRun(await db.prisma.jobRun.findUniqueOrThrow({ where: { id: run.id } }));
}

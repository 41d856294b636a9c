import Bull from "bull";
import type { Job, Queue } from "bull";
import { todayUtc } from "../shared";
import { isPermanent, runAttempt } from "./execute";
import { cronsOf, RunnerBase } from "./runner-base";
import { RunBusyError, runnerId } from "./store";
import { JOB_NAMES, type HandlerTable, type JobDeps, type JobName, type JobParams, type JobRun, type JobRunner, type RetryPolicy, type RunNowOptions } from "./types";

/** Bull-specific settings (defaults suit production; tests shorten the lock to detect a killed worker fast). */
export interface BullOptions {
  /** Redis key prefix (default `credit`). */
  prefix?: string;
  /** Milliseconds a worker's lock on a job lasts without renewal (default 120 s: training can hold the event loop). */
  lockDurationMs?: number;
  /** Milliseconds between checks for jobs whose worker died (default 30 s). */
  stalledIntervalMs?: number;
  /** Times a job may be redelivered after its worker died before it fails (default 2). */
  maxStalledCount?: number;
  /** How long a delivery waits for another live attempt holding the same run (default 6 h). */
  busyWaitMs?: number;
}

interface RunData {
  instanceKey: string;
  params: JobParams;
}

/**
 * Jobs through bull on Redis. Any number of processes share the queues: API processes enqueue and schedule
 * (`start`, `runNow`), worker processes consume (`work`). One queue per job; each logical instance is one bull
 * job whose jobId is its instance key, so it is enqueued once; cron ticks are bull repeatable jobs that only
 * enqueue the tick's instance. Attempts and exponential backoff come from the retry policy; the JobRun table
 * stays the source of truth for state and results.
 */
export class BullJobRunner extends RunnerBase implements JobRunner {
  readonly mode = "bull" as const;
  private readonly queues = new Map<JobName, Queue>();
  private working = false;
  private closing = false;

  constructor(
    deps: JobDeps,
    handlers: HandlerTable,
    retry: RetryPolicy,
    private readonly redisUrl: string,
    private readonly opts: BullOptions = {},
  ) {
    super(deps, handlers, retry);
  }

  /** The bull queue of `name` (created on first use). */
  queue(name: JobName): Queue {
    let q = this.queues.get(name);
    if (!q) {
      q = new Bull(name, this.redisUrl, {
        prefix: this.opts.prefix ?? "credit",
        settings: {
          lockDuration: this.opts.lockDurationMs ?? 120_000,
          lockRenewTime: Math.floor((this.opts.lockDurationMs ?? 120_000) / 4),
          stalledInterval: this.opts.stalledIntervalMs ?? 30_000,
          maxStalledCount: this.opts.maxStalledCount ?? 2,
        },
      });
      q.on("error", (err) => this.deps.log.error({ err, queue: name }, "bull queue error"));
      this.queues.set(name, q);
    }
    return q;
  }

  private jobOptions(jobId: string) {
    return {
      jobId,
      attempts: this.retry.attempts,
      backoff: { type: "exponential", delay: this.retry.backoffMs },
      removeOnComplete: 1000,
      removeOnFail: 1000,
    };
  }

  async start(): Promise<void> {
    const crons = cronsOf(this.deps);
    for (const name of JOB_NAMES) {
      const q = this.queue(name);
      for (const r of await q.getRepeatableJobs()) {
        if (r.cron !== crons[name] || r.name !== "tick") await q.removeRepeatableByKey(r.key);
      }
      await q.add("tick", {}, { repeat: { cron: crons[name], tz: "UTC" }, removeOnComplete: 100, removeOnFail: 100 });
    }
    const u = new URL(this.redisUrl);
    this.deps.log.info({ mode: this.mode, redis: `${u.hostname}:${u.port || 6379}`, crons }, "jobs: bull on Redis (schedules registered; run `credit worker` to consume)");
  }

  /**
   * Enqueues one instance. With `wait`, resolves when it finished (completed or failed for good).
   * A completed instance is returned as is.
   */
  async runNow(name: JobName, params: JobParams = {}, opts: RunNowOptions = {}): Promise<JobRun> {
    const prep = await this.prepare(name, params);
    if (prep.run.status === "completed") return prep.run;
    const job = await this.enqueue(prep.name, prep.key, prep.params);
    if (!opts.wait) return (await this.get(prep.key)) ?? prep.run;
    await this.waitFor(job, opts.timeoutMs ?? 3600_000);
    return (await this.get(prep.key)) ?? prep.run;
  }

  private async enqueue(name: JobName, key: string, params: JobParams): Promise<Job> {
    const q = this.queue(name);
    const existing = await q.getJob(key);
    // A finished bull job would swallow the add (same jobId); the database says whether to run again.
    if (existing && ((await existing.isFailed()) || (await existing.isCompleted()))) await existing.remove().catch(() => undefined);
    return q.add("run", { instanceKey: key, params } satisfies RunData, this.jobOptions(key));
  }

  private async waitFor(job: Job, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const run = await this.get(String(job.id));
      if (run && (run.status === "completed" || (run.status === "failed" && !(await this.pendingRetry(job))))) return;
      if (Date.now() > deadline) return;
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  private async pendingRetry(job: Job): Promise<boolean> {
    const j = await job.queue.getJob(job.id);
    if (!j) return false;
    const state = await j.getState();
    return state !== "failed" && state !== "completed";
  }

  /**
   * Starts consuming all (or the given) queues in this process with `concurrency` jobs per queue
   * (default 1). Any number of workers, on any number of machines, can consume the same queues.
   */
  async work(opts: { concurrency?: number; jobs?: readonly JobName[] } = {}): Promise<void> {
    if (this.working) return;
    this.working = true;
    const names = opts.jobs ?? JOB_NAMES;
    for (const name of names) {
      const q = this.queue(name);
      // One processor for both job names: bull adds up the concurrency of named processors, and the
      // queue's concurrency must stay as configured.
      void q.process("*", opts.concurrency ?? 1, async (job: Job) => {
        if (job.name === "tick") return this.tick(name, job);
        return this.runJob(name, job as Job<RunData>);
      });
    }
    this.deps.log.info({ jobs: names, concurrency: opts.concurrency ?? 1 }, "jobs: bull worker consuming");
  }

  /** A cron tick: enqueues the tick date's instance (once; a completed one is not enqueued again). */
  private async tick(name: JobName, job: Job): Promise<{ instanceKey: string }> {
    const fire = new Date(Number((job.opts as { prevMillis?: number }).prevMillis ?? job.timestamp));
    const prep = await this.prepare(name, { asOf: todayUtc(fire) });
    if (prep.run.status !== "completed") await this.enqueue(prep.name, prep.key, prep.params);
    return { instanceKey: prep.key };
  }

  /** One delivery of an instance: an attempt in the JobRun table. */
  private async runJob(name: JobName, job: Job<RunData>): Promise<{ instanceKey: string; outcome: string }> {
    const attempt = job.attemptsMade + 1;
    const deadline = Date.now() + (this.opts.busyWaitMs ?? 6 * 3600_000);
    for (;;) {
      const runner = runnerId("bull");
      try {
        const out = await runAttempt(this.deps, this.handlers, name, job.data.instanceKey, job.data.params, {
          runner,
          finalAttempt: attempt >= this.retry.attempts,
          activeTokens: this.activeTokens,
          trustQueueFor: "bull:",
        });
        return { instanceKey: job.data.instanceKey, outcome: out.outcome };
      } catch (err) {
        // Another live attempt holds the run (its lock lapsed, it did not die): wait for it to finish
        // or disappear instead of spending this job's attempts.
        if (err instanceof RunBusyError && Date.now() < deadline && !this.closing) {
          await new Promise((r) => setTimeout(r, 1000));
          continue;
        }
        if (isPermanent(err)) await job.discard();
        throw err;
      }
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.allSettled([...this.queues.values()].map((q) => q.close()));
    this.queues.clear();
  }
}

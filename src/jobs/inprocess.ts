import { setTimeout as sleep } from "node:timers/promises";
import { todayUtc } from "../shared";
import { CronSchedule } from "./cron";
import { backoffDelay, isPermanent, runAttempt } from "./execute";
import { cronsOf, RunnerBase } from "./runner-base";
import { RunBusyError, runnerId, runnerIsGone } from "./store";
import { JOB_NAMES, type JobName, type JobParams, type JobRun, type JobRunner, type RunNowOptions } from "./types";

/**
 * The in-process runner (no Redis): a cron scheduler per job calling the same handlers with the same
 * retry policy as bull. Runs of one job are serialised (concurrency 1 per job, like one bull worker).
 */
export class InProcessJobRunner extends RunnerBase implements JobRunner {
  readonly mode = "in-process" as const;
  private schedules: CronSchedule[] = [];
  private readonly chains = new Map<JobName, Promise<unknown>>();
  private readonly inflight = new Set<Promise<unknown>>();
  private closed = false;
  private readonly abort = new AbortController();

  async start(): Promise<void> {
    if (this.schedules.length) return;
    const crons = cronsOf(this.deps);
    for (const name of JOB_NAMES) {
      const s = new CronSchedule(crons[name], (fireTime) => {
        const p = this.runNow(name, { asOf: todayUtc(fireTime) }).catch((err) =>
          this.deps.log.error({ err, job: name }, "scheduled job failed"),
        );
        this.track(p);
      });
      this.schedules.push(s.start());
    }
    this.deps.log.info({ mode: this.mode, crons }, "jobs: in-process scheduler started (REDIS_URL unset; jobs run inside this process)");
    await this.recover();
  }

  /**
   * Resumes runs an earlier in-process runner on this host left `running` when its process died (a crash
   * or a kill during a job): each is retried under its own instance key, in the background.
   */
  private async recover(): Promise<void> {
    const rows = await this.deps.db.prisma.jobRun.findMany({ where: { status: "running", runner: { startsWith: "inproc:" } } });
    for (const r of rows) {
      if (!runnerIsGone(r.runner, this.activeTokens)) continue;
      const name = r.name as JobName;
      const params = ((r.result as { params?: JobParams } | null)?.params ?? {}) as JobParams;
      this.deps.log.warn({ job: name, instanceKey: r.instanceKey, runner: r.runner }, "jobs: resuming a run interrupted by the death of its process");
      const prev = this.chains.get(name) ?? Promise.resolve();
      const next = prev.catch(() => undefined).then(() => this.execute(name, r.instanceKey, params));
      this.chains.set(name, next);
      this.track(next).catch((err) => this.deps.log.error({ err, job: name }, "resumed job failed"));
    }
  }

  /** Runs the instance in this process; resolves with the finished run unless `opts.wait` is false. */
  async runNow(name: JobName, params: JobParams = {}, opts: RunNowOptions = {}): Promise<JobRun> {
    if (this.closed) throw new Error("job runner is closed");
    const prep = await this.prepare(name, params);
    if (prep.run.status === "completed") return prep.run;
    const prev = this.chains.get(prep.name) ?? Promise.resolve();
    const next = prev.catch(() => undefined).then(() => this.execute(prep.name, prep.key, prep.params));
    this.chains.set(prep.name, next);
    const tracked = this.track(next);
    if (opts.wait === false) {
      tracked.catch((err) => this.deps.log.error({ err, job: name }, "job failed"));
      return prep.run;
    }
    return tracked;
  }

  private async execute(name: JobName, key: string, params: JobParams): Promise<JobRun> {
    for (let attempt = 1; ; attempt++) {
      const runner = runnerId("inproc");
      try {
        const out = await runAttempt(this.deps, this.handlers, name, key, params, {
          runner,
          finalAttempt: attempt >= this.retry.attempts,
          activeTokens: this.activeTokens,
        });
        return out.run;
      } catch (err) {
        if (attempt >= this.retry.attempts || isPermanent(err) || this.closed) {
          if (err instanceof RunBusyError) throw err;
          const run = await this.get(key);
          if (run) return run;
          throw err;
        }
        await sleep(backoffDelay(this.retry.backoffMs, attempt), undefined, { signal: this.abort.signal }).catch(() => undefined);
      }
    }
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p)).catch(() => undefined);
    return p;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.abort.abort();
    for (const s of this.schedules) s.stop();
    this.schedules = [];
    await Promise.allSettled([...this.inflight]);
  }
}

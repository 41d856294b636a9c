import type { Command } from "commander";
import { wholeNumber } from "../options";

/** `credit worker`: consumes the bull queues (needs REDIS_URL). Several can run, on any number of machines. */
export function register(program: Command): void {
  program
    .command("worker")
    .description("run a job worker: consume the retrain/rescore/drift/collections queues on Redis (REDIS_URL)")
    .option("--concurrency <n>", "jobs per queue at a time in this worker", "1")
    .option("--jobs <names>", "comma-separated queues to consume (default: all)")
    .option("--prefix <prefix>", "Redis key prefix of the queues", "credit")
    .option("--lock-duration <ms>", "how long a job's lock lasts without renewal; a dead worker's job is redelivered after it", "120000")
    .option("--stalled-interval <ms>", "how often to look for jobs of dead workers", "30000")
    .option("--attempts <n>", "attempts per job (retries with exponential backoff)", "3")
    .option("--backoff <ms>", "delay before the first retry, doubling after", "30000")
    .option("--no-schedule", "do not register the cron schedules (another process does)")
    .action(async (o: { concurrency: string; jobs?: string; prefix: string; lockDuration: string; stalledInterval: string; attempts: string; backoff: string; schedule: boolean }) => {
      const { loadConfig } = await import("../../config");
      const { logger, ValidationError } = await import("../../shared");
      const { createJobRunner, JOB_NAMES } = await import("../../jobs");
      const { openJobDeps } = await import("../../jobs/bootstrap");
      const config = loadConfig();
      if (!config.REDIS_URL) {
        throw new ValidationError([{ path: "env/REDIS_URL", expected: "a redis:// URL (workers consume queues on Redis)", received: "nothing (missing)" }]);
      }
      const int = (v: string, field: string) => wholeNumber(field, 1)(v);
      const jobs = o.jobs ? o.jobs.split(",").map((s) => s.trim()) : [...JOB_NAMES];
      for (const j of jobs) {
        if (!(JOB_NAMES as readonly string[]).includes(j)) throw new ValidationError([{ path: "--jobs", expected: `names among ${JOB_NAMES.join(", ")}`, received: `"${j}"` }]);
      }
      const log = logger();
      const { deps, close } = await openJobDeps(config, log);
      const runner = createJobRunner(deps, {
        mode: "bull",
        retry: { attempts: int(o.attempts, "--attempts"), backoffMs: int(o.backoff, "--backoff") },
        bull: { prefix: o.prefix, lockDurationMs: int(o.lockDuration, "--lock-duration"), stalledIntervalMs: int(o.stalledInterval, "--stalled-interval") },
      }) as import("../../jobs").BullJobRunner;
      if (o.schedule) await runner.start();
      await runner.work({ concurrency: int(o.concurrency, "--concurrency"), jobs: jobs as never });
      log.info({ pid: process.pid, jobs }, "worker ready");
      await new Promise<void>((resolve) => {
        const stop = (sig: string) => {
          log.info({ signal: sig }, "worker stopping: finishing the current jobs");
          resolve();
        };
        process.once("SIGTERM", () => stop("SIGTERM"));
        process.once("SIGINT", () => stop("SIGINT"));
      });
      await runner.close();
      await close();
    });
}

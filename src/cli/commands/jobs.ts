import type { Command } from "commander";
import type { JobName, JobRun } from "../../jobs";

/** Prints a run's result: JSON with --json, otherwise its summary and the result document. */
export function printRun(run: JobRun, json: boolean, summarize: (r: JobRun) => string): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(run, null, 2)}\n`);
    return;
  }
  process.stdout.write(`${run.name} ${run.instanceKey}: ${run.status} after ${run.attempts} attempt(s)\n${summarize(run)}\n`);
  if (run.status === "completed" && run.result) {
    const { params: _p, summary: _s, ...rest } = run.result as Record<string, unknown>;
    process.stdout.write(`${JSON.stringify(rest, null, 2)}\n`);
  }
}

/**
 * Runs one job instance in this process (in-process runner, same handlers and retries as the workers) and
 * prints the result. Sets exit code 1 when the run failed.
 */
export async function runOnce(name: JobName, o: { asOf?: string; force?: boolean; json?: boolean; quiet?: boolean }, extra: Record<string, unknown> = {}): Promise<void> {
  const { loadConfig } = await import("../../config");
  const { logger } = await import("../../shared");
  const { createJobRunner, summarizeRun } = await import("../../jobs");
  const { openJobDeps } = await import("../../jobs/bootstrap");
  const config = loadConfig();
  const { deps, close } = await openJobDeps(config, logger());
  const runner = createJobRunner(deps, { mode: "in-process" });
  try {
    const bar = o.quiet || !process.stderr.isTTY ? null : await progressBar(name, runner);
    const run = await runner.runNow(name, { ...extra, ...(o.asOf ? { asOf: o.asOf } : {}), ...(o.force ? { force: true } : {}) });
    bar?.stop();
    printRun(run, Boolean(o.json), summarizeRun);
    if (run.status !== "completed") process.exitCode = 1;
  } finally {
    await runner.close();
    await close();
  }
}

/** A cli-progress bar on stderr following the run's progress in the JobRun table. */
async function progressBar(name: JobName, runner: { list: (o: { name: JobName; status: "running"; limit: number }) => Promise<JobRun[]> }) {
  const { SingleBar, Presets } = await import("cli-progress");
  const bar = new SingleBar({ format: `${name} [{bar}] {percentage}%`, stream: process.stderr, hideCursor: true }, Presets.shades_classic);
  bar.start(100, 0);
  const timer = setInterval(async () => {
    const [r] = await runner.list({ name, status: "running", limit: 1 }).catch(() => []);
    if (r) bar.update(Math.round(r.progress * 100));
  }, 500);
  return { stop: () => (clearInterval(timer), bar.update(100), bar.stop()) };
}

/** `credit jobs`: recent job runs; `credit jobs run <name>`: run one instance now, in this process. */
export function register(program: Command): void {
  const jobs = program
    .command("jobs")
    .description("list recent job runs (status, progress, result summary) from the database")
    .option("--name <job>", "only this job (retrain, rescore, drift, collections)")
    .option("--status <status>", "only runs in this status (queued, running, completed, failed)")
    .option("--limit <n>", "how many runs", "20")
    .option("--json", "print JSON")
    .action(async (o: { name?: string; status?: string; limit: string; json?: boolean }) => {
      const { loadConfig } = await import("../../config");
      const { openDatabase } = await import("../../db");
      const { listJobRuns, summarizeRun, JOB_NAMES } = await import("../../jobs");
      const { ValidationError } = await import("../../shared");
      if (o.name && !(JOB_NAMES as readonly string[]).includes(o.name)) throw new ValidationError([{ path: "--name", expected: `one of ${JOB_NAMES.join(", ")}`, received: `"${o.name}"` }]);
      const limit = Number(o.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new ValidationError([{ path: "--limit", expected: "an integer 1..500", received: `"${o.limit}"` }]);
      const db = await openDatabase(loadConfig().DATABASE_URL);
      try {
        const runs = await listJobRuns(db, { name: o.name as JobName | undefined, status: o.status as JobRun["status"] | undefined, limit });
        if (o.json) {
          process.stdout.write(`${JSON.stringify(runs, null, 2)}\n`);
          return;
        }
        if (runs.length === 0) process.stdout.write("no job runs yet\n");
        for (const r of runs) {
          const when = (r.finishedAt ?? r.startedAt ?? r.createdAt).toISOString().replace("T", " ").slice(0, 19);
          process.stdout.write(
            `${when}  ${r.name.padEnd(11)} ${r.status.padEnd(9)} ${String(Math.round(r.progress * 100)).padStart(3)}%  x${r.attempts}  ${r.instanceKey}\n    ${summarizeRun(r)}\n`,
          );
        }
      } finally {
        await db.close();
      }
    });
  jobs
    .command("run <name>")
    .description("run one job instance now in this process (retrain, rescore, drift, collections) and print its result")
    .option("--as-of <date>", "business date of the run (YYYY-MM-DD, default today UTC)")
    .option("--force", "run a new instance even if one for this date completed")
    .option("--json", "print the run as JSON")
    .option("--quiet", "no progress bar")
    .action(async (name: string, o: { asOf?: string; force?: boolean; json?: boolean; quiet?: boolean }) => {
      const { validateJob } = await import("../../jobs/execute");
      validateJob(name, {});
      await runOnce(name as JobName, o);
    });
}

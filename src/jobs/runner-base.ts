import { todayUtc } from "../shared";
import { instanceKeyOf, validateJob } from "./execute";
import { ACTIVE_TOKENS, ensureRun, getRun, listRuns } from "./store";
import type { HandlerTable, JobDeps, JobName, JobParams, JobRun, ListOptions, RetryPolicy } from "./types";

/** Defaults: 3 attempts, 30 s, 60 s between them. */
export const DEFAULT_RETRY: RetryPolicy = { attempts: 3, backoffMs: 30_000 };

/** The crons from the configuration, per job. */
export function cronsOf(deps: JobDeps): Record<JobName, string> {
  const c = deps.config;
  return { retrain: c.RETRAIN_CRON, rescore: c.RESCORE_CRON, drift: c.DRIFT_CRON, collections: c.COLLECTIONS_CRON };
}

/** What both runners share: validation, instance creation and reads from the JobRun table. */
export abstract class RunnerBase {
  /** Tokens of attempts currently active in this process (lets a claim tell a dead holder from a live one). */
  protected readonly activeTokens = ACTIVE_TOKENS;

  constructor(
    protected readonly deps: JobDeps,
    protected readonly handlers: HandlerTable,
    protected readonly retry: RetryPolicy,
    protected readonly today: () => string = () => todayUtc(),
  ) {}

  /** Validates, derives the instance key and makes sure the JobRun row exists. */
  protected async prepare(name: string, params: JobParams = {}): Promise<{ name: JobName; key: string; params: JobParams; run: JobRun }> {
    const v = validateJob(name, params);
    const { key, params: p } = instanceKeyOf(v.name, v.params, this.today());
    const run = await ensureRun(this.deps.db, v.name, key, p);
    return { name: v.name, key, params: p, run };
  }

  list(opts?: ListOptions): Promise<JobRun[]> {
    return listRuns(this.deps.db, opts);
  }

  get(idOrKey: string): Promise<JobRun | null> {
    return getRun(this.deps.db, idOrKey);
  }
}

import { ApiKeyStore, RateLimiter, chainResolvers } from "../auth";
import type { Config } from "../config";
import { closeHistoryReader, openDatabase, savePolicyVersion, type Database } from "../db";
import { ChampionHolder, DecisionService, creditPort, openDecisionWriter, policyPort, singleArtifactSource, type DecisionWriter, type ModelSource } from "../decisions";
import { PolicyStore } from "../policy";
import type { ScoringModel } from "../scoring";
import type { Logger } from "../shared";
import type { AppContext } from "./context";
import { envKeyResolver } from "./auth";
import { ApiMetrics } from "./metrics";

export interface RuntimeOptions {
  logger: Logger;
  /** Serve this artifact as the champion (`credit serve --model DIR`). */
  modelDir?: string;
  /** Otherwise: where models come from (the registry) and the champion to start with (null = none yet). */
  models?: { source: ModelSource; champion: ScoringModel | null };
  /** An already open database (otherwise opened, and migrated, from config.DATABASE_URL). */
  db?: Database;
  clock?: () => Date;
}

/** Everything `createApp` needs, plus the ordered shutdown of what was opened here. */
export interface Runtime {
  ctx: AppContext;
  holder: ChampionHolder;
  policyStore: PolicyStore;
  writer: DecisionWriter;
  /** Flushes pending decisions, closes the writer and the history reader's connections, and (when opened here) the database. */
  close(): Promise<void>;
}

/**
 * Composes the API's context from configuration: database, policy store (POLICY_FILE), champion,
 * group-commit decision writer, decision service and metrics.
 * @throws ModelLoadError when `modelDir` is not a valid artifact; ValidationError for an invalid policy file.
 */
export async function openRuntime(config: Config, opts: RuntimeOptions): Promise<Runtime> {
  const ownDb = !opts.db;
  const db = opts.db ?? (await openDatabase(config.DATABASE_URL));
  try {
    const policyStore = PolicyStore.fromFile(config.POLICY_FILE);
    // Every policy that goes into force is recorded (PolicyVersion), and edits to the file are picked up
    // without a restart; an invalid edit is refused and the running policy stays.
    await savePolicyVersion(db, policyStore.current(), "active").catch((err) => opts.logger.warn({ err }, "could not record the policy version"));
    policyStore.onActivate((p, prev) => {
      opts.logger.info({ from: prev.version, to: p.version }, "policy activated");
      savePolicyVersion(db, p, "active").catch((err) => opts.logger.warn({ err }, "could not record the policy version"));
    });
    const unwatchPolicy = policyStore.watch(config.POLICY_FILE, {
      onError: (err) => opts.logger.warn({ err: (err as Error).message, file: config.POLICY_FILE }, "policy file change refused; the running policy stays in force"),
    });
    const metrics = new ApiMetrics();
    let holder: ChampionHolder;
    if (opts.modelDir) {
      const { source, model } = singleArtifactSource(opts.modelDir);
      holder = new ChampionHolder(source, model);
    } else if (opts.models) {
      holder = new ChampionHolder(opts.models.source, opts.models.champion);
    } else {
      throw new Error("openRuntime needs modelDir or models");
    }
    holder.onChange((m) => metrics.setModel(m.id, m.version, m.kind));
    const writer = openDecisionWriter(config.DATABASE_URL, {
      flushMs: config.AUDIT_FLUSH_MS,
      logger: opts.logger,
      observer: {
        queued: (n) => metrics.auditQueue.set(n),
        flushed: (n, s) => {
          metrics.auditBatch.observe(n);
          metrics.auditFlush.observe(s);
        },
      },
    });
    const clock = opts.clock ?? (() => new Date());
    const policies = policyPort(policyStore);
    const credit = creditPort(db, policyStore);
    const decisions = new DecisionService({ db, models: holder, policy: policies, credit, writer, clock, onScored: (t, d) => metrics.scored(t, d) });
    // Keys: CREDIT_API_KEY (admin) and the hashed keys of the ApiKey table; per-key token bucket.
    const keys = new ApiKeyStore(db);
    // The store answers null at once for a key without the ck_ prefix, so neither path hashes twice.
    const resolveKey = chainResolvers(keys.resolver(), envKeyResolver(config.CREDIT_API_KEY));
    const limiter = new RateLimiter({ perMinute: config.RATE_LIMIT_PER_MINUTE });
    const ctx: AppContext = { config, db, models: holder, policies, credit, decisions, logger: opts.logger, clock, metrics, keys, resolveKey, limiter, extras: { policyStore } };
    let closed = false;
    return {
      ctx,
      holder,
      policyStore,
      writer,
      async close() {
        if (closed) return;
        closed = true;
        unwatchPolicy();
        await writer.close();
        await closeHistoryReader(db);
        if (ownDb) await db.close();
      },
    };
  } catch (e) {
    if (ownDb) await db.close();
    throw e;
  }
}

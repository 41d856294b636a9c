import type { Config } from "../../config";
import { loadHistories, type Database } from "../../db";
import type { CustomerHistory, FeatureVector } from "../../features";
import { pdToScore, pdoScaling } from "../../numeric";
import type { ScoringModel } from "../../scoring";
import { UnavailableError, type IsoDate } from "../../shared";
import type { JobContext } from "../types";

/**
 * What the jobs use of the scoring component's ModelRegistry (models/ directory: artifacts plus the
 * champion pointer written atomically by `promote`).
 */
export interface RegistryLike {
  championId(): string | null | Promise<string | null>;
  champion(): ScoringModel | null | Promise<ScoringModel | null>;
  promote(id: string, at?: Date): unknown;
  /** Copies a verified artifact directory into the registry; idempotent per model id. */
  register(dir: string): string;
}

/** The champion as the batch jobs use it. */
export interface BatchScorer {
  id: string;
  version: string;
  /** Feature names the model reads. */
  inputColumns: string[];
  /** Last snapshot date of its training data, when the artifact records it. */
  trainedThrough: IsoDate | null;
  model: ScoringModel;
  /** PDs through the model's batch path, and points on the 600 / 50:1 / 20 scale. */
  scoreBatch(rows: readonly FeatureVector[]): { pd: Float64Array; score: Int32Array };
}

const SCALE = pdoScaling();

/** Points of a PD on the service's scale (600 at 50:1 good:bad odds, 20 points to double), clamped to [0, 1000]. */
export function pointsOf(pd: number): number {
  const p = Math.min(1 - 1e-9, Math.max(1e-9, pd));
  return Math.max(0, Math.min(1000, Math.round(pdToScore(SCALE, p))));
}

/** Wraps a loaded model for batch scoring. */
export function batchScorer(model: ScoringModel): BatchScorer {
  const params = (model.manifest?.params ?? {}) as Record<string, unknown>;
  const trainedThrough = typeof params.asOf === "string" ? params.asOf : typeof params.snapshotsThrough === "string" ? params.snapshotsThrough : null;
  return {
    id: model.id,
    version: model.version,
    inputColumns: model.features.map((f) => f.name),
    trainedThrough,
    model,
    scoreBatch(rows) {
      const pd = model.predictBatch(rows as Record<string, unknown>[]);
      const score = new Int32Array(pd.length);
      for (let i = 0; i < pd.length; i++) score[i] = pointsOf(pd[i]);
      return { pd, score };
    },
  };
}

/** The registry handed to the runner. @throws UnavailableError without one. */
export function registryOf(ctx: Pick<JobContext, "registry">): RegistryLike {
  const r = ctx.registry as RegistryLike | null | undefined;
  if (!r || typeof r.champion !== "function") throw new UnavailableError("the job runner was started without a model registry");
  return r;
}

/** The champion for batch scoring. @throws UnavailableError when there is none. */
export async function championScorer(ctx: Pick<JobContext, "registry">): Promise<BatchScorer> {
  const m = await registryOf(ctx).champion();
  if (!m) throw new UnavailableError("no champion model: train and promote one first (credit retrain)");
  return batchScorer(m);
}

/** Histories of the customers in `only` (external ids; every customer when null), streamed in batches. */
export async function* historyBatches(db: Database, only: ReadonlySet<string> | null, size: number): AsyncIterable<CustomerHistory[]> {
  let batch: CustomerHistory[] = [];
  for await (const h of loadHistories(db, { batchSize: size })) {
    if (only && !only.has(h.customerId)) continue;
    batch.push(h);
    if (batch.length >= size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length) yield batch;
}

/** Every customer's history (drift and retrain need the whole portfolio's snapshots). */
export async function allHistories(db: Database): Promise<CustomerHistory[]> {
  const out: CustomerHistory[] = [];
  for await (const h of loadHistories(db)) out.push(h);
  return out;
}

/** The ModelRegistry over MODELS_DIR for CLI and worker processes. */
export async function openRegistry(config: Config): Promise<RegistryLike> {
  const { ModelRegistry } = await import("../../scoring");
  return new ModelRegistry(config.MODELS_DIR);
}

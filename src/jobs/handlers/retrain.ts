import { rmSync } from "node:fs";
import { join } from "node:path";
import { buildSnapshots } from "../../features";
import { addDays, addMonths, ValidationError, type IsoDate } from "../../shared";
import type { JobContext, JobParams, ProgressFn } from "../types";
import { compareOnWindow, type GateResult, type GateThresholds } from "./gate";
import { allHistories, batchScorer, registryOf, type BatchScorer } from "./models";

export interface RetrainParams extends JobParams {
  asOf: IsoDate;
  /** Label horizon in months (default 12): snapshots are labelled only once it has elapsed. */
  horizonMonths?: number;
  /** Months of the most recent labelled snapshots held out as the out-of-time window (default 6). */
  ootMonths?: number;
  /** Estimator (default auto: the training pipeline's candidates, blend and calibration). */
  model?: "auto" | "gbdt" | "nn" | "scorecard";
  seed?: number;
  /** Gate thresholds (AUC margin default RETRAIN_AUC_MARGIN, 0.005; see GateThresholds). */
  gate?: Partial<GateThresholds>;
  /** At most this many training-window rows scored for the PSI check (default 20,000). */
  maxPsiRows?: number;
}

function validate(p: RetrainParams): void {
  const issues = [];
  if (p.horizonMonths !== undefined && !(Number.isInteger(p.horizonMonths) && p.horizonMonths >= 1 && p.horizonMonths <= 36)) {
    issues.push({ path: "params/horizonMonths", expected: "an integer 1..36", received: JSON.stringify(p.horizonMonths) });
  }
  if (p.ootMonths !== undefined && !(Number.isInteger(p.ootMonths) && p.ootMonths >= 1 && p.ootMonths <= 24)) {
    issues.push({ path: "params/ootMonths", expected: "an integer 1..24", received: JSON.stringify(p.ootMonths) });
  }
  if (issues.length) throw new ValidationError(issues);
}

/**
 * The retrain job for `asOf`: trains a challenger on the point-in-time snapshots up to the start of the
 * out-of-time window, scores the challenger and the champion on that same window (the most recent labelled
 * snapshots), and runs the promotion gate (AUC margin, calibration, Brier, score PSI). The challenger is
 * registered either way, with its report; the champion pointer is written by the registry's atomic
 * `promote` as the very last step and only while this attempt still owns the run, so a failed, killed or
 * taken-over attempt never changes the champion.
 */
export async function retrainJob(ctx: JobContext, params: JobParams, progress: ProgressFn): Promise<Record<string, unknown>> {
  const p = params as RetrainParams;
  validate(p);
  const registry = registryOf(ctx);
  const horizonMonths = p.horizonMonths ?? 12;
  const horizonDays = Math.round((horizonMonths * 365.25) / 12);
  const labelEnd = addDays(p.asOf, -horizonDays);
  const championModel = await registry.champion();
  const champion: BatchScorer | null = championModel ? batchScorer(championModel) : null;
  // The window must be unseen by both models: it starts after the champion's training data when that is later.
  const championCutoff = champion ? await trainingCutoff(ctx, champion, horizonDays) : null;
  const defaultTrainEnd = addMonths(labelEnd, -(p.ootMonths ?? 6));
  const trainEnd = championCutoff && championCutoff > defaultTrainEnd ? championCutoff : defaultTrainEnd;

  // 1. The out-of-time window: the most recent labelled snapshots, after both models' training data.
  const histories = await allHistories(ctx.db);
  const snaps = await buildSnapshots(histories, { end: labelEnd, horizonDays, dataEnd: p.asOf });
  const oot: number[] = [];
  const train: number[] = [];
  snaps.keys.forEach((k, i) => (k.asOf > trainEnd ? oot : train).push(i));
  const yOot = Uint8Array.from(oot, (i) => snaps.labels[i]);
  const bads = yOot.reduce((a, b) => a + b, 0);
  const window = { trainThrough: trainEnd, championTrainedThrough: championCutoff, oot: { from: addDays(trainEnd, 1), to: labelEnd, rows: oot.length, bads } };
  if (oot.length < 50 || bads < 5 || oot.length - bads < 5) {
    const reason =
      `not retrained: the out-of-time window (${window.oot.from} .. ${labelEnd}) has ${oot.length} labelled snapshots with ${bads} defaults, ` +
      `at least 50 with 5 defaults and 5 non-defaults are needed to compare fairly` +
      (championCutoff && championCutoff >= defaultTrainEnd ? `; the champion was trained on data through ${championCutoff}, and outcomes after it are labelled ${horizonMonths} months later` : "");
    ctx.log.info({ champion: champion?.id ?? null, reason }, "retrain: nothing to compare on yet");
    await progress(1);
    return { summary: reason, asOf: p.asOf, challengerId: null, championBefore: champion?.id ?? null, championAfter: champion?.id ?? null, promoted: false, reason, window };
  }
  await progress(0.05, "window chosen");

  // 2. Challenger: trained on snapshots up to trainEnd. The creation instant is the run's date, so a retried
  // attempt produces the same artifact id.
  const { trainFromDatabase } = await import("../../../training");
  const { loadModel } = await import("../../scoring");
  const staging = join(ctx.config.MODELS_DIR, ".staging", ctx.runId);
  rmSync(staging, { recursive: true, force: true });
  let lastWrite = 0;
  const trained = await trainFromDatabase(ctx.db, {
    out: staging,
    now: new Date(`${p.asOf}T00:00:00Z`),
    asOf: trainEnd,
    horizonMonths,
    model: p.model ?? "auto",
    seed: p.seed ?? 42,
    name: "pd-payment-history",
    onProgress: (_stage, done, total) => {
      const now = Date.now();
      if (now - lastWrite > 500) {
        lastWrite = now;
        void progress(0.05 + 0.55 * (total ? done / total : 0)).catch(() => undefined);
      }
    },
  });
  await progress(0.6, "challenger trained");
  const challenger = batchScorer(loadModel(trained.dir));

  // 3. Both models on the same window.
  const ootRows = oot.map((i) => snaps.rows[i]);
  const chOot = challenger.scoreBatch(ootRows).pd;
  const step = Math.max(1, Math.floor(train.length / (p.maxPsiRows ?? 20_000)));
  const chTrain = challenger.scoreBatch(train.filter((_, j) => j % step === 0).map((i) => snaps.rows[i])).pd;
  const cmp = compareOnWindow(yOot, chOot, champion ? champion.scoreBatch(ootRows).pd : null, chTrain, { aucMargin: ctx.config.RETRAIN_AUC_MARGIN, ...p.gate });
  const { challenger: challengerMetrics, champion: championMetrics, challengerPsi } = cmp;
  await progress(0.8, "evaluated");

  // 4. Gate, registration with the report, then (last) the champion pointer.
  const alreadyChampion = champion?.id === challenger.id;
  const gate: GateResult = alreadyChampion
    ? { promote: false, checks: [], reason: `challenger ${challenger.id} is already the champion (promoted by an earlier attempt of this run)` }
    : { promote: cmp.promote, checks: cmp.checks, reason: cmp.reason };
  const report = { window, challenger: challengerMetrics, champion: championMetrics, challengerPsi, gate };

  const registered = registerArtifact(ctx, trained.dir, challenger);
  rmSync(staging, { recursive: true, force: true });
  await recordVersion(ctx, challenger, registered.path, trained.manifest, alreadyChampion ? "champion" : "candidate", gate.reason, report);

  let promoted = false;
  if (gate.promote) {
    await ctx.assertOwner();
    registry.promote(challenger.id);
    promoted = true;
    await markPromoted(ctx, challenger.id, champion?.id ?? null);
    ctx.log.info({ challenger: challenger.id, previous: champion?.id ?? null, auc: challengerMetrics.auc }, "retrain: challenger promoted");
  } else {
    ctx.log.info({ challenger: challenger.id, champion: champion?.id ?? null, reason: gate.reason }, "retrain: challenger kept as candidate");
  }
  await progress(1);
  return {
    summary: `${promoted ? "promoted" : "not promoted"} ${challenger.id}: OOT AUC ${challengerMetrics.auc.toFixed(4)}${championMetrics ? ` vs champion ${championMetrics.auc.toFixed(4)}` : " (no champion)"}; ${gate.reason}`,
    asOf: p.asOf,
    challengerId: challenger.id,
    championBefore: champion?.id ?? null,
    championAfter: promoted ? challenger.id : (champion?.id ?? null),
    promoted,
    reason: gate.reason,
    ...report,
    trainingNotes: trained.notes,
  };
}

/** Copies the staged artifact into the registry (a no-op for an id a retried attempt already registered). */
function registerArtifact(ctx: JobContext, dir: string, challenger: BatchScorer): { path: string } {
  const id = registryOf(ctx).register(dir);
  if (id !== challenger.id) throw new Error(`registered artifact id ${id} differs from the trained model ${challenger.id}`);
  return { path: join(ctx.config.MODELS_DIR, id) };
}

async function recordVersion(
  ctx: JobContext,
  m: BatchScorer,
  path: string,
  manifest: { trainingData?: { fingerprint?: string }; files?: Record<string, string> },
  status: string,
  notes: string,
  report: Record<string, unknown>,
): Promise<void> {
  const { createHash } = await import("node:crypto");
  const manifestSha = createHash("sha256").update(JSON.stringify(manifest)).digest("hex");
  const data = { name: m.model.name, version: m.version, kind: m.model.kind, status, path, manifestSha, fingerprint: manifest.trainingData?.fingerprint ?? null, metrics: report as object, notes };
  await ctx.db.prisma.modelVersion.upsert({ where: { id: m.id }, create: { id: m.id, ...data }, update: data });
}

async function markPromoted(ctx: JobContext, id: string, previous: string | null): Promise<void> {
  await ctx.db.prisma.modelVersion.update({ where: { id }, data: { status: "champion", promotedAt: new Date() } });
  if (previous && previous !== id) await ctx.db.prisma.modelVersion.updateMany({ where: { id: previous }, data: { status: "retired" } });
}

/**
 * Last snapshot date of a model's training data: recorded by the retrain that made it (ModelVersion
 * report), or in its manifest's params, or else inferred from its creation date (a model trained at start or
 * by `credit train --from-db` uses every snapshot whose label window has elapsed).
 */
async function trainingCutoff(ctx: JobContext, m: BatchScorer, horizonDays: number): Promise<IsoDate> {
  const row = await ctx.db.prisma.modelVersion.findUnique({ where: { id: m.id }, select: { metrics: true } });
  const through = (row?.metrics as { window?: { trainThrough?: unknown } } | null)?.window?.trainThrough;
  if (typeof through === "string") return through;
  if (m.trainedThrough) return m.trainedThrough;
  return addDays(m.model.createdAt.slice(0, 10), -horizonDays);
}

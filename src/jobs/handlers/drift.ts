import { buildSnapshots, FEATURE_CATALOG, computeFeatures, type CustomerHistory, type FeatureVector } from "../../features";
import { psi } from "../../numeric";
import { tierForPd } from "../../policy";
import { addDays, type IsoDate } from "../../shared";
import { jobMetrics } from "../metrics";
import { psiLevel, raiseAlert, saveDriftReport, PSI_ACT, PSI_WATCH, type DriftLevel } from "../reports";
import type { JobContext, JobParams, ProgressFn } from "../types";
import { activePolicy } from "./deps";
import { allHistories, championScorer, type BatchScorer } from "./models";

export interface DriftParams extends JobParams {
  asOf: IsoDate;
  /** Outcome window in days: a score's outcome is known this long after it (default 365, as the training label). */
  horizonDays?: number;
  /** At most this many reference (training-window) rows (default 20,000, an even stride over all). */
  maxReferenceRows?: number;
}

export interface FeatureDrift {
  feature: string;
  psi: number;
  level: DriftLevel;
  /** Share of missing values, reference vs recent. */
  missing: { reference: number; recent: number };
}

export interface TierBadRate {
  tier: string;
  n: number;
  bad: number;
  badRate: number | null;
  /** The tier's PD band upper bound, what the policy expects at most. */
  maxPd: number;
}

/** Numeric view of a feature column: numbers as is, categories as stable codes, missing as NaN. */
function columnOf(rows: readonly FeatureVector[], name: string, codes: Map<string, number>): Float64Array {
  const out = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const v = rows[i][name];
    if (v === null || v === undefined) out[i] = NaN;
    else if (typeof v === "number") out[i] = v;
    else {
      let c = codes.get(v);
      if (c === undefined) codes.set(v, (c = codes.size));
      out[i] = c;
    }
  }
  return out;
}

function missingShare(v: Float64Array): number {
  let m = 0;
  for (const x of v) if (Number.isNaN(x)) m++;
  return v.length ? m / v.length : 0;
}

function stride<T>(xs: T[], max: number): T[] {
  if (xs.length <= max) return xs;
  const step = xs.length / max;
  return Array.from({ length: max }, (_, i) => xs[Math.floor(i * step)]);
}

/**
 * The drift job for `asOf`: PSI of the champion's score and of each feature, recent (every active customer as
 * of `asOf`) vs reference (the point-in-time snapshots of the champion's training window), and the bad rate
 * by tier for scores whose outcome window has elapsed (recorded re-scores when there are, otherwise a
 * backtest of the champion one window back). Writes a DriftReport; at PSI >= 0.1 (watch) or >= 0.25 (act)
 * raises an Alert, logs and sets the drift gauges.
 */
export async function driftJob(ctx: JobContext, params: JobParams, progress: ProgressFn): Promise<Record<string, unknown>> {
  const p = params as DriftParams;
  const asOf = p.asOf;
  const horizon = p.horizonDays ?? 365;
  const policy = activePolicy(ctx);
  const scorer = await championScorer(ctx);
  const histories = await allHistories(ctx.db);
  await progress(0.1, "histories loaded");

  const recentRows = histories.map((h) => computeFeatures(h, asOf));
  const recentPd = scorer.scoreBatch(recentRows).pd;
  await progress(0.3, "recent rows scored");

  const refEnd = scorer.trainedThrough && scorer.trainedThrough < asOf ? scorer.trainedThrough : addDays(asOf, -horizon);
  const snaps = await buildSnapshots(histories, { end: refEnd, horizonDays: horizon, dataEnd: asOf });
  const refRows = stride(snaps.rows, p.maxReferenceRows ?? 20_000);
  if (refRows.length === 0) throw new Error(`no reference snapshots up to ${refEnd}: too little history for drift`);
  const refPd = scorer.scoreBatch(refRows).pd;
  await progress(0.6, "reference rows scored");

  const scorePsi = psi(refPd, recentPd, { bins: 10 }).psi;
  const features: FeatureDrift[] = [];
  const names = scorer.inputColumns.length ? scorer.inputColumns : FEATURE_CATALOG.map((f) => f.name);
  for (const name of names) {
    const codes = new Map<string, number>();
    const ref = columnOf(refRows, name, codes);
    const rec = columnOf(recentRows, name, codes);
    const value = psi(ref, rec, { bins: 10 }).psi;
    features.push({ feature: name, psi: value, level: psiLevel(value), missing: { reference: missingShare(ref), recent: missingShare(rec) } });
  }
  features.sort((a, b) => b.psi - a.psi);
  await progress(0.75, "PSI computed");

  const badRates = await badRateByTier(ctx, scorer, histories, asOf, horizon, policy);
  const worstFeature = features[0];
  const level: DriftLevel = [psiLevel(scorePsi), ...features.map((f) => f.level)].reduce<DriftLevel>(
    (acc, l) => (l === "act" || acc === "act" ? "act" : l === "watch" || acc === "watch" ? "watch" : "ok"),
    "ok",
  );
  const report = await saveDriftReport(ctx.db, { modelId: scorer.id, asOf, scorePsi, level, features, badRateByTier: badRates });

  const m = jobMetrics();
  m.psi.set({ model: scorer.id, feature: "score" }, scorePsi);
  for (const f of features) m.psi.set({ model: scorer.id, feature: f.feature }, f.psi);
  m.driftLevel.set({ model: scorer.id }, level === "act" ? 2 : level === "watch" ? 1 : 0);

  const drifted = features.filter((f) => f.level !== "ok");
  let alertId: number | null = null;
  if (level !== "ok") {
    const message =
      `Drift ${level} for model ${scorer.id} on ${asOf}: score PSI ${scorePsi.toFixed(3)}` +
      (drifted.length ? `; ${drifted.length} feature(s) at PSI >= ${PSI_WATCH}, worst ${worstFeature.feature} ${worstFeature.psi.toFixed(3)}` : "") +
      (level === "act" ? ` (>= ${PSI_ACT}: retrain or review the model)` : "");
    const alert = await raiseAlert(ctx.db, { kind: "drift", level, message, data: { reportId: report.id, modelId: scorer.id, asOf, scorePsi, features: drifted.slice(0, 10).map((f) => ({ feature: f.feature, psi: f.psi })) } });
    alertId = alert.id;
    ctx.log.warn({ driftLevel: level, scorePsi, drifted: drifted.length, reportId: report.id }, message);
  } else {
    ctx.log.info({ scorePsi, reportId: report.id }, "drift ok");
  }
  await progress(1);
  return {
    summary: `drift ${level}: score PSI ${scorePsi.toFixed(4)}, ${drifted.length} of ${features.length} features at PSI >= ${PSI_WATCH}; report ${report.id}`,
    reportId: report.id,
    modelId: scorer.id,
    asOf,
    level,
    scorePsi,
    referenceEnd: refEnd,
    referenceRows: refRows.length,
    recentRows: recentRows.length,
    alertId,
    topFeatures: features.slice(0, 10),
    badRateByTier: badRates,
  };
}

/**
 * Observed bad rate by tier for scores whose outcome window has elapsed. Uses the latest recorded re-score
 * at least `horizon` days old when there is one; otherwise backtests the champion at asOf - horizon.
 */
async function badRateByTier(
  ctx: JobContext,
  scorer: BatchScorer,
  histories: CustomerHistory[],
  asOf: IsoDate,
  horizon: number,
  policy: ReturnType<typeof activePolicy>,
): Promise<{ source: "recorded" | "backtest"; scoredAsOf: IsoDate; tiers: TierBadRate[] }> {
  const cutoff = addDays(asOf, -horizon);
  const last = await ctx.db.prisma.scoreSnapshot.findFirst({ where: { source: "rescore", asOf: { lte: cutoff } }, orderBy: { asOf: "desc" }, select: { asOf: true } });
  const scoredAsOf = last?.asOf ?? cutoff;
  const snaps = await buildSnapshots(histories, { start: scoredAsOf, end: scoredAsOf, horizonDays: horizon, dataEnd: asOf });
  const tierOf = new Map<string, string>();
  if (last) {
    const rows = await ctx.db.prisma.scoreSnapshot.findMany({ where: { source: "rescore", asOf: scoredAsOf }, select: { tier: true, customer: { select: { externalId: true } } } });
    for (const r of rows) tierOf.set(r.customer.externalId, r.tier);
  } else {
    const pd = scorer.scoreBatch(snaps.rows).pd;
    snaps.keys.forEach((k, i) => tierOf.set(k.customerId, tierForPd(policy, pd[i]).id));
  }
  const acc = new Map(policy.tiers.map((t) => [t.id, { n: 0, bad: 0 }]));
  snaps.keys.forEach((k, i) => {
    const tier = tierOf.get(k.customerId);
    const a = tier ? acc.get(tier) : undefined;
    if (!a) return;
    a.n++;
    a.bad += snaps.labels[i];
  });
  return {
    source: last ? "recorded" : "backtest",
    scoredAsOf,
    tiers: policy.tiers.map((t) => {
      const a = acc.get(t.id)!;
      return { tier: t.id, n: a.n, bad: a.bad, badRate: a.n ? a.bad / a.n : null, maxPd: t.maxPd };
    }),
  };
}

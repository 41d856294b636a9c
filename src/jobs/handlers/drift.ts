import { buildSnapshots, FEATURE_CATALOG, computeFeatures, type CustomerHistory, type FeatureVector } from "../../features";
import { psi } from "../../numeric";
import { tierForPd } from "../../policy";
import { addDays, type IsoDate } from "../../shared";
import { jobMetrics } from "../metrics";
import { psiLevel, raiseAlert, saveDriftReport, PSI_ACT, PSI_WATCH, type DriftLevel } from "../reports";
import type { JobContext, JobParams, ProgressFn } from "../types";
import { activePolicy } from "./deps";
import { championScorer, historyBatches, type BatchScorer } from "./models";

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

/** A growable Float64 column: 8 bytes a value instead of a feature object per row. @internal exported for tests */
export class Column {
  data = new Float64Array(1024);
  length = 0;
  push(x: number): void {
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = x;
  }
  view(): Float64Array {
    return this.data.subarray(0, this.length);
  }
  /** Keeps the rows at `keep` (ascending) in place. */
  compact(keep: readonly number[]): void {
    keep.forEach((from, to) => (this.data[to] = this.data[from]));
    this.length = keep.length;
  }
}

/**
 * One feature's values, numbers as is and missing as NaN. Categories are kept as ids in a local dictionary
 * and given their final codes only at the end (reference rows first, in order, then recent ones), so the
 * codes, hence the quantile bins, are those of a column built from all rows at once. @internal exported for tests
 */
export class FeatureColumn {
  readonly values = new Column();
  /** 1 where the value is a category id; allocated when the first category shows up. */
  private cat: Uint8Array | null = null;
  private readonly dict = new Map<string, number>();
  private readonly levels: string[] = [];
  push(v: unknown): void {
    const i = this.values.length;
    if (v === null || v === undefined) this.values.push(NaN);
    else if (typeof v === "number") this.values.push(v);
    else {
      const key = String(v);
      let id = this.dict.get(key);
      if (id === undefined) {
        id = this.levels.length;
        this.dict.set(key, id);
        this.levels.push(key);
      }
      this.values.push(id);
      if (!this.cat || this.cat.length <= i) {
        const next = new Uint8Array(Math.max(1024, this.values.data.length));
        if (this.cat) next.set(this.cat);
        this.cat = next;
      }
      this.cat[i] = 1;
      return;
    }
    if (this.cat && this.cat.length > i) this.cat[i] = 0;
  }
  compact(keep: readonly number[]): void {
    if (this.cat) keep.forEach((from, to) => (this.cat![to] = this.cat![from]));
    this.values.compact(keep);
  }
  /** The numeric column, categories replaced by codes from `codes` (extended in order of appearance). */
  encode(codes: Map<string, number>): Float64Array {
    const out = Float64Array.from(this.values.view());
    if (!this.cat) return out;
    for (let i = 0; i < out.length && i < this.cat.length; i++) {
      if (!this.cat[i]) continue;
      const level = this.levels[out[i]];
      let c = codes.get(level);
      if (c === undefined) codes.set(level, (c = codes.size));
      out[i] = c;
    }
    return out;
  }
}

/** Feature columns plus the PD of each row. @internal exported for tests */
export class Sample {
  readonly pd = new Column();
  readonly features: Map<string, FeatureColumn>;
  constructor(names: readonly string[]) {
    this.features = new Map(names.map((n) => [n, new FeatureColumn()]));
  }
  get length(): number {
    return this.pd.length;
  }
  push(rows: readonly FeatureVector[], pd: Float64Array, only?: (i: number) => boolean): void {
    for (let i = 0; i < rows.length; i++) {
      if (only && !only(i)) continue;
      this.pd.push(pd[i]);
      for (const [name, col] of this.features) col.push(rows[i][name]);
    }
  }
  compact(keep: readonly number[]): void {
    this.pd.compact(keep);
    for (const col of this.features.values()) col.compact(keep);
  }
}

/**
 * The reference sample, bounded: every row while there are at most `max`; beyond that an even stride. Rows
 * whose running index is a multiple of `step` are kept; when more than 2 x `max` are held, `step` doubles
 * and the buffer is halved, so memory stays within 2 x `max` rows whatever the portfolio. @internal exported for tests
 */
export class StridedSample extends Sample {
  private step = 1;
  private seen = 0;
  /** Running index of each kept row. */
  private index: number[] = [];
  constructor(
    names: readonly string[],
    private readonly max: number,
  ) {
    super(names);
  }
  add(rows: readonly FeatureVector[], pdOf: (rows: readonly FeatureVector[]) => Float64Array): void {
    const picked: FeatureVector[] = [];
    for (const r of rows) {
      if (this.seen % this.step === 0) {
        picked.push(r);
        this.index.push(this.seen);
      }
      this.seen++;
    }
    if (picked.length) this.push(picked, pdOf(picked));
    if (this.length > 2 * this.max) {
      this.step *= 2;
      const keep: number[] = [];
      this.index.forEach((g, i) => g % this.step === 0 && keep.push(i));
      this.compact(keep);
      this.index = keep.map((i) => this.index[i]);
    }
  }
  /** At most `max` rows at the end: an even stride over what is held (all rows when there were few). */
  finish(): void {
    if (this.length <= this.max) return;
    const step = this.length / this.max;
    const keep = Array.from({ length: this.max }, (_, i) => Math.floor(i * step));
    this.compact(keep);
    this.index = keep.map((i) => this.index[i]);
  }
}

function missingShare(v: Float64Array): number {
  let m = 0;
  for (const x of v) if (Number.isNaN(x)) m++;
  return v.length ? m / v.length : 0;
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
  const refEnd = scorer.trainedThrough && scorer.trainedThrough < asOf ? scorer.trainedThrough : addDays(asOf, -horizon);
  const names = scorer.inputColumns.length ? scorer.inputColumns : FEATURE_CATALOG.map((f) => f.name);
  const recent = new Sample(names);
  const reference = new StridedSample(names, p.maxReferenceRows ?? 20_000);
  const badRate = await badRateAccumulator(ctx, scorer, asOf, horizon, policy);
  const total = await ctx.db.prisma.customer.count();
  const pdOf = (rows: readonly FeatureVector[]) => scorer.scoreBatch(rows).pd;

  // One pass over the portfolio, a batch of histories at a time: only typed columns outlive a batch.
  let done = 0;
  for await (const batch of historyBatches(ctx.db, null, 500)) {
    const rows = batch.map((h) => computeFeatures(h, asOf));
    recent.push(rows, pdOf(rows));
    const snaps = await buildSnapshots(batch, { end: refEnd, horizonDays: horizon, dataEnd: asOf });
    reference.add(snaps.rows, pdOf);
    await badRate.add(batch);
    done += batch.length;
    await progress(0.7 * (done / Math.max(1, total)), `${done}/${total} customers`);
  }
  reference.finish();
  if (reference.length === 0) throw new Error(`no reference snapshots up to ${refEnd}: too little history for drift`);
  if (recent.length === 0) throw new Error("no customers: nothing to compare for drift");

  const scorePsi = psi(reference.pd.view(), recent.pd.view(), { bins: 10 }).psi;
  const features: FeatureDrift[] = [];
  for (const name of names) {
    const codes = new Map<string, number>();
    const ref = reference.features.get(name)!.encode(codes);
    const rec = recent.features.get(name)!.encode(codes);
    const value = psi(ref, rec, { bins: 10 }).psi;
    features.push({ feature: name, psi: value, level: psiLevel(value), missing: { reference: missingShare(ref), recent: missingShare(rec) } });
  }
  features.sort((a, b) => b.psi - a.psi);
  await progress(0.75, "PSI computed");

  const badRates = badRate.result();
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
    referenceRows: reference.length,
    recentRows: recent.length,
    alertId,
    topFeatures: features.slice(0, 10),
    badRateByTier: badRates,
  };
}

/**
 * Observed bad rate by tier for scores whose outcome window has elapsed, accumulated batch by batch. Uses
 * the latest recorded re-score at least `horizon` days old when there is one; otherwise backtests the
 * champion at asOf - horizon.
 */
async function badRateAccumulator(ctx: JobContext, scorer: BatchScorer, asOf: IsoDate, horizon: number, policy: ReturnType<typeof activePolicy>) {
  const cutoff = addDays(asOf, -horizon);
  const last = await ctx.db.prisma.scoreSnapshot.findFirst({ where: { source: "rescore", asOf: { lte: cutoff } }, orderBy: { asOf: "desc" }, select: { asOf: true } });
  const scoredAsOf = last?.asOf ?? cutoff;
  const acc = new Map(policy.tiers.map((t) => [t.id, { n: 0, bad: 0 }]));
  return {
    async add(batch: readonly CustomerHistory[]): Promise<void> {
      const snaps = await buildSnapshots(batch, { start: scoredAsOf, end: scoredAsOf, horizonDays: horizon, dataEnd: asOf });
      if (snaps.rows.length === 0) return;
      const tierOf = new Map<string, string>();
      if (last) {
        const rows = await ctx.db.prisma.scoreSnapshot.findMany({
          where: { source: "rescore", asOf: scoredAsOf, customer: { externalId: { in: [...new Set(snaps.keys.map((k) => k.customerId))] } } },
          select: { tier: true, customer: { select: { externalId: true } } },
          orderBy: { id: "asc" },
        });
        for (const r of rows) tierOf.set(r.customer.externalId, r.tier);
      } else {
        const pd = scorer.scoreBatch(snaps.rows).pd;
        snaps.keys.forEach((k, i) => tierOf.set(k.customerId, tierForPd(policy, pd[i]).id));
      }
      snaps.keys.forEach((k, i) => {
        const tier = tierOf.get(k.customerId);
        const a = tier ? acc.get(tier) : undefined;
        if (!a) return;
        a.n++;
        a.bad += snaps.labels[i];
      });
    },
    result(): { source: "recorded" | "backtest"; scoredAsOf: IsoDate; tiers: TierBadRate[] } {
      return {
        source: last ? "recorded" : "backtest",
        scoredAsOf,
        tiers: policy.tiers.map((t) => {
          const a = acc.get(t.id)!;
          return { tier: t.id, n: a.n, bad: a.bad, badRate: a.n ? a.bad / a.n : null, maxPd: t.maxPd };
        }),
      };
    },
  };
}

import { compileModel, MODEL_FORMAT_VERSION, type ComponentSpec, type ModelSpec, type CompiledModel } from "../../src/scoring";
import { auc } from "../../src/numeric";
import { ValidationError } from "../../src/shared";
import type { Dataset } from "../data/dataset";
import { takeRows } from "../data/dataset";
import { fitGbdt, type GbdtParams } from "../gbdt/gbdt";
import { fitMlp, type MlpParams } from "../nn/mlp";
import { stratifiedSplit } from "../util/random";
import { fitBlend } from "./blend";
import { fitCalibrator } from "./calibration";
import { encodeDataset, fitInputs } from "./encode";
import { evaluateSample, scorePsi, type SampleMetrics } from "./evaluate";
import { fitScorecardComponent, type ScorecardComponent } from "./scorecard";

/**
 * The training pipeline behind `credit train`: a stratified train/validation split of the training table,
 * candidate models (GBDT, TF.js MLP, WoE scorecard), a convex blend chosen on validation AUC, calibration
 * on validation rows, and evaluation of the chosen model on validation and (optionally) test rows.
 * The test table is only ever evaluated, never used for a choice.
 */

/** Which model to train: `auto` trains all candidates and picks by validation metrics. */
export type ModelKind = "auto" | "gbdt" | "nn" | "scorecard";

/** Progress callback: a stage name, units done and the stage total. */
export type ProgressFn = (stage: string, done: number, total: number) => void;

/** Options of {@link trainModel}. */
export interface TrainModelOptions {
  /** Default `auto`. */
  model?: ModelKind;
  /** Seed of the split and every estimator (default 42). */
  seed?: number;
  /** Share of training rows held out for validation (default 0.2). */
  validFraction?: number;
  gbdt?: Partial<GbdtParams>;
  /** GBDT seeds bagged in `auto` (default 2). */
  gbdtBags?: number;
  mlp?: Partial<MlpParams>;
  onProgress?: ProgressFn;
}

/** Validation facts of one candidate. */
export interface CandidateInfo {
  validAuc: number;
  [k: string]: unknown;
}

/** The metrics document (metrics.json). */
export interface TrainMetrics {
  model: string;
  validation: SampleMetrics;
  test: SampleMetrics | null;
  train: { n: number; events: number; auc: number };
  candidates: Record<string, CandidateInfo>;
  calibration: { method: string; cvLogLoss: { platt: number; isotonic: number } };
  timings: Record<string, number>;
}

/** Result of {@link trainModel}. */
export interface TrainedModel {
  spec: ModelSpec;
  compiled: CompiledModel;
  champion: string;
  metrics: TrainMetrics;
  params: Record<string, unknown>;
  /** Every trained candidate's spec (the artifact keeps the network weights even when the blend drops them). */
  candidateSpecs: Record<string, ComponentSpec>;
  /** Scorecard candidate (for its points table), when trained. */
  scorecard: ScorecardComponent | null;
  /** Features by total GBDT split gain, descending. */
  importance: { feature: string; gain: number }[];
  /** Scores of validation and test rows (for reports). */
  scores: { validation: { y: Uint8Array; pd: Float64Array; score: Float64Array }; test: { y: Uint8Array; pd: Float64Array; score: Float64Array } | null; train: Float64Array };
  notes: string[];
  /** Share of missing values per feature in the training rows. */
  missingShare: Record<string, number>;
}

/** Iterates a dataset's rows as records keyed by column name (one reused object; null = missing). */
export function* datasetRecords(ds: Dataset): Generator<Record<string, number | string | null>> {
  const rec: Record<string, number | string | null> = {};
  for (let i = 0; i < ds.n; i++) {
    for (const c of ds.columns) {
      const v = c.values[i];
      rec[c.name] = typeof v === "number" && Number.isNaN(v) ? null : v;
    }
    yield rec;
  }
}

/** PDs of every row of `ds` by a compiled model. */
export function predictDataset(model: CompiledModel, ds: Dataset): Float64Array {
  const out = new Float64Array(ds.n);
  let i = 0;
  for (const rec of datasetRecords(ds)) out[i++] = model.predict(rec);
  return out;
}

const SCALING = { base: 600, baseOdds: 50, pdo: 20 };

/**
 * Trains the requested model on `train` (a labelled dataset), evaluating it on `test` when given.
 * @throws ValidationError when the training table has too few rows of a class to split.
 */
export async function trainModel(train: Dataset, test: Dataset | null, opts: TrainModelOptions = {}): Promise<TrainedModel> {
  const kind = opts.model ?? "auto";
  const seed = opts.seed ?? 42;
  const progress = opts.onProgress ?? (() => {});
  const timings: Record<string, number> = {};
  const notes: string[] = [];
  const y = train.y!;
  let pos = 0;
  for (let i = 0; i < train.n; i++) pos += y[i];
  if (pos < 10 || train.n - pos < 10) {
    throw new ValidationError([
      { path: "training file: target", expected: "at least 10 rows of each class", received: `${pos} bad and ${train.n - pos} good rows` },
    ]);
  }
  const split = stratifiedSplit(y, opts.validFraction ?? 0.2, seed);
  const tr = takeRows(train, split.train);
  const va = takeRows(train, split.valid);
  const inputs = fitInputs(tr);
  const etr = encodeDataset(tr, inputs);
  const eva = encodeDataset(va, inputs);

  const components: Record<string, ComponentSpec> = {};
  const validMargins: Record<string, Float64Array> = {};
  const candidates: Record<string, CandidateInfo> = {};
  const params: Record<string, unknown> = { seed, validFraction: opts.validFraction ?? 0.2, model: kind };
  let importance: { feature: string; gain: number }[] = [];
  let scorecard: ScorecardComponent | null = null;
  const tick = (label: string) => {
    const t0 = performance.now();
    return () => (timings[label] = Math.round(performance.now() - t0) / 1000);
  };

  if (kind === "auto" || kind === "gbdt") {
    const done = tick("gbdt");
    const bags = kind === "auto" ? (opts.gbdtBags ?? 2) : 1;
    const gp = { ...opts.gbdt };
    const maxRounds = gp.nEstimators ?? 2000;
    const fits = [];
    for (let b = 0; b < bags; b++) {
      // Odd bags grow deeper, more regularised trees: two shapes average better than two seeds of one.
      const shape = b % 2 === 1 ? { maxDepth: 6, minChildWeight: 20 } : {};
      const fit = fitGbdt(etr.X, tr.y!, { ...shape, ...gp, seed: seed + 7919 * b }, { X: eva.X, y: va.y! }, (r) => progress(`gbdt ${b + 1}/${bags}`, r + 1, maxRounds));
      progress(`gbdt ${b + 1}/${bags}`, maxRounds, maxRounds);
      fits.push(fit);
    }
    // Bagging: average the margins of the seeds (each tree's leaves scaled by 1/bags).
    const trees = fits.flatMap((f) => f.spec.trees.map((t) => ({ ...t, value: t.value.map((v) => v / bags) })));
    const baseScore = fits.reduce((s, f) => s + f.spec.baseScore, 0) / bags;
    components.gbdt = { type: "gbdt", baseScore, trees };
    const vm = new Float64Array(va.n);
    for (const f of fits) for (let i = 0; i < va.n; i++) vm[i] += f.validMargin![i] / bags;
    validMargins.gbdt = vm;
    const gain = new Float64Array(inputs.length);
    for (const f of fits) f.gain.forEach((g, j) => (gain[j] += g));
    importance = inputs.map((inp, j) => ({ feature: inp.name, gain: gain[j] })).sort((a, b) => b.gain - a.gain);
    candidates.gbdt = { validAuc: auc(va.y!, vm), trees: fits.map((f) => f.nTrees), bagValidAuc: fits.map((f) => f.validAuc) };
    params.gbdt = { ...gp, bags, oddBags: { maxDepth: 6, minChildWeight: 20 } };
    done();
  }
  if (kind === "auto" || kind === "nn") {
    const done = tick("mlp");
    const mp = { seed, ...opts.mlp };
    const fit = await fitMlp({ ...etr, y: tr.y! }, { ...eva, y: va.y! }, mp, (e) => progress("mlp", e + 1, mp.epochs ?? 40));
    progress("mlp", fit.epochs, fit.epochs);
    components.mlp = fit.spec;
    validMargins.mlp = fit.validMargin;
    candidates.mlp = { validAuc: fit.validAuc, epochs: fit.epochs, backend: fit.backend };
    params.mlp = mp;
    done();
  }
  if (kind === "auto" || kind === "scorecard") {
    const done = tick("scorecard");
    progress("scorecard", 0, 1);
    try {
      scorecard = fitScorecardComponent(tr, inputs, seed);
    } catch (err) {
      // In auto mode one failing candidate must not sink the run; the others still compete.
      if (kind === "scorecard") throw err;
      notes.push(`scorecard candidate failed and was skipped: ${(err as Error).message}`);
      scorecard = null;
    }
    if (scorecard) {
      components.scorecard = scorecard.spec;
      const cm = compileModel({
        formatVersion: MODEL_FORMAT_VERSION, inputs, components: { scorecard: scorecard.spec }, blend: { bias: 0, weights: { scorecard: 1 } },
        calibrator: { type: "none" }, scaling: SCALING, baseline: inputs.map(() => null),
      });
      const vm = new Float64Array(va.n);
      let i = 0;
      for (const rec of datasetRecords(va)) vm[i++] = cm.margin(rec);
      validMargins.scorecard = vm;
      candidates.scorecard = { validAuc: auc(va.y!, vm), features: scorecard.features };
    } else if (kind === "scorecard") {
      throw new ValidationError([{ path: "--model scorecard", expected: "the scorecard estimator (training/scorecard)", received: "not available in this build" }]);
    } else if (!notes.some((n) => n.startsWith("scorecard candidate failed"))) notes.push("scorecard candidate skipped: it selected no characteristic");
    progress("scorecard", 1, 1);
    done();
  }

  // Blend (auto): convex weights on standardised validation margins; a single candidate otherwise.
  const doneBlend = tick("blend+calibration");
  let champion: string;
  let blend: { bias: number; weights: Record<string, number> };
  const names = Object.keys(validMargins);
  if (names.length > 1) {
    const b = fitBlend(validMargins, va.y!);
    const bestSingle = names.reduce((a, n) => (candidates[n].validAuc > candidates[a].validAuc ? n : a), names[0]);
    const used = Object.entries(b.weights).filter(([, w]) => w !== 0).map(([n]) => n);
    candidates.blend = { validAuc: b.validAuc, weights: b.weights, bias: b.bias };
    // The blend contains each single candidate as a corner, so it wins ties only by a real margin.
    if (used.length > 1 && b.validAuc > candidates[bestSingle].validAuc + 5e-4) {
      champion = "blend";
      blend = { bias: b.bias, weights: Object.fromEntries(used.map((n) => [n, b.weights[n]])) };
    } else {
      champion = bestSingle;
      blend = { bias: 0, weights: { [bestSingle]: 1 } };
    }
  } else {
    champion = names[0];
    blend = { bias: 0, weights: { [champion]: 1 } };
  }
  const vmBlend = new Float64Array(va.n);
  for (const [n, w] of Object.entries(blend.weights)) for (let i = 0; i < va.n; i++) vmBlend[i] += w * validMargins[n][i];
  for (let i = 0; i < va.n; i++) vmBlend[i] += blend.bias;
  const cal = fitCalibrator(vmBlend, va.y!);
  // Keep only the components the blend uses.
  const used: Record<string, ComponentSpec> = {};
  for (const n of Object.keys(blend.weights)) used[n] = components[n];
  const baseline = inputs.map((_, j) => {
    const col = etr.X[j];
    const v = Array.from(col).filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
    return v.length ? v[Math.floor(v.length / 2)] : null;
  });
  const spec: ModelSpec = { formatVersion: MODEL_FORMAT_VERSION, inputs, components: used, blend, calibrator: cal.spec, scaling: SCALING, baseline };
  const compiled = compileModel(spec);
  doneBlend();

  const doneEval = tick("evaluate");
  const scoresOf = (pd: Float64Array) => pd.map((p) => compiled.scoreOf(p));
  const vpd = predictDataset(compiled, va);
  const validation = evaluateSample(va.y!, vpd, scoresOf(vpd));
  const trpd = predictDataset(compiled, tr);
  const trainScores = scoresOf(trpd);
  let testMetrics: SampleMetrics | null = null;
  let testScores: TrainedModel["scores"]["test"] = null;
  if (test && test.y) {
    const tpd = predictDataset(compiled, test);
    const ts = scoresOf(tpd);
    testMetrics = { ...evaluateSample(test.y, tpd, ts), psi: scorePsi(trainScores, ts) };
    testScores = { y: test.y, pd: tpd, score: ts };
  }
  validation.psi = scorePsi(trainScores, scoresOf(vpd));
  doneEval();
  return {
    spec,
    compiled,
    champion,
    metrics: {
      model: champion,
      validation,
      test: testMetrics,
      train: { n: tr.n, events: tr.y!.reduce((s, v) => s + v, 0), auc: Math.round(auc(tr.y!, trpd) * 1e6) / 1e6 },
      candidates,
      calibration: { method: cal.spec.type, cvLogLoss: cal.cvLogLoss },
      timings,
    },
    params,
    candidateSpecs: components,
    scorecard,
    importance,
    scores: { validation: { y: va.y!, pd: vpd, score: scoresOf(vpd) }, test: testScores, train: trainScores },
    notes,
    missingShare: Object.fromEntries(
      train.columns.map((c) => {
        let m = 0;
        for (let i = 0; i < train.n; i++) if (c.kind === "numeric" ? Number.isNaN(c.values[i]) : c.values[i] === null) m++;
        return [c.name, m / Math.max(1, train.n)];
      }),
    ),
  };
}

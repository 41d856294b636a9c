import { auc, brier, psi } from "../../numeric";

/**
 * The champion/challenger promotion gate: pure, so it is tested on constructed data.
 */

/** A model's measurements on the out-of-time window both models are evaluated on. */
export interface OotMetrics {
  auc: number;
  brier: number;
  /** Mean predicted PD over the window. */
  meanPd: number;
  /** Observed bad rate over the window. */
  observedRate: number;
  n: number;
}

export interface GateInput {
  challenger: OotMetrics;
  /** Null when there is no champion yet (the first model is promoted if its own checks pass). */
  champion: OotMetrics | null;
  /** PSI of the challenger's scores, training sample vs the out-of-time window. */
  challengerPsi: number;
}

export interface GateThresholds {
  /** Challenger AUC must be >= champion AUC + margin (default 0.005). */
  aucMargin: number;
  /**
   * Expected/observed bad-rate ratio must lie in [1/x, x], or be no further from 1 (in log terms) than the
   * champion's on the same window (default 2: the policy's PD bands are 2.5-4x apart, so a model within 2x
   * moves a customer at most one tier).
   */
  maxCalibrationRatio: number;
  /** Challenger Brier may exceed the champion's by at most this (default 0.002). */
  brierTolerance: number;
  /** Challenger score PSI, train vs OOT, must be below this (default 0.25). */
  maxPsi: number;
}

export const DEFAULT_GATE: GateThresholds = { aucMargin: 0.005, maxCalibrationRatio: 2, brierTolerance: 0.002, maxPsi: 0.25 };

export interface GateCheck {
  name: "auc" | "calibration" | "brier" | "psi";
  passed: boolean;
  detail: string;
}

export interface GateResult {
  promote: boolean;
  checks: GateCheck[];
  /** One sentence: why promoted or why kept as a candidate. */
  reason: string;
}

const f4 = (x: number) => (Number.isFinite(x) ? x.toFixed(4) : String(x));

/**
 * Decides promotion: challenger AUC >= champion AUC + margin, expected/observed default-rate ratio within
 * bounds, Brier not worse than the champion's by more than the tolerance, and score PSI (train vs OOT) below
 * the maximum. Every check is reported; the reason names the failed ones.
 */
export function promotionGate(input: GateInput, thresholds: Partial<GateThresholds> = {}): GateResult {
  const t = { ...DEFAULT_GATE, ...thresholds };
  const { challenger: c, champion: k } = input;
  const checks: GateCheck[] = [];
  if (k) {
    const need = k.auc + t.aucMargin;
    checks.push({ name: "auc", passed: c.auc >= need, detail: `challenger AUC ${f4(c.auc)} vs champion ${f4(k.auc)} + margin ${t.aucMargin} = ${f4(need)}` });
  } else {
    checks.push({ name: "auc", passed: c.auc > 0.5, detail: `no champion; challenger AUC ${f4(c.auc)} must beat chance (0.5)` });
  }
  const ratio = c.observedRate > 0 ? c.meanPd / c.observedRate : Number.POSITIVE_INFINITY;
  const inBounds = ratio >= 1 / t.maxCalibrationRatio && ratio <= t.maxCalibrationRatio;
  const champRatio = k && k.observedRate > 0 ? k.meanPd / k.observedRate : null;
  const notWorse = champRatio !== null && Math.abs(Math.log(ratio)) <= Math.abs(Math.log(champRatio));
  checks.push({
    name: "calibration",
    passed: inBounds || notWorse,
    detail:
      `expected/observed default rate ${f4(c.meanPd)}/${f4(c.observedRate)} = ${f4(ratio)}, allowed [${f4(1 / t.maxCalibrationRatio)}, ${f4(t.maxCalibrationRatio)}]` +
      (champRatio !== null ? ` or no further from 1 than the champion's ${f4(champRatio)}` : ""),
  });
  if (k) {
    checks.push({
      name: "brier",
      passed: c.brier <= k.brier + t.brierTolerance,
      detail: `challenger Brier ${f4(c.brier)} vs champion ${f4(k.brier)} + tolerance ${t.brierTolerance}`,
    });
  }
  checks.push({ name: "psi", passed: input.challengerPsi < t.maxPsi, detail: `score PSI train vs OOT ${f4(input.challengerPsi)} < ${t.maxPsi}` });
  const failed = checks.filter((x) => !x.passed);
  const promote = failed.length === 0;
  const reason = promote
    ? `promoted: ${checks.map((x) => x.detail).join("; ")}`
    : `kept as candidate: ${failed.map((x) => `${x.name} check failed (${x.detail})`).join("; ")}`;
  return { promote, checks, reason };
}

/** AUC, Brier, mean PD and observed bad rate of PDs `p` against outcomes `y` (1 = bad). */
export function ootMetrics(y: ArrayLike<number>, p: ArrayLike<number>): OotMetrics {
  let s = 0;
  let b = 0;
  for (let i = 0; i < p.length; i++) {
    s += p[i];
    b += y[i];
  }
  return { auc: auc(y, p), brier: brier(y, p), meanPd: s / p.length, observedRate: b / y.length, n: y.length };
}

/**
 * Evaluates both models on the same out-of-time outcomes and runs the gate: `challengerOot` and
 * `championOot` are the two models' PDs on the window's rows (`championOot` null without a champion),
 * `challengerTrain` the challenger's PDs on (a sample of) its training rows, for the score PSI.
 */
export function compareOnWindow(
  y: ArrayLike<number>,
  challengerOot: ArrayLike<number>,
  championOot: ArrayLike<number> | null,
  challengerTrain: ArrayLike<number>,
  thresholds: Partial<GateThresholds> = {},
): GateResult & { challenger: OotMetrics; champion: OotMetrics | null; challengerPsi: number } {
  const challenger = ootMetrics(y, challengerOot);
  const champion = championOot ? ootMetrics(y, championOot) : null;
  const challengerPsi = psi(challengerTrain, challengerOot, { bins: 10 }).psi;
  return { ...promotionGate({ challenger, champion, challengerPsi }, thresholds), challenger, champion, challengerPsi };
}

/**
 * Points-to-double-odds (PDO) scaling of a probability of default into a scorecard score:
 * `score = offset + factor · ln(odds_good)` with `odds_good = (1 − pd) / pd`, so a higher score means
 * lower risk, `basePoints` are awarded at good:bad odds of `baseOdds`, and every `pdo` more points
 * double the odds.
 */

export interface PdoParams {
  /** Score at the base odds, default 600. */
  basePoints?: number;
  /** Good:bad odds at the base score, default 50 (i.e. 50:1). */
  baseOdds?: number;
  /** Points that double the odds, default 20. */
  pdo?: number;
}

export interface PdoScaling {
  basePoints: number;
  baseOdds: number;
  pdo: number;
  /** Points per unit of ln(odds): pdo / ln 2. */
  factor: number;
  /** basePoints − factor · ln(baseOdds). */
  offset: number;
}

/**
 * Resolves PDO parameters into `factor` and `offset`.
 * @throws RangeError when `pdo` or `baseOdds` is not a positive finite number.
 */
export function pdoScaling(params: PdoParams = {}): PdoScaling {
  const basePoints = params.basePoints ?? 600;
  const baseOdds = params.baseOdds ?? 50;
  const pdo = params.pdo ?? 20;
  if (!(pdo > 0) || !Number.isFinite(pdo)) throw new RangeError(`pdo must be a positive number (received ${pdo})`);
  if (!(baseOdds > 0) || !Number.isFinite(baseOdds)) throw new RangeError(`baseOdds must be a positive number (received ${baseOdds})`);
  if (!Number.isFinite(basePoints)) throw new RangeError(`basePoints must be finite (received ${basePoints})`);
  const factor = pdo / Math.LN2;
  return { basePoints, baseOdds, pdo, factor, offset: basePoints - factor * Math.log(baseOdds) };
}

/** Score of a log-odds of the event (logit of PD, ln(pd / (1 − pd))). */
export function logitToScore(s: PdoScaling, logitBad: number): number {
  return s.offset - s.factor * logitBad;
}

/** Log-odds of the event for a score. */
export function scoreToLogit(s: PdoScaling, score: number): number {
  return (s.offset - score) / s.factor;
}

/** Score of a probability of default in (0, 1); pd 0 gives +Infinity, pd 1 gives −Infinity. */
export function pdToScore(s: PdoScaling, pd: number): number {
  return s.offset + s.factor * Math.log((1 - pd) / pd);
}

/** Probability of default implied by a score. */
export function scoreToPd(s: PdoScaling, score: number): number {
  return sigmoid(scoreToLogit(s, score));
}

/** Logistic function 1 / (1 + e^−z), computed without overflow for large |z|. */
export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/** ln(p / (1 − p)). */
export function logit(p: number): number {
  return Math.log(p / (1 - p));
}

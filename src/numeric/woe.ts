/**
 * Weight of evidence and information value.
 *
 * Convention used across the project: **WoE = ln(%bad / %good)**, where %bad is the bin's share of all
 * events (y = 1) and %good its share of all non-events. Positive WoE therefore means "riskier than the
 * population", and a logistic model on WoE columns has positive coefficients for well-behaved features.
 * IV = Σ (%bad − %good) · WoE, which is the same number under either sign convention.
 */

export interface WoeIvResult {
  /** WoE per bin (0 for a bin with no rows). */
  woe: Float64Array;
  /** IV contribution per bin (0 for a bin with no rows). */
  iv: Float64Array;
  /** Σ iv. */
  totalIv: number;
}

/**
 * WoE and IV per bin from event / non-event counts, with additive (Laplace) smoothing: `smoothing` is
 * added to both counts of every non-empty bin so a bin without bads or without goods stays finite.
 * @param smoothing pseudo-count per class and bin, default 0.5; 0 reproduces the textbook formula
 *   (and gives ±Infinity for one-class bins).
 * @throws RangeError when the arrays differ in length or hold negative counts.
 */
export function woeIv(events: ArrayLike<number>, nonEvents: ArrayLike<number>, smoothing = 0.5): WoeIvResult {
  const k = events.length;
  if (nonEvents.length !== k) throw new RangeError(`woeIv: ${k} event counts but ${nonEvents.length} non-event counts`);
  let nonEmpty = 0;
  let B = 0;
  let G = 0;
  for (let i = 0; i < k; i++) {
    if (!(events[i] >= 0) || !(nonEvents[i] >= 0)) throw new RangeError(`woeIv: counts of bin ${i} must be >= 0`);
    if (events[i] + nonEvents[i] > 0) nonEmpty++;
    B += events[i];
    G += nonEvents[i];
  }
  const Bs = B + smoothing * nonEmpty;
  const Gs = G + smoothing * nonEmpty;
  const woe = new Float64Array(k);
  const iv = new Float64Array(k);
  let total = 0;
  for (let i = 0; i < k; i++) {
    if (events[i] + nonEvents[i] === 0) continue;
    const pb = (events[i] + smoothing) / Bs;
    const pg = (nonEvents[i] + smoothing) / Gs;
    woe[i] = Math.log(pb / pg);
    iv[i] = (pb - pg) * woe[i];
    total += iv[i];
  }
  return { woe, iv, totalIv: total };
}

/**
 * Conventional reading of an IV: < 0.02 useless, 0.02–0.1 weak, 0.1–0.3 medium, 0.3–0.5 strong,
 * > 0.5 suspicious (check for leakage).
 */
export function ivStrength(iv: number): "useless" | "weak" | "medium" | "strong" | "suspicious" {
  if (iv < 0.02) return "useless";
  if (iv < 0.1) return "weak";
  if (iv < 0.3) return "medium";
  if (iv <= 0.5) return "strong";
  return "suspicious";
}

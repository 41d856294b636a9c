/**
 * Quantile binning for histogram GBDT. Bin 0 is reserved for missing values (NaN); value bins are
 * 1..K where bin k (k < K) holds `edges[k-2] < x <= edges[k-1]` and bin K holds `x > edges[K-2]`.
 */

/**
 * Upper edges of at most `maxBins` value bins for one column (missing values ignored).
 * With ≤ maxBins distinct values every value gets its own bin; otherwise edges are quantiles of the
 * distinct-aware sorted sample.
 * @param maxBins at most 255 so that bins fit a Uint8Array with the missing bin.
 */
export function binEdges(values: ArrayLike<number>, maxBins = 255): Float64Array {
  if (maxBins < 2 || maxBins > 255) throw new RangeError(`maxBins must be in [2, 255], received ${maxBins}`);
  const v: number[] = [];
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i])) v.push(values[i]);
  if (v.length === 0) return new Float64Array(0);
  const s = Float64Array.from(v).sort();
  const distinct: number[] = [];
  for (let i = 0; i < s.length; i++) if (i === 0 || s[i] !== s[i - 1]) distinct.push(s[i]);
  if (distinct.length <= maxBins) return Float64Array.from(distinct.slice(0, -1));
  const edges: number[] = [];
  for (let k = 1; k < maxBins; k++) {
    const e = s[Math.min(s.length - 1, Math.floor((k * s.length) / maxBins))];
    // Never put the maximum in an edge: the last bin must be non-empty.
    if (e < distinct[distinct.length - 1] && (edges.length === 0 || e > edges[edges.length - 1])) edges.push(e);
  }
  return Float64Array.from(edges);
}

/** Bin index of `x` for `edges` (0 for NaN). */
export function binOf(edges: Float64Array, x: number): number {
  if (Number.isNaN(x)) return 0;
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (edges[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo + 1;
}

/** Bins a whole column. */
export function binColumn(edges: Float64Array, values: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = binOf(edges, values[i]);
  return out;
}

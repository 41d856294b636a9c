/**
 * Optimal (monotonic) binning of one feature against a binary target, and the WoE transform it defines.
 *
 * Numeric features: quantile pre-binning (≤ `maxPreBins`), then adjacent pre-bins are pooled
 * (pool-adjacent-violators) until the event rate is monotonic, bins smaller than `minBinShare` of all rows
 * are merged into the neighbour with the closer event rate, and finally the adjacent pair whose merge loses
 * the least IV is merged until at most `maxBins` remain. Range bins are right-closed: (lower, upper].
 * Missing values (NaN) and each configured special value get their own bins.
 *
 * Categorical features: categories smaller than `minBinShare` are pooled into one "other" group, groups are
 * ordered by event rate and merged like numeric bins (min size, max bins). Missing (null or "") has its own
 * bin. A category never seen in training maps to the **fallback bin**: the bin holding the pooled rare
 * categories when there is one, otherwise the most populous bin.
 *
 * WoE follows the convention of ./woe: ln(%bad / %good), positive = riskier. A bin without training rows
 * (e.g. no missing values were seen) has WoE 0, i.e. it scores like the population average.
 * Cost: O(n log n) for the sort plus O(n log B) to count; everything after works on ≤ maxPreBins bins.
 */
import { woeIv } from "./woe";

export type TrendOption = "auto" | "auto-unimodal" | "ascending" | "descending" | "peak" | "valley" | "none";

/** "auto-unimodal" prefers a peak/valley shape only when it raises IV by more than this factor. */
export const UNIMODAL_GAIN = 1.05;

export interface BinningOptions {
  /** Quantile pre-bins for numeric features, default 20 (distinct values are used when fewer). */
  maxPreBins?: number;
  /** Maximum regular (range or category) bins, not counting missing / special bins; default 6. */
  maxBins?: number;
  /** Minimum regular-bin size as a share of all rows, default 0.05. */
  minBinShare?: number;
  /**
   * Event-rate trend over numeric range bins, default "auto" (tries ascending and descending and keeps the
   * one with the higher IV). "peak" / "valley" fit a rise-then-fall / fall-then-rise shape (best turning
   * point by IV); "auto-unimodal" also tries both and keeps one only when it raises IV by more than 5%.
   * "none" skips the shape constraint. Ignored for categorical features,
   * whose bins are ordered by event rate anyway.
   */
  trend?: TrendOption;
  /** Numeric codes with a special meaning (e.g. -1 "not applicable") that get their own bins. */
  specialValues?: readonly number[];
  /** Laplace pseudo-count for WoE, default 0.5. */
  smoothing?: number;
}

export type BinKind = "range" | "special" | "missing" | "category";

/** One bin of a fitted binning (serialisable as JSON: infinite edges are null). */
export interface Bin {
  kind: BinKind;
  /** Human-readable label, e.g. "(2, 5]", "<= 2", "missing", "{A, B}". */
  label: string;
  /** range: exclusive lower edge, null = −∞. */
  lower?: number | null;
  /** range: inclusive upper edge, null = +∞. */
  upper?: number | null;
  /** special: the special value. */
  value?: number;
  /** category: the training categories in this bin. */
  categories?: string[];
  /** category: true when the bin holds the pooled rare categories (and therefore unseen ones). */
  other?: boolean;
  count: number;
  events: number;
  /** events / count; NaN (serialised null) for an empty bin. */
  eventRate: number;
  woe: number;
  iv: number;
}

export interface BinningResult {
  feature: string;
  type: "numeric" | "categorical";
  /** Event-rate trend of the range bins actually fitted. */
  trend: "ascending" | "descending" | "peak" | "valley" | "none";
  /** Range (ascending) or category (by event rate) bins first, then special bins, then the missing bin. */
  bins: Bin[];
  /** Index of the missing bin in `bins` (always present, possibly empty). */
  missingBin: number;
  /** Categorical: index of the bin unseen categories map to. Numeric: -1. */
  fallbackBin: number;
  /** Total information value. */
  iv: number;
  /** Rows and events used to fit. */
  n: number;
  events: number;
  /** Resolved options, for reproducibility. */
  options: Required<BinningOptions>;
}

const DEFAULTS: Required<BinningOptions> = {
  maxPreBins: 20,
  maxBins: 6,
  minBinShare: 0.05,
  trend: "auto",
  specialValues: [],
  smoothing: 0.5,
};

function resolve(opts: BinningOptions): Required<BinningOptions> {
  const o = { ...DEFAULTS, ...stripUndefined(opts) };
  if (!(o.maxPreBins >= 2)) throw new RangeError(`binning: maxPreBins must be >= 2 (received ${o.maxPreBins})`);
  if (!(o.maxBins >= 1)) throw new RangeError(`binning: maxBins must be >= 1 (received ${o.maxBins})`);
  if (!(o.minBinShare >= 0 && o.minBinShare < 1)) throw new RangeError(`binning: minBinShare must be in [0, 1) (received ${o.minBinShare})`);
  if (!(o.smoothing >= 0)) throw new RangeError(`binning: smoothing must be >= 0 (received ${o.smoothing})`);
  return { ...o, specialValues: [...o.specialValues] };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}

/** A run of adjacent pre-bins during merging. */
interface Block {
  n: number;
  e: number;
  /** Index range [from, to] of pre-bins (numeric) or group ids (categorical). */
  from: number;
  to: number;
}

const rate = (b: Block) => (b.n > 0 ? b.e / b.n : 0);

function mergeBlocks(a: Block, b: Block): Block {
  return { n: a.n + b.n, e: a.e + b.e, from: Math.min(a.from, b.from), to: Math.max(a.to, b.to) };
}

/** Pool adjacent violators so the event rate is strictly increasing (or decreasing) along the blocks. */
function pava(blocks: Block[], ascending: boolean): Block[] {
  const st: Block[] = [];
  for (const b of blocks) {
    st.push(b);
    while (st.length >= 2) {
      const r1 = rate(st[st.length - 2]);
      const r2 = rate(st[st.length - 1]);
      if (ascending ? r1 >= r2 : r1 <= r2) {
        const top = st.pop()!;
        st.push(mergeBlocks(st.pop()!, top));
      } else break;
    }
  }
  return st;
}

/** Merge bins below `minCount` into the adjacent bin with the closer event rate, smallest first. */
function enforceMinSize(blocks: Block[], minCount: number): Block[] {
  const bs = blocks.slice();
  while (bs.length > 1) {
    let k = -1;
    for (let i = 0; i < bs.length; i++) if (bs[i].n < minCount && (k < 0 || bs[i].n < bs[k].n)) k = i;
    if (k < 0) break;
    let j: number;
    if (k === 0) j = 1;
    else if (k === bs.length - 1) j = k - 1;
    else j = Math.abs(rate(bs[k - 1]) - rate(bs[k])) <= Math.abs(rate(bs[k + 1]) - rate(bs[k])) ? k - 1 : k + 1;
    const lo = Math.min(j, k);
    bs.splice(lo, 2, mergeBlocks(bs[lo], bs[lo + 1]));
  }
  return bs;
}

/** IV of a block against population totals (small epsilon keeps one-class blocks finite). */
function blockIv(b: Block, E: number, N: number): number {
  const pb = (b.e + 0.5) / (E + 1);
  const pg = (b.n - b.e + 0.5) / (N - E + 1);
  return (pb - pg) * Math.log(pb / pg);
}

/** Merge the adjacent pair that loses the least IV until at most `maxBins` remain. */
function enforceMaxBins(blocks: Block[], maxBins: number, E: number, N: number): Block[] {
  const bs = blocks.slice();
  while (bs.length > maxBins) {
    let best = 0;
    let bestLoss = Infinity;
    for (let i = 0; i + 1 < bs.length; i++) {
      const loss = blockIv(bs[i], E, N) + blockIv(bs[i + 1], E, N) - blockIv(mergeBlocks(bs[i], bs[i + 1]), E, N);
      if (loss < bestLoss) {
        bestLoss = loss;
        best = i;
      }
    }
    bs.splice(best, 2, mergeBlocks(bs[best], bs[best + 1]));
  }
  return bs;
}

function totalIv(blocks: Block[], E: number, N: number): number {
  let s = 0;
  for (const b of blocks) s += blockIv(b, E, N);
  return s;
}

/** Formats an edge for labels: up to 6 significant digits, no trailing zeros. */
export function formatEdge(x: number): string {
  if (Number.isInteger(x)) return String(x);
  return String(Number(x.toPrecision(6)));
}

function rangeLabel(lower: number | null, upper: number | null): string {
  if (lower === null && upper === null) return "all values";
  if (lower === null) return `<= ${formatEdge(upper!)}`;
  if (upper === null) return `> ${formatEdge(lower)}`;
  return `(${formatEdge(lower)}, ${formatEdge(upper)}]`;
}

function finish(
  feature: string,
  type: "numeric" | "categorical",
  trend: BinningResult["trend"],
  bins: Omit<Bin, "woe" | "iv" | "eventRate">[],
  fallbackBin: number,
  options: Required<BinningOptions>,
): BinningResult {
  const ev = bins.map((b) => b.events);
  const ne = bins.map((b) => b.count - b.events);
  const w = woeIv(ev, ne, options.smoothing);
  let n = 0;
  let e = 0;
  const full: Bin[] = bins.map((b, i) => {
    n += b.count;
    e += b.events;
    return { ...b, eventRate: b.count > 0 ? b.events / b.count : NaN, woe: w.woe[i], iv: w.iv[i] };
  });
  return {
    feature,
    type,
    trend,
    bins: full,
    missingBin: full.findIndex((b) => b.kind === "missing"),
    fallbackBin,
    iv: w.totalIv,
    n,
    events: e,
    options,
  };
}

function checkY(y: ArrayLike<number>, n: number, fn: string): void {
  if (y.length !== n) throw new RangeError(`${fn}: values has ${n} rows but y has ${y.length}`);
}

/**
 * Fits a monotonic optimal binning of a numeric feature. NaN is missing.
 * @param y 0/1 target (1 = event / bad), same length as `values`.
 * @throws RangeError on mismatched lengths or invalid options.
 */
export function binNumeric(feature: string, values: ArrayLike<number>, y: ArrayLike<number>, opts: BinningOptions = {}): BinningResult {
  const o = resolve(opts);
  const n = values.length;
  checkY(y, n, "binNumeric");
  const specials = o.specialValues;
  const specialIndex = new Map<number, number>(specials.map((v, i) => [v, i]));
  const spN = new Float64Array(specials.length);
  const spE = new Float64Array(specials.length);
  let missN = 0;
  let missE = 0;
  let cleanCount = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (Number.isNaN(v)) {
      missN++;
      missE += y[i];
    } else if (specialIndex.has(v)) {
      const k = specialIndex.get(v)!;
      spN[k]++;
      spE[k] += y[i];
    } else cleanCount++;
  }
  const sorted = new Float64Array(cleanCount);
  {
    let k = 0;
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (!Number.isNaN(v) && !specialIndex.has(v)) sorted[k++] = v;
    }
    sorted.sort();
  }
  // Pre-bin upper edges (inclusive); the last pre-bin is open to +∞.
  const edges: number[] = [];
  if (cleanCount > 0) {
    let distinct = 1;
    for (let i = 1; i < cleanCount && distinct <= o.maxPreBins; i++) if (sorted[i] !== sorted[i - 1]) distinct++;
    if (distinct <= o.maxPreBins) {
      for (let i = 0; i < cleanCount - 1; i++) if (sorted[i] !== sorted[i + 1]) edges.push(sorted[i]);
    } else {
      for (let j = 1; j < o.maxPreBins; j++) {
        const q = sorted[Math.max(0, Math.ceil((j * cleanCount) / o.maxPreBins) - 1)];
        if (q < sorted[cleanCount - 1] && (edges.length === 0 || q > edges[edges.length - 1])) edges.push(q);
      }
    }
  }
  const P = edges.length + 1;
  const preN = new Float64Array(P);
  const preE = new Float64Array(P);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (Number.isNaN(v) || specialIndex.has(v)) continue;
    let lo = 0;
    let hi = edges.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (edges[mid] < v) lo = mid + 1;
      else hi = mid;
    }
    preN[lo]++;
    preE[lo] += y[i];
  }
  const pre: Block[] = [];
  for (let k = 0; k < P; k++) if (preN[k] > 0) pre.push({ n: preN[k], e: preE[k], from: k, to: k });
  let cleanE = 0;
  for (const b of pre) cleanE += b.e;
  const minCount = o.minBinShare * n;
  const run = (dir: "ascending" | "descending" | "none") => {
    const mono = dir === "none" ? pre : pava(pre, dir === "ascending");
    return enforceMaxBins(enforceMinSize(mono, minCount), o.maxBins, cleanE, cleanCount);
  };
  const unimodal = (shape: "peak" | "valley"): Block[] => {
    let best = run("none");
    let bestIv = -Infinity;
    for (let t = 1; t < pre.length; t++) {
      // peak: rising then falling; valley: falling then rising. Merging neighbours keeps the shape.
      const left = pava(pre.slice(0, t), shape === "peak");
      const right = pava(pre.slice(t), shape === "valley");
      const bl = enforceMaxBins(enforceMinSize([...left, ...right], minCount), o.maxBins, cleanE, cleanCount);
      const iv = totalIv(bl, cleanE, cleanCount);
      if (iv > bestIv) {
        bestIv = iv;
        best = bl;
      }
    }
    return best;
  };
  let trend: BinningResult["trend"];
  let blocks: Block[];
  if (o.trend === "auto" || o.trend === "auto-unimodal") {
    const a = run("ascending");
    const d = run("descending");
    // Ties go to ascending; a one-bin result has no trend.
    if (totalIv(a, cleanE, cleanCount) >= totalIv(d, cleanE, cleanCount)) {
      blocks = a;
      trend = "ascending";
    } else {
      blocks = d;
      trend = "descending";
    }
    if (o.trend === "auto-unimodal") {
      const mono = totalIv(blocks, cleanE, cleanCount);
      for (const shape of ["peak", "valley"] as const) {
        const u = unimodal(shape);
        // A unimodal fit can only add IV; demand a clear gain before giving up monotonicity.
        if (totalIv(u, cleanE, cleanCount) > UNIMODAL_GAIN * Math.max(mono, totalIv(blocks, cleanE, cleanCount))) {
          blocks = u;
          trend = shape;
        }
      }
    }
  } else if (o.trend === "peak" || o.trend === "valley") {
    blocks = unimodal(o.trend);
    trend = o.trend;
  } else {
    blocks = run(o.trend);
    trend = o.trend;
  }
  if (blocks.length <= 1) trend = "none";
  const bins: Omit<Bin, "woe" | "iv" | "eventRate">[] = [];
  if (blocks.length === 0) {
    bins.push({ kind: "range", label: rangeLabel(null, null), lower: null, upper: null, count: 0, events: 0 });
  } else {
    blocks.forEach((b, i) => {
      // Edges come from the pre-bin grid, so values between training values fall in a well-defined bin.
      const lower = i === 0 ? null : edges[blocks[i - 1].to];
      const upper = i === blocks.length - 1 ? null : edges[b.to];
      bins.push({ kind: "range", label: rangeLabel(lower, upper), lower, upper, count: b.n, events: b.e });
    });
  }
  specials.forEach((v, k) => bins.push({ kind: "special", label: `special ${formatEdge(v)}`, value: v, count: spN[k], events: spE[k] }));
  bins.push({ kind: "missing", label: "missing", count: missN, events: missE });
  return finish(feature, "numeric", trend, bins, -1, o);
}

/** True for values a categorical column treats as missing: null, undefined and "". */
export function isMissingCategory(v: string | null | undefined): boolean {
  return v === null || v === undefined || v === "";
}

/**
 * Fits a binning of a categorical feature (see the module comment for the rules).
 * @throws RangeError on mismatched lengths or invalid options.
 */
export function binCategorical(
  feature: string,
  values: ArrayLike<string | null>,
  y: ArrayLike<number>,
  opts: BinningOptions = {},
): BinningResult {
  const o = resolve(opts);
  const n = values.length;
  checkY(y, n, "binCategorical");
  const counts = new Map<string, { n: number; e: number }>();
  let missN = 0;
  let missE = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (isMissingCategory(v)) {
      missN++;
      missE += y[i];
      continue;
    }
    const c = counts.get(v!);
    if (c) {
      c.n++;
      c.e += y[i];
    } else counts.set(v!, { n: 1, e: y[i] });
  }
  const minCount = o.minBinShare * n;
  // Groups: each frequent category alone, all rare categories pooled into one "other" group.
  const groups: { cats: string[]; n: number; e: number; other: boolean }[] = [];
  const other = { cats: [] as string[], n: 0, e: 0, other: true };
  for (const [cat, c] of [...counts.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
    if (c.n < minCount) {
      other.cats.push(cat);
      other.n += c.n;
      other.e += c.e;
    } else groups.push({ cats: [cat], n: c.n, e: c.e, other: false });
  }
  if (other.cats.length > 0) groups.push(other);
  // Sort by event rate; ties by first category name keep refits reproducible.
  groups.sort((a, b) => a.e / a.n - b.e / b.n || (a.cats[0] < b.cats[0] ? -1 : 1));
  let E = 0;
  let N = 0;
  for (const g of groups) {
    E += g.e;
    N += g.n;
  }
  const blocks0: Block[] = groups.map((g, i) => ({ n: g.n, e: g.e, from: i, to: i }));
  const blocks = enforceMaxBins(enforceMinSize(blocks0, minCount), o.maxBins, E, N);
  const bins: Omit<Bin, "woe" | "iv" | "eventRate">[] = blocks.map((b) => {
    const gs = groups.slice(b.from, b.to + 1);
    const cats = gs.flatMap((g) => g.cats).sort();
    const hasOther = gs.some((g) => g.other);
    return {
      kind: "category",
      label: categoryLabel(cats, hasOther),
      categories: cats,
      ...(hasOther ? { other: true } : {}),
      count: b.n,
      events: b.e,
    };
  });
  if (bins.length === 0) bins.push({ kind: "category", label: "other", categories: [], other: true, count: 0, events: 0 });
  let fallback = bins.findIndex((b) => b.other);
  if (fallback < 0) {
    fallback = 0;
    for (let i = 1; i < bins.length; i++) if (bins[i].count > bins[fallback].count) fallback = i;
  }
  bins.push({ kind: "missing", label: "missing", count: missN, events: missE });
  return finish(feature, "categorical", "none", bins, fallback, o);
}

function categoryLabel(cats: string[], other: boolean): string {
  const shown = cats.slice(0, 4).join(", ");
  const more = cats.length > 4 ? `, … (+${cats.length - 4})` : "";
  return `{${shown}${more}}${other ? " + other" : ""}`;
}

/** Compiled lookup from a raw value to its bin index; built once per binning, allocation-free per call. */
export interface BinLookup {
  /** Bin index of a raw value (numbers or numeric strings for numeric features; strings for categorical). */
  binOf(v: unknown): number;
  /** Bin index of a numeric value (NaN = missing). Numeric binnings only. */
  binOfNumber(v: number): number;
}

/**
 * Compiles a binning into a fast value→bin lookup. Numeric: NaN, null, undefined, "" and non-numeric
 * strings are missing; numeric strings are parsed. Categorical: null, undefined and "" are missing,
 * numbers are stringified, unseen categories go to `fallbackBin`.
 */
export function compileBinning(b: BinningResult): BinLookup {
  const missing = b.missingBin;
  if (b.type === "numeric") {
    const ranges = b.bins.filter((x) => x.kind === "range");
    const uppers = new Float64Array(ranges.length - 1);
    for (let i = 0; i < ranges.length - 1; i++) uppers[i] = ranges[i].upper as number;
    const special = new Map<number, number>();
    b.bins.forEach((x, i) => {
      if (x.kind === "special") special.set(x.value as number, i);
    });
    const hasSpecial = special.size > 0;
    const binOfNumber = (v: number): number => {
      if (Number.isNaN(v)) return missing;
      if (hasSpecial) {
        const s = special.get(v);
        if (s !== undefined) return s;
      }
      let lo = 0;
      let hi = uppers.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (uppers[mid] < v) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    };
    return {
      binOfNumber,
      binOf(v: unknown): number {
        if (typeof v === "number") return binOfNumber(v);
        if (typeof v === "string") {
          const t = v.trim();
          return t === "" ? missing : binOfNumber(Number(t));
        }
        if (typeof v === "bigint") return binOfNumber(Number(v));
        if (typeof v === "boolean") return binOfNumber(v ? 1 : 0);
        return missing;
      },
    };
  }
  const map = new Map<string, number>();
  b.bins.forEach((x, i) => {
    for (const c of x.categories ?? []) map.set(c, i);
  });
  const fallback = b.fallbackBin;
  return {
    binOfNumber(): number {
      throw new TypeError(`binOfNumber: feature '${b.feature}' is categorical`);
    },
    binOf(v: unknown): number {
      if (v === null || v === undefined || v === "") return missing;
      const s = typeof v === "string" ? v : String(v);
      const k = map.get(s);
      return k === undefined ? fallback : k;
    },
  };
}

/** Bin index of every value. */
export function assignBins(b: BinningResult, values: ArrayLike<number> | ArrayLike<string | null>): Int32Array {
  const lk = compileBinning(b);
  const out = new Int32Array(values.length);
  if (b.type === "numeric") {
    const v = values as ArrayLike<number>;
    for (let i = 0; i < v.length; i++) out[i] = lk.binOfNumber(v[i]);
  } else {
    for (let i = 0; i < values.length; i++) out[i] = lk.binOf(values[i]);
  }
  return out;
}

/** WoE of every value under a fitted binning. */
export function transformWoe(b: BinningResult, values: ArrayLike<number> | ArrayLike<string | null>): Float64Array {
  const idx = assignBins(b, values);
  const out = new Float64Array(idx.length);
  for (let i = 0; i < idx.length; i++) out[i] = b.bins[idx[i]].woe;
  return out;
}

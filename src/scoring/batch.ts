import type { DenseSpec, GbdtSpec } from "./spec";

/**
 * Column-oriented kernels of the batch path: a tree ensemble over a pre-binned feature matrix and dense
 * layers over blocks of rows. Each kernel adds terms in the same order as the single-row path, so batch
 * results are bitwise identical to `predict`.
 */

/** Rows per block: a block's bin matrix (≤ 23 KB for 23 features of Uint8) stays in L1 while every tree walks it. */
const BLOCK = 1024;

/** Encoded input columns of a batch (NaN = missing), one Float64Array of length n per model input. */
export type EncodedColumns = readonly Float64Array[];

/** A tree ensemble compiled for binned batch traversal. */
export interface BinnedForest {
  /** Writes the ensemble's margin (baseScore + Σ trees, in tree order) of each of `n` rows into `out`. */
  margins(x: EncodedColumns, n: number, out: Float64Array): void;
}

/**
 * Compiles a tree ensemble for the batch path. The ensemble's split thresholds are its histogram edges: per
 * feature, the sorted distinct thresholds T cut the line into bins, a value gets bin 1 + #{t ∈ T : t < v}
 * (0 = missing), and `v <= T[r]` becomes `bin <= r + 1`. A node goes left when `lo <= bin <= r + 1`, with
 * lo = 0 when missing goes left and lo = 1 when it goes right, so missing values need no branch of their own.
 */
export function compileBinnedForest(spec: GbdtSpec): BinnedForest {
  // Distinct thresholds of every input the ensemble splits on.
  const edgeSets = new Map<number, Set<number>>();
  for (const t of spec.trees) {
    for (let k = 0; k < t.feature.length; k++) {
      const j = t.feature[k];
      if (j < 0) continue;
      let s = edgeSets.get(j);
      if (!s) edgeSets.set(j, (s = new Set()));
      s.add(t.threshold[k]);
    }
  }
  const used = [...edgeSets.keys()].sort((a, b) => a - b);
  const nf = used.length;
  const edges = used.map((j) => Float64Array.from([...edgeSets.get(j)!].sort((a, b) => a - b)));
  const maxEdges = Math.max(0, ...edges.map((e) => e.length));
  const wide = maxEdges + 1 > 255;
  const column = new Map(used.map((j, c) => [j, c]));
  const rankOf = used.map((_, c) => new Map(Array.from(edges[c], (v, r) => [v, r])));

  // Nodes re-laid out breadth-first per tree so that a node's right child directly follows its left child,
  // packed as [column, lo, hi, left child] (stride 4). A leaf points to itself and always "goes left", so
  // every row of a tree takes exactly `depth` branch-free steps.
  let total = 0;
  for (const t of spec.trees) total += t.feature.length;
  const node = new Int32Array(total * 4);
  const value = new Float64Array(total);
  const roots = new Int32Array(spec.trees.length);
  const depths = new Int32Array(spec.trees.length);
  let o = 0;
  spec.trees.forEach((t, ti) => {
    roots[ti] = o;
    const order: number[] = [0];
    const at = new Int32Array(t.feature.length);
    const level = new Int32Array(t.feature.length);
    let depth = 0;
    for (let q = 0; q < order.length; q++) {
      const k = order[q];
      at[k] = o + q;
      if (t.feature[k] >= 0) {
        level[t.left[k]] = level[t.right[k]] = level[k] + 1;
        order.push(t.left[k], t.right[k]);
      } else depth = Math.max(depth, level[k]);
    }
    depths[ti] = depth;
    for (const k of order) {
      const p = at[k];
      value[p] = t.value[k];
      const j = t.feature[k];
      if (j < 0) {
        node[4 * p] = 0;
        node[4 * p + 1] = 0;
        node[4 * p + 2] = 0x7fffffff;
        node[4 * p + 3] = p;
        continue;
      }
      const c = column.get(j)!;
      const r = rankOf[c].get(t.threshold[k])!;
      const ml = t.missingLeft[k] === 1;
      node[4 * p] = c;
      node[4 * p + 1] = ml ? 0 : 1;
      node[4 * p + 2] = r + 1;
      node[4 * p + 3] = at[t.left[k]];
      if (at[t.right[k]] !== at[t.left[k]] + 1) throw new Error("tree layout: right child must follow the left one");
    }
    o += order.length;
  });
  const base = spec.baseScore;
  const nTrees = roots.length;
  let scratch: Uint8Array | Uint16Array = wide ? new Uint16Array(0) : new Uint8Array(0);

  const binBlock = (x: EncodedColumns, start: number, m: number, bins: Uint8Array | Uint16Array) => {
    for (let c = 0; c < nf; c++) {
      const col = x[used[c]];
      const e = edges[c];
      const ne = e.length;
      for (let i = 0; i < m; i++) {
        const v = col[start + i];
        let b = 0;
        if (v === v) {
          // Lower bound: number of edges strictly below v.
          let l = 0;
          let h = ne;
          while (l < h) {
            const mid = (l + h) >>> 1;
            if (e[mid] < v) l = mid + 1;
            else h = mid;
          }
          b = l + 1;
        }
        bins[i * nf + c] = b;
      }
    }
  };

  // One step from node k for a row whose bin is b: right (+1) when b > hi or b < lo (missing with lo = 1).
  // Values are small int32s, so the sign bit of (hi − b) | (b − lo) is the "go right" flag.
  return {
    margins(x, n, out) {
      const need = Math.min(n, BLOCK) * Math.max(nf, 1);
      if (scratch.length < need) scratch = wide ? new Uint16Array(need) : new Uint8Array(need);
      const bins = scratch;
      for (let i = 0; i < n; i++) out[i] = base;
      for (let start = 0; start < n; start += BLOCK) {
        const m = Math.min(BLOCK, n - start);
        binBlock(x, start, m, bins);
        // Tree-major: one tree's nodes stay hot while it walks every row of the block; four rows at a time
        // give the CPU four independent chains of loads.
        for (let t = 0; t < nTrees; t++) {
          const root = roots[t];
          const d = depths[t];
          let i = 0;
          for (; i + 4 <= m; i += 4) {
            const r0 = i * nf;
            const r1 = r0 + nf;
            const r2 = r1 + nf;
            const r3 = r2 + nf;
            let k0 = root;
            let k1 = root;
            let k2 = root;
            let k3 = root;
            for (let s = 0; s < d; s++) {
              const a0 = k0 << 2;
              const a1 = k1 << 2;
              const a2 = k2 << 2;
              const a3 = k3 << 2;
              const b0 = bins[r0 + node[a0]];
              const b1 = bins[r1 + node[a1]];
              const b2 = bins[r2 + node[a2]];
              const b3 = bins[r3 + node[a3]];
              k0 = node[a0 + 3] + (((node[a0 + 2] - b0) | (b0 - node[a0 + 1])) >>> 31);
              k1 = node[a1 + 3] + (((node[a1 + 2] - b1) | (b1 - node[a1 + 1])) >>> 31);
              k2 = node[a2 + 3] + (((node[a2 + 2] - b2) | (b2 - node[a2 + 1])) >>> 31);
              k3 = node[a3 + 3] + (((node[a3 + 2] - b3) | (b3 - node[a3 + 1])) >>> 31);
            }
            out[start + i] += value[k0];
            out[start + i + 1] += value[k1];
            out[start + i + 2] += value[k2];
            out[start + i + 3] += value[k3];
          }
          for (; i < m; i++) {
            const r0 = i * nf;
            let k0 = root;
            for (let s = 0; s < d; s++) {
              const a0 = k0 << 2;
              const b0 = bins[r0 + node[a0]];
              k0 = node[a0 + 3] + (((node[a0 + 2] - b0) | (b0 - node[a0 + 1])) >>> 31);
            }
            out[start + i] += value[k0];
          }
        }
      }
    },
  };
}

/** Dense layers compiled for blocks of rows. */
export interface BatchDense {
  /**
   * Output of the network for each of `m` rows of `z` (row-major, `width` columns) into `out`.
   * Every row sums its terms in the same order as the single-row forward pass.
   */
  forward(z: Float64Array, m: number, out: Float64Array): void;
}

/** Compiles dense layers (`out = act(W x + b)`) for the batch path. */
export function compileBatchDense(layers: readonly DenseSpec[], width: number): BatchDense {
  const L = layers.map((l) => {
    const nOut = l.b.length;
    const nIn = l.w[0].length;
    const w = new Float64Array(nOut * nIn);
    l.w.forEach((r, o) => w.set(r, o * nIn));
    return { w, b: Float64Array.from(l.b), nIn, nOut, act: l.activation === "relu" ? 0 : l.activation === "tanh" ? 1 : 2 };
  });
  let bufA = new Float64Array(0);
  let bufB = new Float64Array(0);
  return {
    forward(z, m, out) {
      const maxOut = Math.max(...L.map((l) => l.nOut));
      if (bufA.length < m * maxOut) {
        bufA = new Float64Array(m * maxOut);
        bufB = new Float64Array(m * maxOut);
      }
      let inp = z;
      let inW = width;
      let dst = bufA;
      for (const { w, b, nIn, nOut, act } of L) {
        if (nIn !== inW) throw new Error(`dense layer expects ${nIn} inputs, got ${inW}`);
        // Four rows at a time share each weight load; each row keeps its own accumulator and order.
        let r = 0;
        for (; r + 4 <= m; r += 4) {
          const i0 = r * nIn;
          const i1 = i0 + nIn;
          const i2 = i1 + nIn;
          const i3 = i2 + nIn;
          for (let o = 0; o < nOut; o++) {
            const wo = o * nIn;
            let s0 = b[o];
            let s1 = s0;
            let s2 = s0;
            let s3 = s0;
            for (let i = 0; i < nIn; i++) {
              const wi = w[wo + i];
              s0 += wi * inp[i0 + i];
              s1 += wi * inp[i1 + i];
              s2 += wi * inp[i2 + i];
              s3 += wi * inp[i3 + i];
            }
            dst[r * nOut + o] = activate(act, s0);
            dst[(r + 1) * nOut + o] = activate(act, s1);
            dst[(r + 2) * nOut + o] = activate(act, s2);
            dst[(r + 3) * nOut + o] = activate(act, s3);
          }
        }
        for (; r < m; r++) {
          const i0 = r * nIn;
          for (let o = 0; o < nOut; o++) {
            const wo = o * nIn;
            let s = b[o];
            for (let i = 0; i < nIn; i++) s += w[wo + i] * inp[i0 + i];
            dst[r * nOut + o] = activate(act, s);
          }
        }
        inp = dst;
        inW = nOut;
        dst = dst === bufA ? bufB : bufA;
      }
      for (let r = 0; r < m; r++) out[r] = inp[r * inW];
    },
  };
}

function activate(act: number, v: number): number {
  return act === 0 ? (v > 0 ? v : 0) : act === 1 ? Math.tanh(v) : v;
}

import type { TreeSpec } from "./spec";

/**
 * Exact TreeSHAP (Lundberg, Erion & Lee 2018, Algorithm 2) for one tree: adds to `phi[j]` the Shapley
 * value of input j for the tree's output at `x`, with node covers as the background distribution.
 * For every tree, Σ phi = f(x) − E[f] where E[f] is {@link treeExpectedValue}.
 */

/** Cover-weighted mean leaf value of a tree (its SHAP expected value). */
export function treeExpectedValue(t: TreeSpec): number {
  const rec = (k: number): number => {
    if (t.feature[k] < 0) return t.value[k];
    const l = t.left[k];
    const r = t.right[k];
    const cl = t.cover[l];
    const cr = t.cover[r];
    return (cl * rec(l) + cr * rec(r)) / (cl + cr);
  };
  return rec(0);
}

/** Maximum depth of a tree (root alone = 0). */
export function treeDepth(t: TreeSpec): number {
  const rec = (k: number): number => (t.feature[k] < 0 ? 0 : 1 + Math.max(rec(t.left[k]), rec(t.right[k])));
  return rec(0);
}

/** Scratch space for {@link treeShap}; reuse one per thread for trees up to `maxDepth`. */
export interface ShapScratch {
  feature: Int32Array;
  zero: Float64Array;
  one: Float64Array;
  weight: Float64Array;
}

/** Allocates scratch space for trees of depth ≤ `maxDepth`. */
export function shapScratch(maxDepth: number): ShapScratch {
  const size = ((maxDepth + 2) * (maxDepth + 3)) / 2;
  return { feature: new Int32Array(size), zero: new Float64Array(size), one: new Float64Array(size), weight: new Float64Array(size) };
}

function extend(s: ShapScratch, at: number, depth: number, pz: number, po: number, pi: number): void {
  s.feature[at + depth] = pi;
  s.zero[at + depth] = pz;
  s.one[at + depth] = po;
  s.weight[at + depth] = depth === 0 ? 1 : 0;
  for (let i = depth - 1; i >= 0; i--) {
    s.weight[at + i + 1] += (po * s.weight[at + i] * (i + 1)) / (depth + 1);
    s.weight[at + i] = (pz * s.weight[at + i] * (depth - i)) / (depth + 1);
  }
}

function unwind(s: ShapScratch, at: number, depth: number, pathIndex: number): void {
  const one = s.one[at + pathIndex];
  const zero = s.zero[at + pathIndex];
  let next = s.weight[at + depth];
  for (let i = depth - 1; i >= 0; i--) {
    if (one !== 0) {
      const tmp = s.weight[at + i];
      s.weight[at + i] = (next * (depth + 1)) / ((i + 1) * one);
      next = tmp - (s.weight[at + i] * zero * (depth - i)) / (depth + 1);
    } else {
      s.weight[at + i] = (s.weight[at + i] * (depth + 1)) / (zero * (depth - i));
    }
  }
  for (let i = pathIndex; i < depth; i++) {
    s.feature[at + i] = s.feature[at + i + 1];
    s.zero[at + i] = s.zero[at + i + 1];
    s.one[at + i] = s.one[at + i + 1];
  }
}

function unwoundSum(s: ShapScratch, at: number, depth: number, pathIndex: number): number {
  const one = s.one[at + pathIndex];
  const zero = s.zero[at + pathIndex];
  let next = s.weight[at + depth];
  let total = 0;
  for (let i = depth - 1; i >= 0; i--) {
    if (one !== 0) {
      const tmp = (next * (depth + 1)) / ((i + 1) * one);
      total += tmp;
      next = s.weight[at + i] - tmp * zero * ((depth - i) / (depth + 1));
    } else if (zero !== 0) {
      total += s.weight[at + i] / zero / ((depth - i) / (depth + 1));
    }
  }
  return total;
}

/**
 * Adds the tree's SHAP values at `x` (encoded inputs, NaN = missing) times `scale` to `phi`.
 * @param s scratch from {@link shapScratch} sized for the tree's depth.
 */
export function treeShap(t: TreeSpec, x: ArrayLike<number>, phi: Float64Array, s: ShapScratch, scale = 1): void {
  recurse(t, x, phi, s, scale, 0, -1, 0, 1, 1, -1);
}

function recurse(
  t: TreeSpec, x: ArrayLike<number>, phi: Float64Array, s: ShapScratch, scale: number,
  node: number, parentAt: number, depth: number, pz: number, po: number, pi: number,
): void {
  // Each level copies the parent's path to a fresh segment so siblings see the parent's state.
  const at = parentAt + depth + 1;
  for (let i = 0; i < depth; i++) {
    s.feature[at + i] = s.feature[parentAt + i];
    s.zero[at + i] = s.zero[parentAt + i];
    s.one[at + i] = s.one[parentAt + i];
    s.weight[at + i] = s.weight[parentAt + i];
  }
  extend(s, at, depth, pz, po, pi);
  const f = t.feature[node];
  if (f < 0) {
    const v = t.value[node] * scale;
    for (let i = 1; i <= depth; i++) {
      const w = unwoundSum(s, at, depth, i);
      phi[s.feature[at + i]] += w * (s.one[at + i] - s.zero[at + i]) * v;
    }
    return;
  }
  const xv = x[f];
  const goLeft = xv !== xv ? t.missingLeft[node] === 1 : xv <= t.threshold[node];
  const hot = goLeft ? t.left[node] : t.right[node];
  const cold = goLeft ? t.right[node] : t.left[node];
  const w = t.cover[node];
  let inZero = 1;
  let inOne = 1;
  let pathIndex = 0;
  for (; pathIndex <= depth; pathIndex++) if (s.feature[at + pathIndex] === f) break;
  let d = depth;
  if (pathIndex !== depth + 1) {
    inZero = s.zero[at + pathIndex];
    inOne = s.one[at + pathIndex];
    unwind(s, at, depth, pathIndex);
    d -= 1;
  }
  recurse(t, x, phi, s, scale, hot, at, d + 1, (t.cover[hot] / w) * inZero, inOne, f);
  recurse(t, x, phi, s, scale, cold, at, d + 1, (t.cover[cold] / w) * inZero, 0, f);
}

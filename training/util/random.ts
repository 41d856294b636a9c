/**
 * Seeded pseudo-random numbers for reproducible training (row/column subsampling, splits, shuffles).
 */

/** mulberry32: a fast 32-bit PRNG; returns a function yielding floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher–Yates shuffle of `0..n-1` with a seeded PRNG. */
export function permutation(n: number, rand: () => number): Uint32Array {
  const a = new Uint32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
  return a;
}

/**
 * Stratified split of row indices into train and validation parts (validation fraction `frac` of each class).
 */
export function stratifiedSplit(y: ArrayLike<number>, frac: number, seed: number): { train: Uint32Array; valid: Uint32Array } {
  const rand = mulberry32(seed);
  const tr: number[] = [];
  const va: number[] = [];
  for (const cls of [0, 1]) {
    const idx: number[] = [];
    for (let i = 0; i < y.length; i++) if (y[i] === cls) idx.push(i);
    const perm = permutation(idx.length, rand);
    const nv = Math.round(idx.length * frac);
    for (let k = 0; k < idx.length; k++) (k < nv ? va : tr).push(idx[perm[k]]);
  }
  tr.sort((a, b) => a - b);
  va.sort((a, b) => a - b);
  return { train: Uint32Array.from(tr), valid: Uint32Array.from(va) };
}

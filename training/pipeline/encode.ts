import type { InputSpec } from "../../src/scoring";
import type { Dataset } from "../data/dataset";

/**
 * The encoded input vector every candidate shares: numeric features as they are (NaN = missing) and
 * categorical levels as their smoothed weight of evidence (log-odds of bad for the level minus the prior
 * log-odds), fitted on training rows only. Levels unseen in training encode as 0 (the prior).
 */

/** Pseudo-count pulling rare levels towards the prior. */
const SMOOTHING = 20;

/** Fits the input encoding on training rows. @throws Error when `ds.y` is null. */
export function fitInputs(ds: Dataset): InputSpec[] {
  const y = ds.y;
  if (!y) throw new Error("fitInputs needs a labelled dataset");
  let pos = 0;
  for (let i = 0; i < ds.n; i++) pos += y[i];
  const prior = pos / ds.n;
  const priorLogit = Math.log(prior / (1 - prior));
  return ds.columns.map((c) => {
    if (c.kind === "numeric") return { name: c.name, kind: "numeric" as const };
    const bad = new Map<string, number>();
    const cnt = new Map<string, number>();
    c.values.forEach((v, i) => {
      if (v === null) return;
      cnt.set(v, (cnt.get(v) ?? 0) + 1);
      bad.set(v, (bad.get(v) ?? 0) + y[i]);
    });
    const levels: Record<string, number> = {};
    for (const [lvl, n] of [...cnt.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
      const b = bad.get(lvl)! + SMOOTHING * prior;
      const g = n - bad.get(lvl)! + SMOOTHING * (1 - prior);
      levels[lvl] = Math.log(b / g) - priorLogit;
    }
    return { name: c.name, kind: "categorical" as const, levels, unknown: 0 };
  });
}

/** Encoded columns plus the raw categorical levels (null for numeric inputs). */
export interface Encoded {
  X: Float64Array[];
  cats: ((string | null)[] | null)[];
  n: number;
}

/**
 * Encodes a dataset whose columns follow `inputs` by name.
 * @throws Error when a column is absent (the schema mapper guarantees presence).
 */
export function encodeDataset(ds: Dataset, inputs: InputSpec[]): Encoded {
  const byName = new Map(ds.columns.map((c) => [c.name, c]));
  const X: Float64Array[] = [];
  const cats: ((string | null)[] | null)[] = [];
  for (const inp of inputs) {
    const c = byName.get(inp.name);
    if (!c) throw new Error(`column '${inp.name}' missing from the dataset`);
    if (c.kind === "numeric") {
      X.push(c.values);
      cats.push(null);
    } else {
      const lv = inp.levels ?? {};
      const v = new Float64Array(ds.n);
      for (let i = 0; i < ds.n; i++) {
        const s = c.values[i];
        v[i] = s === null ? NaN : Object.hasOwn(lv, s) ? lv[s] : (inp.unknown ?? 0);
      }
      X.push(v);
      cats.push(c.values);
    }
  }
  return { X, cats, n: ds.n };
}

/**
 * The in-memory feature table every estimator works on: columnar, typed, with missing values explicit.
 * Numeric columns are Float64Array with NaN for missing; categorical columns are string arrays with
 * null for missing. `y` holds the binary target (1 = bad / default) or is null for unlabeled data.
 */
export type ColumnKind = "numeric" | "categorical";

export interface NumericColumn {
  name: string;
  kind: "numeric";
  values: Float64Array;
}

export interface CategoricalColumn {
  name: string;
  kind: "categorical";
  values: (string | null)[];
}

export type Column = NumericColumn | CategoricalColumn;

export interface Dataset {
  /** Number of rows. */
  n: number;
  columns: Column[];
  /** 0/1 target, or null when unlabeled. */
  y: Uint8Array | null;
}

/** Rows `idx` of `ds`, in that order. */
export function takeRows(ds: Dataset, idx: ArrayLike<number>): Dataset {
  const m = idx.length;
  const columns: Column[] = ds.columns.map((c) => {
    if (c.kind === "numeric") {
      const v = new Float64Array(m);
      for (let i = 0; i < m; i++) v[i] = c.values[idx[i]];
      return { name: c.name, kind: "numeric", values: v };
    }
    const v: (string | null)[] = new Array(m);
    for (let i = 0; i < m; i++) v[i] = c.values[idx[i]];
    return { name: c.name, kind: "categorical", values: v };
  });
  let y: Uint8Array | null = null;
  if (ds.y) {
    y = new Uint8Array(m);
    for (let i = 0; i < m; i++) y[i] = ds.y[idx[i]];
  }
  return { n: m, columns, y };
}

/** The column named `name`. @throws Error when absent. */
export function column(ds: Dataset, name: string): Column {
  const c = ds.columns.find((col) => col.name === name);
  if (!c) throw new Error(`no column '${name}'`);
  return c;
}

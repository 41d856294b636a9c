import { loadConfig, type Config } from "../src/config";
import { loadHistories, openDatabase, type Database } from "../src/db";
import { buildSnapshots, FEATURE_CATALOG, type CustomerHistory, type FeatureVector } from "../src/features";
import { AppError, type IsoDate } from "../src/shared";
import type { TableSchema } from "./data/csv";
import { fingerprintDataset } from "./data/csv";
import type { Column, Dataset } from "./data/dataset";
import { trainModel, type ModelKind, type ProgressFn } from "./pipeline/auto";
import { writeTrained, type TrainFromTableResult } from "./pipeline/table";

/**
 * Training from payment history: the portfolio's histories (src/db `loadHistories`) become monthly
 * point-in-time snapshots with a default label (90+ days past due or written off within the horizon,
 * src/features `buildSnapshots`), which go through the same pipeline as a CSV feature table.
 */

/** Options of {@link trainFromDatabase}. */
export interface TrainFromDatabaseOptions {
  /** Artifact directory to write. */
  out: string;
  /** Creation instant (the caller reads the clock). */
  now: Date;
  model?: ModelKind;
  seed?: number;
  name?: string;
  /** Last snapshot date (default: as late as the label window allows). */
  asOf?: IsoDate;
  /** Label horizon in months (default 12). */
  horizonMonths?: number;
  /** Days past due that count as default (default 90). */
  dpd?: number;
  /**
   * Months between snapshots (default 3: consecutive monthly snapshots of a customer are highly correlated,
   * so quarterly ones keep most of the information at a third of the training time).
   */
  everyMonths?: number;
  onProgress?: ProgressFn;
}

/** Turns snapshot rows into a Dataset with one column per catalog feature present in the rows. */
export function snapshotsToDataset(rows: FeatureVector[], labels: Uint8Array): { dataset: Dataset; schema: TableSchema } {
  const present = new Set<string>();
  for (const r of rows.slice(0, 1000)) for (const k of Object.keys(r)) present.add(k);
  const catalog = new Map(FEATURE_CATALOG.map((f) => [f.name, f]));
  const names = [...present].sort((a, b) => {
    const ia = FEATURE_CATALOG.findIndex((f) => f.name === a);
    const ib = FEATURE_CATALOG.findIndex((f) => f.name === b);
    return (ia < 0 ? 1e9 : ia) - (ib < 0 ? 1e9 : ib) || (a < b ? -1 : 1);
  });
  const columns: Column[] = [];
  const features: TableSchema["features"] = [];
  const dropped: TableSchema["dropped"] = [];
  for (const name of names) {
    const kind = catalog.get(name)?.kind ?? (rows.some((r) => typeof r[name] === "string") ? "categorical" : "numeric");
    if (kind === "numeric") {
      const v = new Float64Array(rows.length);
      for (let i = 0; i < rows.length; i++) {
        const x = rows[i][name];
        v[i] = typeof x === "number" && Number.isFinite(x) ? x : NaN;
      }
      const distinct = new Set<number>();
      for (let i = 0; i < v.length && distinct.size < 2; i++) if (!Number.isNaN(v[i])) distinct.add(v[i]);
      if (distinct.size < 2) { dropped.push({ name, reason: "constant or all missing in the snapshots" }); continue; }
      columns.push({ name, kind, values: v });
    } else {
      const v = rows.map((r) => (r[name] === null || r[name] === undefined ? null : String(r[name])));
      if (new Set(v.filter((s) => s !== null)).size < 2) { dropped.push({ name, reason: "constant or all missing in the snapshots" }); continue; }
      columns.push({ name, kind, values: v });
    }
    features.push({ name, kind });
  }
  return {
    dataset: { n: rows.length, columns, y: labels },
    schema: { target: "default_within_horizon", positive: "1", negative: "0", features, dropped, decimalComma: false },
  };
}

/**
 * Trains a model from the payment history in `db` and writes the artifact.
 * @throws AppError 422 when the portfolio gives too few snapshots or defaults to train on.
 */
export async function trainFromDatabase(db: Database, opts: TrainFromDatabaseOptions): Promise<TrainFromTableResult> {
  return trainFromHistories(loadHistories(db), opts);
}

/**
 * Trains a model from customer payment histories (streamed or in memory) and writes the artifact.
 * @throws AppError 422 when the histories give too few snapshots or defaults to train on.
 */
export async function trainFromHistories(
  histories: Iterable<CustomerHistory> | AsyncIterable<CustomerHistory>,
  opts: TrainFromDatabaseOptions,
): Promise<TrainFromTableResult> {
  const horizonMonths = opts.horizonMonths ?? 12;
  opts.onProgress?.("snapshots", 0, 1);
  const snaps = await buildSnapshots(histories, {
    end: opts.asOf,
    everyMonths: opts.everyMonths ?? 3,
    horizonDays: Math.round((horizonMonths * 365.25) / 12),
    dpdThreshold: opts.dpd ?? 90,
  });
  opts.onProgress?.("snapshots", 1, 1);
  let bads = 0;
  for (let i = 0; i < snaps.labels.length; i++) bads += snaps.labels[i];
  if (snaps.rows.length < 100 || bads < 10 || snaps.rows.length - bads < 10) {
    throw new AppError(
      422,
      "not-enough-history",
      "Not enough payment history",
      `payment history gives ${snaps.rows.length} snapshots with ${bads} defaults; at least 100 snapshots with 10 defaults and 10 non-defaults are needed`,
    );
  }
  const { dataset, schema } = snapshotsToDataset(snaps.rows, snaps.labels);
  const notes = [
    `${snaps.rows.length} snapshots of ${new Set(snaps.keys.map((k) => k.customerId)).size} customers, ${bads} defaults within ${horizonMonths} months`,
    ...schema.dropped.map((d) => `feature '${d.name}' dropped: ${d.reason}`),
  ];
  // Snapshots of one customer are correlated; a row-level split is still honest for choosing among
  // candidates because every candidate sees the same split.
  const trained = await trainModel(dataset, null, { model: opts.model, seed: opts.seed, onProgress: opts.onProgress });
  return writeTrained(opts.out, trained, schema, fingerprintDataset(dataset), "payment-history", notes, { name: opts.name ?? "pd-payment-history", now: opts.now });
}

/** `credit train --from-db`: opens the configured database, trains, closes it. */
export async function trainFromDatabaseCli(opts: TrainFromDatabaseOptions & { config?: Config }): Promise<TrainFromTableResult> {
  const cfg = opts.config ?? loadConfig();
  const db = await openDatabase(cfg.DATABASE_URL);
  try {
    return await trainFromDatabase(db, opts);
  } finally {
    await db.close();
  }
}

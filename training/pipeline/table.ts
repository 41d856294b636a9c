import { writeFileSync } from "node:fs";
import { stringify } from "csv-stringify/sync";
import { safeCsvCell } from "../../src/ingest";
import { loadModel, type Manifest } from "../../src/scoring";
import { ValidationError } from "../../src/shared";
import { applySchema, cellValue, fingerprintDataset, loadTrainingTable, readCsvFile, type TableSchema } from "../data/csv";
import type { Dataset } from "../data/dataset";
import { writeArtifact } from "./artifact";
import { trainModel, type ModelKind, type ProgressFn, type TrainedModel } from "./auto";
import { renderReport } from "./report";

/**
 * Table-level entry points: train from CSV files into an artifact directory, and score a CSV file with an
 * artifact. Used by `credit train` / `credit predict` and by anything else that trains from files.
 */

/** Options of {@link trainFromTable}. */
export interface TrainFromTableOptions {
  /** Training CSV path. */
  train: string;
  /** Optional test CSV path (evaluated only, never used for a choice). */
  test?: string;
  target: string;
  positive?: string;
  /** Output artifact directory. */
  out: string;
  model?: ModelKind;
  seed?: number;
  /** Model name (default: "pd-" + training file base name). */
  name?: string;
  /** Creation instant (the entry point reads the clock). */
  now: Date;
  onProgress?: ProgressFn;
  /** Extra fields for the training options (hyperparameters). */
  tuning?: Partial<Parameters<typeof trainModel>[2]>;
}

/** Result of {@link trainFromTable}. */
export interface TrainFromTableResult {
  dir: string;
  manifest: Manifest;
  trained: TrainedModel;
  notes: string[];
}

/** Artifact id: name, UTC timestamp and the first 8 hex digits of the data fingerprint. */
export function artifactId(name: string, now: Date, fingerprint: string): string {
  const ts = now.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
  return `${name}-${ts}-${fingerprint.slice(0, 8)}`;
}

/**
 * Trains a model from a CSV feature table and writes the artifact (with metrics.json and report.html).
 * @throws ValidationError / AppError with a message naming the problem for any bad input file.
 */
export async function trainFromTable(opts: TrainFromTableOptions): Promise<TrainFromTableResult> {
  const loaded = loadTrainingTable(opts.train, { target: opts.target, positive: opts.positive });
  let test: Dataset | null = null;
  if (opts.test) test = applySchema(readCsvFile(opts.test), loaded.schema, { mode: "test", what: `'${opts.test}'` });
  const trained = await trainModel(loaded.dataset, test, { model: opts.model, seed: opts.seed, onProgress: opts.onProgress, ...opts.tuning });
  return writeTrained(opts.out, trained, loaded.schema, fingerprintDataset(loaded.dataset), opts.train, loaded.notes, opts);
}

/** Writes a trained model with report and manifest. */
export async function writeTrained(
  out: string,
  trained: TrainedModel,
  schema: TableSchema,
  fingerprint: string,
  source: string,
  notes: string[],
  opts: { name?: string; now: Date },
): Promise<TrainFromTableResult> {
  const base = source.replace(/\\/g, "/").split("/").pop()!.replace(/\.[^.]*$/, "").replace(/[^A-Za-z0-9_-]+/g, "-").toLowerCase();
  const name = opts.name ?? `pd-${base || "model"}`;
  const id = artifactId(name, opts.now, fingerprint);
  const meta = { id, name, version: "1", created: opts.now.toISOString(), fingerprint, source: base, schema, notes };
  const html = await renderReport(trained, meta);
  const manifest = writeArtifact(out, trained, meta, html);
  return { dir: out, manifest, trained, notes: [...notes, ...trained.notes] };
}

/** Options of {@link predictFile}. */
export interface PredictFileOptions {
  /** Artifact directory. */
  model: string;
  input: string;
  out: string;
}

/**
 * Scores every row of a CSV file with an artifact and writes it back with a `pd` column (replaced when
 * present), in input order, keeping all other columns and the input's delimiter.
 * @throws ModelLoadError for a bad artifact; ValidationError when feature columns are missing.
 */
export async function predictFile(opts: PredictFileOptions): Promise<{ rows: number; modelId: string }> {
  const model = loadModel(opts.model);
  const raw = readCsvFile(opts.input);
  const schema = model.manifest.schema;
  // Validates presence of every feature column (extra columns are ignored).
  applySchema({ ...raw, rows: raw.rows.slice(0, 1) }, schema as TableSchema, { mode: "predict", what: `'${opts.input}'` });
  const idx = schema.features.map((f) => raw.header.indexOf(f.name));
  const rec: Record<string, unknown> = {};
  const pdCol = raw.header.indexOf("pd");
  const header = pdCol >= 0 ? raw.header : [...raw.header, "pd"];
  const out: string[][] = [header];
  for (const row of raw.rows) {
    schema.features.forEach((f, k) => (rec[f.name] = cellValue(row[idx[k]], f.kind, schema.decimalComma)));
    const pd = model.predict(rec);
    if (!Number.isFinite(pd)) {
      throw new ValidationError([{ path: `'${opts.input}'`, expected: "rows the model can score", received: "a row giving a non-finite PD" }]);
    }
    const s = pd.toPrecision(8);
    out.push(pdCol >= 0 ? row.map((c, i) => (i === pdCol ? s : c)) : [...row, s]);
  }
  // Input cells pass through to a file meant for spreadsheets: neutralise formula-like text (CSV injection).
  writeFileSync(opts.out, stringify(out.map((r) => r.map(safeCsvCell)), { delimiter: raw.delimiter }));
  return { rows: raw.rows.length, modelId: model.id };
}

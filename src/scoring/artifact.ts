import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { AppError } from "../shared";
import { compileModel, type CompiledModel, type Contribution, type ExplainOptions, type FeatureColumns } from "./runtime";
import { MODEL_FORMAT_VERSION, type ModelSpec } from "./spec";

/**
 * Model artifacts on disk: `manifest.json` lists every file with its sha256; `model.json` is the
 * inference spec. Loading verifies the manifest, every checksum and the format version before compiling.
 */

/** Name of the manifest file inside an artifact directory. */
export const MANIFEST_FILE = "manifest.json";
/** Manifest format version; loading refuses any other. */
export const MANIFEST_VERSION = 1;

/** The artifact manifest. */
export interface Manifest {
  manifestVersion: number;
  formatVersion: number;
  id: string;
  name: string;
  version: string;
  /** Champion kind: gbdt, mlp, scorecard or blend. */
  kind: string;
  /** ISO instant of creation. */
  created: string;
  trainingData: { fingerprint: string; rows: number; source: string };
  /** Feature schema (names, kinds, target coding); see training/data TableSchema. */
  schema: {
    target: string;
    positive: string;
    negative: string;
    features: { name: string; kind: "numeric" | "categorical" }[];
    dropped: { name: string; reason: string }[];
    decimalComma: boolean;
  };
  params: Record<string, unknown>;
  /** Headline metrics (full metrics in metrics.json). */
  metrics: Record<string, unknown>;
  /** sha256 (hex) of every other file of the artifact, by file name. */
  files: Record<string, string>;
}

/** An artifact that cannot be loaded: missing, corrupted, or from another format version. */
export class ModelLoadError extends AppError {
  readonly file: string;
  constructor(file: string, detail: string) {
    super(422, "model-load-error", "Model artifact cannot be loaded", `${file}: ${detail}`, { file });
    this.file = file;
  }
}

/** The scoring model a service uses. */
export interface ScoringModel {
  id: string;
  name: string;
  version: string;
  kind: string;
  createdAt: string;
  features: { name: string; kind: "numeric" | "categorical" }[];
  /** metrics.json content. */
  metrics: unknown;
  manifest: Manifest;
  /** PD of one record keyed by feature name; missing/unknown keys are treated as missing. */
  predict(record: Record<string, unknown>): number;
  /**
   * PD, points (600 at 50:1 odds, 20 to double), log-odds and attributions in log-odds summing to
   * `logit − baseLogit` (exact TreeSHAP for trees, exact for the scorecard, integrated gradients rescaled to
   * be exact for the MLP), sorted by contribution descending. `{ method: "path" }` trades Shapley
   * consistency of the tree part for ~20× speed (still exactly additive); see ExplainOptions.
   */
  explain(record: Record<string, unknown>, opts?: ExplainOptions): {
    pd: number;
    score: number;
    logit: number;
    baseLogit: number;
    contributions: Contribution[];
  };
  /**
   * PDs of many records, bitwise equal to `predict` on each: the records are turned into columns once and
   * scored by {@link ScoringModel.predictColumns}.
   */
  predictBatch(records: readonly Record<string, unknown>[]): Float64Array;
  /**
   * PDs of `n` rows given by column (feature name -> Float64Array with NaN = missing, or an array of raw
   * values), bitwise equal to `predict`; see CompiledModel.predictColumns.
   * @throws RangeError when a column is shorter than `n`.
   */
  predictColumns(columns: FeatureColumns, n: number): Float64Array;
  /**
   * Training median of each numeric feature (its own unit), the reference `reasonsFor` compares values with
   * to decide whether a value is on the risky side; absent on models that do not carry one.
   */
  reference?: Readonly<Record<string, number>>;
}

/** sha256 (hex) of bytes. */
export function sha256(data: Buffer | string): string {
  return createHash("sha256").update(data).digest("hex");
}

function readJson(dir: string, file: string): unknown {
  const path = join(dir, file);
  if (!existsSync(path)) throw new ModelLoadError(path, "file is missing");
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new ModelLoadError(path, `not valid JSON (${(err as Error).message})`);
  }
}

/**
 * Reads and verifies an artifact's manifest and files (sha256 of each listed file, no unlisted
 * model.json/metrics.json).
 * @throws ModelLoadError naming the file that is missing, corrupted or of another version.
 */
export function verifyArtifact(dir: string): Manifest {
  const root = resolve(dir);
  if (!existsSync(root)) throw new ModelLoadError(root, "artifact directory does not exist");
  const m = readJson(root, MANIFEST_FILE) as Manifest;
  const mpath = join(root, MANIFEST_FILE);
  if (typeof m !== "object" || m === null || typeof m.files !== "object" || m.files === null) {
    throw new ModelLoadError(mpath, "not a model manifest (no 'files' map)");
  }
  if (m.manifestVersion !== MANIFEST_VERSION) {
    throw new ModelLoadError(mpath, `manifest version ${String(m.manifestVersion)} is not supported (expected ${MANIFEST_VERSION})`);
  }
  if (m.formatVersion !== MODEL_FORMAT_VERSION) {
    throw new ModelLoadError(mpath, `model format version ${String(m.formatVersion)} is not supported (expected ${MODEL_FORMAT_VERSION})`);
  }
  for (const required of ["model.json", "metrics.json"]) {
    if (!(required in m.files)) throw new ModelLoadError(mpath, `does not list ${required}`);
  }
  for (const [file, hash] of Object.entries(m.files)) {
    if (file.includes("/") || file.includes("\\") || file.startsWith(".")) throw new ModelLoadError(mpath, `invalid file name '${file}'`);
    const path = join(root, file);
    if (!existsSync(path)) throw new ModelLoadError(path, "file is missing");
    const actual = sha256(readFileSync(path));
    if (actual !== hash) throw new ModelLoadError(path, `checksum mismatch (manifest sha256 ${hash.slice(0, 12)}…, file ${actual.slice(0, 12)}…): the file is corrupted or was modified`);
  }
  return m;
}

/**
 * Loads an artifact directory into a {@link ScoringModel}, verifying every checksum and version first.
 * @throws ModelLoadError when the artifact is missing, corrupted or mismatched.
 */
export function loadModel(dir: string): ScoringModel {
  const root = resolve(dir);
  const manifest = verifyArtifact(root);
  const spec = readJson(root, "model.json") as ModelSpec;
  const metrics = readJson(root, "metrics.json");
  const mpath = join(root, "model.json");
  if (spec.formatVersion !== MODEL_FORMAT_VERSION) {
    throw new ModelLoadError(mpath, `format version ${String(spec.formatVersion)} is not supported (expected ${MODEL_FORMAT_VERSION})`);
  }
  const specNames = (spec.inputs ?? []).map((i) => i.name).join(",");
  const manNames = manifest.schema.features.map((f) => f.name).join(",");
  if (specNames !== manNames) throw new ModelLoadError(mpath, "inputs do not match the manifest's feature schema");
  let compiled: CompiledModel;
  try {
    compiled = compileModel(spec);
  } catch (err) {
    throw new ModelLoadError(mpath, `inconsistent model spec: ${(err as Error).message}`);
  }
  return fromCompiled(manifest, compiled, metrics);
}

/** Wraps a compiled model and its manifest as a {@link ScoringModel}. */
export function fromCompiled(manifest: Manifest, compiled: CompiledModel, metrics: unknown): ScoringModel {
  return {
    id: manifest.id,
    name: manifest.name,
    version: manifest.version,
    kind: manifest.kind,
    createdAt: manifest.created,
    features: manifest.schema.features,
    metrics,
    manifest,
    predict: (r) => compiled.predict(r),
    explain: (r, o) => compiled.explain(r, o),
    reference: compiled.reference,
    predictColumns: (columns, n) => compiled.predictColumns(columns, n),
    predictBatch: (records) => predictRecords(compiled, manifest.schema.features, records),
  };
}

/**
 * Scores records through the column path: numeric features become Float64Arrays (numbers as they are,
 * numeric strings parsed, anything else NaN), categorical features keep their raw values. A numeric feature
 * holding a boolean or bigint is scored by `predict` instead, where the scorecard bins it as a number.
 */
export function predictRecords(compiled: CompiledModel, features: readonly { name: string; kind: "numeric" | "categorical" }[], records: readonly Record<string, unknown>[]): Float64Array {
  const n = records.length;
  const names = features.map((f) => f.name);
  const numeric = features.map((f) => f.kind === "numeric");
  const cols: (Float64Array | unknown[])[] = features.map((f) => (f.kind === "numeric" ? new Float64Array(n) : new Array<unknown>(n)));
  let odd: number[] | null = null;
  // Column by column: the inner loop reads one property name, which keeps V8's property lookup cheap.
  for (let j = 0; j < names.length; j++) {
    const name = names[j];
    if (!numeric[j]) {
      const col = cols[j] as unknown[];
      for (let i = 0; i < n; i++) col[i] = records[i][name];
      continue;
    }
    const col = cols[j] as Float64Array;
    for (let i = 0; i < n; i++) {
      const v = records[i][name];
      if (typeof v === "number") col[i] = v;
      else if (typeof v === "string") col[i] = v.trim() === "" ? NaN : Number(v);
      else {
        col[i] = NaN;
        if (typeof v === "boolean" || typeof v === "bigint") (odd ??= []).push(i);
      }
    }
  }
  const out = compiled.predictColumns(Object.fromEntries(names.map((name, j) => [name, cols[j]])), n);
  if (odd) for (const i of odd) out[i] = compiled.predict(records[i]);
  return out;
}

import { readFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { parse } from "csv-parse/sync";
import iconv from "iconv-lite";
import { AppError, ValidationError } from "../../src/shared";
import type { Column, Dataset } from "./dataset";

/**
 * Feature tables from CSV files: delimiter sniffing (`,` or `;`), BOM, quoted fields, per-column type
 * inference, binary target recognition, and a {@link TableSchema} saved with the model so that test and
 * prediction files are mapped onto exactly the training columns.
 */

/** One model input column as learned from the training file. */
export interface FeatureSpec {
  name: string;
  kind: "numeric" | "categorical";
}

/** How a CSV table maps to a Dataset; stored in the model artifact. */
export interface TableSchema {
  /** Name of the binary target column. */
  target: string;
  /** Raw target value (trimmed, as in the file) that means "bad" (y = 1). */
  positive: string;
  /** Raw target value that means "good" (y = 0). */
  negative: string;
  /** Model inputs in training order. */
  features: FeatureSpec[];
  /** Columns of the training file that are not inputs, with the reason. */
  dropped: { name: string; reason: string }[];
  /** Whether numbers used a decimal comma (semicolon files from European spreadsheets). */
  decimalComma: boolean;
}

/** A parsed CSV file before typing. */
export interface RawTable {
  header: string[];
  rows: string[][];
  delimiter: "," | ";";
}

/** Result of {@link loadTrainingTable}. */
export interface LoadedTable {
  dataset: Dataset;
  schema: TableSchema;
  /** Human-readable notes about dropped columns/rows (for logs and the report). */
  notes: string[];
}

/** Options of {@link loadTrainingTable}. */
export interface TargetOptions {
  /** Name of the target column (exact, or case-insensitive if unique). */
  target: string;
  /** Raw value of the target that means default/bad; default: recognised from 1/true/yes/bad/default/y. */
  positive?: string;
}

const MISSING = new Set(["", "na", "n/a", "nan", "null", "?", "#n/a", "nil"]);
const POSITIVE_WORDS = ["1", "true", "yes", "y", "bad", "default", "defaulted", "1.0", "t", "positive", "churn"];
const NUMBER_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const COMMA_NUMBER_RE = /^[+-]?\d+(,\d+)?$/;

/** Whether a trimmed raw cell means "missing". */
export function isMissingToken(s: string): boolean {
  return MISSING.has(s.toLowerCase());
}

/**
 * Parses CSV text (comma or semicolon, sniffed from the header line; UTF-8 BOM removed; quoted fields).
 * @throws AppError 400 when the text is empty or has no data rows; ValidationError on ragged rows.
 */
export function parseCsvText(text: string, what = "input"): RawTable {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === "") throw new AppError(400, "empty-file", "Empty file", `${what} is empty: expected a CSV file with a header row and data rows`);
  const firstLine = text.slice(0, Math.max(0, text.indexOf("\n")) || text.length);
  const delimiter = countOutsideQuotes(firstLine, ";") > countOutsideQuotes(firstLine, ",") ? ";" : ",";
  let records: string[][];
  try {
    records = parse(text, { delimiter, skip_empty_lines: true, trim: true, relax_quotes: true, relax_column_count: true, bom: true }) as string[][];
  } catch (err) {
    throw new AppError(400, "bad-csv", "Malformed CSV", `${what} is not valid CSV: ${(err as Error).message}`);
  }
  if (records.length === 0) throw new AppError(400, "empty-file", "Empty file", `${what} is empty: expected a header row`);
  const header = records[0].map((h) => h.trim());
  if (records.length < 2) throw new AppError(400, "empty-file", "Empty file", `${what} has a header but no data rows`);
  const seen = new Set<string>();
  for (const h of header) {
    if (seen.has(h)) throw new ValidationError([{ path: `${what}: header`, expected: "unique column names", received: `'${h}' twice` }]);
    seen.add(h);
  }
  const rows = records.slice(1);
  for (let i = 0; i < rows.length; i++) {
    if (rows[i].length !== header.length) {
      throw new ValidationError([
        { path: `${what}: line ${i + 2}`, expected: `${header.length} fields (as in the header)`, received: `${rows[i].length} fields` },
      ]);
    }
  }
  return { header, rows, delimiter };
}

/** Reads and parses a CSV file. @throws AppError 400 when the file is unreadable or empty. */
export function readCsvFile(path: string): RawTable {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new AppError(400, "file-not-readable", "File not readable", `cannot read '${path}': ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return parseCsvText(decodeText(bytes), `'${path}'`);
}

/**
 * Decodes file bytes: UTF-8 (with or without BOM) when valid, otherwise GB18030 (Chinese spreadsheets
 * exported by Excel), which also decodes plain ASCII unchanged.
 */
export function decodeText(bytes: Buffer): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return iconv.decode(bytes, "gb18030");
  }
}

function countOutsideQuotes(line: string, ch: string): number {
  let n = 0;
  let q = false;
  for (const c of line) {
    if (c === '"') q = !q;
    else if (!q && c === ch) n++;
  }
  return n;
}

function findColumn(header: string[], name: string, what: string): number {
  let idx = header.indexOf(name);
  if (idx < 0) {
    const ci = header.map((h, i) => [h.toLowerCase(), i] as const).filter(([h]) => h === name.toLowerCase());
    if (ci.length === 1) idx = ci[0][1];
  }
  if (idx < 0) {
    throw new ValidationError([
      { path: `${what}: --target`, expected: `a column named '${name}'`, received: `columns ${listNames(header)}` },
    ]);
  }
  return idx;
}

function listNames(names: string[], max = 12): string {
  const shown = names.slice(0, max).map((n) => `'${n}'`).join(", ");
  return names.length > max ? `${shown} and ${names.length - max} more` : shown;
}

function parseNumber(s: string, decimalComma: boolean): number {
  if (decimalComma && s.includes(",")) s = s.replace(",", ".");
  return NUMBER_RE.test(s) ? Number(s) : NaN;
}

/**
 * Types a raw training table: infers each column (numeric when every non-missing value is a number,
 * else categorical), drops id-like and constant columns with a note, and maps the target to 0/1.
 * @throws ValidationError for a missing target column, a non-binary target, an unknown `positive`
 *   value, or a column that is entirely missing.
 */
export function typeTrainingTable(raw: RawTable, opts: TargetOptions, what = "training file"): LoadedTable {
  const notes: string[] = [];
  const ti = findColumn(raw.header, opts.target, what);
  const target = raw.header[ti];
  // Target values.
  const tv = raw.rows.map((r) => r[ti].trim());
  const keep: number[] = [];
  const counts = new Map<string, number>();
  for (let i = 0; i < tv.length; i++) {
    if (isMissingToken(tv[i])) continue;
    keep.push(i);
    counts.set(tv[i], (counts.get(tv[i]) ?? 0) + 1);
  }
  if (keep.length < tv.length) notes.push(`${tv.length - keep.length} rows without a target value were skipped`);
  const distinct = [...counts.keys()];
  const normKey = (s: string) => (NUMBER_RE.test(s) ? String(Number(s)) : s.toLowerCase());
  // "1" and "1.0" are the same class.
  const classes = new Map<string, string>();
  for (const v of distinct) if (!classes.has(normKey(v))) classes.set(normKey(v), v);
  if (classes.size !== 2) {
    throw new ValidationError([
      {
        path: `${what}: column '${target}'`,
        expected: "a binary target with exactly two distinct values",
        received: classes.size < 2 ? `only ${distinct.length ? `'${distinct[0]}'` : "missing values"}` : `${classes.size} values: ${listNames([...classes.values()], 8)}`,
      },
    ]);
  }
  const [a, b] = [...classes.keys()];
  let posKey: string;
  if (opts.positive !== undefined) {
    const pk = normKey(opts.positive.trim());
    if (pk !== a && pk !== b) {
      throw new ValidationError([
        { path: `--positive`, expected: `one of the target's values ${listNames([...classes.values()])}`, received: `'${opts.positive}'` },
      ]);
    }
    posKey = pk;
  } else {
    const hits = [a, b].filter((k) => POSITIVE_WORDS.includes(k));
    const numericClasses = NUMBER_RE.test(a) && NUMBER_RE.test(b);
    if (a === "0" || b === "0") posKey = a === "0" ? b : a;
    // Numeric codes other than 0/1 (e.g. German credit's 1 = good, 2 = bad) are ambiguous: ask.
    else if (hits.length === 1 && !numericClasses) posKey = hits[0];
    else {
      throw new ValidationError([
        {
          path: `${what}: column '${target}'`,
          expected: "a target whose bad value is recognisable (1/true/yes/bad/default), or --positive <value>",
          received: `values ${listNames([...classes.values()])}`,
        },
      ]);
    }
  }
  const negKey = posKey === a ? b : a;
  const y = new Uint8Array(keep.length);
  for (let j = 0; j < keep.length; j++) y[j] = normKey(tv[keep[j]]) === posKey ? 1 : 0;

  const decimalComma = raw.delimiter === ";" && raw.rows.some((r) => r.some((c, i) => i !== ti && COMMA_NUMBER_RE.test(c.trim()) && c.includes(",")));
  const features: FeatureSpec[] = [];
  const dropped: { name: string; reason: string }[] = [];
  const columns: Column[] = [];
  for (let c = 0; c < raw.header.length; c++) {
    if (c === ti) continue;
    const name = raw.header[c];
    const cells = keep.map((i) => raw.rows[i][c].trim());
    const present = cells.filter((s) => !isMissingToken(s));
    if (present.length === 0) {
      throw new ValidationError([
        { path: `${what}: column '${name}'`, expected: "at least one non-missing value", received: "a column that is entirely missing" },
      ]);
    }
    const numeric = present.every((s) => !Number.isNaN(parseNumber(s, decimalComma)));
    const distinctVals = new Set(present);
    if (distinctVals.size === 1) {
      dropped.push({ name, reason: "constant" });
      notes.push(`column '${name}' dropped: it has a single value`);
      continue;
    }
    const idLike =
      distinctVals.size === present.length && present.length >= 20 &&
      (!numeric || /(^|[_\s-])(id|key|uuid|number|no)$|^id/i.test(name) || isIntegerSequence(present));
    const highCardCat = !numeric && distinctVals.size > 50 && distinctVals.size > 0.5 * present.length;
    if (idLike || highCardCat) {
      dropped.push({ name, reason: "identifier-like (almost every value distinct)" });
      notes.push(`column '${name}' dropped: it looks like an identifier (${distinctVals.size} distinct values in ${present.length} rows)`);
      continue;
    }
    if (numeric) {
      const v = new Float64Array(cells.length);
      for (let i = 0; i < cells.length; i++) v[i] = isMissingToken(cells[i]) ? NaN : parseNumber(cells[i], decimalComma);
      columns.push({ name, kind: "numeric", values: v });
      features.push({ name, kind: "numeric" });
    } else {
      columns.push({ name, kind: "categorical", values: cells.map((s) => (isMissingToken(s) ? null : s)) });
      features.push({ name, kind: "categorical" });
    }
  }
  if (features.length === 0) {
    throw new ValidationError([{ path: `${what}`, expected: "at least one usable feature column besides the target", received: "none" }]);
  }
  return {
    dataset: { n: keep.length, columns, y },
    schema: { target, positive: classes.get(posKey)!, negative: classes.get(negKey)!, features, dropped, decimalComma },
    notes,
  };
}

function isIntegerSequence(vals: string[]): boolean {
  const nums = vals.map(Number).filter((x) => Number.isInteger(x));
  if (nums.length !== vals.length) return false;
  const sorted = [...nums].sort((x, y) => x - y);
  return sorted[sorted.length - 1] - sorted[0] === sorted.length - 1;
}

/** Reads a training CSV file and types it; see {@link typeTrainingTable}. */
export function loadTrainingTable(path: string, opts: TargetOptions): LoadedTable {
  return typeTrainingTable(readCsvFile(path), opts, `'${path}'`);
}

/** Options of {@link applySchema}. */
export interface ApplyOptions {
  /** "test": the target is required and unknown columns are an error; "predict": target optional, extra columns ignored. */
  mode: "test" | "predict";
  what?: string;
}

/**
 * Maps a raw table onto a training schema: the same feature columns, kinds and target coding.
 * Numeric cells that do not parse become missing. Categorical values unseen in training are kept (the
 * encoders treat them as unknown).
 * @throws ValidationError when feature columns are missing, when a test file has columns the training
 *   file lacked, or when a test file's target has values other than the two training classes.
 */
export function applySchema(raw: RawTable, schema: TableSchema, opts: ApplyOptions): Dataset {
  const what = opts.what ?? (opts.mode === "test" ? "test file" : "input file");
  const idx = new Map(raw.header.map((h, i) => [h, i]));
  const missingCols = schema.features.filter((f) => !idx.has(f.name)).map((f) => f.name);
  if (missingCols.length) {
    throw new ValidationError([
      { path: `${what}: header`, expected: `the training columns, including ${listNames(missingCols)}`, received: `no column ${listNames(missingCols)}` },
    ]);
  }
  let ti = idx.get(schema.target);
  if (opts.mode === "test") {
    if (ti === undefined) {
      throw new ValidationError([{ path: `${what}: header`, expected: `the target column '${schema.target}'`, received: `columns ${listNames(raw.header)}` }]);
    }
    const known = new Set([schema.target, ...schema.features.map((f) => f.name), ...schema.dropped.map((d) => d.name)]);
    const extra = raw.header.filter((h) => !known.has(h));
    if (extra.length) {
      throw new ValidationError([
        { path: `${what}: header`, expected: "only columns present in the training file", received: `columns the training file lacked: ${listNames(extra)}` },
      ]);
    }
  }
  let rows = raw.rows;
  let y: Uint8Array | null = null;
  if (ti !== undefined && opts.mode === "test") {
    const t = ti;
    rows = rows.filter((r) => !isMissingToken(r[t].trim()));
    const norm = (s: string) => (NUMBER_RE.test(s) ? String(Number(s)) : s.toLowerCase());
    const pos = norm(schema.positive);
    const neg = norm(schema.negative);
    y = new Uint8Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const v = norm(rows[i][t].trim());
      if (v === pos) y[i] = 1;
      else if (v !== neg) {
        throw new ValidationError([
          { path: `${what}: line ${raw.rows.indexOf(rows[i]) + 2}, column '${schema.target}'`, expected: `'${schema.positive}' or '${schema.negative}'`, received: `'${rows[i][t]}'` },
        ]);
      }
    }
  }
  const columns: Column[] = schema.features.map((f) => {
    const c = idx.get(f.name)!;
    if (f.kind === "numeric") {
      const v = new Float64Array(rows.length);
      for (let i = 0; i < rows.length; i++) {
        const s = rows[i][c].trim();
        v[i] = isMissingToken(s) ? NaN : parseNumber(s, schema.decimalComma);
      }
      return { name: f.name, kind: "numeric" as const, values: v };
    }
    return { name: f.name, kind: "categorical" as const, values: rows.map((r) => (isMissingToken(r[c].trim()) ? null : r[c].trim())) };
  });
  return { n: rows.length, columns, y };
}

/**
 * Converts one raw cell to the value the scoring runtime expects (number, string or null).
 */
export function cellValue(s: string, kind: "numeric" | "categorical", decimalComma: boolean): number | string | null {
  const t = s.trim();
  if (isMissingToken(t)) return null;
  if (kind === "categorical") return t;
  const x = parseNumber(t, decimalComma);
  return Number.isNaN(x) ? null : x;
}

/** sha256 (hex) of the canonical form of a labelled table: column names, kinds, values and target. */
export function fingerprintDataset(ds: Dataset): string {
  const h = createHash("sha256");
  h.update(`n=${ds.n}\n`);
  for (const c of ds.columns) {
    h.update(`${c.kind}:${c.name}\n`);
    if (c.kind === "numeric") h.update(new Uint8Array(c.values.buffer, c.values.byteOffset, c.values.byteLength));
    else h.update(JSON.stringify(c.values));
  }
  if (ds.y) h.update(ds.y);
  return h.digest("hex");
}

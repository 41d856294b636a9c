import { openIngestStore, type Database, type IngestStore, type UpsertCounts } from "../db";
import { AppError, describeValue, ValidationError } from "../shared";
import { ingestStoreFor, resolveReferences, writeRows, type CustomerIdCache, type ParsedRow } from "./batch";
import { CompactIdSet } from "./idset";
import { openCsv } from "./reader";
import { canonicalField, FIELDS, INGEST_KINDS, parseRow, type IngestKind, type RowError } from "./schemas";

/** Progress of an import, reported once per chunk. */
export interface ImportProgress {
  phase: "validate" | "write";
  /** Data rows read in this phase so far. */
  rows: number;
  bytes: number;
  totalBytes: number;
}

export interface ImportOptions {
  /** Validate only (pass 1, reference checks included); write nothing. */
  dryRun?: boolean;
  /** Write the good rows and skip the bad ones instead of refusing the whole file. */
  skipBadRows?: boolean;
  /** iconv-lite encoding name; detected when absent (UTF-8 with/without BOM, UTF-16 BOM, GB18030). */
  encoding?: string;
  /** Rows per write transaction and per validation step (default 5,000). */
  chunkSize?: number;
  /** Row errors kept in the result (default 1,000; `errorCount` always has the total). */
  maxErrorsKept?: number;
  /** Called with every row error, in file order (e.g. to stream all of them to a CSV file). */
  onError?: (e: RowError) => void;
  onProgress?: (p: ImportProgress) => void;
  /** Store to write through (default: the Database's shared ingestion store, or see `sqliteCacheMiB`). */
  store?: IngestStore;
  /**
   * SQLite only: run this import on its own connection with this page cache (MiB). With a large
   * `chunkSize` (e.g. 50,000 rows and 64 MiB) big files import faster, at that much more memory.
   */
  sqliteCacheMiB?: number;
}

export interface ImportResult extends UpsertCounts {
  kind: IngestKind;
  file: string;
  /** Encoding the file was decoded with, and how it was chosen. */
  encoding: string;
  encodingDetection: string;
  /** Data rows in the file (header excluded). */
  rows: number;
  /** Rows with at least one error. */
  rejected: number;
  /** Errors found (all of them); `errors` holds the first `maxErrorsKept`. */
  errorCount: number;
  errors: RowError[];
  /** Header columns that map to no field and were ignored. */
  ignoredColumns: string[];
  /** True when rows were written (false after a dry run or a refused file). */
  committed: boolean;
  dryRun: boolean;
  seconds: number;
  validateSeconds: number;
  writeSeconds: number;
  /** Data rows per wall-clock second over both passes. */
  rowsPerSecond: number;
}

/**
 * Turns suspected duplicates (equal 64-bit id hashes) into errors after checking the real ids: one more
 * streaming pass that keeps only the ids of the rows the suspects point back to.
 */
async function confirmDuplicates(
  file: string,
  csvOpts: Parameters<typeof openCsv>[1],
  suspects: { row: number; line: number; id: string; firstRow: number }[],
): Promise<RowError[]> {
  const wanted = new Map<number, string | undefined>(suspects.map((s) => [s.firstRow, undefined]));
  const src = await openCsv(file, csvOpts);
  for await (const chunk of src.chunks) for (const rec of chunk) if (wanted.has(rec.row)) wanted.set(rec.row, rec.values.externalId?.trim());
  return suspects
    .filter((s) => wanted.get(s.firstRow) === s.id)
    .map((s) => ({ row: s.row, line: s.line, field: "externalId", expected: `an external id not already used in this file (also at row ${s.firstRow})`, received: describeValue(s.id) }));
}

function isForeignKeyViolation(e: unknown): boolean {
  const code = (e as { code?: unknown })?.code;
  return code === "SQLITE_CONSTRAINT_FOREIGNKEY" || code === "23503";
}

/** The write pass met data that changed after validation (e.g. a customer deleted meanwhile). */
export class ImportInterruptedError extends AppError {
  constructor(detail: string, extras: Record<string, unknown>) {
    super(409, "import-interrupted", "Import interrupted", detail, extras);
  }
}

/**
 * Imports a CSV file of customers, invoices or payments, upserting by external id.
 *
 * Two streaming passes over the file, in bounded memory (one chunk of rows, the set of external ids seen,
 * and a cache of customer ids):
 * 1. validate every row: CSV structure (ragged rows, quoting, undecodable bytes), field schemas, cross-field
 *    rules, duplicate external ids within the file, and references (customer, invoice) against the database;
 * 2. only when no row failed (or with `skipBadRows`, skipping the failed rows), write in chunks of
 *    `chunkSize` rows, one transaction per chunk.
 * Semantics: a file with any bad row is refused whole, nothing written, all errors reported (`committed:
 * false`). If the process dies during pass 2, the committed chunks stay and re-running the same import
 * completes it: upserts are idempotent, so a second run of the same file reports 0 created, 0 updated.
 * @throws EncodingError (422) when the encoding cannot be determined; ValidationError (400) for a bad
 * header (missing required columns); ImportInterruptedError (409) when a reference disappeared between
 * the passes (committed chunks stay; re-run to complete).
 */
export async function importCsv(db: Database, kind: IngestKind, file: string, opts: ImportOptions = {}): Promise<ImportResult> {
  if (!INGEST_KINDS.includes(kind)) throw new ValidationError([{ path: "kind", expected: INGEST_KINDS.join(" | "), received: describeValue(kind) }]);
  const t0 = performance.now();
  const own = !opts.store && opts.sqliteCacheMiB ? openIngestStore(db, { sqliteCacheMiB: opts.sqliteCacheMiB }) : null;
  try {
    return await runImport(kind, file, opts, opts.store ?? own ?? ingestStoreFor(db), t0);
  } finally {
    await own?.close();
  }
}

async function runImport(kind: IngestKind, file: string, opts: ImportOptions, store: IngestStore, t0: number): Promise<ImportResult> {
  const maxKept = opts.maxErrorsKept ?? 1000;
  const csvOpts = {
    mapHeader: (h: string) => canonicalField(kind, h),
    required: FIELDS[kind].filter((f) => f.required).map((f) => f.name),
    encoding: opts.encoding,
    chunkSize: opts.chunkSize ?? 5000,
  };
  const cache: CustomerIdCache = new Map();

  // Pass 1: validate.
  const src = await openCsv(file, csvOpts);
  const errors: RowError[] = [];
  let errorCount = 0;
  let rejected = 0;
  let rows = 0;
  const badRows = new Set<number>();
  const report = (errs: RowError[]) => {
    if (!errs.length) return;
    // A row's errors all arrive in one call (one chunk).
    const distinct = new Set(errs.map((e) => e.row));
    rejected += distinct.size;
    if (opts.skipBadRows) for (const r of distinct) badRows.add(r);
    errorCount += errs.length;
    for (const e of errs) {
      if (errors.length < maxKept) errors.push(e);
      opts.onError?.(e);
    }
  };
  const seen = new CompactIdSet();
  // Rows whose external id hashes like an earlier row's: confirmed (or cleared) after the pass.
  const suspects: { row: number; line: number; id: string; firstRow: number }[] = [];
  const rowsWithErrors = new Set<number>();
  for await (const chunk of src.chunks) {
    const parsed: ParsedRow<IngestKind>[] = [];
    const chunkErrors: RowError[] = [];
    for (const rec of chunk) {
      rows++;
      if (rec.errors.length) {
        chunkErrors.push(...rec.errors);
        continue;
      }
      const r = parseRow(kind, rec.values, rec.row, rec.line);
      if (!r.ok) {
        chunkErrors.push(...r.errors);
        continue;
      }
      const firstRow = seen.add(r.value.externalId, rec.row);
      if (firstRow) suspects.push({ row: rec.row, line: rec.line, id: r.value.externalId, firstRow });
      parsed.push({ row: rec.row, line: rec.line, value: r.value });
    }
    const refs = await resolveReferences(store, kind, parsed, cache);
    chunkErrors.push(...refs.errors);
    if (suspects.length) for (const e of refs.errors) rowsWithErrors.add(e.row);
    // Stable sort: file order, and a row's field errors in schema order.
    report(chunkErrors.sort((a, b) => a.row - b.row));
    opts.onProgress?.({ phase: "validate", rows, bytes: src.bytesRead(), totalBytes: src.totalBytes });
  }
  if (suspects.length) {
    const dupErrors = await confirmDuplicates(file, csvOpts, suspects);
    for (const e of dupErrors) {
      if (rowsWithErrors.has(e.row)) {
        // The row was already counted as rejected: add its error without counting it twice.
        rejected--;
      }
      report([e]);
    }
  }
  const t1 = performance.now();

  const counts: UpsertCounts = { created: 0, updated: 0, unchanged: 0 };
  const write = !opts.dryRun && (errorCount === 0 || opts.skipBadRows === true);
  if (write) {
    // Pass 2: write, one transaction per chunk.
    const src2 = await openCsv(file, csvOpts);
    let written = 0;
    for await (const chunk of src2.chunks) {
      const parsed: ParsedRow<IngestKind>[] = [];
      for (const rec of chunk) {
        written++;
        if (badRows.has(rec.row)) continue;
        const r = rec.errors.length ? null : parseRow(kind, rec.values, rec.row, rec.line);
        if (!r?.ok) throw new ImportInterruptedError(`row ${rec.row} changed after validation: the file was modified during the import`, { row: rec.row });
        parsed.push({ row: rec.row, line: rec.line, value: r.value });
      }
      if (parsed.length) {
        const c = await store.transaction(async (tx) => {
          const refs = await resolveReferences(tx, kind, parsed, cache);
          if (refs.errors.length) {
            throw new ImportInterruptedError(
              `a referenced record disappeared after validation (row ${refs.errors[0].row}: ${refs.errors[0].field} ${refs.errors[0].received}); ` +
                `${counts.created + counts.updated + counts.unchanged} rows were committed before it; re-run the import to complete it`,
              { errors: refs.errors.slice(0, 100) },
            );
          }
          try {
            return await writeRows(tx, kind, parsed.map((p) => p.value), refs.customerIds, refs.invoiceIds);
          } catch (e) {
            // Customer ids are cached from pass 1; one deleted since then fails the foreign key.
            if (!isForeignKeyViolation(e)) throw e;
            throw new ImportInterruptedError(
              `a referenced customer or invoice was deleted after validation (rows ${parsed[0].row}..${parsed[parsed.length - 1].row}); ` +
                `${counts.created + counts.updated + counts.unchanged} rows were committed before them; re-run the import to complete it`,
              { fromRow: parsed[0].row },
            );
          }
        });
        counts.created += c.created;
        counts.updated += c.updated;
        counts.unchanged += c.unchanged;
      }
      opts.onProgress?.({ phase: "write", rows: written, bytes: src2.bytesRead(), totalBytes: src2.totalBytes });
    }
  }
  const t2 = performance.now();
  const seconds = (t2 - t0) / 1000;
  return {
    kind,
    file,
    encoding: src.encoding.encoding,
    encodingDetection: src.encoding.how,
    rows,
    ...counts,
    rejected,
    errorCount,
    errors,
    ignoredColumns: src.ignoredColumns,
    committed: write,
    dryRun: opts.dryRun === true,
    seconds,
    validateSeconds: (t1 - t0) / 1000,
    writeSeconds: (t2 - t1) / 1000,
    rowsPerSecond: seconds > 0 ? rows / seconds : 0,
  };
}

import { openIngestStore, type Database, type IngestStore, type IngestTx, type UpsertCounts } from "../db";
import { AppError, ConflictError, describeValue, ValidationError } from "../shared";
import { canonicalField, FIELDS, INGEST_KINDS, parseRow, type IngestKind, type RowError, type RowOf } from "./schemas";

/** Largest REST batch (rows per request). */
export const MAX_BATCH_ROWS = 10_000;
/** Row errors listed in one problem document (the total is always given in `errorCount`). */
export const MAX_REPORTED_ERRORS = 10_000;

/**
 * Rows that failed validation: HTTP 422 problem+json with one entry per bad field
 * (`errors: [{ row, line?, field, expected, received }]`) and nothing written.
 */
export class RowsRejectedError extends AppError {
  readonly errors: RowError[];
  readonly errorCount: number;
  constructor(errors: RowError[], rejectedRows: number, what = "batch") {
    const shown = errors.slice(0, MAX_REPORTED_ERRORS);
    super(
      422,
      "invalid-rows",
      "Rows rejected",
      `${rejectedRows} row(s) of the ${what} are invalid (${errors.length} error(s)); nothing was written`,
      { rejectedRows, errorCount: errors.length, errors: shown, ...(shown.length < errors.length ? { truncated: true } : {}) },
    );
    this.errors = errors;
    this.errorCount = errors.length;
  }
}

/** A row that passed field validation, with where it came from. */
export interface ParsedRow<K extends IngestKind> {
  row: number;
  line?: number;
  value: RowOf<K>;
}

/** Internal ids of known customers by external id, kept across chunks of one import. */
export type CustomerIdCache = Map<string, number>;

/**
 * Resolves the external ids a chunk of rows refers to (invoices and payments: the customer; payments: also
 * the invoice, which must belong to the same customer). Unknown references become row errors.
 */
export async function resolveReferences<K extends IngestKind>(
  q: Pick<IngestTx, "lookupCustomers" | "lookupInvoices">,
  kind: K,
  rows: readonly ParsedRow<K>[],
  cache: CustomerIdCache,
): Promise<{ customerIds: number[]; invoiceIds: (number | null)[]; errors: RowError[] }> {
  const errors: RowError[] = [];
  if (kind === "customers") return { customerIds: [], invoiceIds: [], errors };
  const refs = rows as readonly ParsedRow<"invoices" | "payments">[];
  const missing = [...new Set(refs.map((r) => r.value.customerExternalId).filter((id) => !cache.has(id)))];
  if (missing.length) for (const [k, v] of await q.lookupCustomers(missing)) cache.set(k, v);
  const customerIds = refs.map((r) => cache.get(r.value.customerExternalId) ?? 0);
  refs.forEach((r, i) => {
    if (customerIds[i] === 0) errors.push(err(r, "customerId", "external id of an existing customer (import customers first)", r.value.customerExternalId));
  });
  const invoiceIds: (number | null)[] = [];
  if (kind === "payments") {
    const pays = rows as readonly ParsedRow<"payments">[];
    const invIds = [...new Set(pays.map((r) => r.value.invoiceExternalId).filter((x): x is string => x !== null))];
    const found = invIds.length ? await q.lookupInvoices(invIds) : new Map<string, { id: number; customerId: number }>();
    pays.forEach((r, i) => {
      const ext = r.value.invoiceExternalId;
      if (ext === null) return void invoiceIds.push(null);
      const inv = found.get(ext);
      invoiceIds.push(inv?.id ?? null);
      if (!inv) errors.push(err(r, "invoiceId", "external id of an existing invoice (or empty)", ext));
      else if (customerIds[i] !== 0 && inv.customerId !== customerIds[i])
        errors.push(err(r, "invoiceId", `an invoice of customer ${r.value.customerExternalId}`, ext));
    });
  }
  return { customerIds, invoiceIds, errors };
}

function err(r: { row: number; line?: number }, field: string, expected: string, received: unknown): RowError {
  return { row: r.row, ...(r.line !== undefined ? { line: r.line } : {}), field, expected, received: describeValue(received) };
}

/** Writes validated rows whose references are resolved. */
export function writeRows<K extends IngestKind>(
  tx: IngestTx,
  kind: K,
  rows: readonly RowOf<K>[],
  customerIds: readonly number[],
  invoiceIds: readonly (number | null)[],
): Promise<UpsertCounts> {
  if (kind === "customers") return tx.upsertCustomers(rows as readonly RowOf<"customers">[]);
  if (kind === "invoices") return tx.upsertInvoices(rows as readonly RowOf<"invoices">[], customerIds);
  return tx.upsertPayments(rows as readonly RowOf<"payments">[], customerIds, invoiceIds);
}

/** Tracks external ids seen in one file or batch; a repeat is an error naming the first row. */
export class DuplicateTracker {
  private readonly seen = new Map<string, number>();
  check(r: { row: number; line?: number }, externalId: string): RowError | null {
    const first = this.seen.get(externalId);
    if (first !== undefined) return err(r, "externalId", `an external id not already used in this input (also at row ${first})`, externalId);
    this.seen.set(externalId, r.row);
    return null;
  }
  get size(): number {
    return this.seen.size;
  }
}

// ------------------------------------------------------------------------------------------ REST batch

/** What a batch upsert did. `replayed` is true when the answer was the stored one of an Idempotency-Key. */
export interface BatchResult extends UpsertCounts {
  kind: IngestKind;
  received: number;
  replayed?: boolean;
}

export interface IdempotencyOptions {
  /** Namespace of the key, e.g. `PUT /invoices:<api key id>`. */
  scope: string;
  /** The client's Idempotency-Key header. */
  key: string;
  /** Hash of the request (method, path, body) so a reused key with another request is refused. */
  requestHash: string;
}

export interface UpsertBatchOptions {
  /** Stores the answer under this key in the same transaction as the writes; a replay returns it. */
  idempotency?: IdempotencyOptions;
  /** Largest accepted batch (default MAX_BATCH_ROWS). */
  maxRows?: number;
  /** Store to write through (default: one cached per Database, see `ingestStoreFor`). */
  store?: IngestStore;
}

const stores = new WeakMap<object, IngestStore>();

/**
 * The ingestion store of a Database, opened on first use and kept for the Database's lifetime (the REST
 * routes share one). `releaseIngestStore(db)` closes it (call it before `db.close()` in tests and at shutdown).
 */
export function ingestStoreFor(db: Database): IngestStore {
  let s = stores.get(db);
  if (!s) {
    s = openIngestStore(db);
    stores.set(db, s);
  }
  return s;
}

/** Closes the store `ingestStoreFor(db)` opened, if any. */
export async function releaseIngestStore(db: Database): Promise<void> {
  const s = stores.get(db);
  stores.delete(db);
  await s?.close();
}

/**
 * Validates a JSON batch (array of 1..10,000 row objects with canonical field names, camelCase or
 * snake_case, amounts in major units) and upserts it by external id, all or nothing: any bad row (field
 * errors, duplicate external ids, unknown customer or invoice) throws RowsRejectedError (422) listing every
 * error, and nothing is written. Valid batches are written in ONE transaction, together with the
 * idempotency record when `opts.idempotency` is given; a later call with the same scope and key returns
 * the stored result (`replayed: true`) without writing, and with a different request hash throws a 409.
 * Re-sending the same rows without a key is also harmless: unchanged rows are counted, not touched.
 * @throws ValidationError (400) when `rows` is not an array of objects of the allowed size;
 * RowsRejectedError (422); ConflictError (409, `idempotency-key-reused`, as Stripe answers a reused key).
 */
export async function upsertBatch(db: Database, kind: IngestKind, rows: unknown, opts: UpsertBatchOptions = {}): Promise<BatchResult> {
  if (!INGEST_KINDS.includes(kind)) throw new ValidationError([{ path: "kind", expected: INGEST_KINDS.join(" | "), received: describeValue(kind) }]);
  const max = opts.maxRows ?? MAX_BATCH_ROWS;
  if (!Array.isArray(rows) || rows.length === 0 || rows.length > max)
    throw new ValidationError([{ path: "(body)", expected: `a JSON array of 1..${max} ${kind} rows`, received: describeValue(rows) }]);
  const { parsed, errors } = validateBatch(kind, rows);
  if (errors.length) throw rejected(errors);
  const store = opts.store ?? ingestStoreFor(db);
  const run = () =>
    store.transaction(async (tx) => {
      if (opts.idempotency) {
        const prior = await tx.getIdempotency(opts.idempotency.scope, opts.idempotency.key);
        if (prior) {
          if (prior.requestHash !== opts.idempotency.requestHash)
            throw new ConflictError("This Idempotency-Key was already used with a different request", "idempotency-key-reused");
          return { ...(prior.response as BatchResult), replayed: true };
        }
      }
      const refs = await resolveReferences(tx, kind, parsed, new Map());
      if (refs.errors.length) throw rejected(refs.errors);
      const counts = await writeRows(tx, kind, parsed.map((p) => p.value), refs.customerIds, refs.invoiceIds);
      const result: BatchResult = { kind, received: rows.length, ...counts };
      if (opts.idempotency) await tx.putIdempotency(opts.idempotency.scope, opts.idempotency.key, { requestHash: opts.idempotency.requestHash, status: 200, response: result });
      return result;
    });
  try {
    return await run();
  } catch (e) {
    // Two concurrent first uses of one key on PostgreSQL: the loser's insert hits the unique index; its
    // transaction rolled back, so running again returns the winner's stored answer.
    if (opts.idempotency && (e as { code?: string }).code === "23505" && String((e as { constraint?: string }).constraint).startsWith("IdempotencyRecord")) return run();
    throw e;
  }
}

function rejected(errors: RowError[]): RowsRejectedError {
  return new RowsRejectedError(errors, new Set(errors.map((e) => e.row)).size);
}

/** Field validation and duplicate check of a JSON batch (no database access). */
export function validateBatch<K extends IngestKind>(kind: K, rows: readonly unknown[]): { parsed: ParsedRow<K>[]; errors: RowError[] } {
  const parsed: ParsedRow<K>[] = [];
  const errors: RowError[] = [];
  const dups = new DuplicateTracker();
  rows.forEach((raw, i) => {
    const row = i + 1;
    if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
      errors.push({ row, field: "(row)", expected: "an object", received: describeValue(raw) });
      return;
    }
    const values: Record<string, unknown> = {};
    let bad = false;
    for (const [k, v] of Object.entries(raw)) {
      const f = canonicalField(kind, k);
      if (f === undefined || f in values) {
        errors.push({ row, field: k, expected: f === undefined ? `one of the ${kind} fields: ${FIELDS[kind].map((x) => x.name).join(", ")}` : `one value for ${f} (two keys name it)`, received: describeValue(v) });
        bad = true;
      } else values[f] = v;
    }
    const r = parseRow(kind, values, row);
    if (!r.ok) errors.push(...r.errors);
    else if (!bad) {
      const dup = dups.check({ row }, r.value.externalId);
      if (dup) errors.push(dup);
      else parsed.push({ row, value: r.value });
    }
  });
  errors.sort((a, b) => a.row - b.row);
  return { parsed, errors };
}

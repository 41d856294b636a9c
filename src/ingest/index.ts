/**
 * Ingestion: CSV files and JSON batches of customers, invoices and payments, validated per row and upserted
 * idempotently by external id. See docs/INGESTION.md for formats, semantics and safety rules.
 */
export { importCsv, ImportInterruptedError, type ImportOptions, type ImportResult, type ImportProgress } from "./import";
export { importIbm, mdyToIso, type IbmImportOptions, type IbmImportResult } from "./ibm";
export {
  upsertBatch,
  validateBatch,
  ingestStoreFor,
  releaseIngestStore,
  RowsRejectedError,
  MAX_BATCH_ROWS,
  type BatchResult,
  type UpsertBatchOptions,
  type IdempotencyOptions,
} from "./batch";
export { safeCsvCell, toSafeCsv, createSafeCsvStringifier, isFormulaLike } from "./csv-safety";
export { detectEncoding, detectEncodingOf, EncodingError, type EncodingInfo } from "./encoding";
export { FIELDS, INGEST_KINDS, headerAliases, canonicalField, parseRow, type IngestKind, type RowError } from "./schemas";

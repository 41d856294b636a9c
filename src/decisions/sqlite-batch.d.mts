/** Types of sqlite-batch.mjs (plain JavaScript so that the writer thread can load it). */
export interface SqliteBatchWriter {
  /** Writes the rows in one IMMEDIATE transaction. @returns ids of rows skipped for an already stored Idempotency-Key. */
  write(rows: readonly object[]): string[];
  close(): void;
}
export function openSqliteBatchWriter(file: string, opts?: { autoCheckpoint?: boolean }): SqliteBatchWriter;

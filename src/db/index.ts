/**
 * Database component: Prisma clients for SQLite (embedded default) and PostgreSQL, committed migrations,
 * and repositories. Repositories take and return domain types (numbers for money in minor units, ISO
 * calendar dates), never Prisma types.
 */
export { openDatabase, migrate, dbKind, type Database, type DbKind, type OpenOptions, type Prisma } from "./client";
export type { MigrationResult } from "./migrate";
export { toNumber, isEmpty } from "./util";
export {
  openIngestStore,
  type IngestStore,
  type IngestStoreOptions,
  type IngestTx,
  type CustomerUpsert,
  type InvoiceUpsert,
  type PaymentUpsert,
  type UpsertCounts,
  type IdempotencyEntry,
} from "./repos/ingest";
export * from "./repos/credit";
export { loadHistory, loadHistories, loadCreditCase, closeHistoryReader, type LoadHistoriesOptions, type CreditCase } from "./repos/history";
export { seedDemo, resetCustomerData, type SeedOptions, type SeedMode, type SeedCounts } from "./repos/seed";

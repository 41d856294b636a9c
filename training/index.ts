/**
 * Training: feature tables from CSV and payment history from the database, candidate estimators (GBDT,
 * TF.js MLP, WoE scorecard), blend, calibration, evaluation, reports and artifact writing.
 */
export { trainFromTable, predictFile, writeTrained, artifactId, type TrainFromTableOptions, type TrainFromTableResult, type PredictFileOptions } from "./pipeline/table";
export { trainModel, predictDataset, datasetRecords, type ModelKind, type TrainModelOptions, type TrainedModel, type TrainMetrics, type ProgressFn } from "./pipeline/auto";
export { loadTrainingTable, applySchema, readCsvFile, parseCsvText, typeTrainingTable, fingerprintDataset, type TableSchema, type LoadedTable } from "./data/csv";
export type { Dataset, Column } from "./data/dataset";
export { trainFromDatabase, trainFromHistories, trainFromDatabaseCli, snapshotsToDataset, type TrainFromDatabaseOptions } from "./db";

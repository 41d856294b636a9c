/**
 * Scoring runtime: artifact loading with checksum verification, compiled inference (plain arithmetic),
 * attributions mapped to reason codes, and the file-based model registry.
 */
export * from "./spec";

/**
 * Scoring runtime: artifact loading with checksum verification, compiled inference (plain arithmetic),
 * attributions mapped to reason codes, and the file-based model registry.
 */
export * from "./spec";
export { compileModel, applyCalibrator, mlpTransform, quantileScore, type CompiledModel, type Contribution, type Explanation, type ExplainOptions, type FeatureColumns, type MlpTransform } from "./runtime";
export { treeShap, treeExpectedValue, shapScratch } from "./treeshap";
export { loadModel, verifyArtifact, fromCompiled, sha256, ModelLoadError, MANIFEST_FILE, MANIFEST_VERSION, type Manifest, type ScoringModel } from "./artifact";
export { ModelRegistry, type RegistryEntry, type ChampionPointer } from "./registry";
export { reasonsFor, reasonCode, onRiskySide, type Reason, type ReasonOptions } from "./reasons";

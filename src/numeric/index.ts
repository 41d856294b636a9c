/**
 * Pure numeric core: metrics, binning, WoE/IV, logistic regression (IRLS) and PDO score scaling.
 * No I/O, no clock, no TF.js; inputs are typed arrays (or plain number arrays) and ml-matrix matrices.
 */
export * from "./metrics";
export * from "./woe";
export * from "./binning";
export * from "./logistic";
export * from "./scaling";

/**
 * Payment-history features, point in time: the feature catalog (name, en/zh description, risk direction,
 * reason template), features and policy facts of one customer at an as-of date, receivables aging, and
 * training snapshots with default labels. Used by training and serving alike.
 */
export type { InvoiceRecord, PaymentRecord, CustomerHistory, FeatureVector, FeatureSpec, CreditFacts, AgingBuckets } from "./types";
export { FEATURE_CATALOG, featureSpec, formatFeatureValue } from "./catalog";
export { computeFeatures, computeFacts, agingBuckets, WINDOWS, DAYS_SINCE_LATE_CAP, type FeatureOptions } from "./compute";
export { buildSnapshots, type SnapshotOptions, type Snapshots } from "./snapshots";

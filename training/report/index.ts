/**
 * The self-contained HTML model report (inline CSS + SVG, bilingual headings) and the builders that turn
 * labels, predictions and a fitted scorecard into its input.
 */
export { renderModelReport } from "./render";
export { evaluateForReport, classHistogram, scorecardForReport, type EvaluateOptions } from "./build";
export type { ModelReportInput, DataSummary, CandidateRow, EvaluationMetrics, EvaluationReport, ScorecardReport } from "./types";
export { lineChart, barChart, histogram, niceTicks, fmtTick, esc, PALETTE, type LineSeries, type LineChartOptions, type BarSeries, type BarChartOptions, type HistogramOptions } from "./svg";

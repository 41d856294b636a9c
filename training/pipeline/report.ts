import { evaluateForReport, renderModelReport, scorecardForReport, type ModelReportInput } from "../report";
import type { TrainedModel } from "./auto";
import type { ArtifactMeta } from "./artifact";
import { SCORE_BANDS } from "./evaluate";

/**
 * The model report (report.html) of a trained model, rendered by training/report: summary, candidates,
 * ROC/KS/calibration/score distribution/bands/PSI per split, and the scorecard's binning charts.
 */

/** Builds the report input (plain JSON) of a trained model. */
export function reportInput(model: TrainedModel, meta: ArtifactMeta): ModelReportInput {
  const { validation, test, train } = model.scores;
  const count = (y: Uint8Array) => y.reduce((s, v) => s + v, 0);
  const ref = { label: "Training", values: train };
  const evaluations = [evaluateForReport("Validation", validation.y, validation.pd, { labelZh: "验证集", score: validation.score, bands: SCORE_BANDS, reference: ref })];
  if (test) evaluations.push(evaluateForReport("Test", test.y, test.pd, { labelZh: "测试集", score: test.score, bands: SCORE_BANDS, reference: ref }));
  const used = Object.keys(model.spec.blend.weights);
  return {
    model: {
      name: meta.name,
      id: meta.id,
      created: meta.created,
      type: model.champion === "blend" ? `blend(${used.join(", ")})` : model.champion,
      description: `Champion chosen by validation AUC among ${Object.keys(model.metrics.candidates).join(", ")}; calibrated (${model.metrics.calibration.method}) on validation rows.`,
    },
    data: {
      source: meta.source,
      target: meta.schema.target,
      splits: [
        { name: "train", rows: model.metrics.train.n, events: model.metrics.train.events },
        { name: "validation", rows: validation.y.length, events: count(validation.y) },
        ...(test ? [{ name: "test", rows: test.y.length, events: count(test.y) }] : []),
      ],
      features: meta.schema.features.map((f) => ({ ...f, missingShare: model.missingShare[f.name] })),
    },
    evaluations,
    candidates: Object.entries(model.metrics.candidates).map(([name, c]) => ({ name, chosen: name === model.champion, metrics: { "valid AUC": c.validAuc } })),
    ...(model.scorecard ? { scorecard: scorecardForReport(model.scorecard.fitted) } : {}),
    notes: [...meta.schema.dropped.map((d) => `column '${d.name}' not used: ${d.reason}`), ...meta.notes, ...model.notes],
  };
}

/** Renders report.html. */
export async function renderReport(model: TrainedModel, meta: ArtifactMeta): Promise<string> {
  return renderModelReport(reportInput(model, meta));
}

import { FEATURE_CATALOG, formatFeatureValue, type FeatureSpec } from "../features";
import type { Contribution } from "./runtime";

/**
 * Reason codes: attributions mapped to stable codes and bilingual sentences. A catalog feature whose value
 * lies on the risky side of its training reference (per the catalog's risk direction) gets the catalog's
 * adverse-action template; a catalog feature that raised the estimate from the safe side (trees and blends
 * can do that through interactions), or without a direction, gets a neutral sentence built from its
 * description; any other feature gets a generic sentence.
 */

/** One adverse-action reason. */
export interface Reason {
  /** Stable code: `R_` + the feature name upper-cased with non-alphanumerics as `_`. */
  code: string;
  feature: string;
  value: number | string | null;
  /** Contribution to the log-odds of default (positive = raises risk). */
  contribution: number;
  en: string;
  zh: string;
}

/** Options of {@link reasonsFor}. */
export interface ReasonOptions {
  /** Feature catalog (default: src/features FEATURE_CATALOG). */
  catalog?: readonly FeatureSpec[];
  /** At most this many reasons (default 4). */
  top?: number;
  /** Ignore contributions at or below this log-odds (default 1e-6: only risk-raising features). */
  minContribution?: number;
  /**
   * Reference value of each numeric feature, in the feature's unit: the training median (a loaded model's
   * `ScoringModel.reference`). A value strictly beyond it on the catalog's risky side gets the adverse
   * template. Without a reference for a feature, 0 stands in for `higher_is_riskier` (a positive count, share
   * or lateness is an adverse fact) and a `lower_is_riskier` value is never called adverse.
   */
  reference?: Readonly<Record<string, number | null | undefined>>;
}

/** Stable reason code of a feature. */
export function reasonCode(feature: string): string {
  return `R_${feature.toUpperCase().replace(/[^A-Z0-9]+/g, "_").replace(/^_+|_+$/g, "")}`;
}

const fmtGeneric = (v: number | string | null, lang: "en" | "zh") =>
  v === null ? (lang === "zh" ? "缺失" : "missing") : typeof v === "number" ? String(Math.round(v * 100) / 100) : v;

/**
 * Whether `value` lies strictly on the risky side of the feature's reference (see
 * {@link ReasonOptions.reference}); false for missing or non-numeric values and for direction "none".
 */
export function onRiskySide(spec: Pick<FeatureSpec, "direction">, value: number | string | null, reference: number | null | undefined): boolean {
  if (typeof value !== "number" || !Number.isFinite(value)) return false;
  const ref = typeof reference === "number" && Number.isFinite(reference) ? reference : null;
  if (spec.direction === "higher_is_riskier") return value > (ref ?? 0);
  if (spec.direction === "lower_is_riskier") return ref !== null && value < ref;
  return false;
}

/** Truthful sentence for a catalog feature that raised the estimate without being an adverse fact by itself. */
function neutralSentence(spec: FeatureSpec, value: number | string | null): { en: string; zh: string } {
  if (value === null) {
    return {
      en: `${spec.description.en}: not available — the missing value raised the model's risk estimate`,
      zh: `${spec.description.zh}：数据缺失——缺失这一情况提高了模型的风险估计`,
    };
  }
  return {
    en: `${spec.description.en}: ${formatFeatureValue(spec.name, value, "en")} — in combination with the other factors, this raised the model's risk estimate`,
    zh: `${spec.description.zh}：${formatFeatureValue(spec.name, value, "zh")}——结合其他因素，这一项提高了模型的风险估计`,
  };
}

/**
 * The features that raise the estimated risk most, as reasons, largest contribution first.
 * @param contributions attributions as returned by `explain` (any order).
 */
export function reasonsFor(contributions: readonly Contribution[], opts: ReasonOptions = {}): Reason[] {
  const catalog = new Map((opts.catalog ?? FEATURE_CATALOG).map((f) => [f.name, f]));
  const min = opts.minContribution ?? 1e-6;
  const reference = opts.reference ?? {};
  return [...contributions]
    .filter((c) => c.contribution > min)
    .sort((a, b) => b.contribution - a.contribution)
    .slice(0, opts.top ?? 4)
    .map((c) => {
      const base = { code: reasonCode(c.feature), feature: c.feature, value: c.value, contribution: c.contribution };
      const spec = catalog.get(c.feature);
      if (spec) {
        if (onRiskySide(spec, c.value, reference[c.feature])) {
          return {
            ...base,
            en: spec.reason.en.replaceAll("{value}", formatFeatureValue(c.feature, c.value, "en")),
            zh: spec.reason.zh.replaceAll("{value}", formatFeatureValue(c.feature, c.value, "zh")),
          };
        }
        return { ...base, ...neutralSentence(spec, c.value) };
      }
      return {
        ...base,
        en: `${c.feature} (${fmtGeneric(c.value, "en")}) raises the estimated risk of default`,
        zh: `${c.feature}（${fmtGeneric(c.value, "zh")}）提高了估计的违约风险`,
      };
    });
}

import { FEATURE_CATALOG, formatFeatureValue, type FeatureSpec } from "../features";
import type { Contribution } from "./runtime";

/**
 * Reason codes: attributions mapped to stable codes and bilingual sentences. Features in the
 * payment-history catalog use its reason templates; any other feature gets a generic sentence.
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
}

/** Stable reason code of a feature. */
export function reasonCode(feature: string): string {
  return `R_${feature.toUpperCase().replace(/[^A-Z0-9]+/g, "_").replace(/^_+|_+$/g, "")}`;
}

const fmtGeneric = (v: number | string | null, lang: "en" | "zh") =>
  v === null ? (lang === "zh" ? "缺失" : "missing") : typeof v === "number" ? String(Math.round(v * 100) / 100) : v;

/**
 * The features that raise the estimated risk most, as reasons, largest contribution first.
 * @param contributions attributions as returned by `explain` (any order).
 */
export function reasonsFor(contributions: readonly Contribution[], opts: ReasonOptions = {}): Reason[] {
  const catalog = new Map((opts.catalog ?? FEATURE_CATALOG).map((f) => [f.name, f]));
  const min = opts.minContribution ?? 1e-6;
  return [...contributions]
    .filter((c) => c.contribution > min)
    .sort((a, b) => b.contribution - a.contribution)
    .slice(0, opts.top ?? 4)
    .map((c) => {
      const spec = catalog.get(c.feature);
      if (spec) {
        return {
          code: reasonCode(c.feature),
          feature: c.feature,
          value: c.value,
          contribution: c.contribution,
          en: spec.reason.en.replaceAll("{value}", formatFeatureValue(c.feature, c.value, "en")),
          zh: spec.reason.zh.replaceAll("{value}", formatFeatureValue(c.feature, c.value, "zh")),
        };
      }
      return {
        code: reasonCode(c.feature),
        feature: c.feature,
        value: c.value,
        contribution: c.contribution,
        en: `${c.feature} (${fmtGeneric(c.value, "en")}) raises the estimated risk of default`,
        zh: `${c.feature}（${fmtGeneric(c.value, "zh")}）提高了估计的违约风险`,
      };
    });
}

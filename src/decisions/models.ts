import { featureSpec, formatFeatureValue } from "../features";
import { loadModel, type ScoringModel } from "../scoring";
import { NotFoundError, UnavailableError } from "../shared";
import type { Explained, Features, ModelPort, ModelProvider, ModelSummary, Reason } from "./ports";

/** How many factors an answer lists (the classic adverse-action notice gives four). */
export const TOP_REASONS = 4;

/**
 * Maps attributions (log-odds, summing to logit − baseLogit) to reasons: the factors with the largest
 * positive contributions, with the feature catalog's en/zh sentence when the feature is a catalog
 * (payment-history) feature and a generic sentence otherwise.
 */
export type ReasonMapper = (model: ScoringModel, contributions: { feature: string; value: number | string | null; contribution: number }[], top: number) => Reason[];

/** Reason mapping over src/features' catalog (used until src/scoring exports its own mapper). */
export const catalogReasons: ReasonMapper = (_model, contributions, top) => {
  const out: Reason[] = [];
  for (const c of contributions) {
    if (out.length >= top) break;
    if (!(c.contribution > 0)) continue;
    const spec = featureSpec(c.feature);
    const en = spec ? spec.reason.en.replace("{value}", formatFeatureValue(c.feature, c.value, "en")) : `${c.feature} = ${formatFeatureValue(c.feature, c.value, "en")} raised the risk`;
    const zh = spec ? spec.reason.zh.replace("{value}", formatFeatureValue(c.feature, c.value, "zh")) : `${c.feature} = ${formatFeatureValue(c.feature, c.value, "zh")} 提高了风险`;
    out.push({ code: reasonCode(c.feature), feature: c.feature, value: c.value, contribution: c.contribution, en, zh });
  }
  return out;
};

/** Stable reason code of a feature: `R-` plus the feature name in upper case. */
export function reasonCode(feature: string): string {
  return "R-" + feature.toUpperCase();
}

/** Wraps a loaded artifact as the decision service's model port. */
export function toModelPort(model: ScoringModel, reasons: ReasonMapper = catalogReasons, top = TOP_REASONS): ModelPort {
  const inputColumns = model.features.map((f) => f.name);
  return {
    id: model.id,
    version: model.version,
    kind: model.kind,
    inputColumns,
    numericColumns: new Set(model.features.filter((f) => f.kind === "numeric").map((f) => f.name)),
    explain(x: Features): Explained {
      const e = model.explain(x);
      return { pd: e.pd, score: e.score, reasons: reasons(model, e.contributions, top) };
    },
  };
}

/** Summary of a loaded artifact (for GET /models when there is no registry). */
export function summaryOf(model: ScoringModel, status: string): ModelSummary {
  const m = model.manifest;
  return {
    id: model.id,
    name: model.name,
    version: model.version,
    kind: model.kind,
    status,
    createdAt: model.createdAt,
    promotedAt: null,
    metrics: m.metrics,
    reportUrl: null,
    inputColumns: model.features.map((f) => f.name),
  };
}

/** Where models come from: a registry of artifacts, or one artifact given on the command line. */
export interface ModelSource {
  list(): Promise<ModelSummary[]>;
  get(id: string): Promise<ModelSummary | null>;
  /** Loads and verifies model `id`. @throws NotFoundError | ModelLoadError */
  load(id: string): Promise<ScoringModel>;
  /** Records `id` as the champion in the registry (after it loaded). */
  markChampion(id: string, actor: string): Promise<ModelSummary>;
}

/**
 * Holds the champion by reference. A request reads `champion()` once and keeps that object, so a
 * promotion (load + verify first, then one assignment) never changes a request mid-flight and needs no
 * restart.
 */
export class ChampionHolder implements ModelProvider {
  private current: ModelPort | null;
  private readonly listeners = new Set<(m: ModelPort) => void>();

  constructor(
    private readonly source: ModelSource,
    initial: ScoringModel | null,
    private readonly reasons: ReasonMapper = catalogReasons,
  ) {
    this.current = initial ? toModelPort(initial, reasons) : null;
  }

  champion(): ModelPort {
    const c = this.current;
    if (!c) throw new UnavailableError("no champion model is loaded");
    return c;
  }

  ready(): boolean {
    return this.current !== null;
  }

  list(): Promise<ModelSummary[]> {
    return this.source.list();
  }

  get(id: string): Promise<ModelSummary | null> {
    return this.source.get(id);
  }

  /** Swaps in an already loaded model (start-up, tests). */
  set(model: ScoringModel): void {
    this.current = toModelPort(model, this.reasons);
    for (const l of this.listeners) l(this.current);
  }

  async promote(id: string, actor: string): Promise<ModelSummary> {
    const model = await this.source.load(id);
    const summary = await this.source.markChampion(id, actor);
    this.set(model);
    return summary;
  }

  /** Calls `fn` after every swap. */
  onChange(fn: (m: ModelPort) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
}

/**
 * A source over artifact directories given up front (`credit serve --model DIR` uses one). Every artifact
 * is loaded and verified at construction; promotion switches among them and is recorded in memory only.
 * @param championId the first champion (default: the first directory's model).
 * @throws ModelLoadError for an invalid artifact.
 */
export function artifactSource(dirs: string[], championId?: string, clock: () => Date = () => new Date()): { source: ModelSource; model: ScoringModel } {
  if (dirs.length === 0) throw new Error("artifactSource needs at least one directory");
  const models = new Map<string, ScoringModel>();
  for (const d of dirs) {
    const m = loadModel(d);
    models.set(m.id, m);
  }
  let champ = championId ?? [...models.keys()][0];
  if (!models.has(champ)) throw new NotFoundError("model", champ);
  const promotedAt = new Map<string, string>();
  const summary = (m: ScoringModel) => ({ ...summaryOf(m, m.id === champ ? "champion" : "candidate"), promotedAt: promotedAt.get(m.id) ?? null });
  return {
    model: models.get(champ)!,
    source: {
      list: async () => [...models.values()].map(summary),
      get: async (id) => {
        const m = models.get(id);
        return m ? summary(m) : null;
      },
      load: async (id) => {
        const m = models.get(id);
        if (!m) throw new NotFoundError("model", id);
        return m;
      },
      markChampion: async (id) => {
        const m = models.get(id);
        if (!m) throw new NotFoundError("model", id);
        champ = id;
        promotedAt.set(id, clock().toISOString());
        return summary(m);
      },
    },
  };
}

/** A source with exactly one artifact (`credit serve --model DIR`). */
export function singleArtifactSource(dir: string): { source: ModelSource; model: ScoringModel } {
  return artifactSource([dir]);
}

import { AppError } from "../../src/shared";
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { MANIFEST_FILE, MANIFEST_VERSION, MODEL_FORMAT_VERSION, sha256, type Manifest } from "../../src/scoring";
import type { TableSchema } from "../data/csv";
import type { TrainedModel } from "./auto";

/**
 * Writes a trained model as a portable artifact directory: model.json (inference spec), metrics.json,
 * scorecard points (CSV + estimator JSON) when a scorecard was trained, the network's weights (mlp.json:
 * input transform + dense layers as plain arrays) when an MLP was trained, report.html, and manifest.json
 * with the sha256 of every file. Files are written to a temporary sibling directory and renamed into place,
 * so a reader never sees a half-written artifact.
 */

/** Identity and provenance of an artifact. */
export interface ArtifactMeta {
  id: string;
  name: string;
  version: string;
  /** ISO instant of creation (passed in: training code never reads the clock). */
  created: string;
  fingerprint: string;
  source: string;
  schema: TableSchema;
  notes: string[];
}

/**
 * Writes the artifact to `dir` (created or replaced).
 * @param reportHtml the rendered HTML report (or null to omit it).
 * @returns the manifest written.
 */
export function writeArtifact(dir: string, model: TrainedModel, meta: ArtifactMeta, reportHtml: string | null): Manifest {
  const target = resolve(dir);
  if (existsSync(target) && readdirSync(target).length > 0 && !existsSync(join(target, MANIFEST_FILE))) {
    throw new AppError(400, "output-not-empty", "Output directory not empty", `--out '${dir}' exists and is not a model artifact; choose an empty or new directory`);
  }
  const tmp = `${target}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const files: Record<string, string> = {};
  const put = (name: string, content: string) => {
    writeFileSync(join(tmp, name), content);
    files[name] = sha256(readFileSync(join(tmp, name)));
  };
  put("model.json", JSON.stringify(model.spec));
  put("metrics.json", JSON.stringify(model.metrics, null, 2));
  if (model.scorecard) {
    put("scorecard.csv", model.scorecard.fitted.toCsv());
    put("scorecard.json", JSON.stringify(model.scorecard.fitted.toJSON()));
  }
  if (model.candidateSpecs.mlp) put("mlp.json", JSON.stringify(model.candidateSpecs.mlp));
  if (reportHtml !== null) put("report.html", reportHtml);
  const v = model.metrics.validation;
  const t = model.metrics.test;
  const manifest: Manifest = {
    manifestVersion: MANIFEST_VERSION,
    formatVersion: MODEL_FORMAT_VERSION,
    id: meta.id,
    name: meta.name,
    version: meta.version,
    kind: model.champion,
    created: meta.created,
    trainingData: { fingerprint: meta.fingerprint, rows: model.metrics.train.n + v.n, source: meta.source },
    schema: {
      target: meta.schema.target,
      positive: meta.schema.positive,
      negative: meta.schema.negative,
      features: meta.schema.features,
      dropped: meta.schema.dropped,
      decimalComma: meta.schema.decimalComma,
    },
    params: model.params,
    metrics: {
      validation: { auc: v.auc, gini: v.gini, ks: v.ks, brier: v.brier, logloss: v.logloss },
      ...(t ? { test: { auc: t.auc, gini: t.gini, ks: t.ks, brier: t.brier, logloss: t.logloss, psi: t.psi } } : {}),
      candidates: Object.fromEntries(Object.entries(model.metrics.candidates).map(([k, c]) => [k, c.validAuc])),
    },
    files,
  };
  (manifest as Manifest & { notes: string[] }).notes = [...meta.notes, ...model.notes];
  writeFileSync(join(tmp, MANIFEST_FILE), JSON.stringify(manifest, null, 2));
  if (existsSync(target)) rmSync(target, { recursive: true, force: true });
  mkdirSync(resolve(target, ".."), { recursive: true });
  renameSync(tmp, target);
  return manifest;
}

import { Counter, Gauge, Histogram, register, type Registry } from "prom-client";
import type { Database } from "../db";

/**
 * Job metrics in prom-client's default registry (the API's /metrics serves it): runs by outcome, durations,
 * and the drift gauges the drift job sets.
 */
export interface JobMetrics {
  runs: Counter<"job" | "status">;
  duration: Histogram<"job">;
  /** PSI of the score (`feature="score"`) and of each feature, recent vs training. */
  psi: Gauge<"model" | "feature">;
  /** 0 ok, 1 watch, 2 act. */
  driftLevel: Gauge<"model">;
  webhookDeliveries: Counter<"status">;
}

let metrics: JobMetrics | undefined;

function getOrCreate<T>(name: string, make: () => T): T {
  return (register.getSingleMetric(name) as T | undefined) ?? make();
}

export function jobMetrics(): JobMetrics {
  metrics ??= {
    runs: getOrCreate("credit_job_runs_total", () => new Counter({ name: "credit_job_runs_total", help: "Job attempts by outcome", labelNames: ["job", "status"] as const })),
    duration: getOrCreate("credit_job_duration_seconds", () =>
      new Histogram({ name: "credit_job_duration_seconds", help: "Job run duration", labelNames: ["job"] as const, buckets: [0.1, 1, 10, 60, 300, 1800, 7200] }),
    ),
    psi: getOrCreate("credit_drift_psi", () => new Gauge({ name: "credit_drift_psi", help: "Population stability index, recent vs training", labelNames: ["model", "feature"] as const })),
    driftLevel: getOrCreate("credit_drift_level", () => new Gauge({ name: "credit_drift_level", help: "Drift alert level: 0 ok, 1 watch, 2 act", labelNames: ["model"] as const })),
    webhookDeliveries: getOrCreate("credit_webhook_deliveries_total", () =>
      new Counter({ name: "credit_webhook_deliveries_total", help: "Collections webhook delivery attempts by outcome", labelNames: ["status"] as const }),
    ),
  };
  return metrics;
}

const LEVEL_VALUE: Record<string, number> = { ok: 0, watch: 1, act: 2 };

/**
 * Registers the job metrics in an app's registry (the API's /metrics). The drift gauges there read the
 * latest DriftReport at scrape time, so an API process shows drift computed by a worker on another machine.
 */
export function registerJobMetrics(registry: Registry, db: Database): void {
  const m = jobMetrics();
  for (const metric of [m.runs, m.duration, m.webhookDeliveries] as unknown as Parameters<Registry["registerMetric"]>[0][]) {
    if (!registry.getSingleMetric((metric as unknown as { name: string }).name)) registry.registerMetric(metric);
  }
  if (registry.getSingleMetric("credit_drift_latest_psi")) return;
  new Gauge({
    name: "credit_drift_latest_psi",
    help: "PSI of the latest drift report, by model and feature (feature=score for the score)",
    labelNames: ["model", "feature"] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const r = await db.prisma.driftReport.findFirst({ orderBy: [{ createdAt: "desc" }, { id: "desc" }] });
      if (!r) return;
      this.set({ model: r.modelId, feature: "score" }, r.scorePsi);
      const feats = (r.features ?? []) as { feature: string; psi: number }[];
      for (const f of Array.isArray(feats) ? feats : []) if (Number.isFinite(f.psi)) this.set({ model: r.modelId, feature: f.feature }, f.psi);
    },
  });
  new Gauge({
    name: "credit_drift_latest_level",
    help: "Level of the latest drift report: 0 ok, 1 watch (PSI >= 0.1), 2 act (PSI >= 0.25)",
    labelNames: ["model"] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const r = await db.prisma.driftReport.findFirst({ orderBy: [{ createdAt: "desc" }, { id: "desc" }] });
      if (r) this.set({ model: r.modelId }, LEVEL_VALUE[r.level] ?? 0);
    },
  });
}

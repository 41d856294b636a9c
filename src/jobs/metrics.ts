import { Counter, Gauge, Histogram, register } from "prom-client";

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

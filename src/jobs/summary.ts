import type { JobRun } from "./types";

/** A one-line summary of a run's result for lists (`credit jobs`, the console). */
export function summarizeRun(run: JobRun): string {
  if (run.status === "failed") return `failed: ${run.error ?? "unknown error"}`;
  if (run.status !== "completed") return run.error ? `${run.status} (last error: ${run.error})` : run.status;
  const r = (run.result ?? {}) as Record<string, unknown>;
  if (typeof r.summary === "string") return r.summary;
  const { params: _params, ...rest } = r;
  return JSON.stringify(rest).slice(0, 200);
}

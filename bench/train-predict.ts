/**
 * `npm run bench:predict`: single-row latency of the compiled scoring runtime (ScoringModel.predict and
 * explain) on a model artifact, in microseconds per call, after warm-up.
 *
 * usage: npm run bench:predict -- MODEL_DIR [CSV]   (default CSV: ../shared/data/uci-taiwan-test.csv)
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parse } from "csv-parse/sync";
import { loadModel } from "../src/scoring";

const dir = process.argv[2];
if (!dir) {
  console.error("usage: npm run bench:predict -- MODEL_DIR [CSV]");
  process.exit(2);
}
const csv = resolve(process.argv[3] ?? resolve(import.meta.dirname, "../../shared/data/uci-taiwan-test.csv"));
const model = loadModel(dir);
const rows = (parse(readFileSync(csv, "utf8"), { columns: true, delimiter: readFileSync(csv, "utf8").split("\n")[0].includes(";") ? ";" : "," }) as Record<string, string>[]).slice(0, 2000);
const records = rows.map((r) => Object.fromEntries(model.features.map((f) => [f.name, f.kind === "numeric" && r[f.name] !== "" ? Number(r[f.name]) : r[f.name]])));

function time(label: string, fn: (r: Record<string, unknown>) => unknown, iterations: number) {
  for (let i = 0; i < Math.min(iterations, 2000); i++) fn(records[i % records.length]);
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  let sink = 0;
  for (let i = 0; i < iterations; i++) {
    const out = fn(records[i % records.length]);
    sink += typeof out === "number" ? out : 1;
  }
  const c = process.cpuUsage(c0);
  const ns = Number(process.hrtime.bigint() - t0) / iterations;
  // CPU time per op is what the code costs; wall time also counts time the OS gave to other processes.
  const cpuNs = ((c.user + c.system) * 1000) / iterations;
  console.log(`${label.padEnd(13)} ${(cpuNs / 1000).toFixed(2)} µs CPU/op (${Math.round(1e9 / cpuNs).toLocaleString("en-US")} ops/s per core), wall ${(ns / 1000).toFixed(2)} µs/op [${sink > 0 ? "ok" : ""}]`);
}

console.log(`model ${model.id} (${model.kind}), ${model.features.length} features, ${records.length} distinct rows`);
time("predict", (r) => model.predict(r), 100_000);
time("explain", (r) => model.explain(r), 5_000);
time("explain/path", (r) => model.explain(r, { method: "path" }), 20_000);

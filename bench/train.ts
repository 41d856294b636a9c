/**
 * `npm run bench:train`: the product's headline number. Trains `credit train --model auto` on the UCI
 * Taiwan split in ../shared/data through the CLI, scores the test file with `credit predict`, computes the
 * test AUC from the `pd` column, and prints it with the wall (and CPU) seconds of the training run. Then
 * runs the reference peers (XGBoost 1.7 and scikit-learn's logistic regression,
 * ../shared/bench/peer_models.py) on the same split for a side-by-side comparison.
 *
 * Options (env): BENCH_DATA (default ../shared/data), BENCH_SEED (default 42), BENCH_MODEL (default auto),
 * BENCH_SKIP_PEERS=1.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parse } from "csv-parse/sync";
import { auc } from "../src/numeric";

const root = resolve(import.meta.dirname, "..");
const data = resolve(root, process.env.BENCH_DATA ?? "../shared/data");
const train = join(data, "uci-taiwan-train.csv");
const test = join(data, "uci-taiwan-test.csv");
if (!existsSync(train) || !existsSync(test)) {
  console.error(`bench:train needs ${train} and ${test}`);
  process.exit(2);
}
const work = mkdtempSync(join(tmpdir(), "bench-train-"));
const modelDir = join(work, "model");
const predOut = join(work, "pred.csv");
const cli = join(root, "bin", "credit.mjs");
const hasTime = existsSync("/usr/bin/time");

function run(args: string[]): { wall: number; cpu: number | null } {
  const t0 = performance.now();
  const cmd = hasTime ? "/usr/bin/time" : process.execPath;
  const full = hasTime ? ["-f", "__cpu %U %S", process.execPath, cli, ...args] : [cli, ...args];
  const r = spawnSync(cmd, full, { cwd: root, encoding: "utf8", env: { ...process.env, LOG_LEVEL: "warn" } });
  const wall = (performance.now() - t0) / 1000;
  if (r.status !== 0) {
    process.stderr.write(r.stdout + r.stderr);
    throw new Error(`credit ${args[0]} failed with status ${r.status}`);
  }
  process.stdout.write(r.stdout);
  const m = /__cpu ([\d.]+) ([\d.]+)/.exec(r.stderr);
  return { wall, cpu: m ? Number(m[1]) + Number(m[2]) : null };
}

const seed = process.env.BENCH_SEED ?? "42";
const model = process.env.BENCH_MODEL ?? "auto";
console.log(`# credit train --model ${model} on the UCI Taiwan split (seed ${seed})`);
const tr = run(["train", "--train", train, "--test", test, "--target", "target", "--out", modelDir, "--model", model, "--seed", seed, "--quiet"]);
const pr = run(["predict", "--model", modelDir, "--input", test, "--out", predOut, "--quiet"]);
const rows = parse(readFileSync(predOut, "utf8"), { columns: true }) as Record<string, string>[];
const y = rows.map((r) => Number(r.target));
const pd = rows.map((r) => Number(r.pd));
const testAuc = auc(y, pd);
const metrics = JSON.parse(readFileSync(join(modelDir, "metrics.json"), "utf8")) as { candidates: Record<string, { validAuc: number }>; model: string };
const cpu = (x: number | null) => (x === null ? "" : ` (CPU ${x.toFixed(1)} s)`);
console.log("");
console.log(`ours  ${model.padEnd(8)} test AUC ${testAuc.toFixed(4)} from the pd column of ${rows.length} rows; champion ${metrics.model}`);
console.log(`      validation AUC by candidate: ${Object.entries(metrics.candidates).map(([k, c]) => `${k} ${c.validAuc.toFixed(4)}`).join(", ")}`);
console.log(`      train wall ${tr.wall.toFixed(1)} s${cpu(tr.cpu)}, predict wall ${pr.wall.toFixed(1)} s${cpu(pr.cpu)}`);
const load = readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
console.log(`      machine load average ${load} (wall time is inflated when other work shares the 2 cores)`);

if (process.env.BENCH_SKIP_PEERS !== "1") {
  const peerDir = join(work, "peer");
  mkdirSync(peerDir);
  symlinkSync(train, join(peerDir, "train.csv"));
  symlinkSync(test, join(peerDir, "test.csv"));
  writeFileSync(join(peerDir, "meta.json"), JSON.stringify({ target: "target" }));
  const script = resolve(root, "../shared/bench/peer_models.py");
  const check = spawnSync("/usr/bin/python3", ["-c", "import xgboost, sklearn"], { encoding: "utf8" });
  if (!existsSync(script)) console.log(`peers skipped: ${script} not found`);
  else if (check.status !== 0) console.log("peers skipped: /usr/bin/python3 lacks xgboost/sklearn (apt-get install -y python3-xgboost python3-sklearn)");
  else {
    const r = spawnSync("/usr/bin/python3", [script, peerDir], { encoding: "utf8" });
    if (r.status !== 0) console.log(`peers failed: ${r.stderr.trim().split("\n").pop()}`);
    for (const line of r.stdout.trim().split("\n").filter(Boolean)) {
      const p = JSON.parse(line) as { model: string; auc: number; fit_s: number };
      console.log(`peer  ${p.model.padEnd(14)} test AUC ${p.auc.toFixed(4)}, fit ${p.fit_s.toFixed(1)} s`);
    }
  }
}
rmSync(work, { recursive: true, force: true });

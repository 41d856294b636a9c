#!/usr/bin/env node
// npm run bench:score — POST /score capacity and tail latency, side by side with the FastAPI + XGBoost peer
// (../shared/bench/peer_server.py), both measured with wrk and the same score.lua in the same run.
//
//   capacity: wrk -t1 -c16 -d10s --latency               (as fast as they go)
//   tail:     the same with DELAY_MS=4 in score.lua        (paced to just under 4,000 req/s)
//
// Env: BENCH_SECONDS (default 10); BENCH_MODELS: UCI model kinds to serve, trained once with
// `credit train --model <kind>` into data/runtime/bench/uci-<kind> (default "scorecard,auto": the WoE
// scorecard, whose exact explanation is points per characteristic, and the default blend, whose exact
// TreeSHAP explanation costs milliseconds per row); BENCH_MODEL_DIR (serve this artifact instead);
// BENCH_SKIP_PEER=1 (only this server); AUDIT_FLUSH_MS (passed to the server).
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const shared = resolve(root, "../shared");
const lua = join(shared, "bench/score.lua");
const trainCsv = join(shared, "data/uci-taiwan-train.csv");
const testCsv = join(shared, "data/uci-taiwan-test.csv");
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const apiKey = "bench-key-0123456789abcdef";
const children = [];

function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const p = s.address().port;
      s.close(() => res(p));
    });
    s.on("error", rej);
  });
}

function start(cmd, args, env, name) {
  const c = spawn(cmd, args, { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "pipe"] });
  let err = "";
  c.stderr.on("data", (d) => (err = (err + d).slice(-4000)));
  c.on("exit", (code) => {
    if (code && !c.killed) process.stderr.write(`${name} exited with ${code}:\n${err}\n`);
  });
  children.push(c);
  return c;
}

async function waitReady(url, init, what, timeoutMs = 180_000) {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    try {
      const r = await fetch(url, init);
      if (r.ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${what} did not become ready at ${url}`);
}

function toMs(s) {
  const m = /^([\d.]+)(us|ms|s)$/.exec(s);
  if (!m) return NaN;
  return Number(m[1]) * (m[2] === "us" ? 0.001 : m[2] === "s" ? 1000 : 1);
}

function wrk(url, { delayMs, withKey, duration = seconds }) {
  const env = { ...process.env };
  if (withKey) env.API_KEY = apiKey;
  else delete env.API_KEY;
  if (delayMs) env.DELAY_MS = String(delayMs);
  else delete env.DELAY_MS;
  const r = spawnSync("wrk", ["-t1", "-c16", `-d${duration}s`, "--latency", "-s", lua, url], { env, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`wrk failed: ${r.stderr}`);
  const out = r.stdout;
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
  const pct = (p) => toMs(new RegExp(`^\\s+${p}%\\s+(\\S+)`, "m").exec(out)?.[1] ?? "");
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
  const errors = /Socket errors:.*/.exec(out)?.[0] ?? "";
  return { rps, p50: pct(50), p90: pct(90), p99: pct(99), non2xx, errors, raw: out };
}

function cleanup() {
  for (const c of children) if (c.exitCode === null) c.kill("SIGTERM");
}
process.on("exit", cleanup);
process.on("SIGINT", () => process.exit(130));

async function main() {
  if (spawnSync("wrk", ["--version"]).error) throw new Error("wrk is not installed (apt-get install -y wrk)");
  const work = mkdtempSync(join(tmpdir(), "bench-score-"));
  const cache = join(root, "data/runtime/bench");
  mkdirSync(cache, { recursive: true });

  // 1. The UCI models: reuse or train once with the training CLI.
  const targets = [];
  if (process.env.BENCH_MODEL_DIR) targets.push({ kind: "given", dir: resolve(process.env.BENCH_MODEL_DIR) });
  else {
    for (const kind of (process.env.BENCH_MODELS ?? "scorecard,auto").split(",").map((k) => k.trim()).filter(Boolean)) {
      const dir = join(cache, `uci-${kind}`);
      if (!existsSync(join(dir, "model.json"))) {
        process.stderr.write(`training the UCI ${kind} model into ${dir} ...\n`);
        const t = spawnSync(process.execPath, [join(root, "bin/credit.mjs"), "train", "--train", trainCsv, "--test", testCsv, "--target", "target", "--model", kind, "--out", dir, "--quiet"], {
          cwd: root,
          stdio: ["ignore", "inherit", "inherit"],
        });
        if (t.status !== 0) throw new Error("training failed");
      }
      targets.push({ kind, dir });
    }
  }

  const body = JSON.stringify({ features: { LIMIT_BAL: 20000, SEX: 2, EDUCATION: 2, MARRIAGE: 1, AGE: 24, PAY_0: 2 } });

  // 2. The peer: FastAPI + uvicorn + XGBoost trained on the same train.csv.
  let peer = null;
  let peerProc = null;
  if (!process.env.BENCH_SKIP_PEER) {
    const peerDir = join(work, "peer");
    mkdirSync(peerDir);
    symlinkSync(trainCsv, join(peerDir, "train.csv"));
    writeFileSync(join(peerDir, "meta.json"), JSON.stringify({ target: "target" }));
    const peerPort = await freePort();
    peerProc = start("/usr/bin/python3", [join(shared, "bench/peer_server.py"), peerDir, String(peerPort)], {}, "peer server");
    peer = `http://127.0.0.1:${peerPort}/score`;
    await waitReady(peer, { method: "POST", headers: { "content-type": "application/json" }, body }, "peer server");
  }

  // 3. Ours: `credit serve` on each artifact in turn (fresh SQLite audit database each), measured between
  // peer runs so that drift in the machine's load affects both sides alike.
  const results = [];
  if (peer) {
    wrk(peer, { duration: 3 });
    results.push({ name: "FastAPI + XGBoost peer", cap: wrk(peer, {}), tail: wrk(peer, { delayMs: 4 }) });
  }
  for (const t of targets) {
    const port = await freePort();
    const proc = start(process.execPath, [join(root, "bin/credit.mjs"), "serve", "--model", t.dir, "--port", String(port), "--host", "127.0.0.1"], {
      CREDIT_API_KEY: apiKey,
      DATABASE_URL: `file:${join(work, `bench-${t.kind}.db`)}`,
      LOG_LEVEL: "warn",
      NODE_ENV: "production",
      // A capacity benchmark: the per-key rate limit (default 10k/s sustained) must not be what it measures.
      RATE_LIMIT_PER_MINUTE: "10000000",
    }, "credit serve");
    const url = `http://127.0.0.1:${port}/score`;
    await waitReady(url, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${apiKey}` }, body }, "credit serve");
    wrk(url, { withKey: true, duration: 3 });
    results.push({ name: `credit serve, UCI ${t.kind}`, cap: wrk(url, { withKey: true }), tail: wrk(url, { withKey: true, delayMs: 4 }), ours: true });
    proc.kill("SIGTERM");
    await new Promise((r) => proc.once("exit", r));
  }
  if (peer) {
    // The peer again, after ours: its figure is the mean of the two runs.
    const again = { cap: wrk(peer, {}), tail: wrk(peer, { delayMs: 4 }) };
    const p = results[0];
    const mean = (a, b) => ({ rps: (a.rps + b.rps) / 2, p50: (a.p50 + b.p50) / 2, p90: (a.p90 + b.p90) / 2, p99: (a.p99 + b.p99) / 2, non2xx: a.non2xx + b.non2xx, errors: a.errors || b.errors });
    p.cap = mean(p.cap, again.cap);
    p.tail = mean(p.tail, again.tail);
    p.name += " (mean of 2 runs)";
  }

  const f = (x, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : "n/a");
  const line = (name, r) => `${name.padEnd(44)} ${f(r.rps, 0).padStart(9)} ${f(r.p50).padStart(8)} ${f(r.p90).padStart(8)} ${f(r.p99).padStart(8)} ${String(r.non2xx).padStart(6)}`;
  const head = `${"".padEnd(44)} ${"req/s".padStart(9)} ${"p50 ms".padStart(8)} ${"p90 ms".padStart(8)} ${"p99 ms".padStart(8)} ${"non2xx".padStart(6)}`;
  const out = [];
  const peerRow = peer ? results[0] : null;
  out.push(`POST /score, UCI models, {"features": ...} body, wrk -t1 -c16 -d${seconds}s --latency, ${new Date().toISOString()}`);
  out.push("");
  out.push("Capacity (16 connections, as fast as they go)");
  out.push(head);
  for (const r of results) out.push(line(r.name, r.cap) + (peerRow && r.ours ? `   ${f(r.cap.rps / peerRow.cap.rps)}x the peer (target >= 2x)` : ""));
  out.push("");
  out.push("Tail latency (16 connections paced with DELAY_MS=4, just under 4,000 req/s offered)");
  out.push(head);
  for (const r of results) out.push(line(r.name, r.tail) + (peerRow && r.ours ? `   p99 ${r.tail.p99 < peerRow.tail.p99 ? "below" : "ABOVE"} the peer's (target: lower)` : ""));
  for (const r of results) for (const [k, x] of [["capacity", r.cap], ["tail", r.tail]]) if (x.errors) out.push(`  ${r.name} ${k}: ${x.errors}`);
  process.stdout.write(out.join("\n") + "\n");
  cleanup();
  rmSync(work, { recursive: true, force: true });
}

main().catch((e) => {
  process.stderr.write(`bench:score failed: ${e.message}\n`);
  cleanup();
  process.exit(1);
});

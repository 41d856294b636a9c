import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { openDatabase, seedDemo } from "../../src/db";
import { trainFromDatabase } from "../../training";

/**
 * Crash-durability harness shared by the kill test (short) and `npm run bench:kill` (full): prepares a
 * database and a small model, runs `credit serve` as a child process, drives POST /score with orders,
 * SIGKILLs or SIGTERMs the child, and checks which answered decisions are in the database.
 */

const ROOT = join(import.meta.dirname, "..", "..");
export const KILL_KEY = "kill-test-key-0123456789abcdef";

/** Seeds `customers` demo customers into `databaseUrl` and trains a scorecard. @returns its directory and customer ids. */
export async function prepare(databaseUrl: string, customers = 60): Promise<{ modelDir: string; customers: string[]; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), "kill-"));
  const db = await openDatabase(databaseUrl);
  try {
    await seedDemo(db, { customers, seed: 5, asOf: "2026-11-01" });
    const sc = await trainFromDatabase(db, { out: join(dir, "model"), now: new Date("2026-11-01T00:00:00Z"), model: "scorecard", name: "kill-scorecard" });
    const ids = (await db.prisma.customer.findMany({ select: { externalId: true }, take: 200 })).map((c) => c.externalId);
    return { modelDir: sc.dir, customers: ids, dir };
  } finally {
    await db.close();
  }
}

export interface Child {
  proc: ChildProcess;
  url: string;
  pid: number;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Lines the child wrote to stdout/stderr (last 200). */
  log: string[];
}

/** Starts `node bin/credit.mjs serve --model DIR --port 0` and resolves once it listens. @throws when it exits first or takes over 60 s. */
export async function startChild(databaseUrl: string, modelDir: string, env: Record<string, string> = {}): Promise<Child> {
  const proc = spawn(process.execPath, [join(ROOT, "bin", "credit.mjs"), "serve", "--model", modelDir, "--port", "0", "--host", "127.0.0.1"], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: databaseUrl, CREDIT_API_KEY: KILL_KEY, LOG_LEVEL: "info", VITEST: "", NODE_ENV: "test", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const log: string[] = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.once("exit", (code, signal) => resolve({ code, signal })));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`credit serve did not start in 60 s:\n${log.join("\n")}`)), 60_000);
    const onLine = (line: string) => {
      log.push(line);
      if (log.length > 200) log.shift();
      const m = /"url":"(http:\/\/[^"]+)"/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    createInterface({ input: proc.stdout! }).on("line", onLine);
    createInterface({ input: proc.stderr! }).on("line", onLine);
    void exited.then((e) => {
      clearTimeout(timer);
      reject(new Error(`credit serve exited (${e.code ?? e.signal}) before listening:\n${log.join("\n")}`));
    });
  });
  return { proc, url, pid: proc.pid!, exited, log };
}

/** One POST with node:http. @returns status and body text, or throws the socket error (code: ECONNRESET, ECONNREFUSED, ...). */
export function post(url: string, path: string, body: unknown, agent: http.Agent | false, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  const data = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(url + path, { method: "POST", agent, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(data), authorization: `Bearer ${KILL_KEY}`, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(data);
  });
}

export interface LoadResult {
  /** decisionIds of every 200 answer received. */
  ok: string[];
  /** Requests that failed at the socket level (the kill), by error code. */
  failed: Record<string, number>;
  /** Non-200 HTTP answers, by status. */
  http: Record<number, number>;
}

/**
 * Fires POST /score with orders from `concurrency` loops until `stop()` resolves, then lets the requests
 * in flight settle. Order ids are unique per run (`prefix-<loop>-<n>`).
 */
export async function drive(url: string, customers: string[], opts: { concurrency: number; prefix: string; until: Promise<unknown>; progress?: LoadResult }): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.concurrency });
  const res: LoadResult = opts.progress ?? { ok: [], failed: {}, http: {} };
  let stopped = false;
  void opts.until.then(() => (stopped = true));
  const loop = async (w: number) => {
    for (let n = 0; !stopped; n++) {
      const body = { customerId: customers[(w * 7919 + n) % customers.length], order: { id: `${opts.prefix}-${w}-${n}`, amount: 100 + ((w * 31 + n) % 5000) } };
      try {
        const r = await post(url, "/score", body, agent);
        if (r.status === 200) res.ok.push((JSON.parse(r.text) as { decisionId: string }).decisionId);
        else res.http[r.status] = (res.http[r.status] ?? 0) + 1;
      } catch (e) {
        const code = (e as { code?: string }).code ?? "error";
        res.failed[code] = (res.failed[code] ?? 0) + 1;
        if (stopped || code === "ECONNREFUSED") return;
        await new Promise((r) => setTimeout(r, 5));
      }
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, (_, w) => loop(w)));
  agent.destroy();
  return res;
}

/** The ids in `ids` that the Decision table of `databaseUrl` does not have. */
export async function missingDecisions(databaseUrl: string, ids: string[]): Promise<string[]> {
  const db = await openDatabase(databaseUrl, { migrate: false });
  try {
    const found = new Set<string>();
    for (let i = 0; i < ids.length; i += 500) {
      const rows = await db.prisma.decision.findMany({ where: { id: { in: ids.slice(i, i + 500) } }, select: { id: true } });
      for (const r of rows) found.add(r.id);
    }
    return ids.filter((id) => !found.has(id));
  } finally {
    await db.close();
  }
}

/**
 * One kill cycle: start the child on the database, drive load, SIGKILL it once `killAfterOk` answers
 * were received (or after `maxMs`), and return the answered decision ids (the caller checks them after a
 * restart). Requests are in flight at the kill.
 */
export async function killCycle(
  databaseUrl: string,
  modelDir: string,
  customers: string[],
  opts: { concurrency: number; killAfterOk: number; maxMs?: number; prefix: string },
): Promise<LoadResult & { pid: number; log: string[] }> {
  const child = await startChild(databaseUrl, modelDir);
  let killed!: () => void;
  const until = new Promise<void>((r) => (killed = r));
  const progress: LoadResult = { ok: [], failed: {}, http: {} };
  const load = drive(child.url, customers, { concurrency: opts.concurrency, prefix: opts.prefix, until, progress });
  const t0 = Date.now();
  while (progress.ok.length < opts.killAfterOk && Date.now() - t0 < (opts.maxMs ?? 30_000)) await new Promise((r) => setTimeout(r, 20));
  child.proc.kill("SIGKILL");
  await child.exited;
  killed();
  const res = await load;
  return { ...res, pid: child.pid, log: child.log };
}

export { dirname };

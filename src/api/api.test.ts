import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../config";
import { openDatabase, seedDemo, type Database } from "../db";
import { artifactSource } from "../decisions";
import { createLogger } from "../shared";
import { trainFromDatabase } from "../../training";
import { contract } from "./contract";
import { createApp, openRuntime, startServer, type RunningServer, type Runtime } from ".";

const KEY = "test-key-0123456789abcdef";
const NOW = new Date("2026-11-02T09:00:00.000Z");

let dir: string;
let db: Database;
let rt: Runtime;
let server: RunningServer;
let scorecardId: string;
let gbdtId: string;
let customer: string;

interface Res {
  status: number;
  type: string;
  body: any;
  text: string;
}

async function call(method: string, path: string, opts: { body?: unknown; raw?: string; key?: string | null; headers?: Record<string, string> } = {}): Promise<Res> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.key !== null) headers.authorization = `Bearer ${opts.key ?? KEY}`;
  let body: string | undefined;
  if (opts.raw !== undefined) body = opts.raw;
  else if (opts.body !== undefined) body = JSON.stringify(opts.body);
  if (body !== undefined && !headers["content-type"]) headers["content-type"] = "application/json";
  const r = await fetch(server.url + path, { method, headers, body });
  const text = await r.text();
  const type = r.headers.get("content-type") ?? "";
  return { status: r.status, type, text, body: type.includes("json") ? JSON.parse(text) : undefined };
}

/** Asserts that a body satisfies a schema of openapi.yaml. */
function conforms(schema: string, body: unknown): void {
  expect(contract().issues(schema, body)).toEqual([]);
}

function expectProblem(r: Res, status: number, type: string): void {
  expect(r.status).toBe(status);
  expect(r.type).toContain("application/problem+json");
  expect(r.body.type).toBe(`/problems/${type}`);
  expect(r.body.status).toBe(status);
  expect(typeof r.body.title).toBe("string");
  conforms("Problem", r.body);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "api-test-"));
  const url = `file:${join(dir, "api.db")}`;
  db = await openDatabase(url);
  await seedDemo(db, { customers: 150, seed: 7, asOf: "2026-11-01" });
  const sc = await trainFromDatabase(db, { out: join(dir, "scorecard"), now: new Date("2026-11-01T00:00:00Z"), model: "scorecard", name: "t-scorecard" });
  const gb = await trainFromDatabase(db, { out: join(dir, "gbdt"), now: new Date("2026-11-01T00:00:00Z"), model: "gbdt", name: "t-gbdt" });
  scorecardId = sc.manifest.id;
  gbdtId = gb.manifest.id;
  const config = loadConfig({ DATABASE_URL: url, CREDIT_API_KEY: KEY, POLICY_FILE: "policy/default.yaml", AUDIT_FLUSH_MS: "0", LOG_LEVEL: "silent" });
  const { source, model } = artifactSource([sc.dir, gb.dir], scorecardId, () => NOW);
  rt = await openRuntime(config, { logger: createLogger("test"), db, models: { source, champion: model }, clock: () => NOW });
  server = await startServer(await createApp(rt.ctx), { port: 0, host: "127.0.0.1" });
  const c = await db.prisma.customer.findFirst({ orderBy: { id: "asc" } });
  customer = c!.externalId;
}, 180_000);

afterAll(async () => {
  await server?.stop(2000);
  await rt?.close();
  await db?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("public routes", () => {
  it("GET /healthz and /readyz answer without a key", async () => {
    const h = await call("GET", "/healthz", { key: null });
    expect(h.status).toBe(200);
    conforms("Health", h.body);
    const r = await call("GET", "/readyz", { key: null });
    expect(r.status).toBe(200);
    conforms("Ready", r.body);
    expect(r.body.model.id).toBe(rt.ctx.models.champion().id);
  });

  it("serves the contract at /openapi.yaml and Swagger UI at /docs", async () => {
    const y = await call("GET", "/openapi.yaml", { key: null });
    expect(y.status).toBe(200);
    expect(y.text).toMatch(/^openapi: 3\.1\.0/);
    const d = await fetch(server.url + "/docs/");
    expect(d.status).toBe(200);
    expect(await d.text()).toContain("swagger-ui");
  });

  it("GET /metrics exposes request counts, latency, scores by tier, the model and the audit queue", async () => {
    await call("POST", "/score", { body: { features: {} } });
    const m = await call("GET", "/metrics", { key: null });
    expect(m.status).toBe(200);
    expect(m.text).toMatch(/credit_http_requests_total\{route="\/score",method="POST",status="200"\} \d+/);
    expect(m.text).toContain('credit_http_request_duration_seconds_bucket{le="0.001",route="/score",method="POST"}');
    expect(m.text).toMatch(/credit_scores_total\{tier="[A-D]",decision="[a-z]+"\} \d+/);
    expect(m.text).toContain(`credit_model_info{model_id="${rt.ctx.models.champion().id}"`);
    expect(m.text).toContain("credit_decision_flush_rows_count");
  });
});

describe("auth", () => {
  it("rejects a missing, malformed or wrong key with 401 problem+json", async () => {
    for (const headers of [{}, { authorization: "Basic abc" }, { authorization: "Bearer wrong-key-0123456789" }] as Record<string, string>[]) {
      const r = await call("POST", "/score", { body: { features: {} }, key: null, headers });
      expectProblem(r, 401, "unauthorized");
    }
    expectProblem(await call("GET", "/models", { key: null }), 401, "unauthorized");
    expectProblem(await call("GET", `/decisions/x`, { key: "nope-nope-nope-nope" }), 401, "unauthorized");
  });

  it("accepts the key from CREDIT_API_KEY", async () => {
    expect((await call("GET", "/models")).status).toBe(200);
  });
});

describe("POST /score", () => {
  it("scores a known customer's order with every field, and GET /decisions/{id} returns exactly that answer", async () => {
    const body = { customerId: customer, order: { id: "SO-T-1", amount: 1234.5, currency: "CNY", date: "2026-11-02" } };
    const r = await call("POST", "/score", { body });
    expect(r.status).toBe(200);
    conforms("ScoreResponse", r.body);
    const a = r.body;
    expect(a.kind).toBe("order_check");
    expect(a.customerId).toBe(customer);
    expect(a.orderId).toBe("SO-T-1");
    expect(a.pd).toBeGreaterThan(0);
    expect(a.pd).toBeLessThan(1);
    expect(Number.isInteger(a.score)).toBe(true);
    expect(["A", "B", "C", "D"]).toContain(a.tier);
    expect(a.currency).toBe("CNY");
    expect(a.availableCredit).toBeCloseTo(a.creditLimit - a.exposure, 6);
    expect(a.exposure).toBeGreaterThanOrEqual(1234.5);
    expect(["approve", "review", "hold", "prepay", "reject"]).toContain(a.decision);
    expect(a.model).toEqual({ id: scorecardId, version: "1" });
    expect(a.policyVersion).toMatch(/^2026\.11-default\+[0-9a-f]{12}$/);
    expect(a.scoredAt).toBe(NOW.toISOString());
    for (const reason of a.reasons) {
      expect(reason.code).toMatch(/^R_[A-Z0-9_]+$/);
      expect(reason.contribution).toBeGreaterThan(0);
      expect(reason.text.en.length).toBeGreaterThan(0);
      expect(reason.text.zh.length).toBeGreaterThan(0);
    }
    const contributions = a.reasons.map((x: { contribution: number }) => x.contribution);
    expect(contributions).toEqual([...contributions].sort((x, y) => y - x));

    const d = await call("GET", `/decisions/${a.decisionId}`);
    expect(d.status).toBe(200);
    conforms("StoredDecision", d.body);
    expect(d.body.answer).toEqual(a);
    expect(d.body.input).toEqual(body);
    expect(d.body.kind).toBe("order_check");
    expect(d.body.creditLimitMinor).toBe(Math.round(a.creditLimit * 100));
    expect(Object.keys(d.body.features).length).toBeGreaterThan(10);
    expect(d.body.rules.limitCalculation.calculation.terms.length).toBeGreaterThan(0);

    const o = await db.prisma.order.findUnique({ where: { externalId: "SO-T-1" } });
    expect(o?.decisionId).toBe(a.decisionId);
    expect(Number(o?.amountMinor)).toBe(123450);
    expect(o?.status).toBe({ approve: "approved", review: "review", hold: "held", prepay: "prepay", reject: "rejected" }[a.decision as string]);
  });

  it("scores ad-hoc features (missing columns allowed) and stores them as kind adhoc", async () => {
    const r = await call("POST", "/score", { body: { features: { invoice_count_90: 3, on_time_share_365: 0.2 } } });
    expect(r.status).toBe(200);
    conforms("ScoreResponse", r.body);
    expect(r.body.kind).toBe("adhoc");
    expect(r.body.creditLimit).toBeNull();
    expect(r.body.customerId).toBeNull();
    const d = await call("GET", `/decisions/${r.body.decisionId}`);
    expect(d.body.answer).toEqual(r.body);
    expect(d.body.kind).toBe("adhoc");
  });

  it("404 for an unknown customer", async () => {
    expectProblem(await call("POST", "/score", { body: { customerId: "NOPE", order: { id: "SO-X", amount: 10 } } }), 404, "not-found");
  });

  it("400 with one entry per bad field: unknown fields and wrong types", async () => {
    const r = await call("POST", "/score", { body: { customerId: 42, order: { id: "SO-1", amount: "12", colour: "red" }, extra: true } });
    expectProblem(r, 400, "validation-error");
    conforms("ValidationProblem", r.body);
    const byPath = Object.fromEntries(r.body.errors.map((e: { path: string }) => [e.path, e]));
    expect(Object.keys(byPath).sort()).toEqual(["/customerId", "/extra", "/order/amount", "/order/colour"]);
    expect(byPath["/customerId"]).toMatchObject({ expected: "string", received: "number 42" });
    expect(byPath["/order/amount"]).toMatchObject({ expected: "number", received: 'string "12"' });
    expect(byPath["/order/colour"]).toMatchObject({ expected: "no such field (unknown field)", received: 'string "red"' });
    expect(byPath["/extra"].received).toBe("boolean true");
  });

  it("400 for missing fields, bad dates and currencies, and unknown or mistyped features", async () => {
    const a = await call("POST", "/score", { body: { customerId: "C1" } });
    expectProblem(a, 400, "validation-error");
    expect(a.body.errors).toEqual([{ path: "/order", expected: "a value (required)", received: "nothing (missing)", message: "/order is required" }]);
    const b = await call("POST", "/score", { body: { customerId: "C1", order: { id: "x", amount: -1, currency: "cny", date: "2026-13-01" } } });
    expect(b.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(["/order/amount", "/order/currency", "/order/date"]);
    const c = await call("POST", "/score", { body: { features: { no_such_feature: 1, invoice_count_90: "many" } } });
    expectProblem(c, 400, "validation-error");
    expect(c.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(["/features/invoice_count_90", "/features/no_such_feature"]);
    const d = await call("POST", "/score", { body: { features: { invoice_count_90: [1] } } });
    expect(d.body.errors[0]).toMatchObject({ path: "/features/invoice_count_90", expected: "number or string or null", received: "array of length 1" });
    const e = await call("POST", "/score", { body: [1, 2] });
    expectProblem(e, 400, "validation-error");
  });

  it("400 for malformed JSON, 415 for another content type, 413 over the size limit", async () => {
    expectProblem(await call("POST", "/score", { raw: '{"features": {' }), 400, "malformed-json");
    expectProblem(await call("POST", "/score", { raw: "" }), 400, "malformed-json");
    expectProblem(await call("POST", "/score", { raw: "features=1", headers: { "content-type": "application/x-www-form-urlencoded" } }), 415, "unsupported-media-type");
    expectProblem(await call("POST", "/score", { raw: JSON.stringify({ features: { x: "y".repeat(1_100_000) } }) }), 413, "payload-too-large");
  });
});

describe("POST /score/batch", () => {
  it("answers every row in order, stores each decision, and uses one model for the batch", async () => {
    const rows = [
      { features: { invoice_count_90: 1 } },
      { customerId: customer, order: { id: "SO-B-1", amount: 10, date: "2026-11-02" } },
      { features: { on_time_share_365: 0.1 } },
    ];
    const r = await call("POST", "/score/batch", { body: { rows } });
    expect(r.status).toBe(200);
    conforms("ScoreBatchResponse", r.body);
    expect(r.body.count).toBe(3);
    expect(r.body.results.map((x: { kind: string }) => x.kind)).toEqual(["batch", "batch", "batch"]);
    expect(r.body.results[1].customerId).toBe(customer);
    expect(r.body.results[1].orderId).toBe("SO-B-1");
    const d = await call("GET", `/decisions/${r.body.results[2].decisionId}`);
    expect(d.body.answer).toEqual(r.body.results[2]);
  });

  it("names the bad row and refuses more than 10,000 rows", async () => {
    const bad = await call("POST", "/score/batch", { body: { rows: [{ features: {} }, { features: { x: 1 }, y: 2 }] } });
    expectProblem(bad, 400, "validation-error");
    expect(bad.body.errors.map((e: { path: string }) => e.path)).toContain("/rows/1/y");
    const many = await call("POST", "/score/batch", { body: { rows: Array.from({ length: 10_001 }, () => ({ features: {} })) } });
    expectProblem(many, 400, "validation-error");
    expect(many.body.errors[0]).toMatchObject({ path: "/rows", expected: "array of at most 10000 items" });
    expectProblem(await call("POST", "/score/batch", { body: { rows: [] } }), 400, "validation-error");
  });
});

describe("GET /decisions/{id} and GET /customers/{id}/credit", () => {
  it("404 for an unknown decision or customer", async () => {
    expectProblem(await call("GET", "/decisions/dec_nope"), 404, "not-found");
    expectProblem(await call("GET", "/customers/NOPE/credit"), 404, "not-found");
  });

  it("shows tier, limit, exposure, the last decisions and the score history", async () => {
    const s = await call("POST", "/score", { body: { customerId: customer, order: { id: "SO-T-2", amount: 99, date: "2026-11-02" } } });
    const r = await call("GET", `/customers/${customer}/credit`);
    expect(r.status).toBe(200);
    conforms("CustomerCredit", r.body);
    expect(r.body.customerId).toBe(customer);
    expect(r.body.tier).toBe(s.body.tier);
    expect(r.body.lastDecisions[0].decisionId).toBe(s.body.decisionId);
    expect(r.body.lastPd).toBe(s.body.pd);
    expect(r.body.scoreHistory.some((p: { decisionId: string }) => p.decisionId === s.body.decisionId)).toBe(true);
    expect(typeof r.body.exposure).toBe("number");
  });
});

describe("models", () => {
  it("lists models with the champion, and shows one; 404 for an unknown id", async () => {
    const l = await call("GET", "/models");
    conforms("ModelList", l.body);
    expect(l.body.champion.id).toBe(rt.ctx.models.champion().id);
    expect(l.body.models.map((m: { id: string }) => m.id).sort()).toEqual([gbdtId, scorecardId].sort());
    const one = await call("GET", `/models/${gbdtId}`);
    conforms("ModelSummary", one.body);
    expect(one.body.kind).toBe("gbdt");
    expect(one.body.metrics).toBeTypeOf("object");
    expectProblem(await call("GET", "/models/none"), 404, "not-found");
    expectProblem(await call("POST", "/models/none/promote"), 404, "not-found");
  });

  it("promotes without downtime: requests in flight all succeed, later ones report the new model", async () => {
    const before = rt.ctx.models.champion().id;
    const target = before === gbdtId ? scorecardId : gbdtId;
    const fire = (i: number) => call("POST", "/score", { body: { features: { invoice_count_90: i % 7 } } });
    const inflight = Array.from({ length: 60 }, (_, i) => fire(i));
    const promoted = call("POST", `/models/${target}/promote`);
    const more = Array.from({ length: 60 }, (_, i) => fire(i));
    const [p, ...all] = await Promise.all([promoted, ...inflight, ...more]);
    expect(p.status).toBe(200);
    expect(p.body.id).toBe(target);
    expect(p.body.status).toBe("champion");
    for (const r of all) {
      expect(r.status).toBe(200);
      expect([before, target]).toContain(r.body.model.id);
    }
    const after = await Promise.all(Array.from({ length: 5 }, (_, i) => fire(i)));
    for (const r of after) expect(r.body.model.id).toBe(target);
    const m = await call("GET", "/metrics", { key: null });
    expect(m.text).toContain(`credit_model_info{model_id="${target}"`);
    expect(m.text).not.toContain(`credit_model_info{model_id="${before}"`);
  });
});

describe("unknown routes", () => {
  it("404 problem+json", async () => {
    expectProblem(await call("GET", "/nope"), 404, "not-found");
  });
});

describe("contract", () => {
  it("every route the app serves is documented in openapi.yaml, and every component schema compiles", async () => {
    const app = await createApp(rt.ctx);
    const served = new Set<string>();
    const walk = (stack: any[], prefix: string) => {
      for (const layer of stack) {
        if (layer.route) {
          for (const m of Object.keys(layer.route.methods)) served.add(`${m.toUpperCase()} ${prefix}${layer.route.path}`);
        } else if (layer.handle?.stack && layer.slash) walk(layer.handle.stack, prefix); // routers mounted at "/" (a prefixed mount is a static app)
      }
    };
    walk((app as any).router.stack, "");
    const doc = contract().doc;
    const documented = new Set<string>();
    for (const [path, ops] of Object.entries(doc.paths)) for (const m of Object.keys(ops)) documented.add(`${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ":$1")}`);
    // Swagger UI's own asset routes and the console's static app are not API operations.
    const missing = [...served].filter((r) => !documented.has(r) && !r.startsWith("GET /docs") && r !== "GET /openapi.json");
    expect(missing).toEqual([]);
    for (const name of Object.keys(doc.components.schemas)) expect(() => contract().validator(name)).not.toThrow();
  });
});

// Last: stops the shared server.
describe("graceful shutdown", () => {
  it("finishes a request in flight, commits its decisions, then refuses new connections", async () => {
    const rows = Array.from({ length: 3000 }, (_, i) => ({ features: { invoice_count_90: i % 13 } }));
    const arrived = new Promise((r) => server.server.once("request", r));
    const inflight = call("POST", "/score/batch", { body: { rows }, headers: { "x-request-id": "shutdown-test" } });
    await arrived;
    await server.stop(10_000);
    const r = await inflight;
    expect(r.status).toBe(200);
    expect(r.body.count).toBe(3000);
    expect(await db.prisma.decision.count({ where: { requestId: "shutdown-test" } })).toBe(3000);
    await expect(fetch(server.url + "/healthz")).rejects.toThrow();
  });
});

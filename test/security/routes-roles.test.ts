import type { Express } from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PERMISSIONS, ROLES, can, permissionFor, type Role } from "../../src/auth";
import { createApp } from "../../src/api";
import { call, ENV_KEY, startFixture, type Fixture } from "./fixture";

/**
 * Route x role: every secured route, called with a key of each role (and without a key), answers
 * 401 without a key, 403 for a role the permission table excludes, and its own status (never 401/403/5xx)
 * for a role it includes. The matrix below is written from the role definitions, independently
 * of src/auth's table, and the table must equal it.
 */

// e = erp, o = officer, a = analyst, A = admin
const MATRIX: Record<string, string> = {
  "POST /score": "e--A",
  "POST /score/batch": "e--A",
  "PUT /customers": "e--A",
  "PUT /invoices": "e--A",
  "PUT /payments": "e--A",
  "GET /customers/:id/credit": "-oaA",
  "GET /customers/:id/overview": "-oaA",
  "GET /decisions": "-oaA",
  "GET /decisions/:id": "-oaA",
  "GET /decisions/:id/full": "-oaA",
  "GET /orders": "-o-A",
  "GET /overrides": "-oaA",
  "GET /portfolio/summary": "-oaA",
  "GET /collections/worklist": "-o-A",
  "POST /orders/:id/release": "-o-A",
  "POST /orders/:id/reject": "-o-A",
  "POST /collections/actions/:id/record": "-o-A",
  "GET /models": "-oaA",
  "GET /models/:id": "-oaA",
  "GET /models/:id/report": "--aA",
  "POST /models/:id/promote": "--aA",
  "GET /monitoring/models": "-oaA",
  "GET /drift/reports": "--aA",
  "GET /alerts": "-oaA",
  "POST /alerts/:id/ack": "-oaA",
  "GET /jobs": "--aA",
  "GET /jobs/:id": "--aA",
  "POST /jobs/:name/run": "--aA",
  "GET /policy": "-oaA",
  "POST /policy/reload": "---A",
  "GET /me": "eoaA",
  "GET /keys": "---A",
  "POST /keys": "---A",
  "DELETE /keys/:id": "---A",
};
const LETTER: Record<Role, string> = { erp: "e", officer: "o", analyst: "a", admin: "A" };

// The console's static files (mounted under /console by its own router) are public too.
const PUBLIC = new Set(["GET /", "GET /app.js", "GET /app.css", "GET /healthz", "GET /readyz", "GET /metrics", "GET /openapi.yaml", "GET /openapi.json"]);

/** Every method + path the express app routes (nested routers included; `use` mounts such as /docs, /console excluded). */
function servedRoutes(app: Express): string[] {
  const out: string[] = [];
  const walk = (stack: any[]) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const m of Object.keys(layer.route.methods)) if (m !== "_all") out.push(`${m.toUpperCase()} ${layer.route.path}`);
      } else if (layer.handle?.stack && layer.name === "router") {
        walk(layer.handle.stack);
      }
    }
  };
  walk((app as any).router.stack);
  return [...new Set(out)];
}

let fx: Fixture;
let app: Express;

beforeAll(async () => {
  fx = await startFixture({ customers: 60 });
  app = await createApp(fx.rt.ctx);
}, 180_000);
afterAll(async () => fx?.close());

describe("the permission table", () => {
  it("equals the matrix written from the issue's role definitions", () => {
    const fromTable = Object.fromEntries(PERMISSIONS.map((p) => [`${p.method} ${p.path}`, ROLES.map((r) => (p.roles.includes(r) ? LETTER[r] : "-")).join("")]));
    expect(fromTable).toEqual(MATRIX);
  });

  it("covers every secured route the app serves, and lists no route the app does not serve", () => {
    const served = servedRoutes(app).filter((r) => !PUBLIC.has(r));
    expect(served.filter((r) => !(r in MATRIX))).toEqual([]);
    expect(Object.keys(MATRIX).filter((r) => !served.includes(r))).toEqual([]);
  });

  it("matches paths with parameters and refuses unknown routes to all but admin", () => {
    expect(permissionFor("GET", "/decisions/d_1/full")?.path).toBe("/decisions/:id/full");
    expect(permissionFor("GET", "/decisions/d_1")?.path).toBe("/decisions/:id");
    expect(permissionFor("POST", "/score/batch")?.path).toBe("/score/batch");
    expect(can("officer", "GET", "/nope")).toBe(false);
    expect(can("admin", "GET", "/nope")).toBe(true);
  });
});

describe("route x role over HTTP", () => {
  /** A request for each route that an allowed role can make without side effects on other tests. */
  function sample(route: string): { path: string; body?: unknown } {
    const c = fx.customers[0];
    const m = fx.rt.ctx.models.champion().id;
    const samples: Record<string, { path: string; body?: unknown }> = {
      "POST /score": { path: "/score", body: { features: {} } },
      "POST /score/batch": { path: "/score/batch", body: { rows: [{ features: {} }] } },
      "PUT /customers": { path: "/customers", body: [] },
      "PUT /invoices": { path: "/invoices", body: [] },
      "PUT /payments": { path: "/payments", body: [] },
      "GET /customers/:id/credit": { path: `/customers/${c}/credit` },
      "GET /customers/:id/overview": { path: `/customers/${c}/overview` },
      "GET /decisions/:id": { path: "/decisions/d_missing" },
      "GET /decisions/:id/full": { path: "/decisions/d_missing/full" },
      "POST /orders/:id/release": { path: "/orders/o_missing/release", body: { reason: "customer paid the overdue invoice" } },
      "POST /orders/:id/reject": { path: "/orders/o_missing/reject", body: { reason: "customer paid the overdue invoice" } },
      "POST /collections/actions/:id/record": { path: "/collections/actions/999999/record", body: { outcome: "no_answer" } },
      "GET /models/:id": { path: `/models/${m}` },
      "GET /models/:id/report": { path: `/models/${m}/report` },
      "POST /models/:id/promote": { path: "/models/m_missing/promote" },
      "POST /alerts/:id/ack": { path: "/alerts/999999/ack" },
      "GET /jobs/:id": { path: "/jobs/j_missing" },
      "POST /jobs/:name/run": { path: "/jobs/nope/run", body: {} },
      "POST /keys": { path: "/keys", body: { name: "made-by-test", role: "erp" } },
      "DELETE /keys/:id": { path: "/keys/key_000000000000" },
    };
    return samples[route] ?? { path: route.split(" ")[1] };
  }

  it("answers 401 without a key, 403 for excluded roles and the route's own answer for included ones", async () => {
    const table: string[] = [];
    const wrong: string[] = [];
    for (const route of Object.keys(MATRIX)) {
      const method = route.split(" ")[0];
      const s = sample(route);
      const anon = await call(fx.server.url, method, s.path, { body: s.body });
      const row = [`${route.padEnd(38)} none:${anon.status}`];
      if (anon.status !== 401) wrong.push(`${route} without key: ${anon.status}`);
      for (const role of ROLES) {
        const r = await call(fx.server.url, method, s.path, { body: s.body, key: fx.keys[role] });
        row.push(`${role}:${r.status}`);
        const allowed = MATRIX[route].includes(LETTER[role]);
        if (!r.type.includes("json") && r.status >= 400) wrong.push(`${route} as ${role}: ${r.status} is not problem+json`);
        if (allowed ? r.status === 401 || r.status === 403 || r.status >= 500 : r.status !== 403) wrong.push(`${route} as ${role}: ${r.status} ${r.text.slice(0, 120)}`);
        if (!allowed) expect(r.body).toMatchObject({ type: "/problems/forbidden", status: 403 });
      }
      table.push(row.join("  "));
    }
    console.log(`route x role (status):\n${table.join("\n")}`);
    expect(wrong).toEqual([]);
  }, 120_000);

  it("an analyst's promotion waits for an admin, who approves it by promoting", async () => {
    const { promotionRequests } = await import("../../src/auth");
    const id = fx.rt.ctx.models.champion().id;
    const asked = await call(fx.server.url, "POST", `/models/${id}/promote`, { key: fx.keys.analyst });
    expect(asked.status).toBe(202);
    expect(asked.body).toMatchObject({ modelId: id, status: "pending_approval", requestedBy: expect.stringMatching(/^key_/) });
    expect((await promotionRequests(fx.db)).find((r) => r.requestId === asked.body.requestId)?.status).toBe("pending_approval");
    const done = await call(fx.server.url, "POST", `/models/${id}/promote`, { key: fx.keys.admin });
    expect(done.status).toBe(200);
    const r = (await promotionRequests(fx.db)).find((x) => x.requestId === asked.body.requestId);
    expect(r).toMatchObject({ status: "approved", approvedBy: expect.stringMatching(/^key_/) });
  });

  it("CREDIT_API_KEY is admin and a revoked key is refused at once", async () => {
    expect((await call(fx.server.url, "GET", "/keys", { key: ENV_KEY })).status).toBe(200);
    const created = await call(fx.server.url, "POST", "/keys", { key: ENV_KEY, body: { name: "short-lived", role: "officer" } });
    expect(created.status).toBe(201);
    expect(created.body.key).toMatch(/^ck_[0-9a-f]{12}_[A-Za-z0-9_-]{32}$/);
    expect((await call(fx.server.url, "GET", "/me", { key: created.body.key })).body).toMatchObject({ keyId: created.body.id, role: "officer" });
    const row = await fx.db.prisma.apiKey.findUnique({ where: { id: created.body.id } });
    expect(row!.hash).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(row!.hash).not.toContain(created.body.key.split("_")[2]);
    const listed = await call(fx.server.url, "GET", "/keys", { key: ENV_KEY });
    expect(listed.text).not.toContain(created.body.key);
    expect((await call(fx.server.url, "DELETE", `/keys/${created.body.id}`, { key: ENV_KEY })).body.revokedAt).toBeTruthy();
    const after = await call(fx.server.url, "GET", "/me", { key: created.body.key });
    expect(after.status).toBe(401);
  });
});

import { mkdtempSync, rmSync } from "node:fs";
import type { Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import express, { type NextFunction, type Request, type Response } from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../config";
import { openDatabase, type Database } from "../../db";
import { releaseIngestStore } from "../../ingest";
import { createLogger } from "../../shared";
import { anyResolver, authMiddleware, envKeyResolver } from "../auth";
import type { AppContext } from "../context";
import { sendProblem } from "../http";
import { register } from "./ingest";

/**
 * PUT /customers|/invoices|/payments through the real auth middleware and problem+json rendering (the
 * route module mounted on its own router; createApp needs a trained model, which this test does not).
 */
const KEY = "ingest-route-test-key-0123456789";
const ANALYST = "analyst-key-0123456789abcdef";
let dir: string;
let db: Database;
let server: Server;
let base: string;

const put = async (path: string, body: unknown, headers: Record<string, string> = {}, key = KEY) => {
  const res = await fetch(base + path, {
    method: "PUT",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, type: res.headers.get("content-type"), replayed: res.headers.get("idempotent-replayed"), body: await res.json() };
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "ingest-api-"));
  db = await openDatabase(`file:${join(dir, "api.db")}`);
  const ctx = { config: loadConfig({ DATABASE_URL: db.url, CREDIT_API_KEY: KEY }), db, logger: createLogger("ingest-test") } as unknown as AppContext;
  const app = express();
  const router = express.Router();
  router.use(authMiddleware(anyResolver(envKeyResolver(KEY), (k) => (k === ANALYST ? { keyId: "a1", role: "analyst" } : null))));
  register(router, ctx);
  app.use(router);
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => void sendProblem(res, err, req.originalUrl));
  await new Promise<void>((r) => (server = app.listen(0, "127.0.0.1", () => r())));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

afterAll(async () => {
  server?.close();
  await releaseIngestStore(db);
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("PUT ingestion routes", () => {
  it("upserts customers and invoices, idempotently", async () => {
    const c = await put("/customers", [{ externalId: "C1", name: "Acme" }, { externalId: "C2", name: "Beta" }]);
    expect(c).toMatchObject({ status: 200, body: { kind: "customers", received: 2, created: 2, updated: 0, unchanged: 0 } });
    const inv = [{ externalId: "I1", customerId: "C1", issueDate: "2024-01-01", dueDate: "2024-01-31", amount: 10.5 }];
    expect((await put("/invoices", inv)).body).toMatchObject({ created: 1 });
    expect((await put("/invoices", inv)).body).toMatchObject({ created: 0, updated: 0, unchanged: 1 });
    const pay = [{ externalId: "P1", customerId: "C1", invoiceId: "I1", date: "2024-01-20", amount: 10.5 }];
    expect((await put("/payments", pay)).body).toMatchObject({ created: 1 });
  });

  it("answers 422 problem+json with every row error and writes nothing", async () => {
    const r = await put("/invoices", [
      { externalId: "I2", customerId: "C1", issueDate: "2024-01-01", dueDate: "2024-01-31", amount: 1 },
      { externalId: "I3", customerId: "C1", issueDate: "2024-01-01", dueDate: "2023-01-31", amount: "=1+1" },
    ]);
    expect(r.status).toBe(422);
    expect(r.type).toContain("application/problem+json");
    expect(r.body).toMatchObject({ type: "/problems/invalid-rows", status: 422, rejectedRows: 1, errorCount: 1 });
    expect(r.body.errors).toEqual([{ row: 2, field: "amount", expected: "decimal amount in major units, e.g. 1234.50 (no thousands separators)", received: 'string "=1+1"' }]);
    expect(await db.prisma.invoice.count({ where: { externalId: "I2" } })).toBe(0);
  });

  it("replays an Idempotency-Key's stored answer and refuses its reuse with another body", async () => {
    const rows = [{ externalId: "C7", name: "Seven" }];
    const a = await put("/customers", rows, { "idempotency-key": "abc-1" });
    expect([a.status, a.replayed, a.body.created]).toEqual([200, null, 1]);
    const b = await put("/customers", rows, { "idempotency-key": "abc-1" });
    expect([b.status, b.replayed, b.body]).toEqual([200, "true", a.body]);
    const c = await put("/customers", [{ externalId: "C8", name: "Eight" }], { "idempotency-key": "abc-1" });
    expect([c.status, c.body.type]).toEqual([409, "/problems/idempotency-key-reused"]);
    expect(await db.prisma.customer.count({ where: { externalId: "C8" } })).toBe(0);
  });

  it("needs role erp or admin, and a JSON array", async () => {
    expect((await put("/customers", [{ externalId: "C9", name: "Nine" }], {}, ANALYST)).status).toBe(403);
    expect((await put("/customers", { externalId: "C9" })).status).toBe(400);
    expect((await put("/customers", [], {})).status).toBe(400);
  });
});

import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../config";
import { openDatabase, type Database } from "../../db";
import { PolicyStore } from "../../policy";
import { createLogger } from "../../shared";
import { createJobRunner, verifyWebhookSignature, signWebhook } from "..";

const SECRET = "test-secret-0123456789";
let dir: string;
let db: Database;
let server: Server;
let url: string;
const received: { key: string; body: Record<string, unknown>; valid: boolean }[] = [];
let failNext = 1;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "coll-"));
  db = await openDatabase(`file:${join(dir, "c.db")}`);
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      if (failNext > 0) {
        failNext--;
        res.writeHead(503).end();
        return;
      }
      const valid = verifyWebhookSignature(body, req.headers["x-signature"] as string, SECRET, Math.floor(Date.now() / 1000));
      received.push({ key: String(req.headers["idempotency-key"]), body: JSON.parse(body), valid });
      res.writeHead(valid ? 204 : 401).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}/hooks/collections`;

  const c = await db.prisma.customer.create({ data: { externalId: "C1", name: "Acme", currency: "CNY" } });
  await db.prisma.creditProfile.create({ data: { customerId: c.id, tier: "B", limitMinor: 10_000_00n, lastPd: 0.05 } });
  const inv = (ext: string, issue: string, due: string, disputed = false) =>
    db.prisma.invoice.create({ data: { externalId: ext, customerId: c.id, issueDate: issue, dueDate: due, amountMinor: 5_000_00n, paidMinor: 1_000_00n, disputed } });
  await inv("I-letter", "2026-09-20", "2026-10-20"); // 33 days past due: tier B's formal letter (day 30) is due
  await inv("I-reminder", "2026-10-21", "2026-11-20"); // 2 days past due: the pre-due reminder is the latest step
  await inv("I-call", "2026-10-01", "2026-11-05"); // 17 days past due: a call, not sent by webhook
  await inv("I-disputed", "2026-09-01", "2026-10-01", true);
});

afterAll(async () => {
  await db.close();
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("webhook signature", () => {
  it("signs t.body with HMAC-SHA256 and verifies within the tolerance", () => {
    // Known value, computed with Python's hmac: hmac.new(b"secret", b"1700000000.{}", sha256).hexdigest().
    expect(signWebhook("{}", "secret", 1_700_000_000)).toBe("t=1700000000,v1=b8569b78799ff9e3cbff0fc2d63a33a2b57f3282abd07c37ae5e8e7d79a5f163");
    const h = signWebhook('{"a":1}', SECRET, 1000);
    expect(verifyWebhookSignature('{"a":1}', h, SECRET, 1100)).toBe(true);
    expect(verifyWebhookSignature('{"a":2}', h, SECRET, 1100)).toBe(false);
    expect(verifyWebhookSignature('{"a":1}', h, "another-secret-xxxxxxx", 1100)).toBe(false);
    expect(verifyWebhookSignature('{"a":1}', h, SECRET, 2000)).toBe(false);
  });
});

describe("collections job", () => {
  it("plans due steps once, delivers reminders and letters signed, retries a failure and never re-sends", async () => {
    const config = loadConfig({ DATABASE_URL: db.url, COLLECTIONS_WEBHOOK_URL: url, COLLECTIONS_WEBHOOK_SECRET: SECRET });
    const policies = PolicyStore.fromFile(join(import.meta.dirname, "../../../policy/default.yaml"));
    const runner = createJobRunner({ config, db, registry: null, policies, log: createLogger("t") }, { mode: "in-process" });
    const run = await runner.runNow("collections", { asOf: "2026-11-22", deliveryBackoffMs: 10 });
    expect(run.status).toBe("completed");
    const r = run.result as Record<string, any>;
    expect(r.openInvoices).toBe(4);
    expect(r.actionsCreated).toBe(3);
    expect(r.deliveries).toMatchObject({ configured: true, delivered: 2, pending: 0, failed: 0, attempts: 3 });
    expect(r.worklistSize).toBe(4);
    expect(r.worklist[0].invoiceId).toBeDefined();

    const actions = await db.prisma.collectionAction.findMany({ orderBy: { id: "asc" } });
    expect(actions.map((a) => [a.step, a.kind, a.status])).toEqual([
      ["formal_letter", "letter", "sent"],
      ["pre_due_reminder", "reminder", "sent"],
      ["call", "call", "due"],
    ]);
    expect(received).toHaveLength(2);
    expect(received.every((x) => x.valid)).toBe(true);
    expect(new Set(received.map((x) => x.key)).size).toBe(2);
    expect(received[0].body).toMatchObject({ event: "collections.action_due", invoice: { id: "I-letter", openAmount: 4000, currency: "CNY" }, customer: { id: "C1" } });
    const deliveries = await db.prisma.webhookDelivery.findMany({ orderBy: { id: "asc" } });
    expect(deliveries.map((d) => [d.status, d.attempts])).toEqual([["delivered", 2], ["delivered", 1]]);

    // A second run for the same day and a forced new instance: nothing planned or sent twice.
    await runner.runNow("collections", { asOf: "2026-11-22" });
    const again = await runner.runNow("collections", { asOf: "2026-11-22", force: true });
    expect((again.result as Record<string, any>).actionsCreated).toBe(0);
    expect((again.result as Record<string, any>).deliveries.attempts).toBe(0);
    expect(received).toHaveLength(2);
    expect(await db.prisma.collectionAction.count()).toBe(3);
    await runner.close();
  });
});

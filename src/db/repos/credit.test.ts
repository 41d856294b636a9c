import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPgDatabase, hasPostgres } from "../../../test/support/servers";
import { ConflictError, NotFoundError, ValidationError } from "../../shared";
import { openDatabase, type Database } from "../index";
import {
  activePolicyVersion,
  addToBlacklist,
  applyOrderOverride,
  blacklistedCustomerIds,
  createOrder,
  decideLimitChange,
  findOrder,
  getProfile,
  isBlacklisted,
  listCollectionActions,
  listDueReviews,
  listLimitChanges,
  listOverrides,
  openOrdersTotal,
  openOrdersTotals,
  openReceivablesTotalSql,
  planCollectionAction,
  recordCollectionAction,
  recordLimitChange,
  removeFromBlacklist,
  savePolicyVersion,
  setOrderStatus,
  setTierFloor,
  upsertProfile,
  updateCollectionAction,
} from "./credit";

type Opened = { db: Database; cleanup: () => Promise<void> };

function creditRepoContract(name: string, open: () => Promise<Opened>) {
  describe(`credit repository on ${name}`, () => {
    let ctx: Opened;
    let c1: number;
    let c2: number;
    let inv1: number;
    beforeAll(async () => {
      ctx = await open();
      const p = ctx.db.prisma;
      c1 = (await p.customer.create({ data: { externalId: "C-1", name: "One" } })).id;
      c2 = (await p.customer.create({ data: { externalId: "C-2", name: "Two" } })).id;
      inv1 = (await p.invoice.create({ data: { externalId: "I-1", customerId: c1, issueDate: "2026-10-01", dueDate: "2026-10-31", amountMinor: 9_000_000_000_123n, paidMinor: 123n } })).id;
      await p.invoice.create({ data: { externalId: "I-2", customerId: c2, issueDate: "2026-11-01", dueDate: "2026-12-01", amountMinor: 500n } });
      await p.invoice.create({ data: { externalId: "I-3", customerId: c2, issueDate: "2026-09-01", dueDate: "2026-10-01", amountMinor: 700n, paidMinor: 700n, status: "paid" } });
      await p.invoice.create({ data: { externalId: "I-4", customerId: c2, issueDate: "2026-12-01", dueDate: "2026-12-31", amountMinor: 1000n } });
    });
    afterAll(async () => {
      await ctx?.db.close();
      await ctx?.cleanup();
    });

    it("writes and reads profiles with numbers, not BigInt", async () => {
      expect(await getProfile(ctx.db, c1)).toBeNull();
      const p = await upsertProfile(ctx.db, c1, { tier: "B", limitMinor: 9_000_000_000_000, limitValidUntil: "2027-02-22", lastPd: 0.05, nextReviewDate: "2027-02-22", policyVersion: "v1", limitCalculation: { binding: "purchases" } });
      expect(p).toMatchObject({ customerId: c1, tier: "B", limitMinor: 9_000_000_000_000, lastPd: 0.05, limitCalculation: { binding: "purchases" } });
      const q = await upsertProfile(ctx.db, c1, { tier: "C", limitMinor: 100 });
      expect(q).toMatchObject({ tier: "C", limitMinor: 100, lastPd: 0.05, limitValidUntil: "2027-02-22" });
      await upsertProfile(ctx.db, c2, { tier: "A", limitMinor: 5, nextReviewDate: "2026-11-30" });
      expect((await listDueReviews(ctx.db, "2026-11-30")).map((r) => r.customerId)).toEqual([c2]);
      expect((await listDueReviews(ctx.db, "2027-03-01")).map((r) => r.customerId)).toEqual([c2, c1]);
    });

    it("sets a whitelist floor with an audited override", async () => {
      const p = await setTierFloor(ctx.db, c1, "B", "alice", "strategic account");
      expect(p.tierFloor).toBe("B");
      const [ov] = await listOverrides(ctx.db, { customerId: c1 });
      expect(ov).toMatchObject({ action: "tier_change", actor: "alice", reason: "strategic account", before: { tierFloor: null }, after: { tierFloor: "B" } });
      await expect(setTierFloor(ctx.db, 999_999, "A", "alice", "x")).rejects.toThrow(NotFoundError);
    });

    it("creates orders idempotently and totals open ones", async () => {
      const a = await createOrder(ctx.db, { externalId: "SO-1", customerId: c1, amountMinor: 1_000, orderDate: "2026-11-20", status: "held", decisionId: "dec_1" });
      expect(a.created).toBe(true);
      const again = await createOrder(ctx.db, { externalId: "SO-1", customerId: c1, amountMinor: 1_000, orderDate: "2026-11-20" });
      expect(again).toMatchObject({ created: false, order: { id: a.order.id, status: "held" } });
      await expect(createOrder(ctx.db, { externalId: "SO-1", customerId: c1, amountMinor: 2_000, orderDate: "2026-11-20" })).rejects.toThrow(ConflictError);
      await createOrder(ctx.db, { externalId: "SO-2", customerId: c1, amountMinor: 300, orderDate: "2026-11-21" });
      await createOrder(ctx.db, { externalId: "SO-3", customerId: c1, amountMinor: 50, orderDate: "2026-11-21", status: "invoiced" });
      await createOrder(ctx.db, { externalId: "SO-4", customerId: c2, amountMinor: 7, orderDate: "2026-11-21", status: "approved" });
      expect(await openOrdersTotal(ctx.db, c1)).toBe(1_300);
      expect(await openOrdersTotal(ctx.db, c1, "SO-2")).toBe(1_000);
      expect(await openOrdersTotals(ctx.db)).toEqual(new Map([[c1, 1_300], [c2, 7]]));
      expect((await setOrderStatus(ctx.db, "SO-2", "review", "dec_2")).decisionId).toBe("dec_2");
      await expect(setOrderStatus(ctx.db, "SO-404", "review")).rejects.toThrow(NotFoundError);
    });

    it("writes an override and the order status in one transaction, refusing a stale status", async () => {
      const decision = {
        action: "release" as const,
        orderRef: "SO-1",
        customerId: c1,
        decisionId: "dec_1",
        fromStatus: "held",
        toStatus: "released",
        actor: "alice",
        role: "officer",
        reason: "deposit received",
        before: { status: "held", amountMinor: 1_000 },
        after: { status: "released", amountMinor: 1_000 },
      };
      const r = await applyOrderOverride(ctx.db, decision);
      expect(r.order.status).toBe("released");
      expect(r.override).toMatchObject({ action: "release", actor: "alice", role: "officer", reason: "deposit received", orderRef: "SO-1", before: { status: "held" }, after: { status: "released" } });
      expect(r.override.createdAt).toBeInstanceOf(Date);
      // The same decision again finds the order no longer held: nothing is written.
      await expect(applyOrderOverride(ctx.db, decision)).rejects.toThrow(ConflictError);
      expect(await listOverrides(ctx.db, { orderRef: "SO-1" })).toHaveLength(1);
      expect((await findOrder(ctx.db, "SO-1"))!.status).toBe("released");
    });

    it("rolls the status change back when the audit row cannot be written", async () => {
      const bad = { action: "reject" as const, orderRef: "SO-2", customerId: 999_999, decisionId: null, fromStatus: "review", toStatus: "rejected", actor: "bob", role: null, reason: "x", before: {}, after: {} };
      await expect(applyOrderOverride(ctx.db, bad)).rejects.toThrow();
      expect((await findOrder(ctx.db, "SO-2"))!.status).toBe("review");
    });

    it("records limit changes: applied ones update the profile, pending ones wait for a decision", async () => {
      const applied = await recordLimitChange(ctx.db, { customerId: c1, fromMinor: 100, toMinor: 80, tierFrom: "C", tierTo: "C", source: "rescore", status: "applied", reason: "deteriorated", jobRunId: "run1", profile: { lastPd: 0.12 } });
      expect(applied).toMatchObject({ fromMinor: 100, toMinor: 80, status: "applied", jobRunId: "run1" });
      expect(await getProfile(ctx.db, c1)).toMatchObject({ limitMinor: 80, lastPd: 0.12 });
      const pending = await recordLimitChange(ctx.db, { customerId: c1, fromMinor: 80, toMinor: 5_000, tierFrom: "C", tierTo: "B", source: "rescore", status: "pending_approval", reason: "improved", calculation: { binding: "purchases" } });
      expect(await getProfile(ctx.db, c1)).toMatchObject({ limitMinor: 80, tier: "B" });
      expect((await listLimitChanges(ctx.db, { status: "pending_approval" })).map((c) => c.id)).toEqual([pending.id]);
      const approved = await decideLimitChange(ctx.db, pending.id, "approve", "carol", "financials checked");
      expect(approved).toMatchObject({ status: "approved", actor: "carol" });
      expect(approved.decidedAt).toBeInstanceOf(Date);
      expect(await getProfile(ctx.db, c1)).toMatchObject({ limitMinor: 5_000, tier: "B" });
      const [ov] = await listOverrides(ctx.db, { customerId: c1, limit: 1 });
      expect(ov).toMatchObject({ action: "limit_approval", actor: "carol", before: { limitMinor: 80 }, after: { limitMinor: 5_000, status: "approved" } });
      await expect(decideLimitChange(ctx.db, pending.id, "reject", "carol", "again")).rejects.toThrow(ConflictError);
      await expect(decideLimitChange(ctx.db, 999_999, "approve", "carol", "x")).rejects.toThrow(NotFoundError);
      await expect(decideLimitChange(ctx.db, pending.id, "approve", "carol", " ")).rejects.toThrow(ValidationError);
      // A new customer's first pending change creates its profile with the old (here no) limit.
      await recordLimitChange(ctx.db, { customerId: c2, fromMinor: null, toMinor: 9_000, tierFrom: null, tierTo: "A", source: "initial", status: "pending_approval", reason: "new" });
      expect(await getProfile(ctx.db, c2)).toMatchObject({ limitMinor: 5, tier: "A" });
    });

    it("plans collection actions idempotently and records promises to pay", async () => {
      const a = await planCollectionAction(ctx.db, { invoiceId: inv1, step: "call", kind: "call", status: "due", dueDate: "2026-11-15", dedupeKey: `${inv1}:call` });
      const b = await planCollectionAction(ctx.db, { invoiceId: inv1, step: "call", kind: "call", status: "due", dueDate: "2026-11-15", dedupeKey: `${inv1}:call` });
      expect(a.created).toBe(true);
      expect(b).toMatchObject({ created: false, action: { id: a.action.id, customerId: c1 } });
      const done = await updateCollectionAction(ctx.db, a.action.id, { status: "done", actor: "dan", performedAt: new Date("2026-11-16T09:00:00Z") });
      expect(done).toMatchObject({ status: "done", actor: "dan" });
      const promise = await recordCollectionAction(ctx.db, { invoiceId: inv1, step: "promise_to_pay", kind: "promise_to_pay", status: "done", dueDate: "2026-11-16", promiseDate: "2026-12-05", promiseAmountMinor: 9_000_000_000_000, actor: "dan" });
      expect(promise).toMatchObject({ promiseDate: "2026-12-05", promiseAmountMinor: 9_000_000_000_000, customerId: c1 });
      await expect(recordCollectionAction(ctx.db, { invoiceId: inv1, step: "promise_to_pay", kind: "promise_to_pay", status: "done", dueDate: "2026-11-16" })).rejects.toThrow(ValidationError);
      await expect(recordCollectionAction(ctx.db, { invoiceId: 999_999, step: "note", kind: "note", status: "done", dueDate: "2026-11-16" })).rejects.toThrow(NotFoundError);
      expect((await listCollectionActions(ctx.db, { invoiceIds: [inv1] })).map((x) => x.step)).toEqual(["call", "promise_to_pay"]);
      expect(await listCollectionActions(ctx.db, { customerId: c2 })).toEqual([]);
    });

    it("keeps the blacklist with who added and removed entries", async () => {
      expect(await isBlacklisted(ctx.db, c2)).toBe(false);
      const e = await addToBlacklist(ctx.db, c2, "fraud suspected", "admin");
      expect(await addToBlacklist(ctx.db, c2, "again", "admin")).toMatchObject({ id: e.id, reason: "fraud suspected" });
      expect(await isBlacklisted(ctx.db, c2)).toBe(true);
      expect(await blacklistedCustomerIds(ctx.db)).toEqual(new Set([c2]));
      expect(await removeFromBlacklist(ctx.db, c2, "admin")).toBe(1);
      expect(await isBlacklisted(ctx.db, c2)).toBe(false);
      await expect(addToBlacklist(ctx.db, c2, "", "admin")).rejects.toThrow(ValidationError);
    });

    it("records policy versions with exactly one active", async () => {
      expect(await activePolicyVersion(ctx.db)).toBeNull();
      await savePolicyVersion(ctx.db, { version: "v1+aaa", sha256: "aaa", source: "policy/default.yaml", content: { version: "v1" } }, "active");
      await savePolicyVersion(ctx.db, { version: "v2+bbb", sha256: "bbb", content: { version: "v2" } }, "candidate");
      expect((await activePolicyVersion(ctx.db))?.version).toBe("v1+aaa");
      const v2 = await savePolicyVersion(ctx.db, { version: "v2+bbb", sha256: "bbb", content: { version: "v2" } }, "active");
      expect(v2).toMatchObject({ version: "v2+bbb", status: "active" });
      expect((await activePolicyVersion(ctx.db))?.version).toBe("v2+bbb");
      const rows = await ctx.db.prisma.policyVersion.findMany({ orderBy: { version: "asc" } });
      expect(rows.map((r) => [r.version, r.status])).toEqual([["v1+aaa", "retired"], ["v2+bbb", "active"]]);
    });

    it("sums open receivables by SQL, optionally as of a date", async () => {
      expect(await openReceivablesTotalSql(ctx.db)).toBe(9_000_000_000_000 + 500 + 1_000);
      expect(await openReceivablesTotalSql(ctx.db, "2026-11-30")).toBe(9_000_000_000_000 + 500);
    });
  });
}

creditRepoContract("SQLite", async () => {
  const dir = mkdtempSync(join(tmpdir(), "credit-repo-"));
  const db = await openDatabase(`file:${join(dir, "t.db")}`);
  return { db, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
});

describe.runIf(hasPostgres)("PostgreSQL", () => {
  creditRepoContract("PostgreSQL", async () => {
    const pg = await createPgDatabase("credit");
    const db = await openDatabase(pg.url);
    return { db, cleanup: pg.drop };
  });
});

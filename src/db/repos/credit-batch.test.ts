import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getProfile, listLimitChanges, openDatabase, recordLimitChange, upsertProfile, writeCreditBatch, type Database, type LimitChangeWrite } from "../index";
import { createPgDatabase, hasPostgres } from "../../../test/support/servers";

const calc = { formula: "min(cap, k x avg)", inputs: { pd: 0.041381727920555306, lgd: 0.45, tier: "B" } };
const scored = new Date("2026-11-22T02:00:00.123Z");

function change(customerId: number, over: Partial<LimitChangeWrite>): LimitChangeWrite {
  return {
    customerId,
    fromMinor: 100_000,
    toMinor: 50_000,
    currency: "USD",
    tierFrom: "B",
    tierTo: "C",
    source: "rescore",
    status: "applied",
    reason: "PD up",
    calculation: { pd: 0.05 },
    actor: "job:rescore",
    jobRunId: "run-1",
    profile: { lastPd: 0.05, lastScore: 512, lastScoredAt: scored, limitCalculation: calc, nextReviewDate: "2027-02-22", policyVersion: "p1" },
    ...over,
  };
}

function contract(name: string, open: () => Promise<{ db: Database; cleanup: () => Promise<void> }>) {
  describe(`writeCreditBatch on ${name}`, () => {
    let ctx: { db: Database; cleanup: () => Promise<void> };
    const ids: number[] = [];
    beforeAll(async () => {
      ctx = await open();
      for (const x of ["A", "B", "C", "D"]) ids.push((await ctx.db.prisma.customer.create({ data: { externalId: x, name: x, currency: "USD" } })).id);
      // A and B have profiles; C and D are new.
      await upsertProfile(ctx.db, ids[0], { tier: "A", limitMinor: 900_000, tierFloor: "B" });
      await upsertProfile(ctx.db, ids[1], { tier: "B", limitMinor: 100_000 });
    });
    afterAll(async () => {
      await ctx.db.close();
      await ctx.cleanup();
    });

    it("writes profiles, changes and snapshots as recordLimitChange and upsertProfile would, in one call", async () => {
      const [a, b, c, d] = ids;
      const r = await writeCreditBatch(ctx.db, {
        profiles: [{ customerId: a, profile: { tier: "A", limitMinor: 900_000, lastPd: 0.01, lastScore: 700, lastScoredAt: scored, limitCalculation: calc, nextReviewDate: "2027-05-22" } }],
        changes: [
          change(b, {}),
          change(b, { status: "pending_approval", fromMinor: 50_000, toMinor: 80_000, tierFrom: "C" }),
          change(c, { fromMinor: null, toMinor: 30_000, tierFrom: null, tierTo: "B" }),
          change(c, { status: "pending_approval", fromMinor: 30_000, toMinor: 70_000, tierFrom: "B", tierTo: "B" }),
          change(d, { status: "pending_approval", fromMinor: null, toMinor: 10_000, tierFrom: null, tierTo: "D" }),
        ],
        snapshots: ids.map((id, i) => ({ customerId: id, asOf: "2026-11-22", pd: 0.01 * (i + 1), score: 600 - i, tier: "B", modelId: "m1", source: "rescore" })),
      });
      expect(r).toEqual({ profiles: 4, changes: 5, snapshots: 4 });

      const pa = (await getProfile(ctx.db, a))!;
      expect(pa).toMatchObject({ tier: "A", limitMinor: 900_000, tierFloor: "B", lastPd: 0.01, lastScore: 700, nextReviewDate: "2027-05-22", currency: "CNY" });
      expect(pa.lastScoredAt?.toISOString()).toBe(scored.toISOString());
      expect(pa.limitCalculation).toEqual(calc);
      // B: applied 100,000 -> 50,000, then an increase to 80,000 waits: the limit stays at 50,000.
      expect(await getProfile(ctx.db, b)).toMatchObject({ tier: "C", limitMinor: 50_000, lastPd: 0.05, lastScore: 512, policyVersion: "p1" });
      // C new: 30,000 applied now, the rest pending.
      expect(await getProfile(ctx.db, c)).toMatchObject({ tier: "B", limitMinor: 30_000, currency: "USD", nextReviewDate: "2027-02-22" });
      // D new with only a pending change: limit 0 until approved.
      expect(await getProfile(ctx.db, d)).toMatchObject({ tier: "D", limitMinor: 0, currency: "USD" });

      const changes = await listLimitChanges(ctx.db, { limit: 10 });
      expect(changes).toHaveLength(5);
      expect(changes.filter((x) => x.status === "pending_approval").map((x) => x.toMinor).sort((x, y) => x - y)).toEqual([10_000, 70_000, 80_000]);
      expect(changes.every((x) => x.jobRunId === "run-1" && x.reason === "PD up")).toBe(true);
      expect(await ctx.db.prisma.scoreSnapshot.count({ where: { asOf: "2026-11-22", modelId: "m1" } })).toBe(4);
    });

    it("leaves the same profile as recordLimitChange for the same change", async () => {
      const e = (await ctx.db.prisma.customer.create({ data: { externalId: "E", name: "E", currency: "USD" } })).id;
      await recordLimitChange(ctx.db, change(e, { fromMinor: null, toMinor: 30_000, tierFrom: null, tierTo: "B" }));
      const viaOne = (await getProfile(ctx.db, e))!;
      const f = (await ctx.db.prisma.customer.create({ data: { externalId: "F", name: "F", currency: "USD" } })).id;
      await writeCreditBatch(ctx.db, { changes: [change(f, { fromMinor: null, toMinor: 30_000, tierFrom: null, tierTo: "B" })] });
      const viaBatch = (await getProfile(ctx.db, f))!;
      const strip = (p: typeof viaOne) => ({ ...p, customerId: 0, updatedAt: null, limitCalculation: null });
      expect(strip(viaBatch)).toEqual(strip(viaOne));
      // Prisma's Json write rounds doubles to 16 significant digits; the batch stores JSON.stringify's exact value.
      expect(viaBatch.limitCalculation).toEqual(calc);
      expect((viaOne.limitCalculation as typeof calc).inputs.pd).toBeCloseTo(calc.inputs.pd, 15);
    });

    it("writes nothing for an empty batch and all of a batch or none of it", async () => {
      expect(await writeCreditBatch(ctx.db, {})).toEqual({ profiles: 0, changes: 0, snapshots: 0 });
      const before = await ctx.db.prisma.limitChange.count();
      // A snapshot for a customer that does not exist fails the transaction after the changes were inserted.
      await expect(
        writeCreditBatch(ctx.db, { changes: [change(ids[0], {})], snapshots: [{ customerId: 999_999, asOf: "2026-11-23", pd: 0.1, score: 500, tier: "C", modelId: "m1", source: "rescore" }] }),
      ).rejects.toThrow();
      expect(await ctx.db.prisma.limitChange.count()).toBe(before);
      expect((await getProfile(ctx.db, ids[0]))!.limitMinor).toBe(900_000);
    });
  });
}

contract("SQLite", async () => {
  const dir = mkdtempSync(join(tmpdir(), "credit-batch-"));
  const db = await openDatabase(`file:${join(dir, "t.db")}`);
  return { db, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
});

describe.runIf(hasPostgres)("PostgreSQL", () => {
  contract("PostgreSQL", async () => {
    const pg = await createPgDatabase("creditbatch");
    const db = await openDatabase(pg.url);
    return { db, cleanup: pg.drop };
  });
});

import { describe, expect, it } from "vitest";
import { ConflictError, ForbiddenError, ValidationError } from "../shared";
import { evaluateCredit } from "./evaluate";
import { decideOverride, type OrderState } from "./overrides";
import { reviewLimit } from "./review";
import { input, testPolicy } from "./test-helpers";

const policy = testPolicy();
// default.yaml review: steps of at most 25% (at least 10,000.00), approval above 200,000.00, PD tolerance 0.005
const review = (current: number | null, proposed: number, pd = 0.05, previousPd: number | null = 0.05) =>
  reviewLimit(policy, { current: current === null ? null : { limitMinor: current, tier: "B" }, proposed: { tier: "B", limitMinor: proposed }, pd, previousPd });

describe("reviewLimit", () => {
  it("lowers a limit at once", () => {
    const r = review(20_000_000, 15_000_000, 0.09, 0.05);
    expect(r).toMatchObject({ newLimitMinor: 15_000_000, status: "applied", direction: "decrease", fromMinor: 20_000_000 });
    expect(r.reason.en).toContain("lowered at once from 200,000.00 to 150,000.00");
  });

  it("leaves an equal proposal unchanged", () => {
    expect(review(20_000_000, 20_000_000)).toMatchObject({ newLimitMinor: 20_000_000, status: "unchanged", direction: "none" });
  });

  it("raises within one step directly and cuts a larger rise to a bounded step", () => {
    expect(review(20_000_000, 22_000_000)).toMatchObject({ newLimitMinor: 22_000_000, status: "applied", step: { maxStepMinor: 5_000_000, bounded: false } });
    expect(review(20_000_000, 25_000_000)).toMatchObject({ newLimitMinor: 25_000_000, step: { bounded: false } });
    const r = review(20_000_000, 40_000_000);
    expect(r).toMatchObject({ newLimitMinor: 25_000_000, targetLimitMinor: 25_000_000, status: "applied", direction: "increase", step: { proposedMinor: 40_000_000, maxStepMinor: 5_000_000, bounded: true } });
    expect(r.reason.en).toContain("one bounded step towards 400,000.00");
  });

  it("lets a zero limit grow by the minimum step", () => {
    expect(review(0, 5_000_000)).toMatchObject({ newLimitMinor: 1_000_000, step: { maxStepMinor: 1_000_000, bounded: true } });
  });

  it("sends increases above the approval threshold for approval, keeping the current limit meanwhile", () => {
    // 800,000 -> 1,000,000: +200,000.00 is at the threshold: applied
    expect(review(80_000_000, 100_000_000)).toMatchObject({ newLimitMinor: 100_000_000, status: "applied" });
    // 840,000 -> 1,050,000: +210,000.00 is above it: waits
    const r = review(84_000_000, 200_000_000);
    expect(r).toMatchObject({ newLimitMinor: 84_000_000, targetLimitMinor: 105_000_000, status: "pending_approval", direction: "increase" });
    expect(r.reason.zh).toContain("待信用主管审批");
  });

  it("does not raise when the PD rose beyond the tolerance (at the tolerance it may)", () => {
    expect(review(20_000_000, 22_000_000, 0.055, 0.05)).toMatchObject({ status: "applied", newLimitMinor: 22_000_000 });
    expect(review(20_000_000, 22_000_000, 0.0551, 0.05)).toMatchObject({ status: "unchanged", newLimitMinor: 20_000_000, step: { pdRise: 0.0051 } });
  });

  it("sets an initial limit, applying up to the approval threshold and sending the rest for approval", () => {
    expect(review(null, 10_000_000, 0.05, null)).toMatchObject({ newLimitMinor: 10_000_000, status: "applied", direction: "initial" });
    expect(review(null, 30_000_000, 0.05, null)).toMatchObject({ newLimitMinor: 20_000_000, targetLimitMinor: 30_000_000, status: "pending_approval" });
  });

  it("takes the formula limit of an evaluateCredit decision as the proposal", () => {
    const d = evaluateCredit(policy, input({ profile: { tier: "B", limitMinor: 10_000_000, limitValidUntil: "2027-01-01", tierFloor: null } }));
    expect(d.limit.amountMinor).toBe(10_000_000);
    const r = reviewLimit(policy, { current: { limitMinor: 10_000_000, tier: "B" }, proposed: d, pd: 0.05, previousPd: 0.05 });
    expect(r).toMatchObject({ step: { proposedMinor: 20_000_000, maxStepMinor: 2_500_000 }, newLimitMinor: 12_000_000, status: "applied" });
  });
});

describe("decideOverride", () => {
  const order = (status: string): OrderState => ({ externalId: "SO-9", customerId: 7, status, amountMinor: 5_000_000, currency: "CNY", decisionId: "dec_1" });

  it("releases a held order with before/after records", () => {
    const d = decideOverride("release", order("held"), "  customer paid a deposit  ", { id: "alice", role: "officer" });
    expect(d).toEqual({
      action: "release",
      orderRef: "SO-9",
      customerId: 7,
      decisionId: "dec_1",
      fromStatus: "held",
      toStatus: "released",
      actor: "alice",
      role: "officer",
      reason: "customer paid a deposit",
      before: { status: "held", amountMinor: 5_000_000, currency: "CNY", decisionId: "dec_1" },
      after: { status: "released", amountMinor: 5_000_000, currency: "CNY", decisionId: "dec_1" },
    });
  });

  it("rejects pending, held, review and prepay orders", () => {
    for (const s of ["pending", "held", "review", "prepay"]) expect(decideOverride("reject", order(s), "too risky", { id: "bob" }).toStatus).toBe("rejected");
  });

  it("refuses to release an order that is not waiting for an officer", () => {
    for (const s of ["approved", "released", "rejected", "invoiced", "cancelled", "pending"]) {
      expect(() => decideOverride("release", order(s), "ok to ship", { id: "alice" })).toThrow(ConflictError);
    }
    expect(() => decideOverride("reject", order("rejected"), "again", { id: "alice" })).toThrow(ConflictError);
  });

  it("refuses an empty reason, a missing actor and a role that may not override", () => {
    try {
      decideOverride("release", order("held"), "  ", { id: "" });
      throw new Error("no error");
    } catch (e) {
      expect(e).toBeInstanceOf(ValidationError);
      expect((e as ValidationError).issues.map((i) => i.path)).toEqual(["/reason", "/actor"]);
    }
    expect(() => decideOverride("release", order("held"), "fine", { id: "erp-1", role: "erp" })).toThrow(ForbiddenError);
    expect(() => decideOverride("ship" as "release", order("held"), "fine", { id: "a" })).toThrow(ValidationError);
  });
});

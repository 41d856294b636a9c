import { blacklistedCustomerIds, listProfiles, openOrdersTotals, writeCreditBatch, type CreditBatchWrite, type CreditProfileRecord, type LimitChangeWrite, type ScoreSnapshotWrite } from "../../db";
import { computeFacts, computeFeatures, type CustomerHistory, type FeatureVector } from "../../features";
import { evaluateCredit, reviewLimit, type CreditDecision, type Policy } from "../../policy";
import type { IsoDate } from "../../shared";
import type { JobContext, JobParams, ProgressFn } from "../types";
import { activePolicy } from "./deps";
import { championScorer, historyBatches, type BatchScorer } from "./models";

export interface RescoreParams extends JobParams {
  asOf: IsoDate;
  /** Customers per batch (default 500). */
  batchSize?: number;
}

interface Tally {
  scored: number;
  skipped: number;
  tierChanges: number;
  increases: number;
  decreases: number;
  pendingApproval: number;
  /** Increases still awaiting approval from an earlier review (not requested again). */
  alreadyPending: number;
  initial: number;
  unchanged: number;
  limitBeforeMinor: number;
  limitAfterMinor: number;
  byTier: Record<string, number>;
  transitions: Record<string, number>;
}

/**
 * The nightly re-score for `asOf`: every active customer's features as of that date, the champion's PDs in
 * batches, the policy's credit evaluation and dynamic review, and for each customer a ScoreSnapshot and,
 * when tier or limit change, a LimitChange with its reason (applied, or pending an officer's approval).
 *
 * Idempotent for one instance: a customer already scored for `asOf` by this model, or already changed by
 * this run (`LimitChange.jobRunId`), is not reviewed again, so a retried run never applies a second step.
 */
export async function rescoreJob(ctx: JobContext, params: JobParams, progress: ProgressFn): Promise<Record<string, unknown>> {
  const p = params as RescoreParams;
  const asOf = p.asOf;
  const policy = activePolicy(ctx);
  const scorer = await championScorer(ctx);
  const db = ctx.db;
  const [profiles, blacklisted, openOrders, idRows, pending] = await Promise.all([
    listProfiles(db),
    blacklistedCustomerIds(db),
    openOrdersTotals(db),
    db.prisma.customer.findMany({ where: { status: "active" }, select: { id: true, externalId: true, currency: true }, orderBy: { id: "asc" } }),
    db.prisma.limitChange.findMany({ where: { status: "pending_approval" }, select: { customerId: true, toMinor: true }, orderBy: { id: "asc" } }),
  ]);
  const pendingOf = new Map(pending.map((x) => [x.customerId, Number(x.toMinor)]));
  const profileOf = new Map(profiles.map((x) => [x.customerId, x]));
  const idOf = new Map(idRows.map((r) => [r.externalId, r]));
  const t: Tally = { scored: 0, skipped: 0, tierChanges: 0, increases: 0, decreases: 0, pendingApproval: 0, alreadyPending: 0, initial: 0, unchanged: 0, limitBeforeMinor: 0, limitAfterMinor: 0, byTier: {}, transitions: {} };
  const total = idRows.length;
  let done = 0;

  for await (const batch of historyBatches(db, new Set(idOf.keys()), Math.min(p.batchSize ?? 500, 500))) {
    const ids = batch.map((h) => idOf.get(h.customerId)!.id);
    const [snapped, changed] = await Promise.all([
      db.prisma.scoreSnapshot.findMany({ where: { customerId: { in: ids }, asOf, source: "rescore", modelId: scorer.id }, select: { customerId: true } }),
      db.prisma.limitChange.findMany({ where: { customerId: { in: ids }, jobRunId: ctx.runId }, select: { customerId: true } }),
    ]);
    const hasSnap = new Set(snapped.map((r) => r.customerId));
    const hasChange = new Set(changed.map((r) => r.customerId));
    const features: FeatureVector[] = batch.map((h) => computeFeatures(h, asOf));
    const { pd, score } = scorer.scoreBatch(features);
    const snapshots: ScoreSnapshotWrite[] = [];
    const writes: Required<CreditBatchWrite> = { profiles: [], changes: [], snapshots };
    for (let i = 0; i < batch.length; i++) {
      const id = ids[i];
      if (hasSnap.has(id)) {
        t.skipped++;
        continue;
      }
      const profile = profileOf.get(id) ?? null;
      const decision = evaluateCredit(policy, creditInput(asOf, pd[i], batch[i], profile, blacklisted.has(id), openOrders.get(id) ?? 0));
      if (!hasChange.has(id)) {
        applyReview(ctx, policy, scorer, t, writes, { id, decision, pd: pd[i], score: score[i], profile, currency: idOf.get(batch[i].customerId)!.currency, pendingTargetMinor: pendingOf.get(id) ?? null });
      }
      const tier = decision.tier;
      snapshots.push({ customerId: id, asOf, pd: pd[i], score: score[i], tier, modelId: scorer.id, source: "rescore" });
      t.scored++;
      t.byTier[tier] = (t.byTier[tier] ?? 0) + 1;
    }
    // The batch's profiles, changes and snapshots in one transaction: all of a batch or none of it, so a
    // retry skips exactly the customers already done and never reviews one twice.
    await writeCreditBatch(db, writes);
    done += batch.length;
    await progress(done / Math.max(1, total), `${done}/${total} customers`);
  }
  return {
    summary: `${t.scored} customers re-scored with ${scorer.id} (${t.skipped} already done): ${t.tierChanges} tier changes, ${t.increases} increases, ${t.decreases} decreases, ${t.pendingApproval} pending approval (${t.alreadyPending} already waiting), ${t.initial} initial limits`,
    asOf,
    modelId: scorer.id,
    modelVersion: scorer.version,
    policyVersion: policy.version,
    ...t,
  };
}

function creditInput(asOf: IsoDate, pd: number, h: CustomerHistory, profile: CreditProfileRecord | null, blacklisted: boolean, openOrdersMinor: number) {
  return {
    asOf,
    pd,
    previousPd: profile?.lastPd ?? null,
    facts: computeFacts(h, asOf),
    openOrdersMinor,
    profile: profile ? { tier: profile.tier, limitMinor: profile.limitMinor, limitValidUntil: profile.limitValidUntil, tierFloor: profile.tierFloor } : null,
    blacklisted,
  };
}

interface One {
  id: number;
  decision: CreditDecision;
  pd: number;
  score: number;
  profile: CreditProfileRecord | null;
  currency: string;
  /** Target of the customer's limit change awaiting approval, if any. */
  pendingTargetMinor: number | null;
}

/** Reviews one customer and queues its writes into `w` (written per batch by the caller). */
function applyReview(ctx: JobContext, policy: Policy, scorer: BatchScorer, t: Tally, w: Required<CreditBatchWrite>, c: One): void {
  const { decision } = c;
  const review = reviewLimit(policy, {
    current: c.profile ? { limitMinor: c.profile.limitMinor, tier: c.profile.tier } : null,
    proposed: decision,
    pd: c.pd,
    previousPd: c.profile?.lastPd ?? null,
  });
  const profileFields = {
    tier: decision.tier,
    limitValidUntil: decision.reviewDate,
    lastPd: c.pd,
    lastScore: c.score,
    lastModelId: scorer.id,
    lastScoredAt: new Date(),
    lastReviewAt: new Date(),
    nextReviewDate: decision.reviewDate,
    policyVersion: policy.version,
    limitCalculation: decision.limit.calculation as unknown as Record<string, unknown>,
  };
  const before = c.profile?.limitMinor ?? 0;
  t.limitBeforeMinor += before;
  t.limitAfterMinor += review.newLimitMinor;
  const tierFrom = c.profile?.tier ?? null;
  const tierChanged = tierFrom !== decision.tier;
  if (tierChanged) {
    t.tierChanges++;
    const k = `${tierFrom ?? "-"}->${decision.tier}`;
    t.transitions[k] = (t.transitions[k] ?? 0) + 1;
  }
  // An increase already waiting for an officer is not requested again every night.
  const alreadyPending = review.status === "pending_approval" && c.pendingTargetMinor === review.targetLimitMinor;
  if ((review.status === "unchanged" || alreadyPending) && !tierChanged) {
    if (alreadyPending) t.alreadyPending++;
    else t.unchanged++;
    w.profiles.push({ customerId: c.id, profile: { ...profileFields, limitMinor: before } });
    return;
  }
  if (review.status === "pending_approval") t.pendingApproval++;
  else if (review.direction === "increase") t.increases++;
  else if (review.direction === "decrease") t.decreases++;
  else if (review.direction === "initial") t.initial++;
  else t.unchanged++;
  const reason = review.status === "unchanged" ? `tier ${tierFrom ?? "-"} -> ${decision.tier} (${decision.tierReason.text.en}); ${review.reason.en}` : review.reason.en;
  const change: Omit<LimitChangeWrite, "fromMinor" | "toMinor" | "status"> = {
    customerId: c.id,
    currency: c.currency,
    tierFrom,
    tierTo: decision.tier,
    source: "rescore",
    reason,
    calculation: { limit: decision.limit.calculation, review: review.step, pd: c.pd, previousPd: c.profile?.lastPd ?? null, modelId: scorer.id } as unknown as Record<string, unknown>,
    actor: "job:rescore",
    jobRunId: ctx.runId,
    profile: profileFields,
  };
  if (review.status === "pending_approval" && review.fromMinor === null) {
    // A new customer above the approval threshold: the threshold applies now, the rest waits for an officer.
    w.changes.push({ ...change, fromMinor: null, toMinor: review.newLimitMinor, status: "applied" });
    w.changes.push({ ...change, tierFrom: decision.tier, fromMinor: review.newLimitMinor, toMinor: review.targetLimitMinor, status: "pending_approval" });
    return;
  }
  w.changes.push({
    ...change,
    fromMinor: review.fromMinor,
    toMinor: review.status === "pending_approval" ? review.targetLimitMinor : review.newLimitMinor,
    status: review.status === "pending_approval" ? "pending_approval" : "applied",
  });
}

import { formatMoney, roundLimit } from "./evaluate";
import type { Policy, Text } from "./schema";

export interface ReviewInput {
  /** The customer's approved limit now (minor units), or null for a customer without one. */
  current: { limitMinor: number; tier: string | null } | null;
  /** What the formula gives today: `evaluateCredit(...)` (its `limit.formulaMinor`) or the same numbers. */
  proposed: { tier: string; limit: { formulaMinor: number } } | { tier: string; limitMinor: number };
  pd: number;
  previousPd: number | null;
}

export type ReviewStatus = "applied" | "pending_approval" | "unchanged";

export interface ReviewResult {
  /** The limit in force after the review (for pending approval: the current one, unchanged for now). */
  newLimitMinor: number;
  /** The limit requested for approval (pending_approval) or applied. */
  targetLimitMinor: number;
  fromMinor: number | null;
  status: ReviewStatus;
  direction: "decrease" | "increase" | "none" | "initial";
  reason: Text;
  step: {
    proposedMinor: number;
    /** Largest increase allowed in this review (max(current x share, min step)), or null when not an increase. */
    maxStepMinor: number | null;
    /** True when the proposal was cut to the step. */
    bounded: boolean;
    approvalAboveMinor: number;
    pdRise: number | null;
  };
}

/**
 * The dynamic-review rule for one customer after re-scoring:
 * - no current limit: the proposal applies as the initial limit; above the approval threshold, the threshold
 *   applies now and the proposal waits for approval;
 * - a lower proposal applies at once;
 * - a higher proposal applies only when the PD has not risen by more than `pdTolerance`, by at most
 *   max(current x maxIncreaseShare, minIncreaseStep) per review (rounded down), and an increase above
 *   `approvalAbove` waits for approval.
 */
export function reviewLimit(policy: Policy, input: ReviewInput): ReviewResult {
  const cur = policy.currency;
  const m = (x: number) => formatMoney(x, cur);
  const proposed = "limit" in input.proposed ? input.proposed.limit.formulaMinor : input.proposed.limitMinor;
  const { maxIncreaseShare, minIncreaseStepMinor, approvalAboveMinor, pdTolerance } = policy.review;
  const pdRise = input.previousPd === null ? null : Math.round((input.pd - input.previousPd) * 1e9) / 1e9;
  const step = { proposedMinor: proposed, maxStepMinor: null as number | null, bounded: false, approvalAboveMinor, pdRise };

  if (input.current === null) {
    const needsApproval = proposed > approvalAboveMinor;
    return {
      newLimitMinor: needsApproval ? roundLimit(policy, approvalAboveMinor).amountMinor : proposed,
      targetLimitMinor: proposed,
      fromMinor: null,
      status: needsApproval ? "pending_approval" : "applied",
      direction: "initial",
      reason: needsApproval
        ? {
            en: `Initial limit ${m(proposed)} is above ${m(approvalAboveMinor)}: ${m(approvalAboveMinor)} applies now, the rest waits for approval.`,
            zh: `初始额度${m(proposed)}高于${m(approvalAboveMinor)}：先按${m(approvalAboveMinor)}生效，其余待审批。`,
          }
        : { en: `Initial limit ${m(proposed)} set from the policy formula.`, zh: `按政策公式设定初始额度${m(proposed)}。` },
      step,
    };
  }
  const current = input.current.limitMinor;
  if (proposed === current) {
    return { newLimitMinor: current, targetLimitMinor: current, fromMinor: current, status: "unchanged", direction: "none", reason: { en: "The formula gives the current limit.", zh: "公式结果与当前额度相同。" }, step };
  }
  if (proposed < current) {
    return {
      newLimitMinor: proposed,
      targetLimitMinor: proposed,
      fromMinor: current,
      status: "applied",
      direction: "decrease",
      reason: {
        en: `Limit lowered at once from ${m(current)} to ${m(proposed)}: the customer's risk or volume deteriorated.`,
        zh: `额度立即从${m(current)}下调至${m(proposed)}：客户风险或业务量恶化。`,
      },
      step,
    };
  }
  if (pdRise !== null && pdRise > pdTolerance) {
    return {
      newLimitMinor: current,
      targetLimitMinor: current,
      fromMinor: current,
      status: "unchanged",
      direction: "none",
      reason: {
        en: `No increase: the PD rose by ${(pdRise * 100).toFixed(2)} points, more than the tolerance of ${(pdTolerance * 100).toFixed(2)}.`,
        zh: `不上调：违约概率上升${(pdRise * 100).toFixed(2)}个百分点，超过容忍度${(pdTolerance * 100).toFixed(2)}。`,
      },
      step,
    };
  }
  const maxStep = Math.max(Math.round(current * maxIncreaseShare), minIncreaseStepMinor);
  step.maxStepMinor = maxStep;
  let target = proposed;
  if (proposed - current > maxStep) {
    target = Math.max(current, roundLimit(policy, current + maxStep).amountMinor);
    step.bounded = true;
  }
  if (target === current) {
    return { newLimitMinor: current, targetLimitMinor: current, fromMinor: current, status: "unchanged", direction: "none", reason: { en: "The allowed step rounds to no change.", zh: "允许的上调幅度取整后无变化。" }, step };
  }
  const increase = target - current;
  if (increase > approvalAboveMinor) {
    return {
      newLimitMinor: current,
      targetLimitMinor: target,
      fromMinor: current,
      status: "pending_approval",
      direction: "increase",
      reason: {
        en: `Increase from ${m(current)} to ${m(target)} (+${m(increase)}) is above ${m(approvalAboveMinor)} and waits for a credit officer's approval.`,
        zh: `额度从${m(current)}上调至${m(target)}（+${m(increase)}）超过${m(approvalAboveMinor)}，待信用主管审批。`,
      },
      step,
    };
  }
  return {
    newLimitMinor: target,
    targetLimitMinor: target,
    fromMinor: current,
    status: "applied",
    direction: "increase",
    reason: step.bounded
      ? {
          en: `Limit raised from ${m(current)} to ${m(target)}, one bounded step towards ${m(proposed)}: the customer improved.`,
          zh: `额度从${m(current)}上调至${m(target)}（分步上调，目标${m(proposed)}）：客户状况改善。`,
        }
      : { en: `Limit raised from ${m(current)} to ${m(target)}: the customer improved.`, zh: `额度从${m(current)}上调至${m(target)}：客户状况改善。` },
    step,
  };
}

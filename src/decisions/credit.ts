import { loadCreditCase, type Database } from "../db";
import { computeFacts, computeFeatures } from "../features";
import { evaluateCredit, type CreditFacts, type PolicyStore, type ProfileState } from "../policy";
import { ValidationError, type IsoDate } from "../shared";
import type { CreditPort, CustomerCase, Explained, OrderInput, PolicyVerdict, RuleHit } from "./ports";

interface CaseState {
  facts: CreditFacts;
  openOrdersMinor: number;
  profile: ProfileState | null;
  previousPd: number | null;
  blacklisted: boolean;
}

/**
 * The order credit check for known customers: payment history from the database, point-in-time features
 * and facts (src/features), and the active policy's `evaluateCredit` (src/policy).
 */
export function creditPort(db: Database, policies: PolicyStore): CreditPort {
  return {
    async loadCase(externalId: string, asOf: IsoDate, excludeOrderId?: string): Promise<CustomerCase | null> {
      const found = await loadCreditCase(db, externalId, excludeOrderId);
      if (!found) return null;
      const { history, profile, blacklisted, openOrdersMinor } = found;
      const cust = { id: found.customerDbId, currency: found.currency };
      const features = computeFeatures(history, asOf);
      const facts = computeFacts(history, asOf);
      const state: CaseState = {
        facts,
        openOrdersMinor,
        profile: profile
          ? { tier: profile.tier, limitMinor: Number(profile.limitMinor), limitValidUntil: profile.limitValidUntil, tierFloor: profile.tierFloor }
          : null,
        previousPd: profile?.lastPd ?? null,
        blacklisted,
      };
      return {
        customerDbId: cust.id,
        externalId,
        currency: cust.currency,
        features,
        exposureMinor: facts.openReceivablesMinor + openOrdersMinor,
        facts: state as unknown as Record<string, unknown>,
      };
    },

    evaluate(c: CustomerCase, order: OrderInput, scored: Explained): PolicyVerdict {
      const policy = policies.current();
      if (order.currency !== policy.currency) {
        throw new ValidationError([{ path: "/order/currency", expected: `${policy.currency} (the policy's currency)`, received: `string "${order.currency}"` }]);
      }
      const s = c.facts as unknown as CaseState;
      const d = evaluateCredit(policy, {
        asOf: order.date,
        pd: scored.pd,
        previousPd: s.previousPd,
        facts: s.facts,
        openOrdersMinor: s.openOrdersMinor,
        profile: s.profile,
        blacklisted: s.blacklisted,
        order,
      });
      const rules: RuleHit[] = d.rules.map((r) => ({ id: r.id, outcome: r.outcome, text: r.text, compared: r.compared }));
      return {
        tier: d.tier,
        creditLimitMinor: d.limit.amountMinor,
        exposureMinor: d.exposureMinor,
        availableMinor: d.availableMinor,
        decision: d.decision,
        rules,
        limitCalculation: {
          validUntil: d.limit.validUntil,
          reviewDate: d.reviewDate,
          calculation: d.limit.calculation,
          tierReason: d.tierReason,
          expectedLossMinor: d.expectedLossMinor,
          evaluatedRules: d.evaluatedRules,
        },
      };
    },
  };
}

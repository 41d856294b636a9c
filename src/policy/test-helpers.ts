import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { parsePolicy, type Policy } from "./schema";
import type { CreditFacts, CreditInput } from "./types";

/** Test support: the default policy file's document, freshly parsed (safe to mutate). */
export function defaultPolicyDoc(): Record<string, any> {
  return parse(readFileSync(join(import.meta.dirname, "../../policy/default.yaml"), "utf8"));
}

/** The default policy, optionally changed by `edit` on its document first. */
export function testPolicy(edit?: (doc: Record<string, any>) => void): Policy {
  const doc = defaultPolicyDoc();
  edit?.(doc);
  return parsePolicy(doc, "test");
}

/** Facts of an established customer with nothing overdue; override what a test needs. */
export function facts(over: Partial<CreditFacts> = {}): CreditFacts {
  return {
    asOf: "2026-11-22",
    openReceivablesMinor: 5_000_000,
    overdueMinor: 0,
    overdueShare: 0,
    oldestOverdueDays: 0,
    disputedOpenMinor: 0,
    writtenOffMinor12m: 0,
    avgMonthlyPurchasesMinor12m: 10_000_000,
    invoiceCount12m: 24,
    onTimeShare12m: 0.9,
    avgDaysLate12m: 2,
    maxDaysLate12m: 10,
    tenureDays: 900,
    expectedDaysToPay: 35,
    ...over,
  };
}

/** A credit input for the default facts at PD 5% (tier B) without an order. */
export function input(over: Partial<CreditInput> = {}): CreditInput {
  return { asOf: "2026-11-22", pd: 0.05, previousPd: null, facts: facts(), openOrdersMinor: 0, profile: null, blacklisted: false, ...over };
}

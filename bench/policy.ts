/**
 * Policy benchmark: cost of one `evaluateCredit` (the per-request order check) and of `buildWorklist`.
 * Run: npm run bench:policy. Timings are noisy on shared machines: compare ratios within one run.
 */
import { join } from "node:path";
import { buildWorklist, evaluateCredit, loadPolicyFile, type CreditFacts, type WorklistItem } from "../src/policy";
import { addDays } from "../src/shared";

const policy = loadPolicyFile(join(import.meta.dirname, "../policy/default.yaml"));
const facts: CreditFacts = {
  asOf: "2026-11-22", openReceivablesMinor: 5_000_000, overdueMinor: 1_000_000, overdueShare: 0.2, oldestOverdueDays: 12, disputedOpenMinor: 0,
  writtenOffMinor12m: 0, avgMonthlyPurchasesMinor12m: 10_000_000, invoiceCount12m: 24, onTimeShare12m: 0.9, avgDaysLate12m: 2,
  maxDaysLate12m: 10, tenureDays: 900, expectedDaysToPay: 35,
};

function time(name: string, n: number, fn: (i: number) => unknown): number {
  for (let i = 0; i < Math.min(n, 20_000); i++) fn(i);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) fn(i);
  const us = ((performance.now() - t0) * 1000) / n;
  process.stdout.write(`${name.padEnd(40)} ${us.toFixed(2).padStart(9)} us/op  ${Math.round(1e6 / us).toLocaleString("en").padStart(12)} op/s/core\n`);
  return us;
}

const profile = { tier: "B", limitMinor: 15_000_000, limitValidUntil: "2027-01-31", tierFloor: null };
time("evaluateCredit (order, 7 rules)", 200_000, (i) =>
  evaluateCredit(policy, { asOf: "2026-11-22", pd: 0.01 + (i % 300) * 1e-3, previousPd: 0.04, facts, openOrdersMinor: 2_000_000, profile, blacklisted: false, order: { id: "SO", amountMinor: 1_000_000 + i, currency: "CNY", date: "2026-11-22" } }),
);
time("evaluateCredit + JSON of the answer", 100_000, (i) =>
  JSON.stringify(evaluateCredit(policy, { asOf: "2026-11-22", pd: 0.01 + (i % 300) * 1e-3, previousPd: 0.04, facts, openOrdersMinor: 2_000_000, profile, blacklisted: false })),
);
const items: WorklistItem[] = Array.from({ length: 10_000 }, (_, i) => ({
  invoice: { id: `I${i}`, issueDate: addDays("2026-06-01", i % 150), dueDate: addDays("2026-07-01", i % 150), amountMinor: 100_000 + i * 17, paidMinor: 0, disputed: i % 50 === 0 },
  customerId: `C${i % 900}`, tier: "ABCD"[i % 4], pd: (i % 97) / 200, expectedDaysToPay: i % 3 ? 30 + (i % 60) : null, avgDaysLate12m: 5, invoiceCount12m: 12,
}));
const us = time("buildWorklist (10,000 open invoices)", 5, () => buildWorklist(policy, items, "2026-11-22"));
process.stdout.write(`  = ${(us / 10_000).toFixed(2)} us per invoice\n`);

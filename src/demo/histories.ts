import type { CustomerHistory } from "../features";
import type { DemoCustomerBundle, DemoPortfolio } from "./generate";

/**
 * The demo customers as `CustomerHistory` values (what `loadHistory` would return after seeding), so
 * features, snapshots and models can be checked without a database. Ids are the external ids; the
 * credit limit is the onboarding profile's.
 */
export function bundleHistory(b: DemoCustomerBundle): CustomerHistory {
  return {
    customerId: b.customer.externalId,
    registrationDate: b.customer.registrationDate,
    industry: b.customer.industry,
    paymentTermsDays: b.customer.paymentTermsDays,
    creditLimitMinor: b.profile.limitMinor,
    invoices: b.invoices.map((i) => ({
      id: i.externalId,
      customerId: i.customerExternalId,
      issueDate: i.issueDate,
      dueDate: i.dueDate,
      amountMinor: i.amountMinor,
      currency: i.currency,
      paidMinor: i.paidMinor,
      settledDate: i.settledDate,
      disputed: i.disputed,
      status: i.status,
      writtenOffDate: i.writtenOffDate,
    })),
    payments: b.payments.map((p) => ({ id: p.externalId, customerId: p.customerExternalId, invoiceId: p.invoiceExternalId, date: p.date, amountMinor: p.amountMinor })),
  };
}

/** All customers of a generated portfolio as histories, in customer order. */
export function portfolioHistories(p: DemoPortfolio): CustomerHistory[] {
  const inv = new Map<string, DemoCustomerBundle["invoices"]>();
  const pay = new Map<string, DemoCustomerBundle["payments"]>();
  for (const i of p.invoices) (inv.get(i.customerExternalId) ?? inv.set(i.customerExternalId, []).get(i.customerExternalId)!).push(i);
  for (const x of p.payments) (pay.get(x.customerExternalId) ?? pay.set(x.customerExternalId, []).get(x.customerExternalId)!).push(x);
  const profiles = new Map(p.profiles.map((x) => [x.customerExternalId, x]));
  return p.customers.map((c) =>
    bundleHistory({ customer: c, invoices: inv.get(c.externalId) ?? [], payments: pay.get(c.externalId) ?? [], orders: [], profile: profiles.get(c.externalId)! }),
  );
}

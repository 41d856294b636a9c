import {
  blacklistedCustomerIds,
  listCollectionActions,
  listOrders,
  listProfiles,
  loadHistories,
  openOrdersTotals,
  openReceivablesTotalSql,
  toNumber,
  type Database,
} from "../db";
import { computeFacts, type CreditFacts } from "../features";
import type { IsoDate } from "../shared";
import { buildWorklist, type RecordedAction, type WorklistItem, type WorklistRow } from "./collections";
import type { Policy } from "./schema";
import type { PortfolioEntry } from "./simulate";

/** Orders that wait for a credit decision and are replayed by the simulation. */
export const AWAITING_DECISION = ["pending", "review", "held", "prepay"];

export interface LoadedPortfolio {
  asOf: IsoDate;
  entries: PortfolioEntry[];
  /** Open receivables by direct SQL (status 'open', issued by asOf), the check on the entries' sum. */
  sqlOpenReceivablesMinor: number;
}

/**
 * Loads every customer's stored credit state for simulation: the profile's last PD, tier floor and limit,
 * blacklist, open and pending orders, and facts computed from the payment history as of `asOf`.
 * @param onProgress called with (done, total) while computing facts
 */
export async function loadPortfolio(db: Database, asOf: IsoDate, onProgress?: (done: number, total: number) => void): Promise<LoadedPortfolio> {
  const [profiles, blacklisted, openOrders, pending, idRows, sqlOpen] = await Promise.all([
    listProfiles(db),
    blacklistedCustomerIds(db),
    openOrdersTotals(db),
    listOrders(db, { status: AWAITING_DECISION }),
    db.prisma.customer.findMany({ select: { id: true, externalId: true } }),
    openReceivablesTotalSql(db, asOf),
  ]);
  const idOf = new Map(idRows.map((r) => [r.externalId, r.id]));
  const profileOf = new Map(profiles.map((p) => [p.customerId, p]));
  const pendingOf = new Map<number, typeof pending>();
  for (const o of pending) {
    const list = pendingOf.get(o.customerId) ?? [];
    list.push(o);
    pendingOf.set(o.customerId, list);
  }
  const entries: PortfolioEntry[] = [];
  const total = idRows.length;
  // Histories stream in batches; only the facts are kept, so memory does not grow with the history.
  for await (const h of loadHistories(db)) {
    const id = idOf.get(h.customerId)!;
    const p = profileOf.get(id);
    entries.push({
      customerId: h.customerId,
      pd: p?.lastPd ?? null,
      facts: computeFacts(h, asOf),
      openOrdersMinor: openOrders.get(id) ?? 0,
      profile: p ? { tier: p.tier, limitMinor: p.limitMinor, limitValidUntil: p.limitValidUntil, tierFloor: p.tierFloor } : null,
      blacklisted: blacklisted.has(id),
      pendingOrders: (pendingOf.get(id) ?? []).map((o) => ({ id: o.externalId, amountMinor: o.amountMinor, currency: o.currency, date: o.orderDate })),
    });
    if (onProgress && (entries.length % 250 === 0 || entries.length === total)) onProgress(entries.length, total);
  }
  return { asOf, entries, sqlOpenReceivablesMinor: sqlOpen };
}

export interface WorklistOptions {
  /** Only this customer's invoices (external id). */
  customerId?: string;
  /** Rows returned after ranking (default all). */
  limit?: number;
}

/**
 * The collections worklist from the database on `asOf`: every open invoice issued by then, its ladder state
 * from the recorded collection actions, the customer's tier and last PD from the profile (customers without
 * one are treated as the worst tier at that tier's upper PD bound), and a payment forecast from the
 * customer's own history (expected days to pay from `computeFacts`, else average days late blended with the
 * tier prior). Invoice and customer ids in the rows are external ids.
 */
export async function loadWorklist(db: Database, policy: Policy, asOf: IsoDate, opts: WorklistOptions = {}): Promise<WorklistRow[]> {
  const invoices = await db.prisma.invoice.findMany({
    where: { status: "open", issueDate: { lte: asOf }, ...(opts.customerId ? { customer: { externalId: opts.customerId } } : {}) },
    select: {
      id: true,
      externalId: true,
      issueDate: true,
      dueDate: true,
      amountMinor: true,
      paidMinor: true,
      disputed: true,
      customer: { select: { externalId: true, profile: { select: { tier: true, lastPd: true } } } },
    },
    orderBy: { id: "asc" },
  });
  if (invoices.length === 0) return [];
  const actions = await listCollectionActions(db, { invoiceIds: invoices.map((i) => i.id) });
  const doneOf = new Map<number, RecordedAction[]>();
  for (const a of actions) {
    const list = doneOf.get(a.invoiceId) ?? [];
    list.push({ step: a.step, status: a.status, date: a.performedAt ? a.performedAt.toISOString().slice(0, 10) : null, promiseDate: a.promiseDate, promiseAmountMinor: a.promiseAmountMinor });
    doneOf.set(a.invoiceId, list);
  }
  const customerIds = [...new Set(invoices.map((i) => i.customer.externalId))];
  const factsOf = new Map<string, CreditFacts>();
  for await (const h of loadHistories(db, { customerIds })) factsOf.set(h.customerId, computeFacts(h, asOf));
  const worst = policy.tiers[policy.tiers.length - 1];
  const items: WorklistItem[] = invoices.map((inv) => {
    const prof = inv.customer.profile;
    const tier = prof && policy.tierById[prof.tier] ? prof.tier : worst.id;
    const f = factsOf.get(inv.customer.externalId);
    return {
      invoice: { id: inv.externalId, issueDate: inv.issueDate, dueDate: inv.dueDate, amountMinor: toNumber(inv.amountMinor), paidMinor: toNumber(inv.paidMinor), disputed: inv.disputed },
      customerId: inv.customer.externalId,
      tier,
      pd: prof?.lastPd ?? policy.tierById[tier].maxPd,
      expectedDaysToPay: f?.expectedDaysToPay ?? null,
      avgDaysLate12m: f?.avgDaysLate12m ?? null,
      invoiceCount12m: f?.invoiceCount12m ?? 0,
      done: doneOf.get(inv.id) ?? [],
    };
  });
  const rows = buildWorklist(policy, items, asOf);
  return opts.limit ? rows.slice(0, opts.limit) : rows;
}

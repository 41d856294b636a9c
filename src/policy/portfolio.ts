import { blacklistedCustomerIds, listOrders, listProfiles, loadHistories, openOrdersTotals, openReceivablesTotalSql, type Database } from "../db";
import { computeFacts } from "../features";
import type { IsoDate } from "../shared";
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

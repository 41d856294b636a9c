import * as dbModule from "../db";
import { blacklistedCustomerIds, listOrders, listProfiles, openOrdersTotals, openReceivablesTotalSql, toNumber, type Database } from "../db";
import { computeFacts, type CustomerHistory } from "../features";
import type { IsoDate } from "../shared";
import type { PortfolioEntry } from "./simulate";

/** Orders that wait for a credit decision and are replayed by the simulation. */
export const AWAITING_DECISION = ["pending", "review", "held", "prepay"];

type HistoryLoader = (db: Database) => Promise<CustomerHistory[]>;

/**
 * Every customer's payment history. Uses the history repository's `loadHistories(db)` when src/db provides
 * it; otherwise reads customers, invoices and payments directly.
 */
async function loadAllHistories(db: Database): Promise<CustomerHistory[]> {
  const shared = (dbModule as Record<string, unknown>).loadHistories as HistoryLoader | undefined;
  if (typeof shared === "function") return shared(db);
  const customers = await db.prisma.customer.findMany({
    select: {
      id: true,
      externalId: true,
      registrationDate: true,
      industry: true,
      paymentTermsDays: true,
      profile: { select: { limitMinor: true } },
      invoices: { orderBy: { issueDate: "asc" } },
      payments: { orderBy: { date: "asc" }, include: { invoice: { select: { externalId: true } } } },
    },
    orderBy: { id: "asc" },
  });
  return customers.map((c) => ({
    customerId: c.externalId,
    registrationDate: c.registrationDate,
    industry: c.industry,
    paymentTermsDays: c.paymentTermsDays,
    creditLimitMinor: c.profile ? toNumber(c.profile.limitMinor) : null,
    invoices: c.invoices.map((i) => ({
      id: i.externalId,
      customerId: c.externalId,
      issueDate: i.issueDate,
      dueDate: i.dueDate,
      amountMinor: toNumber(i.amountMinor),
      currency: i.currency,
      paidMinor: toNumber(i.paidMinor),
      settledDate: i.settledDate,
      disputed: i.disputed,
      status: i.status as "open" | "paid" | "written_off" | "cancelled",
      writtenOffDate: i.writtenOffDate,
    })),
    payments: c.payments.map((p) => ({ id: p.externalId, customerId: c.externalId, invoiceId: p.invoice?.externalId ?? null, date: p.date, amountMinor: toNumber(p.amountMinor) })),
  }));
}

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
  const [histories, profiles, blacklisted, openOrders, pending, idRows, sqlOpen] = await Promise.all([
    loadAllHistories(db),
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
  histories.forEach((h, i) => {
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
    if (onProgress && (i % 250 === 0 || i === histories.length - 1)) onProgress(i + 1, histories.length);
  });
  return { asOf, entries, sqlOpenReceivablesMinor: sqlOpen };
}

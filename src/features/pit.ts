import { toEpochDay } from "../shared";
import type { CustomerHistory } from "./types";

/**
 * Point-in-time view of a customer's history. Dates become epoch-day integers once, and each invoice's
 * payments become a cumulative step function, so that any as-of date can be evaluated in O(invoices)
 * without allocating. Nothing here reads the invoice's current `status` except `cancelled`.
 */

/**
 * Epoch day of a `YYYY-MM-DD` string without a regex or Date: this runs for every date of every
 * invoice on each request. Same result as `toEpochDay` (which it falls back to for anything else).
 */
export function dayOf(s: string): number {
  if (s.length === 10 && s.charCodeAt(4) === 45 && s.charCodeAt(7) === 45) {
    const y = (s.charCodeAt(0) - 48) * 1000 + (s.charCodeAt(1) - 48) * 100 + (s.charCodeAt(2) - 48) * 10 + (s.charCodeAt(3) - 48);
    const m = (s.charCodeAt(5) - 48) * 10 + (s.charCodeAt(6) - 48);
    const d = (s.charCodeAt(8) - 48) * 10 + (s.charCodeAt(9) - 48);
    if (y >= 0 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= 31) {
      // Days from civil (H. Hinnant): proleptic Gregorian, day 0 = 1970-01-01.
      const yy = m <= 2 ? y - 1 : y;
      const era = Math.floor(yy / 400);
      const yoe = yy - era * 400;
      const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
      const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
      return era * 146097 + doe - 719468;
    }
  }
  return toEpochDay(s);
}

/** Sentinel for "never happened". */
export const NEVER = Number.POSITIVE_INFINITY;

/** One invoice, prepared for evaluation at arbitrary as-of days. */
export interface PitInvoice {
  issue: number;
  due: number;
  amount: number;
  disputed: boolean;
  /** Payment days, ascending. */
  payDays: number[];
  /** Cumulative paid amount after each payment day (same length as payDays). */
  payCum: number[];
  /** First day on which cumulative payments reach the amount (NEVER if not yet). */
  settleDay: number;
  /** Write-off day (NEVER if none, or if the invoice was paid in full before it). */
  woDay: number;
}

export interface PitHistory {
  customerId: string;
  /** Invoices sorted by issue day, cancelled ones left out. */
  invoices: PitInvoice[];
  regDay: number | null;
  industry: string | null;
  paymentTermsDays: number | null;
  creditLimitMinor: number | null;
}

/**
 * Prepares a history for point-in-time evaluation. Payment evidence per invoice: the dated payment
 * records linked to it; without any, the whole amount on `settledDate` (when set). `paidMinor` and
 * `status` are today's values and are not used, except that cancelled invoices are dropped entirely
 * (their cancellation date is not recorded). Unallocated payments (`invoiceId` null) are ignored.
 */
export function preparePit(h: CustomerHistory): PitHistory {
  const byInvoice = new Map<string, { day: number; amount: number }[]>();
  for (const p of h.payments) {
    if (p.invoiceId === null) continue;
    let list = byInvoice.get(p.invoiceId);
    if (!list) byInvoice.set(p.invoiceId, (list = []));
    list.push({ day: dayOf(p.date), amount: p.amountMinor });
  }
  const invoices: PitInvoice[] = [];
  for (const inv of h.invoices) {
    if (inv.status === "cancelled") continue;
    const issue = dayOf(inv.issueDate);
    const due = dayOf(inv.dueDate);
    const amount = inv.amountMinor;
    let pays = byInvoice.get(inv.id);
    if (!pays || pays.length === 0) {
      // Today's paidMinor may include payments made after any as-of date, so it is never used.
      pays = inv.settledDate ? [{ day: dayOf(inv.settledDate), amount }] : [];
    }
    if (pays.length > 1) pays.sort((a, b) => a.day - b.day);
    const payDays: number[] = new Array(pays.length);
    const payCum: number[] = new Array(pays.length);
    let cum = 0;
    let settleDay = NEVER;
    for (let i = 0; i < pays.length; i++) {
      cum += pays[i].amount;
      payDays[i] = pays[i].day;
      payCum[i] = cum;
      if (settleDay === NEVER && cum >= amount) settleDay = pays[i].day;
    }
    // A write-off dated after the invoice was paid in full wrote off nothing: it is ignored.
    let woDay = inv.writtenOffDate ? dayOf(inv.writtenOffDate) : NEVER;
    if (settleDay < woDay) woDay = NEVER;
    invoices.push({
      issue,
      due,
      amount,
      disputed: inv.disputed,
      payDays,
      payCum,
      settleDay,
      woDay,
    });
  }
  invoices.sort((a, b) => a.issue - b.issue);
  return {
    customerId: h.customerId,
    invoices,
    regDay: h.registrationDate ? dayOf(h.registrationDate) : null,
    industry: h.industry,
    paymentTermsDays: h.paymentTermsDays,
    creditLimitMinor: h.creditLimitMinor,
  };
}

/** Amount paid on an invoice by the end of day `t`. */
export function paidBy(inv: PitInvoice, t: number): number {
  let paid = 0;
  for (let i = 0; i < inv.payDays.length && inv.payDays[i] <= t; i++) paid = inv.payCum[i];
  return paid;
}

/** Amount still owed at the end of day `t` (0 once written off; 0 before issue). */
export function outstandingAt(inv: PitInvoice, t: number): number {
  if (inv.issue > t || inv.woDay <= t) return 0;
  const rest = inv.amount - paidBy(inv, t);
  return rest > 0 ? rest : 0;
}

/**
 * Days late of an invoice as known at day `t` (requires `due < t`): for one settled by `t` (before any
 * write-off), days from due to settlement (0 when on time); for one written off by `t`, days from due to
 * the write-off; for one still open, days past due at `t`.
 */
export function daysLateAt(inv: PitInvoice, t: number): number {
  if (inv.settleDay <= t && inv.settleDay <= inv.woDay) return inv.settleDay > inv.due ? inv.settleDay - inv.due : 0;
  if (inv.woDay <= t) return inv.woDay > inv.due ? inv.woDay - inv.due : 0;
  return t - inv.due;
}

/**
 * The day a customer went into default through this invoice, or NEVER: the first day it was at least
 * `dpdThreshold` days past due while still owed, or its write-off day when that comes first.
 */
export function defaultDay(inv: PitInvoice, dpdThreshold: number): number {
  const cross = inv.due + dpdThreshold;
  // Owed at the end of the crossing day (and not written off before it) means the threshold was reached.
  const woFirst = inv.woDay <= cross;
  if (woFirst) return inv.woDay;
  if (inv.settleDay > cross) return cross;
  return NEVER;
}

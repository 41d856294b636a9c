import { isIsoDate, toEpochDay, ValidationError, describeValue, type IsoDate } from "../shared";
import { NEVER, daysLateAt, defaultDay, outstandingAt, preparePit, type PitHistory } from "./pit";
import type { AgingBuckets, CreditFacts, CustomerHistory, FeatureVector } from "./types";

/** Look-back windows of the windowed features, in days. */
export const WINDOWS = [90, 180, 365] as const;

/** `days_since_last_late` is capped here; a customer never late gets the cap. */
export const DAYS_SINCE_LATE_CAP = 730;

/** Options of `computeFeatures`. */
export interface FeatureOptions {
  /** Days past due that make an invoice count as a default episode in `ever_90dpd_count` (default 90). */
  dpdThreshold?: number;
}

function asOfDay(asOf: IsoDate): number {
  if (!isIsoDate(asOf)) throw new ValidationError([{ path: "asOf", expected: "a YYYY-MM-DD calendar date", received: describeValue(asOf) }]);
  return toEpochDay(asOf);
}

function ratio(num: number, den: number): number | null {
  return den > 0 ? num / den : null;
}

/**
 * Payment-history features of one customer at as-of date `asOf`, using only what was known at the end
 * of that day (docs/ARCHITECTURE.md, point-in-time rule). Names, units and meaning are listed in
 * `FEATURE_CATALOG`. Money is in minor units; windows look back 90/180/365 days; "due in the window"
 * means a due date strictly before `asOf` and within the window, so that the on-time outcome is decided.
 * Pure; O(invoices + payments).
 *
 * Not dated in the data, hence read as they are today: the `disputed` flag of invoices issued by
 * `asOf`, the credit limit (`credit_utilisation`), payment terms and industry, and cancellations
 * (cancelled invoices are ignored at every date).
 * @throws ValidationError when `asOf` is not a calendar date.
 */
export function computeFeatures(history: CustomerHistory, asOf: IsoDate, opts: FeatureOptions = {}): FeatureVector {
  return featuresAt(preparePit(history), asOfDay(asOf), opts.dpdThreshold ?? 90);
}

/** Features of a prepared history at epoch day `t` (used by `computeFeatures` and `buildSnapshots`). */
export function featuresAt(h: PitHistory, t: number, dpdThreshold = 90): FeatureVector {
  const nW = WINDOWS.length;
  const issuedCount = [0, 0, 0];
  const issuedAmount = [0, 0, 0];
  const dueCount = [0, 0, 0];
  const onTime = [0, 0, 0];
  const lateSum = [0, 0, 0];
  const lateMax = [0, 0, 0];
  const buckets = [0, 0, 0, 0]; // 1-30, 31-60, 61-90, 90+ over the 365-day window
  let recentLateSum = 0, recentN = 0, olderLateSum = 0, olderN = 0;
  let disputes365 = 0;
  let open = 0, overdue = 0, oldestOverdue = 0, openCount = 0;
  let lastLateDay = -NEVER;
  let ever90 = 0, writeOffs = 0;
  let dtpSum = 0, dtpN = 0;
  let firstIssue = NEVER;

  for (const inv of h.invoices) {
    if (inv.issue > t) break; // sorted by issue day: the rest is unknown at t
    if (inv.issue < firstIssue) firstIssue = inv.issue;
    const age = t - inv.issue;
    for (let w = 0; w < nW; w++) {
      if (age < WINDOWS[w]) {
        issuedCount[w]++;
        issuedAmount[w] += inv.amount;
      }
    }
    if (age < 365 && inv.disputed) disputes365++;

    const owed = outstandingAt(inv, t);
    if (owed > 0) {
      open += owed;
      openCount++;
      if (t > inv.due) {
        overdue += owed;
        if (t - inv.due > oldestOverdue) oldestOverdue = t - inv.due;
        lastLateDay = t;
      }
    }
    if (inv.woDay <= t) writeOffs++;
    if (defaultDay(inv, dpdThreshold) <= t) ever90++;

    const settled = inv.settleDay <= t && inv.settleDay <= inv.woDay;
    if (settled) {
      if (inv.settleDay > inv.due && inv.settleDay > lastLateDay) lastLateDay = inv.settleDay;
      if (t - inv.settleDay < 365) {
        dtpSum += inv.settleDay - inv.issue;
        dtpN++;
      }
    }

    if (inv.due < t) {
      const sinceDue = t - inv.due;
      const late = daysLateAt(inv, t);
      for (let w = 0; w < nW; w++) {
        if (sinceDue <= WINDOWS[w]) {
          dueCount[w]++;
          if (late === 0) onTime[w]++;
          lateSum[w] += late;
          if (late > lateMax[w]) lateMax[w] = late;
        }
      }
      if (sinceDue <= 365) {
        if (late > 90) buckets[3]++;
        else if (late > 60) buckets[2]++;
        else if (late > 30) buckets[1]++;
        else if (late > 0) buckets[0]++;
        if (sinceDue <= 90) {
          recentLateSum += late;
          recentN++;
        } else {
          olderLateSum += late;
          olderN++;
        }
      }
    }
  }

  const f: FeatureVector = {};
  for (let w = 0; w < nW; w++) {
    const W = WINDOWS[w];
    f[`invoice_count_${W}`] = issuedCount[w];
    f[`invoice_amount_${W}`] = issuedAmount[w];
    f[`on_time_share_${W}`] = ratio(onTime[w], dueCount[w]);
    f[`avg_days_late_${W}`] = ratio(lateSum[w], dueCount[w]);
    f[`max_days_late_${W}`] = dueCount[w] > 0 ? lateMax[w] : null;
  }
  const d365 = dueCount[2];
  f.late_1_30_share_365 = ratio(buckets[0], d365);
  f.late_31_60_share_365 = ratio(buckets[1], d365);
  f.late_61_90_share_365 = ratio(buckets[2], d365);
  f.late_over_90_share_365 = ratio(buckets[3], d365);
  f.lateness_trend = recentN > 0 && olderN > 0 ? recentLateSum / recentN - olderLateSum / olderN : null;
  f.open_exposure = open;
  f.overdue_exposure = overdue;
  f.overdue_share = open > 0 ? overdue / open : 0;
  f.oldest_overdue_days = oldestOverdue;
  f.open_invoice_count = openCount;
  f.dispute_count_365 = disputes365;
  f.disputed_share_365 = ratio(disputes365, issuedCount[2]);
  f.ever_90dpd_count = ever90;
  f.write_off_count = writeOffs;
  const start = h.regDay !== null && h.regDay <= t ? Math.min(h.regDay, firstIssue) : firstIssue;
  f.tenure_days = start === NEVER ? null : t - start;
  f.days_since_last_late = lastLateDay === -NEVER ? DAYS_SINCE_LATE_CAP : Math.min(DAYS_SINCE_LATE_CAP, t - lastLateDay);
  f.credit_utilisation = h.creditLimitMinor !== null && h.creditLimitMinor > 0 ? open / h.creditLimitMinor : null;
  f.avg_invoice_amount_365 = ratio(issuedAmount[2], issuedCount[2]);
  f.volume_trend = issuedAmount[2] > 0 ? (issuedAmount[0] * 365) / 90 / issuedAmount[2] : null;
  f.avg_days_to_pay_365 = ratio(dtpSum, dtpN);
  f.payment_terms_days = h.paymentTermsDays;
  f.industry = h.industry;
  return f;
}

/**
 * Receivables facts for the policy layer at `asOf` (point in time, minor units). The 12-month figures
 * look back 365 days. `expectedDaysToPay` is the mean issue-to-payment time of invoices settled in the
 * last 12 months, where each invoice still open past its due date counts with its age so far (a lower
 * bound), so a customer who has stopped paying is not flattered; null without any such invoice.
 * @throws ValidationError when `asOf` is not a calendar date.
 */
export function computeFacts(history: CustomerHistory, asOf: IsoDate): CreditFacts {
  const t = asOfDay(asOf);
  const h = preparePit(history);
  const f = featuresAt(h, t);
  let disputedOpen = 0, writtenOff12m = 0, dtpSum = 0, dtpN = 0, firstIssue = NEVER;
  for (const inv of h.invoices) {
    if (inv.issue > t) break;
    if (inv.issue < firstIssue) firstIssue = inv.issue;
    const owed = outstandingAt(inv, t);
    if (inv.disputed) disputedOpen += owed;
    if (inv.woDay <= t && t - inv.woDay < 365) writtenOff12m += outstandingAt(inv, inv.woDay - 1);
    if (inv.settleDay <= t && inv.settleDay <= inv.woDay) {
      if (t - inv.settleDay < 365) {
        dtpSum += inv.settleDay - inv.issue;
        dtpN++;
      }
    } else if (owed > 0 && inv.due < t) {
      dtpSum += t - inv.issue;
      dtpN++;
    }
  }
  const tenure = f.tenure_days as number | null;
  // Average over the months actually observed, so a customer of 3 months is not divided by 12.
  const observedDays = firstIssue === NEVER ? 0 : Math.min(365, t - firstIssue + 1);
  const months = Math.max(1, observedDays / (365 / 12));
  return {
    asOf,
    openReceivablesMinor: f.open_exposure as number,
    overdueMinor: f.overdue_exposure as number,
    overdueShare: f.overdue_share as number,
    oldestOverdueDays: f.oldest_overdue_days as number,
    disputedOpenMinor: disputedOpen,
    writtenOffMinor12m: writtenOff12m,
    avgMonthlyPurchasesMinor12m: Math.round((f.invoice_amount_365 as number) / months),
    invoiceCount12m: f.invoice_count_365 as number,
    onTimeShare12m: f.on_time_share_365 as number | null,
    avgDaysLate12m: f.avg_days_late_365 as number | null,
    maxDaysLate12m: f.max_days_late_365 as number | null,
    tenureDays: tenure,
    expectedDaysToPay: dtpN > 0 ? dtpSum / dtpN : null,
  };
}

/**
 * Outstanding receivables at `asOf` by days past due (current, 1-30, 31-60, 61-90, 90+), in minor units.
 * @throws ValidationError when `asOf` is not a calendar date.
 */
export function agingBuckets(history: CustomerHistory, asOf: IsoDate): AgingBuckets {
  const t = asOfDay(asOf);
  const h = preparePit(history);
  const b: AgingBuckets = { asOf, currentMinor: 0, dpd1to30Minor: 0, dpd31to60Minor: 0, dpd61to90Minor: 0, dpd90PlusMinor: 0, totalMinor: 0 };
  for (const inv of h.invoices) {
    if (inv.issue > t) break;
    const owed = outstandingAt(inv, t);
    if (owed === 0) continue;
    const dpd = t - inv.due;
    if (dpd <= 0) b.currentMinor += owed;
    else if (dpd <= 30) b.dpd1to30Minor += owed;
    else if (dpd <= 60) b.dpd31to60Minor += owed;
    else if (dpd <= 90) b.dpd61to90Minor += owed;
    else b.dpd90PlusMinor += owed;
    b.totalMinor += owed;
  }
  return b;
}

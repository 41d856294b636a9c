import { addMonths, fromEpochDay, isIsoDate, toEpochDay, ValidationError, describeValue, type FieldIssue, type IsoDate } from "../shared";
import { featuresAt } from "./compute";
import { NEVER, defaultDay, outstandingAt, preparePit, type PitHistory } from "./pit";
import type { CustomerHistory, FeatureVector } from "./types";

/** Options of `buildSnapshots`. */
export interface SnapshotOptions {
  /** First as-of date. With `start`, as-of dates are start, start + everyMonths, ... (calendar months). Without it, month ends. */
  start?: IsoDate;
  /** Last as-of date (inclusive). Default: as late as the label window allows. */
  end?: IsoDate;
  /** Months between as-of dates (default 1). */
  everyMonths?: number;
  /** Label horizon in days after the as-of date (default 365). */
  horizonDays?: number;
  /** Days past due that count as default (default 90). */
  dpdThreshold?: number;
  /** Minimum days between the customer's first invoice (or registration) and the as-of date (default 0). */
  minHistoryDays?: number;
  /**
   * Date the data was extracted: events up to it are observed. Default: the latest dated event (issue,
   * payment, settlement, write-off) across all histories.
   */
  dataEnd?: IsoDate;
}

/** Snapshot rows, their labels (1 = default within the horizon) and keys, index-aligned. */
export interface Snapshots {
  rows: FeatureVector[];
  labels: Uint8Array;
  keys: { customerId: string; asOf: IsoDate }[];
}

/** How a customer stands at an as-of day for labelling. */
export type LabelState = "in_default" | "bad" | "good";

/**
 * Label of a prepared history at epoch day `t`: "in_default" when at the end of `t` an invoice is owed
 * `dpdThreshold`+ days past due, or one was written off in the `horizonDays` before `t` (such snapshots
 * are excluded); "bad" when an invoice reaches `dpdThreshold` days past due, or is written off, in
 * (t, t + horizonDays]; "good" otherwise. Invoices issued after `t` count for the label.
 */
export function labelAt(h: PitHistory, t: number, horizonDays = 365, dpdThreshold = 90): LabelState {
  let bad = false;
  for (const inv of h.invoices) {
    if (inv.woDay <= t) {
      if (t - inv.woDay < horizonDays) return "in_default";
      continue;
    }
    if (inv.issue <= t && t - inv.due >= dpdThreshold && outstandingAt(inv, t) > 0) return "in_default";
    const d = defaultDay(inv, dpdThreshold);
    if (d > t && d <= t + horizonDays) bad = true;
  }
  return bad ? "bad" : "good";
}

function lastEventDay(h: PitHistory): number {
  let last = -NEVER;
  for (const inv of h.invoices) {
    if (inv.issue > last) last = inv.issue;
    if (inv.payDays.length && inv.payDays[inv.payDays.length - 1] > last) last = inv.payDays[inv.payDays.length - 1];
    if (inv.woDay !== NEVER && inv.woDay > last) last = inv.woDay;
  }
  return last;
}

function monthEnd(y: number, m0: number): number {
  return Math.floor(Date.UTC(y, m0 + 1, 0) / 86_400_000);
}

function validate(opts: SnapshotOptions): void {
  const issues: FieldIssue[] = [];
  for (const k of ["start", "end", "dataEnd"] as const) {
    if (opts[k] !== undefined && !isIsoDate(opts[k])) issues.push({ path: k, expected: "a YYYY-MM-DD calendar date", received: describeValue(opts[k]) });
  }
  const ints: [keyof SnapshotOptions, number][] = [["everyMonths", 1], ["horizonDays", 1], ["dpdThreshold", 1], ["minHistoryDays", 0]];
  for (const [k, min] of ints) {
    const v = opts[k];
    if (v !== undefined && !(Number.isInteger(v) && (v as number) >= min)) issues.push({ path: k, expected: `an integer >= ${min}`, received: describeValue(v) });
  }
  if (issues.length) throw new ValidationError(issues);
}

/**
 * Point-in-time training snapshots: for each customer and each as-of date, the features known at that
 * date (`computeFeatures`) and a label from events strictly after it, in (asOf, asOf + horizonDays].
 * Snapshots are left out when the label window is not fully observed (asOf + horizonDays > dataEnd),
 * when the customer is already in default at the as-of date (see `labelAt`), when no invoice had been
 * issued by then, or when the history is shorter than `minHistoryDays`. Histories may be streamed
 * (async iterable); memory grows with the number of snapshots, not of invoices.
 * @throws ValidationError on malformed options.
 */
export async function buildSnapshots(
  histories: Iterable<CustomerHistory> | AsyncIterable<CustomerHistory>,
  opts: SnapshotOptions = {},
): Promise<Snapshots> {
  validate(opts);
  const every = opts.everyMonths ?? 1;
  const horizon = opts.horizonDays ?? 365;
  const dpd = opts.dpdThreshold ?? 90;
  const minHist = opts.minHistoryDays ?? 0;
  const endDay = opts.end ? toEpochDay(opts.end) : NEVER;
  const givenDataEnd = opts.dataEnd ? toEpochDay(opts.dataEnd) : null;
  // Without an explicit data end the last observed date is known only after the pass: rows beyond the
  // limit allowed by what has been seen so far are kept and filtered at the end.
  const limit = givenDataEnd !== null ? givenDataEnd - horizon : NEVER;

  let grid: number[] | null = null;
  if (opts.start) {
    grid = [];
    const stop = Math.min(endDay, limit);
    for (let k = 0; ; k++) {
      const d = toEpochDay(addMonths(opts.start, k * every));
      if (d > stop || (stop === NEVER && k > 1200)) break;
      grid.push(d);
    }
  }

  const rows: FeatureVector[] = [];
  const labels: number[] = [];
  const keys: { customerId: string; asOf: IsoDate }[] = [];
  const days: number[] = [];
  let dataEnd = -NEVER;

  for await (const hist of histories as AsyncIterable<CustomerHistory>) {
    const h = preparePit(hist);
    if (h.invoices.length === 0) continue;
    const last = lastEventDay(h);
    if (last > dataEnd) dataEnd = last;
    const first = Math.min(h.invoices[0].issue, h.regDay ?? NEVER);
    const from = Math.max(h.invoices[0].issue, first + minHist);
    const to = Math.min(endDay, limit, givenDataEnd !== null ? NEVER : last);
    const dates = grid ?? monthEnds(from, to, every);
    for (const t of dates) {
      if (t < from || t > to) continue;
      const state = labelAt(h, t, horizon, dpd);
      if (state === "in_default") continue;
      rows.push(featuresAt(h, t, dpd));
      labels.push(state === "bad" ? 1 : 0);
      keys.push({ customerId: h.customerId, asOf: fromEpochDay(t) });
      days.push(t);
    }
  }

  const cut = (givenDataEnd ?? dataEnd) - horizon;
  if (givenDataEnd === null) {
    let j = 0;
    for (let i = 0; i < rows.length; i++) {
      if (days[i] > cut) continue;
      rows[j] = rows[i];
      labels[j] = labels[i];
      keys[j] = keys[i];
      j++;
    }
    rows.length = j;
    labels.length = j;
    keys.length = j;
  }
  return { rows, labels: Uint8Array.from(labels), keys };
}

/** Month ends in [from, to], on months whose index (year*12+month) is a multiple of `every`. */
function monthEnds(from: number, to: number, every: number): number[] {
  const out: number[] = [];
  if (to === NEVER || from > to) return out;
  const d = new Date(from * 86_400_000);
  let y = d.getUTCFullYear();
  let m = d.getUTCMonth();
  for (;;) {
    const e = monthEnd(y, m);
    if (e > to) break;
    if (e >= from && (y * 12 + m) % every === 0) out.push(e);
    m++;
    if (m === 12) {
      m = 0;
      y++;
    }
  }
  return out;
}

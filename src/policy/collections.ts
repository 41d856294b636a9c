import { ValidationError, type IsoDate } from "../shared";
import { dayOf, isoOf } from "./days";
import type { LadderStep, Policy, Text } from "./schema";

/** An open invoice as the collections ladder needs it. Money in minor units. */
export interface CollectionInvoice {
  id: string;
  /** Issue date; used with the customer's expected days to pay. Optional. */
  issueDate?: IsoDate;
  dueDate: IsoDate;
  amountMinor: number;
  paidMinor: number;
  disputed: boolean;
}

/** A collection action already recorded for the invoice. */
export interface RecordedAction {
  /** Ladder step id, or `promise_to_pay` / `note`. */
  step: string;
  /** planned | due | sent | done | failed | cancelled */
  status: string;
  /** When it was performed (calendar date), if it was. */
  date?: IsoDate | null;
  promiseDate?: IsoDate | null;
  promiseAmountMinor?: number | null;
}

export type StepStatus = "done" | "due" | "skipped" | "upcoming";

export interface PlannedStep {
  id: string;
  kind: LadderStep["kind"];
  label: Text;
  /** due date of the invoice + the step's offset */
  dueDate: IsoDate;
  status: StepStatus;
}

export interface NextAction {
  step: string;
  kind: LadderStep["kind"] | "promise_follow_up";
  label: Text;
  dueDate: IsoDate;
  /** `${invoiceId}:${step}` (plus the promise date for follow-ups): one planned action per invoice and step. */
  dedupeKey: string;
}

export type LadderState = "closed" | "disputed" | "promised" | "not_due" | "overdue" | "exhausted";

export interface CollectionPlan {
  invoiceId: string;
  openMinor: number;
  /** asOf - due date (negative before the due date). */
  daysPastDue: number;
  /** max(0, daysPastDue) */
  daysOverdue: number;
  state: LadderState;
  /** The latest step whose date has come, or null. */
  currentStep: PlannedStep | null;
  /** What to do next and by when (null when closed, disputed or the ladder is exhausted). */
  nextAction: NextAction | null;
  steps: PlannedStep[];
  /** A promise to pay whose date passed while the invoice stayed open. */
  brokenPromise: boolean;
  activePromise: { date: IsoDate; amountMinor: number | null } | null;
}

const COMPLETED = new Set(["sent", "done"]);

/**
 * The collection ladder state of one invoice on `asOf`: the steps of the tier's ladder dated from the
 * due date, which are done, which is current, and the next action with its due date.
 *
 * - Only the latest step that has come due is actionable; earlier ones not done are `skipped` (a friendly
 *   reminder is pointless once the formal letter is due).
 * - A promise to pay dated on or after `asOf` pauses the ladder: the next action is a follow-up the day
 *   after the promised date. A promise that passed unpaid marks `brokenPromise` and the ladder resumes.
 * - A disputed invoice pauses the ladder; a fully paid one is closed.
 * @throws ValidationError when the policy has no ladder for `tier`
 */
export function planCollections(
  policy: Policy,
  args: { invoice: CollectionInvoice; tier: string; asOf: IsoDate; done?: readonly RecordedAction[] },
): CollectionPlan {
  const { invoice, tier, asOf } = args;
  const done = args.done ?? [];
  const ladder = policy.collections.ladders[tier];
  if (!ladder) throw new ValidationError([{ path: "/tier", expected: `one of ${Object.keys(policy.collections.ladders).join(", ")}`, received: `string "${tier}"` }]);
  const openMinor = invoice.amountMinor - invoice.paidMinor;
  const dueDay = dayOf(invoice.dueDate);
  const dpd = dayOf(asOf) - dueDay;
  const completed = new Set<string>();
  for (const a of done) if (COMPLETED.has(a.status)) completed.add(a.step);

  let currentIdx = -1;
  for (let i = 0; i < ladder.length; i++) if (ladder[i].offsetDays <= dpd) currentIdx = i;
  const steps: PlannedStep[] = ladder.map((s, i) => ({
    id: s.id,
    kind: s.kind,
    label: s.label,
    dueDate: isoOf(dueDay + s.offsetDays),
    status: completed.has(s.id) ? "done" : i < currentIdx ? "skipped" : i === currentIdx ? "due" : "upcoming",
  }));
  const currentStep = currentIdx >= 0 ? steps[currentIdx] : null;

  let activePromise: CollectionPlan["activePromise"] = null;
  let brokenPromise = false;
  for (const a of done) {
    if (a.step !== "promise_to_pay" || !a.promiseDate || a.status === "cancelled") continue;
    if (a.promiseDate >= asOf) {
      if (!activePromise || a.promiseDate > activePromise.date) activePromise = { date: a.promiseDate, amountMinor: a.promiseAmountMinor ?? null };
    } else brokenPromise = true;
  }

  const base = { invoiceId: invoice.id, openMinor, daysPastDue: dpd, daysOverdue: Math.max(0, dpd), currentStep, steps, brokenPromise, activePromise };
  if (openMinor <= 0) return { ...base, state: "closed", nextAction: null };
  if (invoice.disputed) return { ...base, state: "disputed", nextAction: null };
  if (activePromise) {
    return {
      ...base,
      state: "promised",
      nextAction: {
        step: "promise_follow_up",
        kind: "promise_follow_up",
        label: { en: `Follow up the promise to pay of ${activePromise.date}`, zh: `跟进${activePromise.date}的付款承诺` },
        dueDate: isoOf(dayOf(activePromise.date) + 1),
        dedupeKey: `${invoice.id}:promise_follow_up:${activePromise.date}`,
      },
    };
  }
  let next: PlannedStep | undefined;
  if (currentStep && currentStep.status !== "done") next = currentStep;
  else next = steps.slice(currentIdx + 1).find((s) => s.status !== "done");
  const state: LadderState = dpd > 0 ? (next ? "overdue" : "exhausted") : next ? "not_due" : "exhausted";
  return {
    ...base,
    state,
    nextAction: next ? { step: next.id, kind: next.kind, label: next.label, dueDate: next.dueDate, dedupeKey: `${invoice.id}:${next.id}` } : null,
  };
}

/** What the worklist needs about one open invoice and its customer. */
export interface WorklistItem {
  invoice: CollectionInvoice;
  customerId: string;
  tier: string;
  /** The customer's PD in [0, 1]. */
  pd: number;
  /** Predicted days from issue to payment (CreditFacts.expectedDaysToPay), or null. */
  expectedDaysToPay: number | null;
  /** The customer's average days paid late over 12 months and the number of invoices behind it (fallback). */
  avgDaysLate12m?: number | null;
  invoiceCount12m?: number;
  done?: readonly RecordedAction[];
}

export interface PaymentForecast {
  /** Expected payment date of the invoice. */
  date: IsoDate;
  /** Days from asOf to that date (0 or more). */
  furtherDays: number;
  /** expected_days_to_pay | blended_history | tier_prior */
  basis: "expected_days_to_pay" | "blended_history" | "tier_prior";
  /** True when the invoice is already later than the customer's usual pattern. */
  behindPattern: boolean;
}

/**
 * Forecasts when an open invoice will be paid. Base date: issue date + the customer's expected days to pay
 * when known; otherwise due date + expected days late, blending the customer's 12-month average with the
 * tier's prior as (n x own + w x prior) / (n + w). An invoice still open past its base date is behind the
 * customer's pattern; payment delays are heavy-tailed, so it is expected to take about as long again as it is
 * already behind.
 */
export function forecastPayment(policy: Policy, item: WorklistItem, asOf: IsoDate): PaymentForecast {
  const { invoice } = item;
  let base: number;
  let basis: PaymentForecast["basis"];
  if (item.expectedDaysToPay !== null && invoice.issueDate) {
    base = dayOf(invoice.issueDate) + Math.round(item.expectedDaysToPay);
    basis = "expected_days_to_pay";
  } else {
    const prior = policy.collections.priorDaysLate[item.tier] ?? 0;
    const w = policy.collections.priorWeight;
    const n = item.avgDaysLate12m === null || item.avgDaysLate12m === undefined ? 0 : (item.invoiceCount12m ?? 0);
    const est = n + w === 0 ? prior : (n * (item.avgDaysLate12m ?? 0) + w * prior) / (n + w);
    base = dayOf(invoice.dueDate) + Math.round(est);
    basis = n > 0 ? "blended_history" : "tier_prior";
  }
  const today = dayOf(asOf);
  const ahead = base - today;
  if (ahead >= 0) return { date: isoOf(base), furtherDays: ahead, basis, behindPattern: false };
  return { date: isoOf(today - ahead), furtherDays: -ahead, basis, behindPattern: true };
}

export interface WorklistRow {
  rank: number;
  invoiceId: string;
  customerId: string;
  tier: string;
  openMinor: number;
  pd: number;
  /** open amount x PD x LGD, minor units */
  expectedLossMinor: number;
  daysOverdue: number;
  forecast: PaymentForecast;
  /** expected loss x (1 + a x min(overdue, cap)/30) x (1 + b x min(further days, cap)/30) */
  score: number;
  state: LadderState;
  nextAction: NextAction | null;
  brokenPromise: boolean;
}

/**
 * The collections worklist on `asOf`: every invoice with an open amount, ranked by expected loss weighted by
 * days overdue and by the expected further days to payment, each capped at `worklist.capDays` (highest
 * first; ties by days overdue, then invoice id). Closed invoices are left out.
 */
export function buildWorklist(policy: Policy, items: readonly WorklistItem[], asOf: IsoDate): WorklistRow[] {
  const { overdueWeight, delayWeight, capDays } = policy.collections.worklist;
  const lgd = policy.limits.lgd;
  const rows: WorklistRow[] = [];
  for (const it of items) {
    const plan = planCollections(policy, { invoice: it.invoice, tier: it.tier, asOf, done: it.done });
    if (plan.state === "closed") continue;
    const el = Math.round(plan.openMinor * it.pd * lgd);
    const forecast = forecastPayment(policy, it, asOf);
    const score = el * (1 + (overdueWeight * Math.min(plan.daysOverdue, capDays)) / 30) * (1 + (delayWeight * Math.min(forecast.furtherDays, capDays)) / 30);
    rows.push({
      rank: 0,
      invoiceId: it.invoice.id,
      customerId: it.customerId,
      tier: it.tier,
      openMinor: plan.openMinor,
      pd: it.pd,
      expectedLossMinor: el,
      daysOverdue: plan.daysOverdue,
      forecast,
      score: Math.round(score * 100) / 100,
      state: plan.state,
      nextAction: plan.nextAction,
      brokenPromise: plan.brokenPromise,
    });
  }
  rows.sort((a, b) => b.score - a.score || b.daysOverdue - a.daysOverdue || (a.invoiceId < b.invoiceId ? -1 : a.invoiceId > b.invoiceId ? 1 : 0));
  rows.forEach((r, i) => (r.rank = i + 1));
  return rows;
}

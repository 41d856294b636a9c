import { fromEpochDay, isIsoDate, toEpochDay, ValidationError, describeValue, type FieldIssue, type IsoDate } from "../shared";
import { BRAND_FIRST, BRAND_SECOND, INDUSTRIES, REGIONS, SEASONALITY } from "./catalog";
import { Rng } from "./prng";

/**
 * The deterministic demo portfolio: B2B customers with a hidden risk level, monthly invoice streams with
 * seasonality, payments whose lateness follows the hidden risk, worsening before a default, disputes,
 * write-offs and recoveries. Everything is as of `asOf`: no event after it is generated. Customer `i`
 * depends only on (seed, i, asOf, months), so a smaller portfolio is a prefix of a larger one.
 * Assumptions are documented in data/README.md.
 */

export interface DemoOptions {
  /** Number of customers (>= 1). */
  customers: number;
  /** Integer seed; the same seed and options give identical output on any machine. */
  seed: number;
  /** As-of date of the portfolio (the "today" of the data). */
  asOf: IsoDate;
  /** Months of history before the as-of date (default 36, at least 13). */
  months?: number;
}

export interface DemoCustomer {
  externalId: string;
  name: string;
  country: string;
  region: string;
  industry: string;
  registrationDate: IsoDate;
  currency: string;
  paymentTermsDays: number;
  status: "active" | "inactive";
  attributes: {
    industryEn: string;
    industryCode: string;
    regionEn: string;
    city: string;
    /** DEMO ONLY: the generator's hidden truth, for checking models. Never a model input. */
    demo: {
      note: string;
      hiddenRisk: { level: "low" | "medium" | "high" | "very_high"; score: number; annualPd: number };
      defaultMonth: string | null;
      outcome: "write_off" | "recovered" | "collections" | null;
    };
  };
}

export interface DemoInvoice {
  externalId: string;
  customerExternalId: string;
  issueDate: IsoDate;
  dueDate: IsoDate;
  amountMinor: number;
  currency: string;
  paidMinor: number;
  settledDate: IsoDate | null;
  disputed: boolean;
  status: "open" | "paid" | "written_off";
  writtenOffDate: IsoDate | null;
}

export interface DemoPayment {
  externalId: string;
  customerExternalId: string;
  invoiceExternalId: string;
  date: IsoDate;
  amountMinor: number;
  currency: string;
  method: "bank_transfer" | "bank_acceptance_bill";
}

export interface DemoOrder {
  externalId: string;
  customerExternalId: string;
  amountMinor: number;
  currency: string;
  orderDate: IsoDate;
  status: "pending";
}

export interface DemoProfile {
  customerExternalId: string;
  tier: "A" | "B" | "C" | "D";
  limitMinor: number;
  currency: string;
  limitValidUntil: IsoDate;
  limitCalculation: Record<string, unknown>;
}

/** One customer with everything that belongs to it. */
export interface DemoCustomerBundle {
  customer: DemoCustomer;
  invoices: DemoInvoice[];
  payments: DemoPayment[];
  orders: DemoOrder[];
  profile: DemoProfile;
}

export interface DemoPortfolio {
  asOf: IsoDate;
  seed: number;
  customers: DemoCustomer[];
  invoices: DemoInvoice[];
  payments: DemoPayment[];
  orders: DemoOrder[];
  profiles: DemoProfile[];
}

const DAY_MS = 86_400_000;
const CURRENCY = "CNY";
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const monthIndexOf = (day: number) => {
  const d = new Date(day * DAY_MS);
  return d.getUTCFullYear() * 12 + d.getUTCMonth();
};
const monthStart = (mi: number) => Math.floor(Date.UTC(Math.floor(mi / 12), mi % 12, 1) / DAY_MS);
const monthLabel = (mi: number) => `${Math.floor(mi / 12)}-${String((mi % 12) + 1).padStart(2, "0")}`;
const pad = (n: number, w: number) => String(n).padStart(w, "0");
// Formatting dates through Date dominates generation time; a portfolio uses a few thousand distinct days.
const isoCache = new Map<number, IsoDate>();
function iso(day: number): IsoDate {
  let s = isoCache.get(day);
  if (s === undefined) {
    s = fromEpochDay(day);
    if (isoCache.size < 100_000) isoCache.set(day, s);
  }
  return s;
}

/** @throws ValidationError naming each bad option. */
export function validateDemoOptions(o: DemoOptions): void {
  const issues: FieldIssue[] = [];
  if (!Number.isInteger(o.customers) || o.customers < 1 || o.customers > 1_000_000) issues.push({ path: "customers", expected: "an integer from 1 to 1000000", received: describeValue(o.customers) });
  if (!Number.isInteger(o.seed) || o.seed < 0 || o.seed > 2 ** 31 - 1) issues.push({ path: "seed", expected: "an integer from 0 to 2147483647", received: describeValue(o.seed) });
  if (!isIsoDate(o.asOf)) issues.push({ path: "asOf", expected: "a YYYY-MM-DD calendar date", received: describeValue(o.asOf) });
  if (o.months !== undefined && (!Number.isInteger(o.months) || o.months < 13 || o.months > 240)) issues.push({ path: "months", expected: "an integer from 13 to 240", received: describeValue(o.months) });
  if (issues.length) throw new ValidationError(issues);
}

/** Generates customer `index` (0-based) of the portfolio. Pure and deterministic. */
export function generateCustomer(opts: DemoOptions, index: number): DemoCustomerBundle {
  const r = new Rng(opts.seed, index);
  const asOfDay = toEpochDay(opts.asOf);
  const months = opts.months ?? 36;
  const lastMonth = monthIndexOf(asOfDay);
  const firstMonth = lastMonth - months + 1;
  const prefix = `D${opts.seed}-C${pad(index + 1, 6)}`;

  // Who the customer is.
  const ind = INDUSTRIES[r.weighted(INDUSTRIES.map((i) => i.weight))];
  const reg = REGIONS[r.weighted(REGIONS.map((x) => x.weight))];
  const city = r.pick(reg.cities);
  const suffix = r.chance(0.1) ? "股份有限公司" : r.chance(0.1) ? "有限责任公司" : "有限公司";
  const name = `${city}${r.pick(BRAND_FIRST)}${r.pick(BRAND_SECOND)}${r.pick(ind.words)}${suffix}`;
  const terms = [30, 60, 90][r.weighted(ind.terms)];
  // Monthly purchases in CNY, log-normal around 150k; small buyers are a little riskier.
  const sizeZ = r.normal();
  const monthlyCny = Math.min(20_000_000, Math.max(5_000, Math.exp(Math.log(150_000) + 0.9 * sizeZ)));
  const latent = r.normal();
  const score = latent + ind.riskOffset - 0.2 * sizeZ;
  const hazard = sigmoid(-6.3 + 1.05 * score); // monthly probability of default
  const annualPd = 1 - (1 - hazard) ** 12;
  const level = annualPd < 0.02 ? "low" : annualPd < 0.06 ? "medium" : annualPd < 0.15 ? "high" : "very_high";

  // Customer since: most before the window, a quarter join during it.
  const joinsLate = r.chance(0.25);
  const regDay = joinsLate ? monthStart(firstMonth) + r.int(0, Math.max(0, (months - 4) * 30)) : monthStart(firstMonth) - r.int(30, 8 * 365);
  const startMonth = Math.max(firstMonth, monthIndexOf(regDay));

  // Payment habits: on-time probability and mean lateness follow the risk; `habit` is risk-free noise
  // (some customers are chronically slow but safe), which keeps the risk only partly observable.
  const habit = r.normal(0, 0.55);
  const pOnTimeBase = sigmoid(2.0 - 1.1 * score - habit);
  const lateMeanBase = Math.exp(1.7 + 0.45 * score + habit);
  const lambda = Math.min(8, Math.max(0.8, monthlyCny / 55_000));
  const growth = r.normal(0.03, 0.08);

  // When (if ever) it defaults, how much warning it shows and what happens next.
  let defaultMonth = -1;
  for (let m = startMonth + 3; m <= lastMonth; m++) {
    if (r.chance(hazard)) {
      defaultMonth = m;
      break;
    }
  }
  const warn = r.chance(0.75) ? r.int(3, 9) : 0;
  const outcomeU = r.next();
  const outcome: DemoCustomer["attributes"]["demo"]["outcome"] = defaultMonth < 0 ? null : outcomeU < 0.4 ? "write_off" : outcomeU < 0.7 ? "recovered" : "collections";
  const recoveryMonth = defaultMonth + r.int(4, 10);
  const woDelay = r.int(150, 300);
  // A stress episode that does not end in default (false alarms for the model).
  const stressStart = r.chance(0.18) ? r.int(startMonth, lastMonth) : -999;
  const stressLen = r.int(2, 6);

  const invoices: DemoInvoice[] = [];
  const payments: DemoPayment[] = [];
  let invNo = 0;
  for (let m = startMonth; m <= lastMonth; m++) {
    const inDefault = defaultMonth >= 0 && m > defaultMonth && !(outcome === "recovered" && m > recoveryMonth);
    if (inDefault) continue;
    const recovered = outcome === "recovered" && m > recoveryMonth;
    const mStart = monthStart(m);
    const mDays = monthStart(m + 1) - mStart;
    const season = SEASONALITY[m % 12];
    const years = (m - firstMonth) / 12;
    const volume = monthlyCny * season * Math.exp(growth * years) * Math.exp(r.normal(0, 0.2)) * (recovered ? 0.6 : 1);
    const n = r.poisson(lambda * season);
    if (n === 0) continue;
    // Warning progress: 0 normally, rising to 1 in the months before the default.
    let f = 0;
    if (defaultMonth >= 0 && warn > 0 && m >= defaultMonth - warn && m < defaultMonth - 2) f = (m - (defaultMonth - warn) + 1) / (warn - 2 > 0 ? warn - 2 : 1);
    if (f > 1) f = 1;
    const stressed = m >= stressStart && m < stressStart + stressLen;
    const neverPaid = defaultMonth >= 0 && m >= defaultMonth - 2 && m <= defaultMonth;
    for (let k = 0; k < n; k++) {
      const issue = mStart + r.int(0, mDays - 1);
      if (issue < regDay || issue > asOfDay) continue;
      const due = issue + terms;
      const amountMinor = Math.max(10_000, Math.round((volume / n) * Math.exp(r.normal(0, 0.35)) * 100));
      invNo++;
      const invId = `${prefix}-I${pad(invNo, 4)}`;
      const disputed = r.chance(0.012 + 0.015 * Math.max(0, score) + (f > 0 ? 0.04 : 0));
      // Payment plan: a list of [day, amount] before clipping at the as-of date.
      const plan: [number, number][] = [];
      let woDay = -1;
      if (neverPaid) {
        if (outcome === "recovered") plan.push([monthStart(recoveryMonth) + r.int(0, 27), amountMinor]);
        else if (outcome === "write_off") woDay = monthStart(defaultMonth) + woDelay;
        else if (r.chance(0.3)) plan.push([due + r.int(40, 120), Math.round(amountMinor * r.uniform(0.1, 0.4))]);
      } else {
        let pOnTime = (recovered ? sigmoid(2.2 - 0.8 * score) : pOnTimeBase) * (1 - 0.85 * f) * (stressed ? 0.6 : 1);
        let lateMean = lateMeanBase * (recovered ? 0.8 : 1) + 45 * f + (stressed ? 18 : 0);
        // Chinese New Year: invoices due in late January or February are paid later.
        const dueMonth = new Date(due * DAY_MS).getUTCMonth();
        if (dueMonth === 1 || (dueMonth === 0 && new Date(due * DAY_MS).getUTCDate() > 20)) {
          pOnTime *= 0.75;
          lateMean += 7;
        }
        let payDay: number;
        if (r.chance(pOnTime)) payDay = due - r.int(0, Math.min(10, terms / 3));
        else payDay = due + 1 + Math.min(f > 0 ? 86 : 80, Math.floor(r.exponential(lateMean)));
        if (disputed) payDay += r.int(15, 60);
        if (payDay > due && r.chance(0.18)) {
          const first = Math.round(amountMinor * r.uniform(0.3, 0.7));
          plan.push([Math.max(issue + 1, due + Math.floor((payDay - due) / 2)), first], [payDay, amountMinor - first]);
        } else plan.push([payDay, amountMinor]);
      }
      let paid = 0;
      let settled: number | null = null;
      let pNo = 0;
      for (const [day, amt] of plan) {
        if (day > asOfDay) continue;
        pNo++;
        payments.push({
          externalId: `${invId}-P${pNo}`,
          customerExternalId: prefix,
          invoiceExternalId: invId,
          date: iso(day),
          amountMinor: amt,
          currency: CURRENCY,
          method: r.chance(0.2) ? "bank_acceptance_bill" : "bank_transfer",
        });
        paid += amt;
        if (paid >= amountMinor) settled = day;
      }
      const writtenOff = woDay >= 0 && woDay <= asOfDay;
      invoices.push({
        externalId: invId,
        customerExternalId: prefix,
        issueDate: iso(issue),
        dueDate: iso(due),
        amountMinor,
        currency: CURRENCY,
        paidMinor: paid,
        settledDate: settled === null ? null : iso(settled),
        disputed,
        status: writtenOff ? "written_off" : settled !== null ? "paid" : "open",
        writtenOffDate: writtenOff ? iso(woDay) : null,
      });
    }
  }

  const active = defaultMonth < 0 || outcome === "recovered";
  const status: DemoCustomer["status"] = outcome === "write_off" && defaultMonth + Math.ceil(woDelay / 30) <= lastMonth ? "inactive" : "active";
  const customer: DemoCustomer = {
    externalId: prefix,
    name,
    country: "CN",
    region: reg.zh,
    industry: ind.zh,
    registrationDate: iso(regDay),
    currency: CURRENCY,
    paymentTermsDays: terms,
    status,
    attributes: {
      industryEn: ind.en,
      industryCode: ind.code,
      regionEn: reg.en,
      city,
      demo: {
        note: "DEMO ONLY: generator's hidden truth for checking models; never use as a model input",
        hiddenRisk: { level, score: Math.round(score * 1000) / 1000, annualPd: Math.round(annualPd * 10000) / 10000 },
        defaultMonth: defaultMonth >= 0 ? monthLabel(defaultMonth) : null,
        outcome,
      },
    },
  };

  // The limit an officer set at onboarding: a cover of the terms plus a month, rounded to 10k CNY.
  const limitCny = Math.max(50_000, Math.round((monthlyCny * (terms / 30 + 1) * 1.2) / 10_000) * 10_000);
  const profile: DemoProfile = {
    customerExternalId: prefix,
    tier: onboardingTier(pOnTimeBase),
    limitMinor: limitCny * 100,
    currency: CURRENCY,
    limitValidUntil: iso(asOfDay + r.int(30, 365)),
    limitCalculation: { method: "demo_onboarding", basis: "monthly purchases x (terms/30 + 1) x 1.2, rounded to 10,000 CNY", monthlyPurchasesMinor: Math.round(monthlyCny * 100), paymentTermsDays: terms },
  };

  const orders: DemoOrder[] = [];
  if (active && r.chance(0.012)) {
    orders.push({
      externalId: `D${opts.seed}-O${pad(index + 1, 6)}`,
      customerExternalId: prefix,
      amountMinor: Math.round((monthlyCny / lambda) * r.uniform(0.5, 2) * 100),
      currency: CURRENCY,
      orderDate: iso(asOfDay - r.int(0, 3)),
      status: "pending",
    });
  }
  return { customer, invoices, payments, orders, profile };
}

/** The tier an officer gave at onboarding from trade references (noisy view of the payment habit). */
function onboardingTier(pOnTime: number): DemoProfile["tier"] {
  return pOnTime >= 0.85 ? "A" : pOnTime >= 0.7 ? "B" : pOnTime >= 0.5 ? "C" : "D";
}

/** Customers one at a time (bounded memory), in index order. @throws ValidationError on bad options. */
export function* generateCustomers(opts: DemoOptions): Generator<DemoCustomerBundle> {
  validateDemoOptions(opts);
  for (let i = 0; i < opts.customers; i++) yield generateCustomer(opts, i);
}

/**
 * The whole demo portfolio in memory: same options, identical output (on any machine).
 * @throws ValidationError on bad options.
 */
export function generatePortfolio(opts: DemoOptions): DemoPortfolio {
  const p: DemoPortfolio = { asOf: opts.asOf, seed: opts.seed, customers: [], invoices: [], payments: [], orders: [], profiles: [] };
  for (const b of generateCustomers(opts)) {
    p.customers.push(b.customer);
    for (const x of b.invoices) p.invoices.push(x);
    for (const x of b.payments) p.payments.push(x);
    for (const x of b.orders) p.orders.push(x);
    p.profiles.push(b.profile);
  }
  return p;
}

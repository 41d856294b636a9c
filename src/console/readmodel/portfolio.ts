import type { Database } from "../../db";
import { addDays, addMonths, describeValue, isIsoDate, toMajor, ValidationError, type IsoDate } from "../../shared";
import { monthOfInstant, num, numOrNull, Params, query } from "./sql";

/** Overdue aging buckets, by days past due at the as-of date. */
export const AGING_BUCKETS = ["current", "1-30", "31-60", "61-90", "90+"] as const;
export type AgingBucket = (typeof AGING_BUCKETS)[number];

/** Limit utilisation bands (outstanding / limit, percent). */
export const UTILISATION_BANDS = ["0-50", "50-80", "80-100", "100+", "no-limit"] as const;
export type UtilisationBand = (typeof UTILISATION_BANDS)[number];

/** One risk tier's slice of the portfolio. Money in major units of `PortfolioSummary.currency`. */
export interface TierSummary {
  tier: string;
  customers: number;
  /** Open receivables (invoiced minus paid, open invoices issued by the as-of date). */
  exposure: number;
  overdue: number;
  limit: number;
  /** exposure / limit, 0..n (null without limits). */
  utilisation: number | null;
  /** Customers with an open invoice more than 90 days past due, or a write-off in the last 365 days. */
  badCustomers: number;
  badRate: number;
  avgPd: number | null;
}

export interface TopExposure {
  customerId: string;
  name: string;
  tier: string | null;
  exposure: number;
  overdue: number;
  limit: number | null;
  utilisation: number | null;
}

/** The portfolio dashboard's read model. */
export interface PortfolioSummary {
  asOf: IsoDate;
  currency: string;
  totals: {
    customers: number;
    scoredCustomers: number;
    exposure: number;
    overdue: number;
    limit: number;
    utilisation: number | null;
    badRate: number | null;
    /** Orders waiting for an officer (held or in review). */
    heldOrders: number;
  };
  tiers: TierSummary[];
  aging: { bucket: AgingBucket; invoices: number; amount: number }[];
  utilisationBands: { band: UtilisationBand; customers: number }[];
  topExposures: TopExposure[];
  trends: {
    /** Score snapshots by month (`YYYY-MM`): share per tier and average PD. */
    scores: { month: string; snapshots: number; avgPd: number | null; tiers: Record<string, number> }[];
    /** Invoiced and collected amounts by month. */
    cashflow: { month: string; invoiced: number; collected: number }[];
    /** Stored decisions by month and outcome. */
    decisions: { month: string; total: number; outcomes: Record<string, number> }[];
  };
}

/**
 * Builds the portfolio dashboard from SQL aggregates: one pass over open receivables per customer (joined
 * to profiles; at most one row per customer reaches JS), the aging buckets, and 12-month trends. All
 * figures are as of `asOf` (a calendar date; the caller decides it).
 *
 * @param opts.topN number of top exposures (default 10)
 * @param opts.cashflowCache memo for the monthly cashflow (two full scans); without it they run each time
 */
export async function portfolioSummary(db: Database, asOf: IsoDate, opts: { topN?: number; cashflowCache?: CashflowCache } = {}): Promise<PortfolioSummary> {
  if (!isIsoDate(asOf)) throw new ValidationError([{ path: "/asOf", expected: "a calendar date YYYY-MM-DD", received: describeValue(asOf) }]);
  const topN = Math.max(1, Math.min(100, Math.trunc(opts.topN ?? 10)));
  const [currency, perCustomer, held, customers, trends] = await Promise.all([
    mainCurrency(db),
    customerExposures(db, asOf),
    db.prisma.order.count({ where: { status: { in: ["held", "review"] } } }),
    db.prisma.customer.count(),
    portfolioTrends(db, asOf, opts.cashflowCache),
  ]);
  const cur = currency;
  const m = (minor: number) => toMajor(minor, cur);
  const aging = AGING_BUCKETS.map((bucket, i) => ({
    bucket,
    invoices: perCustomer.reduce((a, r) => a + r.aging[i].invoices, 0),
    amount: perCustomer.reduce((a, r) => a + r.aging[i].amount, 0),
  }));

  const byTier = new Map<string, { customers: number; exposure: number; overdue: number; limit: number; bad: number; pdSum: number; pdN: number }>();
  const bandCounts = new Map<UtilisationBand, number>();
  for (const r of perCustomer) {
    if (r.tier === null) continue;
    const t = byTier.get(r.tier) ?? { customers: 0, exposure: 0, overdue: 0, limit: 0, bad: 0, pdSum: 0, pdN: 0 };
    t.customers += 1;
    t.exposure += r.exposure;
    t.overdue += r.overdue;
    t.limit += r.limit ?? 0;
    t.bad += r.bad ? 1 : 0;
    if (r.pd !== null) {
      t.pdSum += r.pd;
      t.pdN += 1;
    }
    byTier.set(r.tier, t);
    const band = utilisationBand(r.exposure, r.limit ?? 0);
    bandCounts.set(band, (bandCounts.get(band) ?? 0) + 1);
  }
  const tiers = [...byTier.entries()].sort(([a], [b]) => a.localeCompare(b));
  const tierRows: TierSummary[] = tiers.map(([tier, t]) => ({
    tier,
    customers: t.customers,
    exposure: m(t.exposure),
    overdue: m(t.overdue),
    limit: m(t.limit),
    utilisation: t.limit > 0 ? t.exposure / t.limit : null,
    badCustomers: t.bad,
    badRate: t.customers > 0 ? t.bad / t.customers : 0,
    avgPd: t.pdN > 0 ? t.pdSum / t.pdN : null,
  }));
  const sum = (f: (t: (typeof tiers)[number][1]) => number) => tiers.reduce((a, [, t]) => a + f(t), 0);
  const scored = sum((t) => t.customers);
  const limitTotal = sum((t) => t.limit);
  const top = perCustomer
    .filter((r) => r.exposure > 0)
    .sort((a, b) => b.exposure - a.exposure || a.customerId.localeCompare(b.customerId))
    .slice(0, topN);
  return {
    asOf,
    currency: cur,
    totals: {
      customers,
      scoredCustomers: scored,
      exposure: m(aging.reduce((a, b) => a + b.amount, 0)),
      overdue: m(aging.filter((a) => a.bucket !== "current").reduce((a, b) => a + b.amount, 0)),
      limit: m(limitTotal),
      utilisation: limitTotal > 0 ? sum((t) => t.exposure) / limitTotal : null,
      badRate: scored > 0 ? sum((t) => t.bad) / scored : null,
      heldOrders: held,
    },
    tiers: tierRows,
    aging: aging.map((a) => ({ bucket: a.bucket, invoices: a.invoices, amount: m(a.amount) })),
    utilisationBands: UTILISATION_BANDS.map((band) => ({ band, customers: bandCounts.get(band) ?? 0 })),
    topExposures: top.map((t) => ({
      customerId: t.customerId,
      name: t.name,
      tier: t.tier,
      exposure: m(t.exposure),
      overdue: m(t.overdue),
      limit: t.limit === null ? null : m(t.limit),
      utilisation: t.limit && t.limit > 0 ? t.exposure / t.limit : null,
    })),
    trends: {
      scores: trends.scores,
      cashflow: trends.cashflow.map((c) => ({ month: c.month, invoiced: m(c.invoicedMinor), collected: m(c.collectedMinor) })),
      decisions: trends.decisions,
    },
  };
}

/** The utilisation band of an exposure against a limit (both minor units). */
export function utilisationBand(exposure: number, limit: number): UtilisationBand {
  if (limit <= 0) return "no-limit";
  if (exposure * 100 <= limit * 50) return "0-50";
  if (exposure * 100 <= limit * 80) return "50-80";
  if (exposure <= limit) return "80-100";
  return "100+";
}

async function mainCurrency(db: Database): Promise<string> {
  const p = new Params(db.kind);
  const rows = await query<{ currency: string; n: unknown }>(
    db,
    `SELECT "currency" AS currency, COUNT(*) AS n FROM "Customer" GROUP BY "currency" ORDER BY COUNT(*) DESC LIMIT 1`,
    p,
  );
  return rows[0]?.currency ?? "CNY";
}

/** Open receivables by days past due at `asOf`, in minor units. */
export async function agingBuckets(db: Database, asOf: IsoDate): Promise<{ bucket: AgingBucket; invoices: number; amount: number }[]> {
  const p = new Params(db.kind);
  const sql = `SELECT CASE
      WHEN "dueDate" >= ${p.p(asOf)} THEN 'current'
      WHEN "dueDate" >= ${p.p(addDays(asOf, -30))} THEN '1-30'
      WHEN "dueDate" >= ${p.p(addDays(asOf, -60))} THEN '31-60'
      WHEN "dueDate" >= ${p.p(addDays(asOf, -90))} THEN '61-90'
      ELSE '90+' END AS bucket,
    COUNT(*) AS n, CAST(SUM("amountMinor" - "paidMinor") AS BIGINT) AS amount
    FROM "Invoice" WHERE "status" = 'open' AND "issueDate" <= ${p.p(asOf)}
    GROUP BY 1`;
  const rows = await query<{ bucket: AgingBucket; n: unknown; amount: unknown }>(db, sql, p);
  const by = new Map(rows.map((r) => [r.bucket, r]));
  return AGING_BUCKETS.map((b) => ({ bucket: b, invoices: num(by.get(b)?.n), amount: num(by.get(b)?.amount) }));
}

/**
 * One row per customer with a profile or open receivables: tier, limit, PD, open exposure, overdue, and
 * whether it is "bad" (an open invoice more than 90 days past due, or a write-off in the last 365 days).
 * Money in minor units.
 */
async function customerExposures(db: Database, asOf: IsoDate) {
  const p = new Params(db.kind);
  // Bucket i covers due dates in [asOf - upper(i), asOf - lower(i)); the boundaries are literal dates, so the
  // same SQL runs on SQLite and PostgreSQL and the planner compares strings on the index.
  const edges = [asOf, addDays(asOf, -30), addDays(asOf, -60), addDays(asOf, -90)].map((d) => `'${d}'`);
  const bucketCond = (i: number) =>
    i === 0 ? `"dueDate" >= ${edges[0]}` : i < 4 ? `"dueDate" < ${edges[i - 1]} AND "dueDate" >= ${edges[i]}` : `"dueDate" < ${edges[3]}`;
  const sql = `WITH exp AS (
      SELECT "customerId" AS cid,
        SUM("amountMinor" - "paidMinor") AS outstanding,
        SUM(CASE WHEN "dueDate" < ${p.p(asOf)} THEN "amountMinor" - "paidMinor" ELSE 0 END) AS overdue,
        MAX(CASE WHEN "dueDate" < ${p.p(addDays(asOf, -90))} THEN 1 ELSE 0 END) AS bad90,
        ${AGING_BUCKETS.map((_, i) => `SUM(CASE WHEN ${bucketCond(i)} THEN 1 ELSE 0 END) AS n${i}, SUM(CASE WHEN ${bucketCond(i)} THEN "amountMinor" - "paidMinor" ELSE 0 END) AS a${i}`).join(",\n        ")}
      FROM "Invoice" WHERE "status" = 'open' AND "issueDate" <= ${p.p(asOf)}
      GROUP BY "customerId"),
    wo AS (SELECT DISTINCT "customerId" AS cid FROM "Invoice"
      WHERE "status" = 'written_off' AND "writtenOffDate" > ${p.p(addDays(asOf, -365))} AND "writtenOffDate" <= ${p.p(asOf)})
    SELECT c."externalId" AS ext, c."name" AS name, cp."tier" AS tier, cp."limitMinor" AS lim, cp."lastPd" AS pd,
      CAST(e.outstanding AS BIGINT) AS outstanding, CAST(e.overdue AS BIGINT) AS overdue,
      ${AGING_BUCKETS.map((_, i) => `e.n${i} AS n${i}, CAST(e.a${i} AS BIGINT) AS a${i}`).join(", ")},
      CASE WHEN e.bad90 = 1 OR wo.cid IS NOT NULL THEN 1 ELSE 0 END AS bad
    FROM "Customer" c
    LEFT JOIN "CreditProfile" cp ON cp."customerId" = c."id"
    LEFT JOIN exp e ON e.cid = c."id"
    LEFT JOIN wo ON wo.cid = c."id"
    WHERE cp."customerId" IS NOT NULL OR e.cid IS NOT NULL`;
  const rows = await query<Record<string, unknown>>(db, sql, p);
  return rows.map((r) => ({
    customerId: String(r.ext),
    name: String(r.name),
    tier: r.tier === null || r.tier === undefined ? null : String(r.tier),
    limit: numOrNull(r.lim),
    pd: numOrNull(r.pd),
    exposure: num(r.outstanding),
    overdue: num(r.overdue),
    bad: num(r.bad) === 1,
    aging: AGING_BUCKETS.map((_, i) => ({ invoices: num(r[`n${i}`]), amount: num(r[`a${i}`]) })),
  }));
}

interface CashflowMonth {
  month: string;
  invoicedMinor: number;
  collectedMinor: number;
}

/**
 * Memo of the monthly cashflow (two full scans: invoices by issue month, payments by month). The key is the
 * as-of date plus the newest invoice and payment row ids, so any newly ingested invoice or payment
 * recomputes it; edits of existing amounts are picked up when the next row arrives.
 */
export class CashflowCache {
  private key = "";
  private value: Promise<CashflowMonth[]> | null = null;

  /** The cashflow for the 12 months ending at `asOf`. */
  async get(db: Database, asOf: IsoDate): Promise<CashflowMonth[]> {
    const [inv, pay] = await Promise.all([
      db.prisma.invoice.findFirst({ orderBy: { id: "desc" }, select: { id: true } }),
      db.prisma.payment.findFirst({ orderBy: { id: "desc" }, select: { id: true } }),
    ]);
    const key = `${db.url}|${asOf}|${inv?.id ?? 0}|${pay?.id ?? 0}`;
    if (key !== this.key || !this.value) {
      this.key = key;
      this.value = monthlyCashflow(db, asOf).catch((e) => {
        this.value = null;
        throw e;
      });
    }
    return this.value;
  }
}

async function monthlyCashflow(db: Database, asOf: IsoDate): Promise<CashflowMonth[]> {
  const months = last12Months(asOf);
  const from = `${months[0]}-01`;
  const p2 = new Params(db.kind);
  const invSql = `SELECT substr("issueDate", 1, 7) AS m, CAST(SUM("amountMinor") AS BIGINT) AS amount
    FROM "Invoice" WHERE "issueDate" >= ${p2.p(from)} AND "issueDate" <= ${p2.p(asOf)} AND "status" <> 'cancelled' GROUP BY 1`;
  const p3 = new Params(db.kind);
  const paySql = `SELECT substr("date", 1, 7) AS m, CAST(SUM("amountMinor") AS BIGINT) AS amount
    FROM "Payment" WHERE "date" >= ${p3.p(from)} AND "date" <= ${p3.p(asOf)} GROUP BY 1`;
  const [inv, pay] = await Promise.all([query<{ m: string; amount: unknown }>(db, invSql, p2), query<{ m: string; amount: unknown }>(db, paySql, p3)]);
  const invBy = new Map(inv.map((r) => [r.m, num(r.amount)]));
  const payBy = new Map(pay.map((r) => [r.m, num(r.amount)]));
  return months.map((month) => ({ month, invoicedMinor: invBy.get(month) ?? 0, collectedMinor: payBy.get(month) ?? 0 }));
}

/** Months `YYYY-MM` of the 12 months ending with the as-of date's month, oldest first. */
export function last12Months(asOf: IsoDate): string[] {
  const first = addMonths(`${asOf.slice(0, 7)}-01`, -11);
  return Array.from({ length: 12 }, (_, i) => addMonths(first, i).slice(0, 7));
}

async function portfolioTrends(db: Database, asOf: IsoDate, cache?: CashflowCache) {
  const months = last12Months(asOf);
  const from = `${months[0]}-01`;
  const p1 = new Params(db.kind);
  const scoreSql = `SELECT substr("asOf", 1, 7) AS m, "tier" AS tier, COUNT(*) AS n, CAST(AVG("pd") AS DOUBLE PRECISION) AS avgpd
    FROM "ScoreSnapshot" WHERE "asOf" >= ${p1.p(from)} AND "asOf" <= ${p1.p(asOf)} GROUP BY 1, 2`;
  const p4 = new Params(db.kind);
  const since = db.kind === "sqlite" ? p4.p(from) : `CAST(${p4.p(from)} AS TIMESTAMP)`;
  const decSql = `SELECT ${monthOfInstant(db.kind, `"createdAt"`)} AS m, COALESCE("decision", 'score') AS outcome, COUNT(*) AS n
    FROM "Decision" WHERE "createdAt" >= ${since} GROUP BY 1, 2`;
  const [scores, dec, cashflow] = await Promise.all([
    query<{ m: string; tier: string; n: unknown; avgpd: unknown }>(db, scoreSql, p1),
    query<{ m: string; outcome: string; n: unknown }>(db, decSql, p4),
    cache ? cache.get(db, asOf) : monthlyCashflow(db, asOf),
  ]);
  const scoreByMonth = months.map((month) => {
    const rows = scores.filter((r) => r.m === month);
    const total = rows.reduce((a, r) => a + num(r.n), 0);
    const pdSum = rows.reduce((a, r) => a + num(r.n) * num(r.avgpd), 0);
    const tiers: Record<string, number> = {};
    for (const r of rows) tiers[r.tier] = num(r.n);
    return { month, snapshots: total, avgPd: total > 0 ? pdSum / total : null, tiers };
  });
  return {
    scores: scoreByMonth,
    cashflow,
    decisions: months.map((month) => {
      const outcomes: Record<string, number> = {};
      for (const r of dec) if (r.m === month) outcomes[r.outcome] = num(r.n);
      return { month, total: Object.values(outcomes).reduce((a, b) => a + b, 0), outcomes };
    }),
  };
}

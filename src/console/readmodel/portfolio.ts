import type { Database } from "../../db";
import { addDays, addMonths, toMajor, type IsoDate } from "../../shared";
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
 * Builds the portfolio dashboard from SQL aggregates (no row is loaded into memory beyond the top list):
 * exposure, limits and bad rate by tier, the aging of open receivables, limit utilisation bands, the top
 * exposures and 12-month trends. All figures are as of `asOf` (a calendar date; the caller decides it).
 *
 * @param topN number of top exposures (default 10)
 */
export async function portfolioSummary(db: Database, asOf: IsoDate, topN = 10): Promise<PortfolioSummary> {
  const [currency, aging, tiers, bands, top, held, customers, trends] = await Promise.all([
    mainCurrency(db),
    agingBuckets(db, asOf),
    tierSummaries(db, asOf),
    utilisationBands(db, asOf),
    topExposures(db, asOf, topN),
    db.prisma.order.count({ where: { status: "held" } }),
    db.prisma.customer.count(),
    portfolioTrends(db, asOf),
  ]);
  const cur = currency;
  const m = (minor: number) => toMajor(minor, cur);
  const tierRows: TierSummary[] = tiers.map((t) => ({
    tier: t.tier,
    customers: t.customers,
    exposure: m(t.exposure),
    overdue: m(t.overdue),
    limit: m(t.limit),
    utilisation: t.limit > 0 ? t.exposure / t.limit : null,
    badCustomers: t.bad,
    badRate: t.customers > 0 ? t.bad / t.customers : 0,
    avgPd: t.avgPd,
  }));
  const sum = (f: (t: (typeof tiers)[number]) => number) => tiers.reduce((a, t) => a + f(t), 0);
  const scored = sum((t) => t.customers);
  const totalExposureMinor = aging.reduce((a, b) => a + b.amount, 0);
  return {
    asOf,
    currency: cur,
    totals: {
      customers,
      scoredCustomers: scored,
      exposure: m(totalExposureMinor),
      overdue: m(aging.filter((a) => a.bucket !== "current").reduce((a, b) => a + b.amount, 0)),
      limit: m(sum((t) => t.limit)),
      utilisation: sum((t) => t.limit) > 0 ? sum((t) => t.exposure) / sum((t) => t.limit) : null,
      badRate: scored > 0 ? sum((t) => t.bad) / scored : null,
      heldOrders: held,
    },
    tiers: tierRows,
    aging: aging.map((a) => ({ bucket: a.bucket, invoices: a.invoices, amount: m(a.amount) })),
    utilisationBands: bands,
    topExposures: top.map((t) => ({
      ...t,
      exposure: m(t.exposure),
      overdue: m(t.overdue),
      limit: t.limit === null ? null : m(t.limit),
    })),
    trends: {
      scores: trends.scores,
      cashflow: trends.cashflow.map((c) => ({ month: c.month, invoiced: m(c.invoiced), collected: m(c.collected) })),
      decisions: trends.decisions,
    },
  };
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

/** Per-customer open exposure as a SQL common table expression (`exp`). */
function exposureCte(p: Params, asOf: IsoDate): string {
  return `exp AS (
    SELECT "customerId" AS cid,
      SUM("amountMinor" - "paidMinor") AS outstanding,
      SUM(CASE WHEN "dueDate" < ${p.p(asOf)} THEN "amountMinor" - "paidMinor" ELSE 0 END) AS overdue,
      MAX(CASE WHEN "dueDate" < ${p.p(addDays(asOf, -90))} THEN 1 ELSE 0 END) AS bad90
    FROM "Invoice" WHERE "status" = 'open' AND "issueDate" <= ${p.p(asOf)}
    GROUP BY "customerId")`;
}

async function tierSummaries(db: Database, asOf: IsoDate) {
  const p = new Params(db.kind);
  const sql = `WITH ${exposureCte(p, asOf)},
    wo AS (SELECT DISTINCT "customerId" AS cid FROM "Invoice"
      WHERE "writtenOffDate" IS NOT NULL AND "writtenOffDate" > ${p.p(addDays(asOf, -365))} AND "writtenOffDate" <= ${p.p(asOf)})
    SELECT cp."tier" AS tier, COUNT(*) AS customers,
      CAST(SUM(COALESCE(e.outstanding, 0)) AS BIGINT) AS exposure,
      CAST(SUM(COALESCE(e.overdue, 0)) AS BIGINT) AS overdue,
      CAST(SUM(cp."limitMinor") AS BIGINT) AS lim,
      SUM(CASE WHEN e.bad90 = 1 OR wo.cid IS NOT NULL THEN 1 ELSE 0 END) AS bad,
      CAST(AVG(cp."lastPd") AS DOUBLE PRECISION) AS avgpd
    FROM "CreditProfile" cp
    LEFT JOIN exp e ON e.cid = cp."customerId"
    LEFT JOIN wo ON wo.cid = cp."customerId"
    GROUP BY cp."tier" ORDER BY cp."tier"`;
  const rows = await query<Record<string, unknown>>(db, sql, p);
  return rows.map((r) => ({
    tier: String(r.tier),
    customers: num(r.customers),
    exposure: num(r.exposure),
    overdue: num(r.overdue),
    limit: num(r.lim),
    bad: num(r.bad),
    avgPd: numOrNull(r.avgpd),
  }));
}

async function utilisationBands(db: Database, asOf: IsoDate): Promise<{ band: UtilisationBand; customers: number }[]> {
  const p = new Params(db.kind);
  const sql = `WITH ${exposureCte(p, asOf)}
    SELECT CASE
        WHEN cp."limitMinor" <= 0 THEN 'no-limit'
        WHEN COALESCE(e.outstanding, 0) * 100 <= cp."limitMinor" * 50 THEN '0-50'
        WHEN COALESCE(e.outstanding, 0) * 100 <= cp."limitMinor" * 80 THEN '50-80'
        WHEN COALESCE(e.outstanding, 0) <= cp."limitMinor" THEN '80-100'
        ELSE '100+' END AS band,
      COUNT(*) AS n
    FROM "CreditProfile" cp LEFT JOIN exp e ON e.cid = cp."customerId"
    GROUP BY 1`;
  const rows = await query<{ band: UtilisationBand; n: unknown }>(db, sql, p);
  const by = new Map(rows.map((r) => [r.band, num(r.n)]));
  return UTILISATION_BANDS.map((b) => ({ band: b, customers: by.get(b) ?? 0 }));
}

async function topExposures(db: Database, asOf: IsoDate, n: number) {
  const p = new Params(db.kind);
  const sql = `WITH ${exposureCte(p, asOf)}
    SELECT c."externalId" AS ext, c."name" AS name, cp."tier" AS tier, cp."limitMinor" AS lim,
      CAST(e.outstanding AS BIGINT) AS outstanding, CAST(e.overdue AS BIGINT) AS overdue
    FROM exp e JOIN "Customer" c ON c."id" = e.cid
    LEFT JOIN "CreditProfile" cp ON cp."customerId" = e.cid
    ORDER BY e.outstanding DESC LIMIT ${p.p(Math.max(1, Math.min(100, Math.trunc(n))))}`;
  const rows = await query<Record<string, unknown>>(db, sql, p);
  return rows.map((r) => {
    const lim = numOrNull(r.lim);
    const exposure = num(r.outstanding);
    return {
      customerId: String(r.ext),
      name: String(r.name),
      tier: r.tier === null || r.tier === undefined ? null : String(r.tier),
      exposure,
      overdue: num(r.overdue),
      limit: lim,
      utilisation: lim && lim > 0 ? exposure / lim : null,
    };
  });
}

/** Months `YYYY-MM` of the 12 months ending with the as-of date's month, oldest first. */
export function last12Months(asOf: IsoDate): string[] {
  const first = addMonths(`${asOf.slice(0, 7)}-01`, -11);
  return Array.from({ length: 12 }, (_, i) => addMonths(first, i).slice(0, 7));
}

async function portfolioTrends(db: Database, asOf: IsoDate) {
  const months = last12Months(asOf);
  const from = `${months[0]}-01`;
  const p1 = new Params(db.kind);
  const scoreSql = `SELECT substr("asOf", 1, 7) AS m, "tier" AS tier, COUNT(*) AS n, CAST(AVG("pd") AS DOUBLE PRECISION) AS avgpd
    FROM "ScoreSnapshot" WHERE "asOf" >= ${p1.p(from)} AND "asOf" <= ${p1.p(asOf)} GROUP BY 1, 2`;
  const p2 = new Params(db.kind);
  const invSql = `SELECT substr("issueDate", 1, 7) AS m, CAST(SUM("amountMinor") AS BIGINT) AS amount
    FROM "Invoice" WHERE "issueDate" >= ${p2.p(from)} AND "issueDate" <= ${p2.p(asOf)} AND "status" <> 'cancelled' GROUP BY 1`;
  const p3 = new Params(db.kind);
  const paySql = `SELECT substr("date", 1, 7) AS m, CAST(SUM("amountMinor") AS BIGINT) AS amount
    FROM "Payment" WHERE "date" >= ${p3.p(from)} AND "date" <= ${p3.p(asOf)} GROUP BY 1`;
  const p4 = new Params(db.kind);
  const since = db.kind === "sqlite" ? p4.p(from) : `CAST(${p4.p(from)} AS TIMESTAMP)`;
  const decSql = `SELECT ${monthOfInstant(db.kind, `"createdAt"`)} AS m, COALESCE("decision", 'score') AS outcome, COUNT(*) AS n
    FROM "Decision" WHERE "createdAt" >= ${since} GROUP BY 1, 2`;
  const [scores, inv, pay, dec] = await Promise.all([
    query<{ m: string; tier: string; n: unknown; avgpd: unknown }>(db, scoreSql, p1),
    query<{ m: string; amount: unknown }>(db, invSql, p2),
    query<{ m: string; amount: unknown }>(db, paySql, p3),
    query<{ m: string; outcome: string; n: unknown }>(db, decSql, p4),
  ]);
  const scoreByMonth = months.map((month) => {
    const rows = scores.filter((r) => r.m === month);
    const total = rows.reduce((a, r) => a + num(r.n), 0);
    const pdSum = rows.reduce((a, r) => a + num(r.n) * num(r.avgpd), 0);
    const tiers: Record<string, number> = {};
    for (const r of rows) tiers[r.tier] = num(r.n);
    return { month, snapshots: total, avgPd: total > 0 ? pdSum / total : null, tiers };
  });
  const invBy = new Map(inv.map((r) => [r.m, num(r.amount)]));
  const payBy = new Map(pay.map((r) => [r.m, num(r.amount)]));
  return {
    scores: scoreByMonth,
    cashflow: months.map((month) => ({ month, invoiced: invBy.get(month) ?? 0, collected: payBy.get(month) ?? 0 })),
    decisions: months.map((month) => {
      const outcomes: Record<string, number> = {};
      for (const r of dec) if (r.m === month) outcomes[r.outcome] = num(r.n);
      return { month, total: Object.values(outcomes).reduce((a, b) => a + b, 0), outcomes };
    }),
  };
}

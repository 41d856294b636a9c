import type { Database } from "../../db";
import { toNumber } from "../../db";
import { addDays, daysBetween, NotFoundError, toMajor, ValidationError, type IsoDate } from "../../shared";
import { featureSpec, formatFeatureValue } from "../../features";
import type { ModelSummary } from "../../decisions";
import { num, Params, query } from "./sql";

/**
 * Read models for the console's lists and detail pages: held orders, one customer's full picture, the
 * decision audit search, the collections worklist and the model registry overview. Money leaves here in
 * major units (the API's convention); dates stay `YYYY-MM-DD`, instants ISO-8601 UTC.
 */

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);
const major = (v: bigint | number | null | undefined, currency: string) => (v === null || v === undefined ? null : toMajor(toNumber(v), currency));

/** A page of results. */
export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

/** Order statuses an officer can be asked to act on. */
export const ORDER_STATUSES = ["pending", "approved", "review", "held", "prepay", "rejected", "released", "invoiced", "cancelled"] as const;

export interface OrderQueueItem {
  orderId: string;
  customerId: string;
  customerName: string;
  amount: number;
  currency: string;
  orderDate: IsoDate;
  status: string;
  createdAt: string;
  tier: string | null;
  limit: number | null;
  decisionId: string | null;
  decision: string | null;
  pd: number | null;
  score: number | null;
  /** The policy rules that fired, as stored on the decision. */
  rules: FiredRule[];
  exposure: number | null;
  decisionLimit: number | null;
}

/**
 * Orders by status (default `held`), newest first, each with its customer, tier, limit and the rules of
 * the decision that put it there. @throws ValidationError on an unknown status.
 */
export async function listOrders(db: Database, opts: { status?: string[]; limit?: number; offset?: number } = {}): Promise<Page<OrderQueueItem>> {
  const status = opts.status?.length ? opts.status : ["held"];
  for (const s of status) {
    if (!(ORDER_STATUSES as readonly string[]).includes(s)) {
      throw new ValidationError([{ path: "/query/status", expected: `one of ${ORDER_STATUSES.join(", ")}`, received: s }]);
    }
  }
  const limit = clampLimit(opts.limit);
  const offset = Math.max(0, opts.offset ?? 0);
  const where = { status: { in: status } };
  const [rows, total] = await Promise.all([
    db.prisma.order.findMany({
      where,
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: limit,
      skip: offset,
      include: { customer: { select: { externalId: true, name: true, profile: { select: { tier: true, limitMinor: true, currency: true } } } } },
    }),
    db.prisma.order.count({ where }),
  ]);
  const decisionIds = rows.map((r) => r.decisionId).filter((x): x is string => Boolean(x));
  const decisions = decisionIds.length
    ? await db.prisma.decision.findMany({
        where: { id: { in: decisionIds } },
        select: { id: true, decision: true, pd: true, score: true, rules: true, exposureMinor: true, currency: true, creditLimitMinor: true },
      })
    : [];
  const byId = new Map(decisions.map((d) => [d.id, d]));
  return {
    items: rows.map((o) => {
      const d = o.decisionId ? byId.get(o.decisionId) : undefined;
      return {
        orderId: o.externalId,
        customerId: o.customer.externalId,
        customerName: o.customer.name,
        amount: toMajor(toNumber(o.amountMinor), o.currency),
        currency: o.currency,
        orderDate: o.orderDate,
        status: o.status,
        createdAt: o.createdAt.toISOString(),
        tier: o.customer.profile?.tier ?? null,
        limit: o.customer.profile ? major(o.customer.profile.limitMinor, o.customer.profile.currency) : null,
        decisionId: o.decisionId,
        decision: d?.decision ?? null,
        pd: d?.pd ?? null,
        score: d?.score ?? null,
        rules: firedRules(d?.rules),
        exposure: d ? major(d.exposureMinor, d.currency ?? o.currency) : null,
        /** The limit the decision used (may differ from the profile's current limit). */
        decisionLimit: d ? major(d.creditLimitMinor, d.currency ?? o.currency) : null,
      };
    }),
    total,
    limit,
    offset,
  };
}

function clampLimit(limit: number | undefined, max = 200, dflt = 50): number {
  if (limit === undefined || !Number.isFinite(limit)) return dflt;
  return Math.max(1, Math.min(max, Math.trunc(limit)));
}

/**
 * Everything the customer page shows: profile, exposure, score history, the latest decision with its
 * reasons, recent invoices and payments, the limit history with each calculation, collection actions,
 * orders and officer overrides. `customerId` is the external (ERP) id. @throws NotFoundError.
 */
export async function customerOverview(db: Database, customerId: string, asOf: IsoDate) {
  const c = await db.prisma.customer.findUnique({ where: { externalId: customerId }, include: { profile: true } });
  if (!c) throw new NotFoundError("customer", customerId);
  const cur = c.currency;
  const p = new Params(db.kind);
  const expSql = `SELECT COUNT(*) AS n, CAST(SUM("amountMinor" - "paidMinor") AS BIGINT) AS outstanding,
      CAST(SUM(CASE WHEN "dueDate" < ${p.p(asOf)} THEN "amountMinor" - "paidMinor" ELSE 0 END) AS BIGINT) AS overdue
    FROM "Invoice" WHERE "customerId" = ${p.p(c.id)} AND "status" = 'open' AND "issueDate" <= ${p.p(asOf)}`;
  const [exp, invoiceCount, scores, decision, invoices, payments, limits, actions, orders, overrides] = await Promise.all([
    query<{ n: unknown; outstanding: unknown; overdue: unknown }>(db, expSql, p),
    db.prisma.invoice.count({ where: { customerId: c.id } }),
    db.prisma.scoreSnapshot.findMany({ where: { customerId: c.id }, orderBy: [{ asOf: "desc" }, { id: "desc" }], take: 120 }),
    db.prisma.decision.findFirst({ where: { customerId: c.id }, orderBy: [{ createdAt: "desc" }, { id: "desc" }] }),
    db.prisma.invoice.findMany({ where: { customerId: c.id }, orderBy: [{ issueDate: "desc" }, { id: "desc" }], take: 50 }),
    db.prisma.payment.findMany({ where: { customerId: c.id }, orderBy: [{ date: "desc" }, { id: "desc" }], take: 50, include: { invoice: { select: { externalId: true } } } }),
    db.prisma.limitChange.findMany({ where: { customerId: c.id }, orderBy: [{ createdAt: "desc" }, { id: "desc" }], take: 50 }),
    db.prisma.collectionAction.findMany({ where: { customerId: c.id }, orderBy: [{ dueDate: "desc" }, { id: "desc" }], take: 50, include: { invoice: { select: { externalId: true, currency: true } } } }),
    db.prisma.order.findMany({ where: { customerId: c.id }, orderBy: [{ createdAt: "desc" }, { id: "desc" }], take: 20 }),
    db.prisma.override.findMany({ where: { customerId: c.id }, orderBy: [{ createdAt: "desc" }, { id: "desc" }], take: 20 }),
  ]);
  const pf = c.profile;
  return {
    asOf,
    customer: {
      id: c.externalId,
      name: c.name,
      country: c.country,
      region: c.region,
      industry: c.industry,
      registrationDate: c.registrationDate,
      currency: cur,
      paymentTermsDays: c.paymentTermsDays,
      status: c.status,
    },
    profile: pf
      ? {
          tier: pf.tier,
          limit: major(pf.limitMinor, pf.currency),
          currency: pf.currency,
          limitValidUntil: pf.limitValidUntil,
          limitCalculation: pf.limitCalculation,
          tierFloor: pf.tierFloor,
          pd: pf.lastPd,
          score: pf.lastScore,
          modelId: pf.lastModelId,
          decisionId: pf.lastDecisionId,
          scoredAt: iso(pf.lastScoredAt),
          nextReviewDate: pf.nextReviewDate,
          policyVersion: pf.policyVersion,
        }
      : null,
    exposure: {
      openInvoices: num(exp[0]?.n),
      outstanding: toMajor(num(exp[0]?.outstanding), cur),
      overdue: toMajor(num(exp[0]?.overdue), cur),
    },
    scoreHistory: scores.reverse().map((s) => ({ asOf: s.asOf, pd: s.pd, score: s.score, tier: s.tier, modelId: s.modelId, source: s.source })),
    latestDecision: decision ? decisionRecord(decision) : null,
    invoiceCount,
    invoices: invoices.map((i) => ({
      id: i.externalId,
      issueDate: i.issueDate,
      dueDate: i.dueDate,
      amount: toMajor(toNumber(i.amountMinor), i.currency),
      paid: toMajor(toNumber(i.paidMinor), i.currency),
      outstanding: toMajor(toNumber(i.amountMinor) - toNumber(i.paidMinor), i.currency),
      currency: i.currency,
      status: i.status,
      settledDate: i.settledDate,
      disputed: i.disputed,
      daysPastDue: i.status === "open" ? Math.max(0, daysBetween(i.dueDate, asOf)) : null,
    })),
    payments: payments.map((x) => ({ id: x.externalId, date: x.date, amount: toMajor(toNumber(x.amountMinor), x.currency), currency: x.currency, invoiceId: x.invoice?.externalId ?? null, method: x.method })),
    limitHistory: limits.map((l) => ({
      at: l.createdAt.toISOString(),
      from: major(l.fromMinor, l.currency),
      to: major(l.toMinor, l.currency),
      currency: l.currency,
      tierFrom: l.tierFrom,
      tierTo: l.tierTo,
      source: l.source,
      status: l.status,
      reason: l.reason,
      calculation: l.calculation,
      actor: l.actor,
    })),
    collections: actions.map(collectionRecord),
    orders: orders.map((o) => ({ id: o.externalId, amount: toMajor(toNumber(o.amountMinor), o.currency), currency: o.currency, orderDate: o.orderDate, status: o.status, decisionId: o.decisionId })),
    overrides: overrides.map(overrideRecord),
  };
}

/** The full customer read model. */
export type CustomerOverview = Awaited<ReturnType<typeof customerOverview>>;

type CollectionRow = Awaited<ReturnType<Database["prisma"]["collectionAction"]["findFirstOrThrow"]>> & { invoice?: { externalId: string; currency?: string } | null };

function collectionRecord(a: CollectionRow) {
  return {
    id: a.id,
    invoiceId: a.invoice?.externalId ?? null,
    step: a.step,
    kind: a.kind,
    status: a.status,
    dueDate: a.dueDate,
    performedAt: iso(a.performedAt),
    actor: a.actor,
    note: a.note,
    promiseDate: a.promiseDate,
    promiseAmount: major(a.promiseAmountMinor, a.invoice?.currency ?? "CNY"),
  };
}

type OverrideRow = Awaited<ReturnType<Database["prisma"]["override"]["findFirstOrThrow"]>>;

function overrideRecord(o: OverrideRow) {
  return { id: o.id, at: o.createdAt.toISOString(), action: o.action, actor: o.actor, role: o.role, reason: o.reason, orderId: o.orderRef, decisionId: o.decisionId, before: o.before, after: o.after };
}

type DecisionRow = Awaited<ReturnType<Database["prisma"]["decision"]["findFirstOrThrow"]>>;

/** A factor of a decision in plain language (both languages), with its contribution to the log-odds. */
export interface ExplainedReason {
  code: string | null;
  feature: string;
  value: number | string | null;
  contribution: number;
  en: string;
  zh: string;
}

/** A policy rule that fired, with its text in both languages. */
export interface FiredRule {
  id: string;
  outcome: string | null;
  en: string;
  zh: string;
}

/**
 * A decision's explanation for display: the reasons given in the answer (the API's reasons, most important
 * first) and the remaining stored attributions summed into one "other factors" entry, so the waterfall
 * adds up to the total of every stored contribution.
 */
export function explainDecision(d: { reasons: unknown; output: unknown }): { reasons: ExplainedReason[]; others: { count: number; contribution: number }; total: number } {
  const stored = Array.isArray(d.reasons) ? (d.reasons as Record<string, unknown>[]) : [];
  const answer = d.output && typeof d.output === "object" ? (d.output as { reasons?: unknown }).reasons : undefined;
  const given = Array.isArray(answer) && answer.length ? (answer as Record<string, unknown>[]) : stored.filter((r) => Number(r.contribution) > 0).slice(0, 5);
  const reasons = given.map(normalizeReason);
  const named = new Set(reasons.map((r) => r.feature));
  const rest = stored.filter((r) => !named.has(String(r.feature)));
  const othersSum = rest.reduce((a, r) => a + (Number(r.contribution) || 0), 0);
  return {
    reasons,
    others: { count: rest.length, contribution: othersSum },
    total: reasons.reduce((a, r) => a + r.contribution, 0) + othersSum,
  };
}

function textOf(x: unknown, lang: "en" | "zh"): string | null {
  if (typeof x === "string") return x;
  if (x && typeof x === "object" && typeof (x as Record<string, unknown>)[lang] === "string") return (x as Record<string, string>)[lang];
  return null;
}

function normalizeReason(r: Record<string, unknown>): ExplainedReason {
  const feature = String(r.feature ?? r.code ?? "");
  const value = (r.value ?? null) as number | string | null;
  const spec = featureSpec(feature);
  const fromSpec = (lang: "en" | "zh") => (spec ? spec.reason[lang].replace("{value}", formatFeatureValue(feature, value, lang)) : feature);
  return {
    code: typeof r.code === "string" ? r.code : null,
    feature,
    value,
    contribution: Number(r.contribution) || 0,
    en: textOf(r.text, "en") ?? (typeof r.en === "string" ? r.en : fromSpec("en")),
    zh: textOf(r.text, "zh") ?? (typeof r.zh === "string" ? r.zh : fromSpec("zh")),
  };
}

/** The fired rules of a stored policy evaluation (`{fired: [...]}` or a plain array). */
export function firedRules(rules: unknown): FiredRule[] {
  const list = Array.isArray(rules) ? rules : rules && typeof rules === "object" && Array.isArray((rules as { fired?: unknown }).fired) ? (rules as { fired: unknown[] }).fired : [];
  return list.map((x) => {
    const r = (x ?? {}) as Record<string, unknown>;
    const id = String(r.id ?? "");
    return {
      id,
      outcome: typeof r.outcome === "string" ? r.outcome : null,
      en: textOf(r.text, "en") ?? (typeof r.en === "string" ? r.en : id),
      zh: textOf(r.text, "zh") ?? (typeof r.zh === "string" ? r.zh : textOf(r.text, "en") ?? id),
    };
  });
}

/**
 * The feature values the model saw, each with its catalogue description and its value formatted for
 * people (money in major units, ratios as percentages), in both languages.
 */
export function featureRows(features: unknown): { name: string; value: number | string | null; label: { en: string; zh: string }; display: { en: string; zh: string } }[] {
  if (!features || typeof features !== "object" || Array.isArray(features)) return [];
  return Object.entries(features as Record<string, unknown>).map(([name, raw]) => {
    const value = typeof raw === "number" || typeof raw === "string" ? raw : null;
    const spec = featureSpec(name);
    return {
      name,
      value,
      label: spec ? { en: spec.description.en, zh: spec.description.zh } : { en: name, zh: name },
      display: { en: formatFeatureValue(name, value, "en"), zh: formatFeatureValue(name, value, "zh") },
    };
  });
}

/** A stored decision as the console shows it (the explanation in full). */
export function decisionRecord(d: DecisionRow) {
  const cur = d.currency ?? "CNY";
  const rulesObj = d.rules && typeof d.rules === "object" && !Array.isArray(d.rules) ? (d.rules as Record<string, unknown>) : {};
  const limit = rulesObj.limitCalculation as { calculation?: unknown } | undefined;
  return {
    id: d.id,
    kind: d.kind,
    createdAt: d.createdAt.toISOString(),
    customerId: d.customerRef,
    orderId: d.orderRef,
    modelId: d.modelId,
    modelVersion: d.modelVersion,
    policyVersion: d.policyVersion,
    pd: d.pd,
    score: d.score,
    tier: d.tier,
    decision: d.decision,
    creditLimit: major(d.creditLimitMinor, cur),
    exposure: major(d.exposureMinor, cur),
    currency: d.currency,
    explanation: explainDecision(d),
    featureRows: featureRows(d.features),
    firedRules: firedRules(d.rules),
    limitCalculation: limit?.calculation ?? null,
    reasons: d.reasons,
    rules: d.rules,
    features: d.features,
    input: d.input,
    output: d.output,
    requestId: d.requestId,
  };
}

export interface DecisionFilters {
  /** Customer external id (exact). */
  customer?: string;
  /** Order external id (exact). */
  order?: string;
  /** First calendar date (UTC) of the decision's creation, inclusive. */
  from?: IsoDate;
  /** Last calendar date (UTC), inclusive. */
  to?: IsoDate;
  /** approve | review | hold | prepay | reject */
  outcome?: string;
  kind?: string;
  limit?: number;
  offset?: number;
}

/**
 * Searches the decision audit, newest first, with filters and offset pagination. Items are summaries;
 * `getDecision` returns one in full.
 */
export async function searchDecisions(db: Database, f: DecisionFilters) {
  const limit = clampLimit(f.limit);
  const offset = Math.max(0, f.offset ?? 0);
  const createdAt: { gte?: Date; lt?: Date } = {};
  if (f.from) createdAt.gte = new Date(`${f.from}T00:00:00.000Z`);
  if (f.to) createdAt.lt = new Date(`${addDays(f.to, 1)}T00:00:00.000Z`);
  const where = {
    ...(f.customer ? { customerRef: f.customer } : {}),
    ...(f.order ? { orderRef: f.order } : {}),
    ...(f.outcome ? { decision: f.outcome } : {}),
    ...(f.kind ? { kind: f.kind } : {}),
    ...(f.from || f.to ? { createdAt } : {}),
  };
  const [rows, total] = await Promise.all([
    db.prisma.decision.findMany({
      where,
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: limit,
      skip: offset,
      select: { id: true, kind: true, createdAt: true, customerRef: true, orderRef: true, modelId: true, policyVersion: true, pd: true, score: true, tier: true, decision: true, exposureMinor: true, currency: true },
    }),
    db.prisma.decision.count({ where }),
  ]);
  return {
    items: rows.map((d) => ({
      id: d.id,
      kind: d.kind,
      createdAt: d.createdAt.toISOString(),
      customerId: d.customerRef,
      orderId: d.orderRef,
      modelId: d.modelId,
      policyVersion: d.policyVersion,
      pd: d.pd,
      score: d.score,
      tier: d.tier,
      decision: d.decision,
      exposure: major(d.exposureMinor, d.currency ?? "CNY"),
      currency: d.currency,
    })),
    total,
    limit,
    offset,
  };
}

/** One stored decision in full, with the overrides that refer to it. @throws NotFoundError. */
export async function getDecision(db: Database, id: string) {
  const d = await db.prisma.decision.findUnique({ where: { id } });
  if (!d) throw new NotFoundError("decision", id);
  const overrides = await db.prisma.override.findMany({ where: { decisionId: id }, orderBy: { createdAt: "asc" } });
  return { ...decisionRecord(d), overrides: overrides.map(overrideRecord) };
}

/** Officer overrides (the audit of releases, rejections, limit changes), newest first. */
export async function searchOverrides(db: Database, f: { order?: string; customer?: string; limit?: number; offset?: number }) {
  const limit = clampLimit(f.limit);
  const offset = Math.max(0, f.offset ?? 0);
  const where = { ...(f.order ? { orderRef: f.order } : {}), ...(f.customer ? { customer: { externalId: f.customer } } : {}) };
  const [rows, total] = await Promise.all([
    db.prisma.override.findMany({ where, orderBy: [{ createdAt: "desc" }, { id: "desc" }], take: limit, skip: offset }),
    db.prisma.override.count({ where }),
  ]);
  return { items: rows.map(overrideRecord), total, limit, offset };
}

/**
 * The collections worklist: open actions (planned or due) with a due date up to `asOf + horizonDays`,
 * earliest first, each with its invoice's outstanding amount and days past due.
 */
export async function collectionsWorklist(db: Database, asOf: IsoDate, opts: { horizonDays?: number; limit?: number; offset?: number } = {}) {
  const limit = clampLimit(opts.limit);
  const offset = Math.max(0, opts.offset ?? 0);
  const where = { status: { in: ["planned", "due"] }, dueDate: { lte: addDays(asOf, opts.horizonDays ?? 7) } };
  const [rows, total] = await Promise.all([
    db.prisma.collectionAction.findMany({
      where,
      orderBy: [{ dueDate: "asc" }, { id: "asc" }],
      take: limit,
      skip: offset,
      include: {
        invoice: { select: { externalId: true, amountMinor: true, paidMinor: true, dueDate: true, currency: true, status: true } },
        customer: { select: { externalId: true, name: true, profile: { select: { tier: true } } } },
      },
    }),
    db.prisma.collectionAction.count({ where }),
  ]);
  return {
    asOf,
    items: rows.map((a) => ({
      ...collectionRecord(a),
      customerId: a.customer.externalId,
      customerName: a.customer.name,
      tier: a.customer.profile?.tier ?? null,
      invoiceDueDate: a.invoice.dueDate,
      outstanding: toMajor(toNumber(a.invoice.amountMinor) - toNumber(a.invoice.paidMinor), a.invoice.currency),
      currency: a.invoice.currency,
      invoiceStatus: a.invoice.status,
      daysPastDue: Math.max(0, daysBetween(a.invoice.dueDate, asOf)),
    })),
    total,
    limit,
    offset,
  };
}

/** A registered model as the registry summarises it. */
export type ModelInfo = ModelSummary;

/**
 * The models page: the registry's models (given by the caller, champion first, then newest), drift reports
 * over time (oldest first, at most 90) and recent alerts.
 */
export async function modelsOverview(db: Database, models: readonly ModelInfo[]) {
  const [drift, alerts] = await Promise.all([
    db.prisma.driftReport.findMany({ orderBy: [{ createdAt: "desc" }], take: 90 }),
    db.prisma.alert.findMany({ orderBy: [{ createdAt: "desc" }], take: 20 }),
  ]);
  const sorted = [...models].sort((a, b) => Number(b.status === "champion") - Number(a.status === "champion") || String(b.createdAt ?? "").localeCompare(String(a.createdAt ?? "")));
  return {
    models: sorted.map((m) => ({ id: m.id, name: m.name ?? m.id, version: m.version, kind: m.kind, status: m.status, createdAt: m.createdAt ?? null, promotedAt: m.promotedAt ?? null, metrics: m.metrics ?? {}, reportUrl: m.reportUrl ?? null })),
    drift: drift.reverse().map((d) => ({ id: d.id, modelId: d.modelId, asOf: d.asOf, scorePsi: d.scorePsi, level: d.level, features: d.features, badRateByTier: d.badRateByTier, createdAt: d.createdAt.toISOString() })),
    alerts: alerts.map((a) => ({ id: a.id, kind: a.kind, level: a.level, message: a.message, createdAt: a.createdAt.toISOString(), acknowledgedAt: iso(a.acknowledgedAt) })),
  };
}

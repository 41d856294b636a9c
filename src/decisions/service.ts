import type { Database } from "../db";
import { NotFoundError, ValidationError, describeValue, isIsoDate, toMajor, toMinor, todayUtc, type FieldIssue } from "../shared";
import { decisionId } from "./ids";
import type { CreditPort, DecisionOutcome, Explained, Features, ModelPort, ModelProvider, PolicyPort, PolicyVerdict, Reason, RuleHit } from "./ports";
import { orderStatusFor, type DecisionRow, type DecisionWriter } from "./store";

/** A reason as the API presents it. */
export interface AnswerReason {
  code: string;
  feature: string;
  value: number | string | null;
  /** Contribution to the log-odds of default (positive = raised the risk). */
  contribution: number;
  /** Scorecard points lost against the best bin, when the model is a scorecard. */
  points?: number;
  text: { en: string; zh: string };
}

/** A fired policy rule as the API presents it. */
export interface AnswerRule {
  id: string;
  outcome: string;
  text: { en: string; zh: string };
}

/** The answer of POST /score (and of each batch row). Money in major units of `currency`. */
export interface ScoreAnswer {
  decisionId: string;
  kind: "order_check" | "adhoc" | "batch";
  customerId: string | null;
  orderId: string | null;
  pd: number;
  score: number;
  tier: string;
  creditLimit: number | null;
  exposure: number | null;
  availableCredit: number | null;
  currency: string | null;
  decision: DecisionOutcome;
  reasons: AnswerReason[];
  rules: AnswerRule[];
  model: { id: string; version: string };
  policyVersion: string;
  scoredAt: string;
}

/** Per-request metadata stored with the decision. */
export interface RequestMeta {
  requestId?: string | null;
  /** Key id of the caller. */
  actor?: string | null;
  /** The request body exactly as received (stored verbatim as the decision's input); default: the parsed request re-serialised. */
  inputJson?: string;
  /**
   * Idempotency-Key of the request: the store writes an IdempotencyRecord (scope, key, request hash, the
   * answer) in the same transaction as the decision. When the key is already stored (a concurrent or
   * earlier request won), nothing is written and `score` returns `duplicate: true`.
   */
  idempotency?: { scope: string; key: string; requestHash: string };
}

/** POST /score bodies (already validated against openapi.yaml). */
export interface OrderRequest {
  customerId: string;
  order: { id: string; amount: number; currency?: string; date?: string };
}
export interface FeaturesRequest {
  features: Features;
}
export type ScoreRequest = OrderRequest | FeaturesRequest;

/** A decision as stored in the audit table. */
export interface StoredDecision {
  id: string;
  kind: string;
  customerId: string | null;
  orderId: string | null;
  model: { id: string; version: string };
  policyVersion: string;
  pd: number;
  score: number;
  tier: string | null;
  decision: string | null;
  creditLimitMinor: number | null;
  exposureMinor: number | null;
  currency: string | null;
  /** The request as received. */
  input: unknown;
  /** The feature values the model saw. */
  features: unknown;
  /** The full explanation: every input's attribution ({feature, value, contribution}) in log-odds. */
  reasons: unknown;
  /** The policy evaluation (fired rules, limit calculation, facts). */
  rules: unknown;
  /** Exactly what the caller received. */
  answer: ScoreAnswer;
  requestId: string | null;
  createdAt: string;
}

export interface DecisionServiceDeps {
  db: Database;
  models: ModelProvider;
  policy: PolicyPort;
  credit?: CreditPort;
  writer: DecisionWriter;
  clock: () => Date;
  /** Called once per scored row (metrics). */
  onScored?: (tier: string, decision: string) => void;
}

/** Batch size limit of POST /score/batch. */
export const MAX_BATCH = 10_000;

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

function presentReasons(rs: Reason[]): AnswerReason[] {
  return rs.map((r) => {
    const a: AnswerReason = { code: r.code, feature: r.feature, value: r.value, contribution: round6(r.contribution), text: { en: r.en, zh: r.zh } };
    if (r.points !== undefined) a.points = Math.round(r.points * 100) / 100;
    return a;
  });
}

function presentRules(rs: RuleHit[]): AnswerRule[] {
  return rs.map((r) => {
    const t = r.text as unknown;
    const text = typeof t === "string" ? { en: t, zh: t } : (t as { en: string; zh: string });
    return { id: r.id, outcome: r.outcome, text };
  });
}

const columnSets = new WeakMap<ModelPort, Set<string>>();

function unknownFeatureIssues(model: ModelPort, f: Features, prefix: string): FieldIssue[] {
  let cols = columnSets.get(model);
  if (!cols) {
    cols = new Set(model.inputColumns);
    columnSets.set(model, cols);
  }
  let issues: FieldIssue[] | null = null;
  const numeric = model.numericColumns;
  for (const k in f) {
    if (numeric && typeof f[k] === "string" && numeric.has(k)) {
      (issues ??= []).push({ path: `${prefix}/features/${k}`, expected: "number or null (a numeric input of the model)", received: describeValue(f[k]) });
    } else if (!cols.has(k)) {
      (issues ??= []).push({
        path: `${prefix}/features/${k}`,
        expected: `one of the model's input columns (${model.inputColumns.slice(0, 8).join(", ")}${model.inputColumns.length > 8 ? ", ..." : ""})`,
        received: `unknown feature with ${describeValue(f[k])}`,
      });
    }
  }
  return issues ?? [];
}

function toIso(d: Date | string): string {
  return typeof d === "string" ? d : d.toISOString();
}

function num(v: bigint | number | null): number | null {
  return v === null ? null : Number(v);
}

/**
 * The application service behind POST /score: scores with the champion, explains, applies the policy,
 * stores the decision (group commit) and returns the answer only once its audit row is committed.
 */
export class DecisionService {
  constructor(private readonly deps: DecisionServiceDeps) {}

  /**
   * Scores one request (known customer's order, or ad-hoc features).
   * @returns the answer and its JSON text (the same text is stored as the decision's output).
   * @throws ValidationError for unknown feature names or a bad order, NotFoundError for an unknown customer,
   *   UnavailableError when no model is loaded.
   */
  async score(req: ScoreRequest, meta: RequestMeta = {}): Promise<{ answer: ScoreAnswer; json: string; duplicate?: boolean }> {
    const model = this.deps.models.champion();
    const now = this.deps.clock();
    const built = "features" in req ? this.buildAdhoc(model, req, now, "adhoc", "", meta) : await this.buildOrder(model, req, now, "order_check", "", meta);
    if (meta.idempotency) built.row.idempotency = meta.idempotency;
    await this.deps.writer.write([built.row]);
    if (built.row.duplicate) return { answer: built.answer, json: built.row.output, duplicate: true };
    this.deps.onScored?.(built.answer.tier, built.answer.decision);
    return { answer: built.answer, json: built.row.output };
  }

  /**
   * Scores up to MAX_BATCH rows with one champion (all rows see the same model) and stores them in one
   * group commit. @returns the answers in input order.
   * @throws ValidationError naming the row (`/rows/<i>/...`) on the first bad row.
   */
  async scoreBatch(rows: ScoreRequest[], meta: RequestMeta = {}): Promise<ScoreAnswer[]> {
    if (rows.length > MAX_BATCH) throw new ValidationError([{ path: "/rows", expected: `at most ${MAX_BATCH} rows`, received: `${rows.length} rows` }]);
    const model = this.deps.models.champion();
    const now = this.deps.clock();
    const built: { row: DecisionRow; answer: ScoreAnswer }[] = new Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i];
      built[i] = "features" in r ? this.buildAdhoc(model, r, now, "batch", `/rows/${i}`, meta) : await this.buildOrder(model, r, now, "batch", `/rows/${i}`, meta);
    }
    await this.deps.writer.write(built.map((b) => b.row));
    if (this.deps.onScored) for (const b of built) this.deps.onScored(b.answer.tier, b.answer.decision);
    return built.map((b) => b.answer);
  }

  private buildAdhoc(model: ModelPort, req: FeaturesRequest, now: Date, kind: ScoreAnswer["kind"], prefix: string, meta: RequestMeta) {
    const issues = unknownFeatureIssues(model, req.features, prefix);
    if (issues.length) throw new ValidationError(issues);
    const ex = model.explain(req.features);
    const verdict = this.deps.policy.evaluateAdhoc(ex.pd, ex.score);
    return this.assemble(model, ex, verdict, now, kind, req, req.features, null, null, meta);
  }

  private async buildOrder(model: ModelPort, req: OrderRequest, now: Date, kind: ScoreAnswer["kind"], prefix: string, meta: RequestMeta) {
    const credit = this.deps.credit;
    if (!credit) throw new ValidationError([{ path: `${prefix}/customerId`, expected: "ad-hoc {\"features\": ...} scoring (this server has no customer database wired)", received: describeValue(req.customerId) }]);
    const o = req.order;
    const date = o.date ?? todayUtc(now);
    if (!isIsoDate(date)) throw new ValidationError([{ path: `${prefix}/order/date`, expected: "a calendar date YYYY-MM-DD", received: describeValue(o.date) }]);
    const c = await credit.loadCase(req.customerId, date, o.id);
    if (!c) throw new NotFoundError("customer", req.customerId);
    const currency = (o.currency ?? c.currency).toUpperCase();
    let amountMinor: number;
    try {
      amountMinor = toMinor(o.amount, currency);
    } catch {
      throw new ValidationError([{ path: `${prefix}/order/amount`, expected: "a finite amount in major units", received: describeValue(o.amount) }]);
    }
    const order = { id: o.id, amountMinor, currency, date };
    const ex = model.explain(c.features);
    const verdict = credit.evaluate(c, order, ex);
    return this.assemble(model, ex, verdict, now, kind, req, c.features, c, order, meta);
  }

  private assemble(
    model: ModelPort,
    ex: Explained,
    v: PolicyVerdict,
    now: Date,
    kind: ScoreAnswer["kind"],
    input: ScoreRequest,
    features: Features,
    c: import("./ports").CustomerCase | null,
    order: import("./ports").OrderInput | null,
    meta: RequestMeta,
  ): { row: DecisionRow; answer: ScoreAnswer } {
    const id = decisionId(now.getTime());
    const currency = c ? c.currency : null;
    const policyVersion = this.deps.policy.version();
    const answer: ScoreAnswer = {
      decisionId: id,
      kind,
      customerId: c ? c.externalId : null,
      orderId: order ? order.id : null,
      pd: ex.pd,
      score: Math.round(ex.score),
      tier: v.tier,
      creditLimit: v.creditLimitMinor === null ? null : toMajor(v.creditLimitMinor, currency ?? undefined),
      exposure: v.exposureMinor === null ? null : toMajor(v.exposureMinor, currency ?? undefined),
      availableCredit: v.availableMinor === null ? null : toMajor(v.availableMinor, currency ?? undefined),
      currency,
      decision: v.decision,
      reasons: presentReasons(ex.reasons),
      rules: presentRules(v.rules),
      model: { id: model.id, version: model.version },
      policyVersion,
      scoredAt: now.toISOString(),
    };
    const output = JSON.stringify(answer);
    const row: DecisionRow = {
      id,
      kind,
      customerId: c ? c.customerDbId : null,
      customerRef: c ? c.externalId : null,
      orderRef: order ? order.id : null,
      modelId: model.id,
      modelVersion: model.version,
      policyVersion,
      pd: ex.pd,
      score: answer.score,
      tier: v.tier,
      decision: v.decision,
      creditLimitMinor: v.creditLimitMinor,
      exposureMinor: v.exposureMinor,
      currency,
      input: meta.inputJson ?? JSON.stringify(input),
      features: JSON.stringify(features),
      reasons: JSON.stringify(ex.contributions ?? ex.reasons),
      rules: JSON.stringify({ fired: v.rules, limitCalculation: v.limitCalculation ?? null, facts: c ? c.facts : null }),
      output,
      requestId: meta.requestId ?? null,
      createdAt: now,
    };
    if (c && order) {
      row.order = { externalId: order.id, customerId: c.customerDbId, amountMinor: order.amountMinor, currency: order.currency, orderDate: order.date, status: orderStatusFor(v.decision) };
      if (v.creditLimitMinor !== null) {
        const calc = v.limitCalculation as { validUntil?: string } | undefined;
        row.profile = {
          customerId: c.customerDbId,
          tier: v.tier,
          limitMinor: v.creditLimitMinor,
          currency: c.currency,
          limitValidUntil: calc?.validUntil ?? null,
          limitCalculation: v.limitCalculation === undefined ? null : JSON.stringify(v.limitCalculation),
          nextReviewDate: calc?.validUntil ?? null,
          pd: ex.pd,
          score: answer.score,
          modelId: model.id,
          policyVersion,
        };
      }
    }
    return { row, answer };
  }

  /** The stored decision with its full explanation. @throws NotFoundError */
  async get(id: string): Promise<StoredDecision> {
    const d = await this.deps.db.prisma.decision.findUnique({ where: { id } });
    if (!d) throw new NotFoundError("decision", id);
    return {
      id: d.id,
      kind: d.kind,
      customerId: d.customerRef,
      orderId: d.orderRef,
      model: { id: d.modelId, version: d.modelVersion },
      policyVersion: d.policyVersion,
      pd: d.pd,
      score: d.score,
      tier: d.tier,
      decision: d.decision,
      creditLimitMinor: num(d.creditLimitMinor),
      exposureMinor: num(d.exposureMinor),
      currency: d.currency,
      input: d.input,
      features: d.features,
      reasons: d.reasons,
      rules: d.rules,
      answer: d.output as unknown as ScoreAnswer,
      requestId: d.requestId,
      createdAt: toIso(d.createdAt),
    };
  }

  /**
   * The credit position of a known customer: current tier, limit, exposure, the last decisions and the
   * score history (decisions and rescoring snapshots, newest first).
   * @throws NotFoundError for an unknown customer.
   */
  async customerCredit(externalId: string, opts: { decisions?: number; history?: number } = {}) {
    const prisma = this.deps.db.prisma;
    const cust = await prisma.customer.findUnique({ where: { externalId }, include: { profile: true, blacklist: { where: { removedAt: null } } } });
    if (!cust) throw new NotFoundError("customer", externalId);
    const [decisions, snapshots] = await Promise.all([
      prisma.decision.findMany({ where: { customerId: cust.id }, orderBy: { createdAt: "desc" }, take: opts.decisions ?? 10 }),
      prisma.scoreSnapshot.findMany({ where: { customerId: cust.id }, orderBy: { createdAt: "desc" }, take: opts.history ?? 50 }),
    ]);
    const today = todayUtc(this.deps.clock());
    const c = this.deps.credit ? await this.deps.credit.loadCase(externalId, today) : null;
    const p = cust.profile;
    const currency = p?.currency ?? cust.currency;
    const limitMinor = p ? Number(p.limitMinor) : null;
    const exposureMinor = c ? c.exposureMinor : null;
    const history = [
      ...decisions.map((d) => ({ at: toIso(d.createdAt), asOf: toIso(d.createdAt).slice(0, 10), pd: d.pd, score: d.score, tier: d.tier, modelId: d.modelId, source: "decision" as string, decisionId: d.id as string | null })),
      ...snapshots.map((s) => ({ at: toIso(s.createdAt), asOf: s.asOf, pd: s.pd, score: s.score, tier: s.tier, modelId: s.modelId, source: s.source, decisionId: null })),
    ].sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
    return {
      customerId: cust.externalId,
      name: cust.name,
      currency,
      tier: p?.tier ?? null,
      tierFloor: p?.tierFloor ?? null,
      creditLimit: limitMinor === null ? null : toMajor(limitMinor, currency),
      exposure: exposureMinor === null ? null : toMajor(exposureMinor, currency),
      availableCredit: limitMinor === null || exposureMinor === null ? null : toMajor(limitMinor - exposureMinor, currency),
      limitValidUntil: p?.limitValidUntil ?? null,
      blacklisted: cust.blacklist.length > 0,
      lastPd: p?.lastPd ?? null,
      lastScore: p?.lastScore ?? null,
      lastScoredAt: p?.lastScoredAt ? toIso(p.lastScoredAt) : null,
      policyVersion: p?.policyVersion ?? null,
      lastDecisions: decisions.map((d) => ({
        decisionId: d.id,
        kind: d.kind,
        orderId: d.orderRef,
        decision: d.decision,
        tier: d.tier,
        pd: d.pd,
        score: d.score,
        createdAt: toIso(d.createdAt),
      })),
      scoreHistory: history.slice(0, opts.history ?? 50),
    };
  }
}

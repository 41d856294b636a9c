import { ConflictError, NotFoundError, ValidationError, type IsoDate } from "../../shared";
import type { Database, DbKind } from "../client";
import { toNumber } from "../util";

/**
 * The credit repository: profiles, orders, overrides, limit changes, collection actions and the blacklist.
 * Functions take the `Database` and return plain domain objects (money as numbers in minor units, business
 * dates as 'YYYY-MM-DD'). Customers, invoices and orders are addressed by their internal numeric id unless a
 * function says `externalId`.
 */

type Json = Record<string, unknown> | unknown[];

// ---------- profiles ----------

export interface CreditProfileRecord {
  customerId: number;
  tier: string;
  limitMinor: number;
  currency: string;
  limitValidUntil: IsoDate | null;
  limitCalculation: unknown;
  tierFloor: string | null;
  lastPd: number | null;
  lastScore: number | null;
  lastModelId: string | null;
  lastDecisionId: string | null;
  lastScoredAt: Date | null;
  lastReviewAt: Date | null;
  nextReviewDate: IsoDate | null;
  policyVersion: string | null;
  updatedAt: Date;
}

type ProfileRow = Awaited<ReturnType<Database["prisma"]["creditProfile"]["findFirstOrThrow"]>>;

function toProfile(r: ProfileRow): CreditProfileRecord {
  return {
    customerId: r.customerId,
    tier: r.tier,
    limitMinor: toNumber(r.limitMinor),
    currency: r.currency,
    limitValidUntil: r.limitValidUntil,
    limitCalculation: r.limitCalculation ?? null,
    tierFloor: r.tierFloor,
    lastPd: r.lastPd,
    lastScore: r.lastScore,
    lastModelId: r.lastModelId,
    lastDecisionId: r.lastDecisionId,
    lastScoredAt: r.lastScoredAt,
    lastReviewAt: r.lastReviewAt,
    nextReviewDate: r.nextReviewDate,
    policyVersion: r.policyVersion,
    updatedAt: r.updatedAt,
  };
}

/** The customer's credit profile, or null. */
export async function getProfile(db: Database, customerId: number): Promise<CreditProfileRecord | null> {
  const r = await db.prisma.creditProfile.findUnique({ where: { customerId } });
  return r ? toProfile(r) : null;
}

/** Every credit profile, ordered by customer id. */
export async function listProfiles(db: Database): Promise<CreditProfileRecord[]> {
  return (await db.prisma.creditProfile.findMany({ orderBy: { customerId: "asc" } })).map(toProfile);
}

export interface ProfileWrite {
  tier: string;
  limitMinor: number;
  currency?: string;
  limitValidUntil?: IsoDate | null;
  limitCalculation?: Json | null;
  tierFloor?: string | null;
  lastPd?: number | null;
  lastScore?: number | null;
  lastModelId?: string | null;
  lastDecisionId?: string | null;
  lastScoredAt?: Date | null;
  lastReviewAt?: Date | null;
  nextReviewDate?: IsoDate | null;
  policyVersion?: string | null;
}

function profileData(p: Partial<ProfileWrite>) {
  const { limitMinor, limitCalculation, ...rest } = p;
  return {
    ...rest,
    ...(limitMinor !== undefined ? { limitMinor: BigInt(limitMinor) } : {}),
    ...(limitCalculation !== undefined ? { limitCalculation: (limitCalculation ?? undefined) as never } : {}),
  };
}

/** Creates or updates the customer's profile (fields left undefined keep their value). */
export async function upsertProfile(db: Database, customerId: number, p: ProfileWrite): Promise<CreditProfileRecord> {
  const data = profileData(p);
  const r = await db.prisma.creditProfile.upsert({
    where: { customerId },
    create: { customerId, ...(data as ProfileWrite & { limitMinor: bigint }) } as never,
    update: data as never,
  });
  return toProfile(r);
}

/** Profiles whose review date is on or before `asOf` (reviews come due on their own), oldest first. */
export async function listDueReviews(db: Database, asOf: IsoDate): Promise<CreditProfileRecord[]> {
  const rows = await db.prisma.creditProfile.findMany({
    where: { OR: [{ nextReviewDate: { lte: asOf } }, { nextReviewDate: null }] },
    orderBy: [{ nextReviewDate: "asc" }, { customerId: "asc" }],
  });
  return rows.map(toProfile);
}

/**
 * Sets or clears the manual whitelist floor of a customer, recorded as a `tier_change` override in the same
 * transaction. @throws NotFoundError when the customer has no profile
 */
export async function setTierFloor(db: Database, customerId: number, tierFloor: string | null, actor: string, reason: string): Promise<CreditProfileRecord> {
  if (!reason?.trim()) throw new ValidationError([{ path: "/reason", expected: "a non-empty reason", received: JSON.stringify(reason ?? null) }]);
  return db.prisma.$transaction(async (tx) => {
    const before = await tx.creditProfile.findUnique({ where: { customerId } });
    if (!before) throw new NotFoundError("credit profile of customer", String(customerId));
    const after = await tx.creditProfile.update({ where: { customerId }, data: { tierFloor } });
    await tx.override.create({
      data: { customerId, action: "tier_change", actor, reason: reason.trim(), before: { tierFloor: before.tierFloor }, after: { tierFloor } },
    });
    return toProfile(after);
  });
}

// ---------- orders ----------

export interface OrderRecord {
  id: number;
  externalId: string;
  customerId: number;
  amountMinor: number;
  currency: string;
  orderDate: IsoDate;
  status: string;
  decisionId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

type OrderRow = Awaited<ReturnType<Database["prisma"]["order"]["findFirstOrThrow"]>>;

function toOrder(r: OrderRow): OrderRecord {
  return {
    id: r.id,
    externalId: r.externalId,
    customerId: r.customerId,
    amountMinor: toNumber(r.amountMinor),
    currency: r.currency,
    orderDate: r.orderDate,
    status: r.status,
    decisionId: r.decisionId,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

/** Statuses that count as open exposure (not yet invoiced, cancelled or rejected). */
export const OPEN_ORDER_STATUSES = ["pending", "approved", "review", "held", "prepay", "released"];

export interface OrderWrite {
  externalId: string;
  customerId: number;
  amountMinor: number;
  currency?: string;
  orderDate: IsoDate;
  status?: string;
  decisionId?: string | null;
}

/**
 * Creates an order, or returns the existing one with the same external id (idempotent; `created` tells
 * which). @throws ConflictError when the existing order has a different customer or amount
 */
export async function createOrder(db: Database, o: OrderWrite): Promise<{ order: OrderRecord; created: boolean }> {
  const existing = await db.prisma.order.findUnique({ where: { externalId: o.externalId } });
  if (existing) {
    if (existing.customerId !== o.customerId || toNumber(existing.amountMinor) !== o.amountMinor) {
      throw new ConflictError(`order '${o.externalId}' already exists with a different customer or amount`, "order-conflict", { orderRef: o.externalId });
    }
    return { order: toOrder(existing), created: false };
  }
  try {
    const r = await db.prisma.order.create({
      data: {
        externalId: o.externalId,
        customerId: o.customerId,
        amountMinor: BigInt(o.amountMinor),
        currency: o.currency ?? "CNY",
        orderDate: o.orderDate,
        status: o.status ?? "pending",
        decisionId: o.decisionId ?? null,
      },
    });
    return { order: toOrder(r), created: true };
  } catch (e) {
    // A concurrent create of the same external id won the race: answer with that one.
    if ((e as { code?: string }).code === "P2002") return createOrder(db, o);
    throw e;
  }
}

/** The order with this external id, or null. */
export async function findOrder(db: Database, externalId: string): Promise<OrderRecord | null> {
  const r = await db.prisma.order.findUnique({ where: { externalId } });
  return r ? toOrder(r) : null;
}

/** Sets an order's status (and the decision that set it). @throws NotFoundError */
export async function setOrderStatus(db: Database, externalId: string, status: string, decisionId?: string | null): Promise<OrderRecord> {
  const r = await db.prisma.order.updateMany({ where: { externalId }, data: { status, ...(decisionId !== undefined ? { decisionId } : {}) } });
  if (r.count === 0) throw new NotFoundError("order", externalId);
  return (await findOrder(db, externalId))!;
}

/** Orders filtered by status and/or customer, oldest first. */
export async function listOrders(db: Database, filter: { status?: string | string[]; customerId?: number; limit?: number } = {}): Promise<OrderRecord[]> {
  const status = filter.status === undefined ? undefined : Array.isArray(filter.status) ? { in: filter.status } : filter.status;
  const rows = await db.prisma.order.findMany({
    where: { ...(status !== undefined ? { status } : {}), ...(filter.customerId !== undefined ? { customerId: filter.customerId } : {}) },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    ...(filter.limit ? { take: filter.limit } : {}),
  });
  return rows.map(toOrder);
}

/** Sum of the customer's open orders (minor units), optionally leaving one order out (the one being checked). */
export async function openOrdersTotal(db: Database, customerId: number, excludeExternalId?: string): Promise<number> {
  const r = await db.prisma.order.aggregate({
    _sum: { amountMinor: true },
    where: { customerId, status: { in: OPEN_ORDER_STATUSES }, ...(excludeExternalId ? { externalId: { not: excludeExternalId } } : {}) },
  });
  return toNumber(r._sum.amountMinor);
}

/** Open-order totals of every customer with open orders (customer id -> minor units). */
export async function openOrdersTotals(db: Database): Promise<Map<number, number>> {
  const rows = await db.prisma.order.groupBy({ by: ["customerId"], _sum: { amountMinor: true }, where: { status: { in: OPEN_ORDER_STATUSES } } });
  return new Map(rows.map((r) => [r.customerId, toNumber(r._sum.amountMinor)]));
}

// ---------- overrides ----------

/** A validated override (structurally `OrderOverrideDecision` from src/policy `decideOverride`). */
export interface OrderOverrideWrite {
  action: "release" | "reject";
  orderRef: string;
  customerId: number;
  decisionId: string | null;
  fromStatus: string;
  toStatus: string;
  actor: string;
  role: string | null;
  reason: string;
  before: Json;
  after: Json;
}

export interface OverrideRecord {
  id: number;
  customerId: number | null;
  orderRef: string | null;
  decisionId: string | null;
  action: string;
  actor: string;
  role: string | null;
  reason: string;
  before: unknown;
  after: unknown;
  createdAt: Date;
}

type OverrideRow = Awaited<ReturnType<Database["prisma"]["override"]["findFirstOrThrow"]>>;

function toOverride(r: OverrideRow): OverrideRecord {
  return {
    id: r.id,
    customerId: r.customerId,
    orderRef: r.orderRef,
    decisionId: r.decisionId,
    action: r.action,
    actor: r.actor,
    role: r.role,
    reason: r.reason,
    before: r.before,
    after: r.after,
    createdAt: r.createdAt,
  };
}

/**
 * Writes an order override in ONE transaction: the status change (only if the order is still in
 * `fromStatus`) and the Override audit row (who, when, why, before, after).
 * @throws ConflictError (409, order-changed) when the order's status changed since it was read
 */
export async function applyOrderOverride(db: Database, d: OrderOverrideWrite): Promise<{ order: OrderRecord; override: OverrideRecord }> {
  return db.prisma.$transaction(async (tx) => {
    const u = await tx.order.updateMany({ where: { externalId: d.orderRef, status: d.fromStatus }, data: { status: d.toStatus } });
    if (u.count !== 1) {
      throw new ConflictError(`order '${d.orderRef}' is no longer ${d.fromStatus}; reload it and try again`, "order-changed", { orderRef: d.orderRef });
    }
    const ov = await tx.override.create({
      data: {
        customerId: d.customerId,
        orderRef: d.orderRef,
        decisionId: d.decisionId,
        action: d.action,
        actor: d.actor,
        role: d.role,
        reason: d.reason,
        before: d.before as never,
        after: d.after as never,
      },
    });
    const order = await tx.order.findUniqueOrThrow({ where: { externalId: d.orderRef } });
    return { order: toOrder(order), override: toOverride(ov) };
  });
}

/** Overrides, newest first, filtered by customer and/or order. */
export async function listOverrides(db: Database, filter: { customerId?: number; orderRef?: string; limit?: number } = {}): Promise<OverrideRecord[]> {
  const rows = await db.prisma.override.findMany({
    where: { ...(filter.customerId !== undefined ? { customerId: filter.customerId } : {}), ...(filter.orderRef ? { orderRef: filter.orderRef } : {}) },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: filter.limit ?? 100,
  });
  return rows.map(toOverride);
}

// ---------- limit changes ----------

export type LimitChangeStatus = "applied" | "pending_approval" | "approved" | "rejected";

export interface LimitChangeRecord {
  id: number;
  customerId: number;
  fromMinor: number | null;
  toMinor: number;
  currency: string;
  tierFrom: string | null;
  tierTo: string;
  source: string;
  status: LimitChangeStatus;
  reason: string;
  calculation: unknown;
  actor: string | null;
  jobRunId: string | null;
  createdAt: Date;
  decidedAt: Date | null;
}

type LimitChangeRow = Awaited<ReturnType<Database["prisma"]["limitChange"]["findFirstOrThrow"]>>;

function toLimitChange(r: LimitChangeRow): LimitChangeRecord {
  return {
    id: r.id,
    customerId: r.customerId,
    fromMinor: r.fromMinor === null ? null : toNumber(r.fromMinor),
    toMinor: toNumber(r.toMinor),
    currency: r.currency,
    tierFrom: r.tierFrom,
    tierTo: r.tierTo,
    source: r.source,
    status: r.status as LimitChangeStatus,
    reason: r.reason,
    calculation: r.calculation ?? null,
    actor: r.actor,
    jobRunId: r.jobRunId,
    createdAt: r.createdAt,
    decidedAt: r.decidedAt,
  };
}

export interface LimitChangeWrite {
  customerId: number;
  fromMinor: number | null;
  toMinor: number;
  currency?: string;
  tierFrom: string | null;
  tierTo: string;
  /** decision | rescore | override | initial */
  source: string;
  /** applied | pending_approval */
  status: "applied" | "pending_approval";
  reason: string;
  calculation?: Json | null;
  actor?: string | null;
  jobRunId?: string | null;
  /** Profile fields written with an applied change (tier, validity, PD, ...). */
  profile?: Partial<Omit<ProfileWrite, "limitMinor">>;
}

/**
 * Records a limit change with its reason. An `applied` change also writes the new limit (and `profile`
 * fields) to the customer's profile in the same transaction; a `pending_approval` one writes only the
 * profile fields other than the limit.
 */
export async function recordLimitChange(db: Database, c: LimitChangeWrite): Promise<LimitChangeRecord> {
  return db.prisma.$transaction(async (tx) => {
    const row = await tx.limitChange.create({
      data: {
        customerId: c.customerId,
        fromMinor: c.fromMinor === null ? null : BigInt(c.fromMinor),
        toMinor: BigInt(c.toMinor),
        currency: c.currency ?? "CNY",
        tierFrom: c.tierFrom,
        tierTo: c.tierTo,
        source: c.source,
        status: c.status,
        reason: c.reason,
        calculation: (c.calculation ?? undefined) as never,
        actor: c.actor ?? null,
        jobRunId: c.jobRunId ?? null,
      },
    });
    const patch: Partial<ProfileWrite> = { ...(c.profile ?? {}), tier: c.tierTo };
    if (c.status === "applied") patch.limitMinor = c.toMinor;
    const data = profileData(patch);
    await tx.creditProfile.upsert({
      where: { customerId: c.customerId },
      create: { customerId: c.customerId, limitMinor: BigInt(c.status === "applied" ? c.toMinor : (c.fromMinor ?? 0)), ...data, currency: c.currency ?? "CNY" } as never,
      update: data as never,
    });
    return toLimitChange(row);
  });
}

/** One customer's score for a date, as the batch re-score records it. */
export interface ScoreSnapshotWrite {
  customerId: number;
  asOf: IsoDate;
  pd: number;
  score: number;
  tier: string;
  modelId: string;
  /** rescore | decision | backtest */
  source: string;
}

/** What one batch of a re-score writes: profile updates without a change, limit changes, score snapshots. */
export interface CreditBatchWrite {
  /** Profiles rewritten without a limit change (new score, review date, ...). */
  profiles?: { customerId: number; profile: ProfileWrite }[];
  /** Limit changes in order; each writes its profile fields exactly as {@link recordLimitChange} does. */
  changes?: LimitChangeWrite[];
  snapshots?: ScoreSnapshotWrite[];
}

/**
 * Writes a whole batch (profile updates, limit changes, score snapshots) in ONE transaction, so a batch of
 * hundreds of customers costs one commit instead of one or two per customer. The profile of a customer is
 * upserted once with its fields merged in order (`profiles` first, then each change as recordLimitChange
 * would write it); limit changes and snapshots are inserted with createMany. All or nothing: a crash leaves
 * the batch unwritten, so a retried run sees it as not yet done.
 * @returns the number of rows written per kind
 */
export async function writeCreditBatch(db: Database, b: CreditBatchWrite): Promise<{ profiles: number; changes: number; snapshots: number }> {
  const changes = b.changes ?? [];
  const snapshots = b.snapshots ?? [];
  // Final profile write per customer: `patch` goes to update, `create` to a first insert.
  const merged = new Map<number, { patch: Partial<ProfileWrite>; create: Partial<ProfileWrite> & { limitMinor: number; tier: string } }>();
  for (const { customerId, profile } of b.profiles ?? []) {
    const m = merged.get(customerId);
    if (m) {
      Object.assign(m.patch, profile);
      Object.assign(m.create, profile);
    } else merged.set(customerId, { patch: { ...profile }, create: { ...profile } });
  }
  for (const c of changes) {
    const patch: Partial<ProfileWrite> = { ...(c.profile ?? {}), tier: c.tierTo };
    if (c.status === "applied") patch.limitMinor = c.toMinor;
    const m = merged.get(c.customerId);
    if (m) {
      Object.assign(m.patch, patch);
      Object.assign(m.create, patch);
    } else {
      const limitMinor = c.status === "applied" ? c.toMinor : (c.fromMinor ?? 0);
      merged.set(c.customerId, { patch, create: { ...patch, limitMinor, currency: c.currency ?? "CNY", tier: c.tierTo } });
    }
  }
  if (!merged.size && !changes.length && !snapshots.length) return { profiles: 0, changes: 0, snapshots: 0 };
  await db.prisma.$transaction(
    async (tx) => {
      if (changes.length) {
        await tx.limitChange.createMany({
          data: changes.map((c) => ({
            customerId: c.customerId,
            fromMinor: c.fromMinor === null ? null : BigInt(c.fromMinor),
            toMinor: BigInt(c.toMinor),
            currency: c.currency ?? "CNY",
            tierFrom: c.tierFrom,
            tierTo: c.tierTo,
            source: c.source,
            status: c.status,
            reason: c.reason,
            calculation: (c.calculation ?? undefined) as never,
            actor: c.actor ?? null,
            jobRunId: c.jobRunId ?? null,
          })),
        });
      }
      for (const stmt of profileUpserts(db.kind, merged, new Date())) await tx.$executeRawUnsafe(stmt.sql, ...stmt.params);
      if (snapshots.length) await tx.scoreSnapshot.createMany({ data: snapshots });
    },
    // A batch of a few hundred customers; generous so a slow disk does not abort it.
    { timeout: 120_000, maxWait: 30_000 },
  );
  return { profiles: merged.size, changes: changes.length, snapshots: snapshots.length };
}

type ColumnKind = "text" | "int" | "real" | "bigint" | "json" | "timestamp";

const PROFILE_COLUMNS: Record<keyof ProfileWrite, ColumnKind> = {
  tier: "text",
  limitMinor: "bigint",
  currency: "text",
  limitValidUntil: "text",
  limitCalculation: "json",
  tierFloor: "text",
  lastPd: "real",
  lastScore: "int",
  lastModelId: "text",
  lastDecisionId: "text",
  lastScoredAt: "timestamp",
  lastReviewAt: "timestamp",
  nextReviewDate: "text",
  policyVersion: "text",
};

const PG_CAST: Record<ColumnKind, string> = { text: "", int: "::integer", real: "::double precision", bigint: "::bigint", json: "::jsonb", timestamp: "::timestamp(3)" };

/** A value as the raw driver binds it, in the format Prisma itself stores (SQLite: ISO text with +00:00). */
function bindValue(kind: DbKind, col: ColumnKind, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (col === "json") return JSON.stringify(v);
  if (col === "timestamp") {
    const iso = (v instanceof Date ? v : new Date(String(v))).toISOString();
    return kind === "sqlite" ? iso.replace("Z", "+00:00") : iso.slice(0, -1);
  }
  if (col === "bigint") return kind === "sqlite" ? Number(v) : String(v);
  return v;
}

/**
 * Multi-row `INSERT ... ON CONFLICT ("customerId") DO UPDATE` statements (SQLite >= 3.24 and PostgreSQL),
 * one per shape of write and at most 500 rows each: Prisma's upsert costs several round trips per row.
 */
function profileUpserts(
  kind: DbKind,
  merged: Map<number, { patch: Partial<ProfileWrite>; create: Partial<ProfileWrite> }>,
  now: Date,
): { sql: string; params: unknown[] }[] {
  const groups = new Map<string, { insert: (keyof ProfileWrite)[]; update: (keyof ProfileWrite)[]; rows: [number, Partial<ProfileWrite>][] }>();
  for (const [customerId, m] of merged) {
    const keys = (o: Partial<ProfileWrite>) => (Object.keys(o) as (keyof ProfileWrite)[]).filter((k) => k in PROFILE_COLUMNS && o[k] !== undefined).sort();
    const insert = keys(m.create);
    const update = keys(m.patch);
    const sig = `${insert.join(",")}|${update.join(",")}`;
    let g = groups.get(sig);
    if (!g) groups.set(sig, (g = { insert, update, rows: [] }));
    g.rows.push([customerId, m.create]);
  }
  const out: { sql: string; params: unknown[] }[] = [];
  const ts = bindValue(kind, "timestamp", now);
  for (const g of groups.values()) {
    for (let from = 0; from < g.rows.length; from += 500) {
      const params: unknown[] = [];
      const ph = (v: unknown, col: ColumnKind | "int") => {
        params.push(v);
        return kind === "sqlite" ? "?" : `$${params.length}${PG_CAST[col]}`;
      };
      const values = g.rows.slice(from, from + 500).map(
        ([id, row]) => `(${[ph(id, "int"), ...g.insert.map((k) => ph(bindValue(kind, PROFILE_COLUMNS[k], row[k]), PROFILE_COLUMNS[k])), ph(ts, "timestamp")].join(", ")})`,
      );
      const cols = ["customerId", ...g.insert, "updatedAt"].map((c) => `"${c}"`).join(", ");
      const set = [...g.update, "updatedAt"].map((c) => `"${c}" = excluded."${c}"`).join(", ");
      out.push({ sql: `INSERT INTO "CreditProfile" (${cols}) VALUES ${values.join(", ")} ON CONFLICT ("customerId") DO UPDATE SET ${set}`, params });
    }
  }
  return out;
}

/** Limit changes, newest first, filtered by customer and/or status. */
export async function listLimitChanges(db: Database, filter: { customerId?: number; status?: LimitChangeStatus; limit?: number } = {}): Promise<LimitChangeRecord[]> {
  const rows = await db.prisma.limitChange.findMany({
    where: { ...(filter.customerId !== undefined ? { customerId: filter.customerId } : {}), ...(filter.status ? { status: filter.status } : {}) },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: filter.limit ?? 100,
  });
  return rows.map(toLimitChange);
}

/**
 * Approves or rejects a pending limit increase. Approval writes the limit to the profile; both write a
 * `limit_approval` override (who, why, before, after); all in one transaction.
 * @throws NotFoundError; ConflictError when the change is not pending; ValidationError for an empty reason
 */
export async function decideLimitChange(db: Database, id: number, verdict: "approve" | "reject", actor: string, reason: string): Promise<LimitChangeRecord> {
  if (!reason?.trim() || !actor?.trim()) {
    throw new ValidationError([{ path: reason?.trim() ? "/actor" : "/reason", expected: "a non-empty value", received: JSON.stringify(reason?.trim() ? actor : reason) }]);
  }
  return db.prisma.$transaction(async (tx) => {
    const c = await tx.limitChange.findUnique({ where: { id } });
    if (!c) throw new NotFoundError("limit change", String(id));
    const status = verdict === "approve" ? "approved" : "rejected";
    const u = await tx.limitChange.updateMany({ where: { id, status: "pending_approval" }, data: { status, decidedAt: new Date(), actor } });
    if (u.count !== 1) throw new ConflictError(`limit change ${id} is ${c.status}, not pending_approval`, "limit-change-not-pending", { id });
    const profile = await tx.creditProfile.findUnique({ where: { customerId: c.customerId } });
    const beforeLimit = profile ? toNumber(profile.limitMinor) : null;
    if (verdict === "approve") {
      await tx.creditProfile.update({ where: { customerId: c.customerId }, data: { limitMinor: c.toMinor, tier: c.tierTo } });
    }
    await tx.override.create({
      data: {
        customerId: c.customerId,
        action: "limit_approval",
        actor,
        reason: reason.trim(),
        before: { limitChangeId: id, status: "pending_approval", limitMinor: beforeLimit },
        after: { limitChangeId: id, status, limitMinor: verdict === "approve" ? toNumber(c.toMinor) : beforeLimit },
      },
    });
    return toLimitChange((await tx.limitChange.findUniqueOrThrow({ where: { id } })) as LimitChangeRow);
  });
}

// ---------- collection actions ----------

export interface CollectionActionRecord {
  id: number;
  invoiceId: number;
  customerId: number;
  step: string;
  kind: string;
  status: string;
  dueDate: IsoDate;
  performedAt: Date | null;
  actor: string | null;
  note: string | null;
  promiseDate: IsoDate | null;
  promiseAmountMinor: number | null;
  dedupeKey: string | null;
  createdAt: Date;
}

type ActionRow = Awaited<ReturnType<Database["prisma"]["collectionAction"]["findFirstOrThrow"]>>;

function toAction(r: ActionRow): CollectionActionRecord {
  return {
    id: r.id,
    invoiceId: r.invoiceId,
    customerId: r.customerId,
    step: r.step,
    kind: r.kind,
    status: r.status,
    dueDate: r.dueDate,
    performedAt: r.performedAt,
    actor: r.actor,
    note: r.note,
    promiseDate: r.promiseDate,
    promiseAmountMinor: r.promiseAmountMinor === null ? null : toNumber(r.promiseAmountMinor),
    dedupeKey: r.dedupeKey,
    createdAt: r.createdAt,
  };
}

export interface CollectionActionWrite {
  invoiceId: number;
  /** Ladder step id, or `promise_to_pay` / `note`. */
  step: string;
  /** reminder | call | letter | stop_shipment | legal | promise_to_pay | note */
  kind: string;
  /** planned | due | sent | done | failed | cancelled */
  status: string;
  dueDate: IsoDate;
  performedAt?: Date | null;
  actor?: string | null;
  note?: string | null;
  promiseDate?: IsoDate | null;
  promiseAmountMinor?: number | null;
  dedupeKey?: string | null;
}

function actionData(a: CollectionActionWrite, customerId: number) {
  return {
    invoiceId: a.invoiceId,
    customerId,
    step: a.step,
    kind: a.kind,
    status: a.status,
    dueDate: a.dueDate,
    performedAt: a.performedAt ?? null,
    actor: a.actor ?? null,
    note: a.note ?? null,
    promiseDate: a.promiseDate ?? null,
    promiseAmountMinor: a.promiseAmountMinor === undefined || a.promiseAmountMinor === null ? null : BigInt(a.promiseAmountMinor),
    dedupeKey: a.dedupeKey ?? null,
  };
}

async function invoiceCustomer(db: Database, invoiceId: number): Promise<number> {
  const inv = await db.prisma.invoice.findUnique({ where: { id: invoiceId }, select: { customerId: true } });
  if (!inv) throw new NotFoundError("invoice", String(invoiceId));
  return inv.customerId;
}

/**
 * Records an action taken on an invoice (a call made, a letter sent, a promise to pay with its date and
 * amount). A promise to pay needs `promiseDate`. @throws NotFoundError; ValidationError
 */
export async function recordCollectionAction(db: Database, a: CollectionActionWrite): Promise<CollectionActionRecord> {
  if (a.kind === "promise_to_pay" && !a.promiseDate) {
    throw new ValidationError([{ path: "/promiseDate", expected: "the promised payment date (YYYY-MM-DD)", received: "nothing (missing)" }]);
  }
  const customerId = await invoiceCustomer(db, a.invoiceId);
  return toAction(await db.prisma.collectionAction.create({ data: actionData(a, customerId) }));
}

/**
 * Plans an action idempotently: one row per `dedupeKey` (e.g. `invoiceId:step`). Returns the existing row
 * when the key is already planned (`created` false).
 */
export async function planCollectionAction(db: Database, a: CollectionActionWrite & { dedupeKey: string }): Promise<{ action: CollectionActionRecord; created: boolean }> {
  const existing = await db.prisma.collectionAction.findUnique({ where: { dedupeKey: a.dedupeKey } });
  if (existing) return { action: toAction(existing), created: false };
  const customerId = await invoiceCustomer(db, a.invoiceId);
  try {
    return { action: toAction(await db.prisma.collectionAction.create({ data: actionData(a, customerId) })), created: true };
  } catch (e) {
    if ((e as { code?: string }).code === "P2002") {
      return { action: toAction(await db.prisma.collectionAction.findUniqueOrThrow({ where: { dedupeKey: a.dedupeKey } })), created: false };
    }
    throw e;
  }
}

/** Sets a planned action's status (e.g. sent, done, failed) and when/who. @throws NotFoundError */
export async function updateCollectionAction(db: Database, id: number, patch: { status: string; performedAt?: Date | null; actor?: string | null; note?: string | null }): Promise<CollectionActionRecord> {
  const r = await db.prisma.collectionAction.updateMany({ where: { id }, data: patch });
  if (r.count === 0) throw new NotFoundError("collection action", String(id));
  return toAction(await db.prisma.collectionAction.findUniqueOrThrow({ where: { id } }));
}

/**
 * Collection actions filtered by invoices, customer and/or status, oldest first. Long invoice lists are
 * queried in chunks (databases limit the number of bound parameters).
 */
export async function listCollectionActions(db: Database, filter: { invoiceIds?: number[]; customerId?: number; status?: string } = {}): Promise<CollectionActionRecord[]> {
  const base = {
    ...(filter.customerId !== undefined ? { customerId: filter.customerId } : {}),
    ...(filter.status ? { status: filter.status } : {}),
  };
  const order = [{ createdAt: "asc" as const }, { id: "asc" as const }];
  if (!filter.invoiceIds) return (await db.prisma.collectionAction.findMany({ where: base, orderBy: order })).map(toAction);
  const CHUNK = 500;
  const rows: ActionRow[] = [];
  for (let i = 0; i < filter.invoiceIds.length; i += CHUNK) {
    rows.push(...(await db.prisma.collectionAction.findMany({ where: { ...base, invoiceId: { in: filter.invoiceIds.slice(i, i + CHUNK) } }, orderBy: order })));
  }
  if (filter.invoiceIds.length > CHUNK) rows.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id - b.id);
  return rows.map(toAction);
}

// ---------- blacklist ----------

export interface BlacklistRecord {
  id: number;
  customerId: number;
  reason: string;
  addedBy: string;
  createdAt: Date;
  removedAt: Date | null;
  removedBy: string | null;
}

/**
 * Puts a customer on the blacklist (no-op returning the active entry when already there).
 * @throws ValidationError for an empty reason or actor
 */
export async function addToBlacklist(db: Database, customerId: number, reason: string, addedBy: string): Promise<BlacklistRecord> {
  if (!reason?.trim() || !addedBy?.trim()) {
    throw new ValidationError([{ path: reason?.trim() ? "/addedBy" : "/reason", expected: "a non-empty value", received: JSON.stringify(reason?.trim() ? addedBy : reason) }]);
  }
  const active = await db.prisma.blacklistEntry.findFirst({ where: { customerId, removedAt: null } });
  if (active) return active;
  return db.prisma.blacklistEntry.create({ data: { customerId, reason: reason.trim(), addedBy: addedBy.trim() } });
}

/** Ends the customer's active blacklist entries. Returns how many were ended. */
export async function removeFromBlacklist(db: Database, customerId: number, removedBy: string): Promise<number> {
  const r = await db.prisma.blacklistEntry.updateMany({ where: { customerId, removedAt: null }, data: { removedAt: new Date(), removedBy } });
  return r.count;
}

/** True when the customer has an active blacklist entry. */
export async function isBlacklisted(db: Database, customerId: number): Promise<boolean> {
  return (await db.prisma.blacklistEntry.count({ where: { customerId, removedAt: null } })) > 0;
}

/** Ids of every customer on the blacklist. */
export async function blacklistedCustomerIds(db: Database): Promise<Set<number>> {
  const rows = await db.prisma.blacklistEntry.findMany({ where: { removedAt: null }, select: { customerId: true }, distinct: ["customerId"] });
  return new Set(rows.map((r) => r.customerId));
}

// ---------- portfolio totals ----------

/**
 * Open receivables of the whole portfolio by direct SQL: the sum of amount - paid over invoices with status
 * 'open' issued on or before `asOf` (all when omitted). The reference the simulation's totals are checked against.
 */
export async function openReceivablesTotalSql(db: Database, asOf?: IsoDate): Promise<number> {
  const sql = `SELECT COALESCE(SUM("amountMinor" - "paidMinor"), 0) AS total FROM "Invoice" WHERE "status" = 'open'${asOf ? ` AND "issueDate" <= $1` : ""}`;
  const rows = asOf ? await db.prisma.$queryRawUnsafe<{ total: bigint | number | string }[]>(sql.replace("$1", db.kind === "sqlite" ? "?" : "$1"), asOf) : await db.prisma.$queryRawUnsafe<{ total: bigint | number | string }[]>(sql);
  const v = rows[0]?.total ?? 0;
  return typeof v === "string" ? Number(v) : toNumber(v);
}

/** Internal id of the customer with this external id, or null. */
export async function customerIdByExternalId(db: Database, externalId: string): Promise<number | null> {
  const r = await db.prisma.customer.findUnique({ where: { externalId }, select: { id: true } });
  return r?.id ?? null;
}

// ---------- policy versions ----------

export interface PolicyVersionRecord {
  version: string;
  sha256: string;
  status: string;
  source: string | null;
  createdAt: Date;
  activatedAt: Date | null;
}

/**
 * Stores a policy version (idempotent by version) and, with status `active`, marks it active and retires the
 * previously active one in the same transaction, so the database always names the policy in force.
 * @param content the policy document as loaded (major units), stored for audit
 */
export async function savePolicyVersion(
  db: Database,
  p: { version: string; sha256: string; source?: string | null; content: unknown },
  status: "active" | "candidate",
  at: Date = new Date(),
): Promise<PolicyVersionRecord> {
  return db.prisma.$transaction(async (tx) => {
    if (status === "active") await tx.policyVersion.updateMany({ where: { status: "active", version: { not: p.version } }, data: { status: "retired" } });
    const r = await tx.policyVersion.upsert({
      where: { version: p.version },
      create: { version: p.version, sha256: p.sha256, content: p.content as never, status, source: p.source ?? null, activatedAt: status === "active" ? at : null },
      update: status === "active" ? { status, activatedAt: at } : {},
    });
    return { version: r.version, sha256: r.sha256, status: r.status, source: r.source, createdAt: r.createdAt, activatedAt: r.activatedAt };
  });
}

/** The policy version marked active in the database, or null. */
export async function activePolicyVersion(db: Database): Promise<PolicyVersionRecord | null> {
  const r = await db.prisma.policyVersion.findFirst({ where: { status: "active" }, orderBy: { activatedAt: "desc" } });
  return r ? { version: r.version, sha256: r.sha256, status: r.status, source: r.source, createdAt: r.createdAt, activatedAt: r.activatedAt } : null;
}

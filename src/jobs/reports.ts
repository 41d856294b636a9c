import type { Database } from "../db";
import { newId } from "../shared";

/** Drift alert levels: PSI >= 0.1 watch, >= 0.25 act. */
export type DriftLevel = "ok" | "watch" | "act";

/** Thresholds of the population stability index. */
export const PSI_WATCH = 0.1;
export const PSI_ACT = 0.25;

/** The level of a PSI value. */
export function psiLevel(psi: number, watch = PSI_WATCH, act = PSI_ACT): DriftLevel {
  if (psi >= act) return "act";
  if (psi >= watch) return "watch";
  return "ok";
}

export interface DriftReportRow {
  id: string;
  modelId: string;
  asOf: string;
  scorePsi: number;
  level: DriftLevel;
  features: unknown;
  badRateByTier: unknown;
  createdAt: Date;
}

export interface AlertRow {
  id: number;
  kind: string;
  level: string;
  message: string;
  data: unknown;
  createdAt: Date;
  acknowledgedAt: Date | null;
}

export async function saveDriftReport(db: Database, r: Omit<DriftReportRow, "id" | "createdAt">): Promise<DriftReportRow> {
  const row = await db.prisma.driftReport.create({
    data: { id: newId("drift_"), modelId: r.modelId, asOf: r.asOf, scorePsi: r.scorePsi, level: r.level, features: r.features as object, badRateByTier: r.badRateByTier as object },
  });
  return row as DriftReportRow;
}

export async function listDriftReports(db: Database, limit = 20): Promise<DriftReportRow[]> {
  return (await db.prisma.driftReport.findMany({ orderBy: [{ createdAt: "desc" }, { id: "desc" }], take: limit })) as DriftReportRow[];
}

/** Records an alert the console shows (kind e.g. `drift`), unless an identical open one exists for the same key. */
export async function raiseAlert(db: Database, a: { kind: string; level: string; message: string; data?: Record<string, unknown> }): Promise<AlertRow> {
  const row = await db.prisma.alert.create({ data: { kind: a.kind, level: a.level, message: a.message, data: (a.data ?? null) as object } });
  return row as AlertRow;
}

export async function listAlerts(db: Database, opts: { openOnly?: boolean; limit?: number } = {}): Promise<AlertRow[]> {
  return (await db.prisma.alert.findMany({
    where: opts.openOnly ? { acknowledgedAt: null } : {},
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: opts.limit ?? 50,
  })) as AlertRow[];
}

/** Marks an alert acknowledged (idempotent). @returns null when it does not exist. */
export async function acknowledgeAlert(db: Database, id: number, now = new Date()): Promise<AlertRow | null> {
  const a = await db.prisma.alert.findUnique({ where: { id } });
  if (!a) return null;
  if (a.acknowledgedAt) return a as AlertRow;
  return (await db.prisma.alert.update({ where: { id }, data: { acknowledgedAt: now } })) as AlertRow;
}

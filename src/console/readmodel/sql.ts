import type { Database } from "../../db";

/**
 * Small helpers for the console's read-model SQL, written once for both SQLite and PostgreSQL: positional
 * placeholders in each dialect's syntax and conversions of the driver's aggregate types (bigint, numeric
 * strings, Decimal objects) to plain numbers.
 */

/** Collects parameters and hands out the dialect's placeholder for each (`?` in SQLite, `$n` in PostgreSQL). */
export class Params {
  readonly values: unknown[] = [];
  constructor(private readonly kind: Database["kind"]) {}
  /** Adds `value` and returns its placeholder. */
  p(value: unknown): string {
    this.values.push(value);
    return this.kind === "sqlite" ? "?" : `$${this.values.length}`;
  }
}

/** Runs a read-only query and returns its rows. */
export async function query<T = Record<string, unknown>>(db: Database, sql: string, params: Params): Promise<T[]> {
  return (await db.prisma.$queryRawUnsafe(sql, ...params.values)) as T[];
}

/** Aggregate value to a JS number: bigint, numeric string, Decimal-like object or null (0). */
export function num(v: unknown): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  if (typeof v === "string") return Number(v);
  if (typeof v === "object" && "toString" in (v as object)) return Number(String(v));
  return Number(v);
}

/** Like `num` but keeps null (e.g. an average over no rows). */
export function numOrNull(v: unknown): number | null {
  return v === null || v === undefined ? null : num(v);
}

/** `YYYY-MM` of a DateTime column in the dialect (SQLite stores ISO-8601 text). */
export function monthOfInstant(kind: Database["kind"], column: string): string {
  return kind === "sqlite" ? `substr(${column}, 1, 7)` : `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM')`;
}

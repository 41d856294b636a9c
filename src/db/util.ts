import type { Database } from "./client";

/** bigint (Prisma BigInt column) or number to a JS number. @throws RangeError beyond 2^53. */
export function toNumber(v: bigint | number | null | undefined): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === "number") return v;
  if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError(`value ${v} exceeds 2^53`);
  return Number(v);
}

/** True when the database holds no customers yet (the trigger for seeding the demo portfolio). */
export async function isEmpty(db: Database): Promise<boolean> {
  return (await db.prisma.customer.count()) === 0;
}

import type { Database } from "../db";
import type { Principal } from "./keys";

/** A model promotion an analyst asked for, waiting for an admin. */
export interface PromotionRequest {
  requestId: number;
  modelId: string;
  requestedBy: string;
  requestedAt: string;
  status: "pending_approval" | "approved";
  approvedBy: string | null;
}

const REQUEST = "model_promotion_request";
const APPROVAL = "model_promotion_approval";

/**
 * Records an analyst's request to promote `modelId` (an Override row, action `model_promotion_request`,
 * so it sits in the same audit trail as officers' actions). An admin's promotion of that model approves it.
 */
export async function requestPromotion(db: Database, modelId: string, who: Principal, at: Date, championId: string | null): Promise<PromotionRequest> {
  const row = await db.prisma.override.create({
    data: {
      action: REQUEST,
      actor: who.keyId,
      role: who.role,
      reason: `promote model ${modelId}`,
      before: { champion: championId },
      after: { modelId, status: "pending_approval" },
      createdAt: at,
    },
  });
  return { requestId: row.id, modelId, requestedBy: who.keyId, requestedAt: at.toISOString(), status: "pending_approval", approvedBy: null };
}

/** Promotion requests with their approval state, newest first (at most `limit`, default 100). */
export async function promotionRequests(db: Database, limit = 100): Promise<PromotionRequest[]> {
  const rows = await db.prisma.override.findMany({ where: { action: { in: [REQUEST, APPROVAL] } }, orderBy: { id: "desc" }, take: limit * 4 });
  const approvals = new Map<number, string>();
  for (const r of rows) if (r.action === APPROVAL) for (const id of ((r.after as { requestIds?: number[] }).requestIds ?? [])) approvals.set(id, r.actor);
  return rows
    .filter((r) => r.action === REQUEST)
    .slice(0, limit)
    .map((r) => {
      const by = approvals.get(r.id) ?? null;
      return { requestId: r.id, modelId: (r.after as { modelId: string }).modelId, requestedBy: r.actor, requestedAt: r.createdAt.toISOString(), status: by ? "approved" : "pending_approval", approvedBy: by };
    });
}

/**
 * Records that `who` (an admin) promoted `modelId`, approving every pending request for it.
 * @returns the ids of the requests approved.
 */
export async function approvePromotions(db: Database, modelId: string, who: Principal, at: Date): Promise<number[]> {
  const pending = (await promotionRequests(db)).filter((r) => r.modelId === modelId && r.status === "pending_approval").map((r) => r.requestId);
  await db.prisma.override.create({
    data: { action: APPROVAL, actor: who.keyId, role: who.role, reason: `promoted model ${modelId}`, before: {}, after: { modelId, requestIds: pending }, createdAt: at },
  });
  return pending;
}

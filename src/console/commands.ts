import { applyOrderOverride, findOrder, type Database } from "../db";
import { decideOverride } from "../policy";
import { isIsoDate, NotFoundError, toMinor, ValidationError, describeValue, type FieldIssue, type IsoDate } from "../shared";

/**
 * The console's two writes, composed from the components that own them: an officer's release or reject
 * of an order (validated by the policy's `decideOverride`, written with its audit row in one transaction
 * by the credit repository), and the outcome of a collection action.
 */

/**
 * Releases or rejects an order as credit officer `actor` with a reason; returns the order's new status and
 * the audit (override) id.
 * @throws NotFoundError for an unknown order; ValidationError for a missing/short reason; ForbiddenError for
 * a role that may not override; ConflictError when the order is not held/in review (or changed meanwhile).
 */
export async function overrideOrder(
  db: Database,
  action: "release" | "reject",
  orderRef: string,
  reason: string,
  actor: { id: string; role?: string | null },
): Promise<{ orderId: string; status: string; overrideId: number; decisionId: string | null }> {
  const order = await findOrder(db, orderRef);
  if (!order) throw new NotFoundError("order", orderRef);
  const d = decideOverride(action, order, reason, actor);
  const { order: after, override } = await applyOrderOverride(db, d);
  return { orderId: after.externalId, status: after.status, overrideId: override.id, decisionId: after.decisionId };
}

/** What the officer did about a planned collection action. */
export interface CollectionOutcome {
  /** done: the action was carried out; promise_to_pay: the customer promised to pay; note: a remark only. */
  outcome: "done" | "promise_to_pay" | "note";
  note?: string;
  /** Required for promise_to_pay. */
  promiseDate?: IsoDate;
  /** Promised amount in major units of the invoice's currency. */
  promiseAmount?: number;
}

/**
 * Records the outcome of collection action `actionId` on `today` (a calendar date from the entry point):
 * `done` marks it done (who, when); `promise_to_pay` and `note` add a new action row on the same invoice
 * (the ladder reads promises from there) and mark the planned one done.
 * @throws NotFoundError for an unknown action; ValidationError naming each bad field.
 */
export async function recordCollectionOutcome(db: Database, actionId: number, input: CollectionOutcome, actor: string, now: Date): Promise<{ id: number; status: string; recordedId: number | null }> {
  const issues: FieldIssue[] = [];
  if (!["done", "promise_to_pay", "note"].includes(input.outcome)) issues.push({ path: "/outcome", expected: "done | promise_to_pay | note", received: describeValue(input.outcome) });
  if (input.outcome === "promise_to_pay" && !isIsoDate(input.promiseDate)) issues.push({ path: "/promiseDate", expected: "the promised payment date YYYY-MM-DD", received: describeValue(input.promiseDate) });
  if (input.outcome === "note" && !input.note?.trim()) issues.push({ path: "/note", expected: "a non-empty note", received: describeValue(input.note) });
  if (input.promiseAmount !== undefined && !(Number.isFinite(input.promiseAmount) && input.promiseAmount > 0)) issues.push({ path: "/promiseAmount", expected: "a positive amount", received: describeValue(input.promiseAmount) });
  if (issues.length) throw new ValidationError(issues);
  const a = await db.prisma.collectionAction.findUnique({ where: { id: actionId }, include: { invoice: { select: { currency: true } } } });
  if (!a) throw new NotFoundError("collection action", String(actionId));
  const today = now.toISOString().slice(0, 10);
  return db.prisma.$transaction(async (tx) => {
    let recordedId: number | null = null;
    if (input.outcome !== "done") {
      const rec = await tx.collectionAction.create({
        data: {
          invoiceId: a.invoiceId,
          customerId: a.customerId,
          step: input.outcome,
          kind: input.outcome,
          status: "done",
          dueDate: today,
          performedAt: now,
          actor,
          note: input.note?.trim() || null,
          promiseDate: input.outcome === "promise_to_pay" ? input.promiseDate! : null,
          promiseAmountMinor: input.promiseAmount !== undefined ? BigInt(toMinor(input.promiseAmount, a.invoice.currency)) : null,
        },
      });
      recordedId = rec.id;
    }
    const updated = await tx.collectionAction.update({
      where: { id: actionId },
      data: { status: "done", performedAt: now, actor, ...(input.outcome === "done" && input.note ? { note: input.note.trim() } : {}) },
    });
    return { id: updated.id, status: updated.status, recordedId };
  });
}

import { ConflictError, ForbiddenError, ValidationError, describeValue } from "../shared";

/** Order statuses (see prisma/schema.prisma `Order.status`). */
export type OrderStatus = "pending" | "approved" | "review" | "held" | "prepay" | "rejected" | "released" | "invoiced" | "cancelled";

/** Statuses that still count in a customer's open-order exposure. */
export const OPEN_ORDER_STATUSES: readonly OrderStatus[] = ["pending", "approved", "review", "held", "prepay", "released"];

/** Statuses from which a credit officer may release (ship on credit) or reject an order. */
export const RELEASABLE: readonly OrderStatus[] = ["held", "review", "prepay"];
export const REJECTABLE: readonly OrderStatus[] = ["pending", "held", "review", "prepay"];

/** Roles allowed to override an order when a role is known. */
export const OVERRIDE_ROLES = ["officer", "admin"] as const;

export interface OrderState {
  externalId: string;
  customerId: number;
  status: string;
  amountMinor: number;
  currency: string;
  decisionId: string | null;
}

export interface OverrideActor {
  id: string;
  role?: string | null;
}

/** A validated override, ready for the repository to write in one transaction. */
export interface OrderOverrideDecision {
  action: "release" | "reject";
  orderRef: string;
  customerId: number;
  decisionId: string | null;
  fromStatus: string;
  toStatus: "released" | "rejected";
  actor: string;
  role: string | null;
  reason: string;
  before: { status: string; amountMinor: number; currency: string; decisionId: string | null };
  after: { status: "released" | "rejected"; amountMinor: number; currency: string; decisionId: string | null };
}

/**
 * Validates a credit officer's release or reject of an order and returns the before/after records.
 * @throws ValidationError for an empty or too long reason, a missing actor, or an unknown action
 * @throws ForbiddenError when the actor's role may not override orders
 * @throws ConflictError (409, order-not-overridable) when the order is not in a state the action applies to
 */
export function decideOverride(action: "release" | "reject", order: OrderState, reason: string, actor: OverrideActor): OrderOverrideDecision {
  if (action !== "release" && action !== "reject") {
    throw new ValidationError([{ path: "/action", expected: "release | reject", received: describeValue(action) }]);
  }
  const why = typeof reason === "string" ? reason.trim() : "";
  const issues = [];
  if (why.length < 3 || why.length > 2000) issues.push({ path: "/reason", expected: "a reason of 3 to 2000 characters", received: describeValue(reason) });
  if (!actor || typeof actor.id !== "string" || actor.id.trim() === "") issues.push({ path: "/actor", expected: "the id of the credit officer", received: describeValue(actor?.id) });
  if (issues.length) throw new ValidationError(issues);
  const role = actor.role ?? null;
  if (role !== null && !(OVERRIDE_ROLES as readonly string[]).includes(role)) {
    throw new ForbiddenError(`role '${role}' may not ${action} orders; one of ${OVERRIDE_ROLES.join(", ")} is required`);
  }
  const allowed = action === "release" ? RELEASABLE : REJECTABLE;
  if (!(allowed as readonly string[]).includes(order.status)) {
    throw new ConflictError(`order '${order.externalId}' is ${order.status}; only ${allowed.join(", ")} orders can be ${action === "release" ? "released" : "rejected"}`, "order-not-overridable", {
      orderRef: order.externalId,
      status: order.status,
    });
  }
  const toStatus = action === "release" ? "released" : "rejected";
  const snapshot = { amountMinor: order.amountMinor, currency: order.currency, decisionId: order.decisionId };
  return {
    action,
    orderRef: order.externalId,
    customerId: order.customerId,
    decisionId: order.decisionId,
    fromStatus: order.status,
    toStatus,
    actor: actor.id.trim(),
    role,
    reason: why,
    before: { status: order.status, ...snapshot },
    after: { status: toStatus, ...snapshot },
  };
}

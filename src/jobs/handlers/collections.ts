import { setTimeout as sleep } from "node:timers/promises";
import { planCollectionAction, toNumber } from "../../db";
import { buildWorklist, planCollections, type Policy, type RecordedAction, type WorklistItem } from "../../policy";
import { toMajor, type IsoDate } from "../../shared";
import { jobMetrics } from "../metrics";
import type { JobContext, JobParams, ProgressFn } from "../types";
import { postSigned } from "./webhook";
import { activePolicy } from "./deps";

/** Action kinds that go to the webhook (a CRM or mail system sends them); calls and legal steps are people's work. */
export const DELIVERED_KINDS = new Set(["reminder", "letter"]);

export interface CollectionsParams extends JobParams {
  asOf: IsoDate;
  /** Tries per delivery within one run (default 3); later runs retry what is still pending. */
  deliveryTries?: number;
  /** Milliseconds before the second try, doubling after (default 500). */
  deliveryBackoffMs?: number;
  /** A delivery is given up (status failed) after this many attempts over all runs (default 10). */
  maxDeliveryAttempts?: number;
  /** Rows of the day's worklist kept in the result (default 100). */
  worklistRows?: number;
}

/**
 * The collections job for `asOf`: advances the dunning ladder of every open invoice (one CollectionAction
 * per invoice and step that has fallen due, deduplicated by `invoice:step`), delivers due reminders and
 * letters to COLLECTIONS_WEBHOOK_URL (HMAC-signed, with an Idempotency-Key; one WebhookDelivery per action,
 * retried with backoff, never re-sent once delivered), and builds the day's worklist.
 */
export async function collectionsJob(ctx: JobContext, params: JobParams, progress: ProgressFn): Promise<Record<string, unknown>> {
  const p = params as CollectionsParams;
  const asOf = p.asOf;
  const policy = activePolicy(ctx);
  const prisma = ctx.db.prisma;

  const invoices = await prisma.invoice.findMany({
    where: { status: "open", issueDate: { lte: asOf } },
    select: {
      id: true, externalId: true, customerId: true, issueDate: true, dueDate: true, amountMinor: true, paidMinor: true, currency: true, disputed: true,
      customer: { select: { externalId: true, name: true, profile: { select: { tier: true, lastPd: true } } } },
      collectionActions: { select: { step: true, status: true, performedAt: true, promiseDate: true, promiseAmountMinor: true, dedupeKey: true } },
    },
    orderBy: { id: "asc" },
  });
  const worst = policy.tiers[policy.tiers.length - 1].id;

  let created = 0;
  const items: WorklistItem[] = [];
  for (let i = 0; i < invoices.length; i++) {
    const inv = invoices[i];
    const tier = inv.customer.profile?.tier && policy.collections.ladders[inv.customer.profile.tier] ? inv.customer.profile.tier : worst;
    const done: RecordedAction[] = inv.collectionActions.map((a) => ({
      step: a.step,
      status: a.status,
      date: a.performedAt ? a.performedAt.toISOString().slice(0, 10) : null,
      promiseDate: a.promiseDate,
      promiseAmountMinor: a.promiseAmountMinor === null ? null : toNumber(a.promiseAmountMinor),
    }));
    const invoice = {
      id: String(inv.id), issueDate: inv.issueDate, dueDate: inv.dueDate, amountMinor: toNumber(inv.amountMinor), paidMinor: toNumber(inv.paidMinor), disputed: inv.disputed,
    };
    const plan = planCollections(policy, { invoice, tier, asOf, done });
    const next = plan.nextAction;
    const known = new Set(inv.collectionActions.map((a) => a.dedupeKey));
    if (next && next.dueDate <= asOf && !known.has(next.dedupeKey)) {
      const kind = next.kind === "promise_follow_up" ? "call" : next.kind;
      const r = await planCollectionAction(ctx.db, {
        invoiceId: inv.id, step: next.step, kind, status: "due", dueDate: next.dueDate, dedupeKey: next.dedupeKey, actor: `job:${ctx.runId}`, note: next.label.en,
      });
      if (r.created) created++;
    }
    items.push({ invoice, customerId: inv.customer.externalId, tier, pd: inv.customer.profile?.lastPd ?? policy.tierById[tier].maxPd, expectedDaysToPay: null, done });
    if (i % 200 === 0) await progress((0.6 * i) / Math.max(1, invoices.length));
  }

  const delivery = await deliverDue(ctx, p, policy, progress);
  const worklist = buildWorklist(policy, items, asOf);
  await progress(1);
  const rows = worklist.slice(0, p.worklistRows ?? 100);
  return {
    summary: `${invoices.length} open invoices, ${created} actions fell due, ${delivery.delivered} delivered, ${delivery.pending} pending, ${delivery.failed} failed; worklist ${worklist.length} rows`,
    asOf,
    policyVersion: policy.version,
    openInvoices: invoices.length,
    actionsCreated: created,
    deliveries: delivery,
    worklistSize: worklist.length,
    worklist: rows.map((r) => ({ ...r, openMinor: r.openMinor, expectedLossMinor: Math.round(r.expectedLossMinor) })),
  };
}

interface DeliveryCounts {
  configured: boolean;
  delivered: number;
  pending: number;
  failed: number;
  attempts: number;
}

/**
 * Delivers due reminder/letter actions. Each action gets one WebhookDelivery row (unique per action); a try
 * is claimed by a compare-and-set on its attempt count, so concurrent runs never post the same try, and a
 * delivered row is never posted again. The receiver dedupes on Idempotency-Key should a crash fall between
 * its 2xx and our write.
 */
async function deliverDue(ctx: JobContext, p: CollectionsParams, policy: Policy, progress: ProgressFn): Promise<DeliveryCounts> {
  const url = ctx.config.COLLECTIONS_WEBHOOK_URL;
  const secret = ctx.config.COLLECTIONS_WEBHOOK_SECRET;
  const counts: DeliveryCounts = { configured: Boolean(url && secret), delivered: 0, pending: 0, failed: 0, attempts: 0 };
  if (!url || !secret) {
    if (url && !secret) ctx.log.warn("COLLECTIONS_WEBHOOK_URL is set without COLLECTIONS_WEBHOOK_SECRET: deliveries are not sent unsigned");
    return counts;
  }
  const prisma = ctx.db.prisma;
  const maxAttempts = p.maxDeliveryAttempts ?? 10;
  const tries = p.deliveryTries ?? 3;
  const backoff = p.deliveryBackoffMs ?? 500;
  const actions = await prisma.collectionAction.findMany({
    where: { kind: { in: [...DELIVERED_KINDS] }, status: "due", dueDate: { lte: p.asOf } },
    include: { invoice: { select: { externalId: true, dueDate: true, amountMinor: true, paidMinor: true, currency: true } }, customer: { select: { externalId: true, name: true } }, deliveries: true },
    orderBy: { id: "asc" },
  });
  for (let i = 0; i < actions.length; i++) {
    const a = actions[i];
    let d = a.deliveries[0];
    if (d?.status === "delivered") continue;
    if (!d) {
      const payload = {
        event: "collections.action_due",
        id: `collection-action-${a.id}`,
        action: { id: a.id, step: a.step, kind: a.kind, dueDate: a.dueDate, label: a.note },
        invoice: {
          id: a.invoice.externalId,
          dueDate: a.invoice.dueDate,
          currency: a.invoice.currency,
          openAmount: toMajor(toNumber(a.invoice.amountMinor) - toNumber(a.invoice.paidMinor), a.invoice.currency),
        },
        customer: { id: a.customer.externalId, name: a.customer.name },
        policyVersion: policy.version,
      };
      try {
        d = await prisma.webhookDelivery.create({ data: { actionId: a.id, url, payload } });
      } catch (e) {
        if ((e as { code?: string }).code !== "P2002") throw e;
        d = await prisma.webhookDelivery.findUniqueOrThrow({ where: { actionId: a.id } });
        if (d.status === "delivered") continue;
      }
    }
    if (d.status === "failed" && d.attempts >= maxAttempts) {
      counts.failed++;
      continue;
    }
    let attempts = d.attempts;
    let delivered = false;
    for (let t = 0; t < tries && attempts < maxAttempts; t++) {
      if (t > 0) await sleep(backoff * 2 ** (t - 1));
      const claim = await prisma.webhookDelivery.updateMany({ where: { id: d.id, attempts, status: { not: "delivered" } }, data: { attempts: attempts + 1 } });
      if (claim.count !== 1) break;
      attempts++;
      counts.attempts++;
      const r = await postSigned(d.url, d.payload, secret, `collection-action-${a.id}`, new Date());
      jobMetrics().webhookDeliveries.inc({ status: r.ok ? "delivered" : "error" });
      if (r.ok) {
        await prisma.webhookDelivery.update({ where: { id: d.id }, data: { status: "delivered", deliveredAt: new Date(), lastError: null } });
        await prisma.collectionAction.update({ where: { id: a.id }, data: { status: "sent", performedAt: new Date() } });
        delivered = true;
        break;
      }
      await prisma.webhookDelivery.update({ where: { id: d.id }, data: { lastError: r.error, status: attempts >= maxAttempts ? "failed" : "pending" } });
      ctx.log.warn({ actionId: a.id, attempt: attempts, error: r.error }, "collections webhook delivery failed");
    }
    if (delivered) counts.delivered++;
    else if (attempts >= maxAttempts) counts.failed++;
    else counts.pending++;
    if (i % 20 === 0) await progress(0.6 + (0.35 * i) / Math.max(1, actions.length));
  }
  return counts;
}

import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Webhook signing for collections actions. Header `X-Signature: t=<unix seconds>,v1=<hex>` where
 * v1 = HMAC-SHA256(secret, `${t}.${body}`) (the Stripe scheme), so the receiver can check both the sender
 * and the freshness of the request.
 */
export function signWebhook(body: string, secret: string, unixSeconds: number): string {
  const mac = createHmac("sha256", secret).update(`${unixSeconds}.${body}`).digest("hex");
  return `t=${unixSeconds},v1=${mac}`;
}

/**
 * Verifies a signature header against the raw body. Rejects signatures older than `toleranceSeconds`
 * (default 300) relative to `nowSeconds`. Constant-time comparison.
 */
export function verifyWebhookSignature(body: string, header: string | undefined, secret: string, nowSeconds: number, toleranceSeconds = 300): boolean {
  if (!header) return false;
  const parts = Object.fromEntries(header.split(",").map((kv) => kv.trim().split("=", 2) as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || !parts.v1 || Math.abs(nowSeconds - t) > toleranceSeconds) return false;
  const expected = Buffer.from(createHmac("sha256", secret).update(`${t}.${body}`).digest("hex"));
  const got = Buffer.from(parts.v1);
  return got.length === expected.length && timingSafeEqual(got, expected);
}

export interface DeliveryResult {
  ok: boolean;
  status: number | null;
  error: string | null;
}

/**
 * POSTs one JSON payload, signed, with an Idempotency-Key header the receiver can dedupe on.
 * Never throws: network errors and non-2xx answers come back as `ok: false`.
 */
export async function postSigned(url: string, payload: unknown, secret: string, idempotencyKey: string, now: Date, timeoutMs = 10_000): Promise<DeliveryResult> {
  const body = JSON.stringify(payload);
  const t = Math.floor(now.getTime() / 1000);
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", "x-signature": signWebhook(body, secret, t), "idempotency-key": idempotencyKey },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.arrayBuffer().catch(() => undefined);
    return res.ok ? { ok: true, status: res.status, error: null } : { ok: false, status: res.status, error: `HTTP ${res.status}` };
  } catch (e) {
    return { ok: false, status: null, error: (e as Error).message };
  }
}

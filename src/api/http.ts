import type { IncomingMessage, ServerResponse } from "node:http";
import { AppError, toProblem, type Logger } from "../shared";

/** Largest accepted request body for ordinary requests (bytes). */
export const BODY_LIMIT = 1_000_000;
/** Largest accepted body for batch scoring (10,000 rows). */
export const BATCH_BODY_LIMIT = 16_000_000;

export class PayloadTooLargeError extends AppError {
  constructor(limit: number) {
    super(413, "payload-too-large", "Payload too large", `The request body exceeds ${limit} bytes`, { limit });
  }
}

export class UnsupportedMediaTypeError extends AppError {
  constructor(received: string | undefined) {
    super(415, "unsupported-media-type", "Unsupported media type", `Expected Content-Type application/json, received ${received ? `'${received}'` : "none"}`, {
      expected: "application/json",
      received: received ?? null,
    });
  }
}

export class MalformedJsonError extends AppError {
  constructor(detail: string) {
    super(400, "malformed-json", "Malformed JSON", `The request body is not valid JSON: ${detail}`);
  }
}

function isJson(ct: string | undefined): boolean {
  if (!ct) return false;
  // "application/json" or "application/json; charset=utf-8" or "+json" types, case-insensitive
  const semi = ct.indexOf(";");
  const base = (semi === -1 ? ct : ct.slice(0, semi)).trim().toLowerCase();
  return base === "application/json" || (base.startsWith("application/") && base.endsWith("+json"));
}

/**
 * Reads and parses a JSON request body once, without body-parser's middleware chain.
 * @throws UnsupportedMediaTypeError (415) on a non-JSON content type, PayloadTooLargeError (413) when the
 * declared or actual size exceeds `limit` bytes, MalformedJsonError (400) when the body does not parse.
 */
export function readJson(req: IncomingMessage, limit = BODY_LIMIT): Promise<unknown> {
  return readJsonText(req, limit).then((r) => r.value);
}

/**
 * Like {@link readJson}, also returning the body text as received (stored verbatim as the decision's input).
 * @throws like readJson.
 */
export function readJsonText(req: IncomingMessage, limit = BODY_LIMIT): Promise<{ value: unknown; text: string }> {
  const ct = req.headers["content-type"];
  if (!isJson(ct)) return drainThen(req, new UnsupportedMediaTypeError(ct));
  const declared = req.headers["content-length"];
  if (declared !== undefined && Number(declared) > limit) return drainThen(req, new PayloadTooLargeError(limit));
  return new Promise((resolve, reject) => {
    let first: Buffer | null = null;
    let chunks: Buffer[] | null = null;
    let size = 0;
    let failed = false;
    req.on("data", (c: Buffer) => {
      if (failed) return;
      size += c.length;
      if (size > limit) {
        failed = true;
        reject(new PayloadTooLargeError(limit));
        return;
      }
      if (first === null) first = c;
      else (chunks ??= [first]).push(c);
    });
    req.on("end", () => {
      if (failed) return;
      const buf = chunks ? Buffer.concat(chunks, size) : first;
      if (buf === null || size === 0) return reject(new MalformedJsonError("the body is empty"));
      const text = buf.toString("utf8");
      try {
        resolve({ value: JSON.parse(text), text });
      } catch (e) {
        reject(new MalformedJsonError((e as Error).message));
      }
    });
    req.on("error", reject);
  });
}

function drainThen(req: IncomingMessage, err: Error): Promise<never> {
  req.resume();
  return Promise.reject(err);
}

/** Writes a JSON answer with an exact Content-Length (no etag, no res.json machinery). */
export function sendJson(res: ServerResponse, status: number, body: unknown, extraHeaders?: Record<string, string>): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    ...extraHeaders,
  });
  res.end(text);
}

/** Same as sendJson for a body that is already serialised JSON text. */
export function sendJsonText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

/**
 * Renders any error as RFC 9457 problem+json. Unknown errors are logged and answered as a generic 500.
 * @returns the status written.
 */
export function sendProblem(res: ServerResponse, err: unknown, instance: string | undefined, log?: Logger): number {
  const p = toProblem(err, instance);
  if (!(err instanceof AppError)) log?.error({ err, instance, requestId: res.getHeader("x-request-id") }, "request failed");
  if (res.headersSent) {
    res.destroy();
    return p.status;
  }
  const headers: Record<string, string> = {};
  if (p.status === 401) headers["www-authenticate"] = 'Bearer realm="credit"';
  if (err instanceof AppError && "retryAfterSeconds" in err) headers["retry-after"] = String((err as { retryAfterSeconds: number }).retryAfterSeconds);
  const text = JSON.stringify(p);
  res.writeHead(p.status, { "content-type": "application/problem+json; charset=utf-8", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
  return p.status;
}

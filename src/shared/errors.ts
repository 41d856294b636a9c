/**
 * One error vocabulary for HTTP, CLI and jobs. Domain code throws these; each entry point renders them once
 * (problem+json over HTTP, a readable message and exit code on the CLI, a logged failure in jobs).
 */

/** One bad field: where it is, what was expected and what was received. */
export interface FieldIssue {
  /** JSON-pointer-like path, e.g. `/order/amount` or `row 12: amount`. */
  path: string;
  expected: string;
  received: string;
  message?: string;
}

/** Base class of every error the service means to show to a caller. */
export class AppError extends Error {
  /** HTTP status the error maps to. */
  readonly status: number;
  /** Stable problem type slug, rendered as `/problems/<type>`. */
  readonly type: string;
  /** Short, stable, human-readable summary. */
  readonly title: string;
  /** Extra members for the problem document (must be JSON-serialisable). */
  readonly extras: Record<string, unknown>;

  constructor(status: number, type: string, title: string, detail?: string, extras: Record<string, unknown> = {}) {
    super(detail ?? title);
    this.name = new.target.name;
    this.status = status;
    this.type = type;
    this.title = title;
    this.extras = extras;
  }

  get detail(): string {
    return this.message;
  }
}

/** Input that breaks a contract; carries one issue per bad field. */
export class ValidationError extends AppError {
  readonly issues: FieldIssue[];
  constructor(issues: FieldIssue[], detail?: string) {
    super(400, "validation-error", "Request validation failed", detail ?? summarizeIssues(issues), { errors: issues });
    this.issues = issues;
  }
}

export class NotFoundError extends AppError {
  constructor(what: string, id: string) {
    super(404, "not-found", "Resource not found", `${what} '${id}' does not exist`, { resource: what, id });
  }
}

export class ConflictError extends AppError {
  constructor(detail: string, type = "conflict", extras: Record<string, unknown> = {}) {
    super(409, type, "Conflict", detail, extras);
  }
}

export class UnauthorizedError extends AppError {
  constructor(detail = "A valid API key is required: send 'Authorization: Bearer <key>'") {
    super(401, "unauthorized", "Unauthorized", detail);
  }
}

export class ForbiddenError extends AppError {
  constructor(detail: string) {
    super(403, "forbidden", "Forbidden", detail);
  }
}

export class UnprocessableError extends AppError {
  constructor(detail: string, type = "unprocessable", extras: Record<string, unknown> = {}) {
    super(422, type, "Unprocessable request", detail, extras);
  }
}

export class RateLimitedError extends AppError {
  readonly retryAfterSeconds: number;
  constructor(retryAfterSeconds: number) {
    super(429, "rate-limited", "Too many requests", `Rate limit exceeded; retry after ${retryAfterSeconds} s`);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export class UnavailableError extends AppError {
  constructor(detail: string) {
    super(503, "unavailable", "Service unavailable", detail);
  }
}

/** Short description of a received value for error messages (never the whole value). */
export function describeValue(v: unknown): string {
  if (v === undefined) return "nothing (missing)";
  if (v === null) return "null";
  if (typeof v === "string") return v.length > 60 ? `string "${v.slice(0, 57)}..."` : `string "${v}"`;
  if (typeof v === "number") return Number.isFinite(v) ? `number ${v}` : `non-finite number ${v}`;
  if (typeof v === "boolean") return `boolean ${v}`;
  if (Array.isArray(v)) return `array of length ${v.length}`;
  if (typeof v === "object") return "object";
  return typeof v;
}

function summarizeIssues(issues: FieldIssue[]): string {
  const head = issues
    .slice(0, 3)
    .map((i) => `${i.path || "(root)"}: expected ${i.expected}, received ${i.received}`)
    .join("; ");
  return issues.length > 3 ? `${head}; and ${issues.length - 3} more` : head;
}

/** RFC 9457 problem document. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  [k: string]: unknown;
}

/**
 * Renders any thrown value as a problem document. Unknown errors become a generic 500 without
 * internals (no stack, no SQL): the caller logs the original.
 */
export function toProblem(err: unknown, instance?: string): Problem {
  if (err instanceof AppError) {
    // Extras never override the members RFC 9457 defines (an extra named `status` once broke the HTTP status).
    return { ...err.extras, type: `/problems/${err.type}`, title: err.title, status: err.status, detail: err.detail, ...(instance ? { instance } : {}) };
  }
  return {
    type: "/problems/internal",
    title: "Internal error",
    status: 500,
    detail: "The request could not be completed; it has been logged.",
    ...(instance ? { instance } : {}),
  };
}

/** Converts a zod error (v4) into a ValidationError with one issue per field. */
export function fromZodIssues(
  issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string; code?: string; expected?: unknown; input?: unknown }>,
  root: unknown,
  prefix = "",
): ValidationError {
  return new ValidationError(
    issues.map((i) => {
      const path = prefix + (i.path.length ? "/" + i.path.map(String).join("/") : "");
      const received = "input" in i ? describeValue(i.input) : describeValue(getPath(root, i.path));
      return { path, expected: i.expected !== undefined ? String(i.expected) : i.message, received, message: i.message };
    }),
  );
}

function getPath(root: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let cur: unknown = root;
  for (const k of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[k];
  }
  return cur;
}

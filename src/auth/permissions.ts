/**
 * The single permission table: which roles may call each route. The API's authorization middleware,
 * the hot-path score handlers, the route x role test table and the console (to hide what a role cannot
 * do) all read this one table. A secured route missing from it is refused to every role but admin.
 */

/** Roles an API key can carry. */
export const ROLES = ["erp", "officer", "analyst", "admin"] as const;
export type Role = (typeof ROLES)[number];

/** True when `s` names a role. */
export function isRole(s: unknown): s is Role {
  return typeof s === "string" && (ROLES as readonly string[]).includes(s);
}

/** One row of the table: method + express path pattern (`:name` segments) -> roles allowed. */
export interface Permission {
  method: "GET" | "POST" | "PUT" | "DELETE";
  path: string;
  roles: readonly Role[];
  /** What the route does, for `credit keys roles` and the console. */
  what: string;
}

const E = "erp", O = "officer", A = "analyst", ADM = "admin";

/**
 * The table. Roles (from the issue): erp scores and ingests; officer reads, releases or rejects orders and
 * records collection actions; analyst trains, reads models and reports, and promotes with approval
 * (an analyst's promote creates a pending request that an admin confirms); admin does everything,
 * including keys and policy.
 */
export const PERMISSIONS: readonly Permission[] = [
  { method: "POST", path: "/score", roles: [E, ADM], what: "score an order or a feature vector" },
  { method: "POST", path: "/score/batch", roles: [E, ADM], what: "score up to 10,000 rows" },
  { method: "PUT", path: "/customers", roles: [E, ADM], what: "upsert customers" },
  { method: "PUT", path: "/invoices", roles: [E, ADM], what: "upsert invoices" },
  { method: "PUT", path: "/payments", roles: [E, ADM], what: "upsert payments" },

  { method: "GET", path: "/customers/:id/credit", roles: [O, A, ADM], what: "a customer's credit position" },
  { method: "GET", path: "/customers/:id/overview", roles: [O, A, ADM], what: "a customer's overview (console)" },
  { method: "GET", path: "/decisions", roles: [O, A, ADM], what: "search decisions" },
  { method: "GET", path: "/decisions/:id", roles: [O, A, ADM], what: "a stored decision" },
  { method: "GET", path: "/decisions/:id/full", roles: [O, A, ADM], what: "a stored decision with its full explanation" },
  { method: "GET", path: "/orders", roles: [O, ADM], what: "orders by status (officer worklist)" },
  { method: "GET", path: "/overrides", roles: [O, A, ADM], what: "search overrides" },
  { method: "GET", path: "/portfolio/summary", roles: [O, A, ADM], what: "portfolio summary (report)" },
  { method: "GET", path: "/collections/worklist", roles: [O, ADM], what: "collections worklist" },
  { method: "POST", path: "/orders/:id/release", roles: [O, ADM], what: "release a held order" },
  { method: "POST", path: "/orders/:id/reject", roles: [O, ADM], what: "reject a held order" },
  { method: "POST", path: "/collections/actions/:id/record", roles: [O, ADM], what: "record a collection action's outcome" },

  { method: "GET", path: "/models", roles: [O, A, ADM], what: "list models" },
  { method: "GET", path: "/models/:id", roles: [O, A, ADM], what: "a model's card" },
  { method: "GET", path: "/models/:id/report", roles: [A, ADM], what: "a model's HTML report" },
  { method: "POST", path: "/models/:id/promote", roles: [A, ADM], what: "promote a model (analyst: request, admin: approve/promote)" },
  { method: "GET", path: "/monitoring/models", roles: [O, A, ADM], what: "model monitoring" },
  { method: "GET", path: "/drift/reports", roles: [A, ADM], what: "drift reports" },
  { method: "GET", path: "/alerts", roles: [O, A, ADM], what: "alerts" },
  { method: "POST", path: "/alerts/:id/ack", roles: [O, A, ADM], what: "acknowledge an alert" },
  { method: "GET", path: "/jobs", roles: [A, ADM], what: "list job runs" },
  { method: "GET", path: "/jobs/:id", roles: [A, ADM], what: "a job run" },
  { method: "POST", path: "/jobs/:name/run", roles: [A, ADM], what: "run a job (train, rescore, drift, collections)" },

  { method: "GET", path: "/policy", roles: [O, A, ADM], what: "the credit policy in force" },
  { method: "POST", path: "/policy/reload", roles: [ADM], what: "reload the policy file (an invalid one is refused)" },

  { method: "GET", path: "/me", roles: [E, O, A, ADM], what: "the calling key's role and permissions" },
  { method: "GET", path: "/keys", roles: [ADM], what: "list API keys" },
  { method: "POST", path: "/keys", roles: [ADM], what: "create an API key" },
  { method: "DELETE", path: "/keys/:id", roles: [ADM], what: "revoke an API key" },
];

interface Compiled {
  p: Permission;
  re: RegExp;
}

function compile(p: Permission): Compiled {
  const src = p.path
    .split("/")
    .map((seg) => (seg.startsWith(":") ? "[^/]+" : seg.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
    .join("/");
  return { p, re: new RegExp(`^${src}/?$`) };
}

const byMethod = new Map<string, Compiled[]>();
for (const p of PERMISSIONS) {
  const list = byMethod.get(p.method) ?? [];
  list.push(compile(p));
  byMethod.set(p.method, list);
}
// Literal segments win over parameters (e.g. /decisions/:id vs /decisions/:id/full is already distinct by
// length; /score/batch vs none): order each list most-literal first.
for (const list of byMethod.values()) list.sort((a, b) => b.p.path.replace(/:[^/]+/g, "").length - a.p.path.replace(/:[^/]+/g, "").length);

/**
 * The permission row for a request, or null when the table has none.
 * @param method HTTP method (HEAD is treated as GET).
 * @param path the request path without query string.
 */
export function permissionFor(method: string, path: string): Permission | null {
  const m = method === "HEAD" ? "GET" : method;
  const list = byMethod.get(m);
  if (!list) return null;
  for (const c of list) if (c.re.test(path)) return c.p;
  return null;
}

/**
 * Whether `role` may call `method path`. Routes missing from the table are admin-only (deny by default).
 */
export function can(role: Role, method: string, path: string): boolean {
  const p = permissionFor(method, path);
  return p ? p.roles.includes(role) : role === "admin";
}

/** The rows `role` may call (what `GET /me` returns so the console can hide the rest). */
export function permissionsFor(role: Role): Permission[] {
  return PERMISSIONS.filter((p) => p.roles.includes(role));
}

/**
 * The console's only way to the server: same-origin JSON calls with `Authorization: Bearer <key>`. The key
 * lives in sessionStorage. Failures become `ApiError`s carrying the problem document, rendered in the
 * user's language by `errorMessage` (never a stack trace or raw server text beyond the problem's detail).
 */
import { t, type MsgKey } from "./i18n";

const KEY = "console.apiKey";

/** The stored API key, or null when signed out. */
export function apiKey(): string | null {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function setApiKey(key: string | null): void {
  if (key === null) sessionStorage.removeItem(KEY);
  else sessionStorage.setItem(KEY, key);
}

/** A failed call: HTTP status (0 = network) and the problem document when the server sent one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: { type?: string; title?: string; detail?: string; errors?: { path: string; expected: string; received: string }[] } | null,
  ) {
    super(problem?.title ?? `HTTP ${status}`);
  }
}

let onUnauthorized: () => void = () => undefined;

/** Registers what happens on a 401 (the app shows the login again). */
export function setUnauthorizedHandler(f: () => void): void {
  onUnauthorized = f;
}

/**
 * Sends one same-origin request with the API key and returns the response when it is 2xx.
 * @throws ApiError on a network failure or a non-2xx answer (after signalling a 401).
 */
async function send(url: string, method: string, extraHeaders: Record<string, string>, body?: string): Promise<Response> {
  const headers: Record<string, string> = { ...extraHeaders };
  const key = apiKey();
  if (key) headers.Authorization = `Bearer ${key}`;
  let res: Response;
  try {
    res = await fetch(url, { method, headers, body });
  } catch {
    throw new ApiError(0, null);
  }
  if (res.status === 401) onUnauthorized();
  if (!res.ok) {
    let problem = null;
    try {
      problem = await res.json();
    } catch {
      problem = null;
    }
    throw new ApiError(res.status, problem);
  }
  return res;
}

/**
 * Calls the API. `path` is relative to the origin (e.g. `/portfolio/summary`).
 * @throws ApiError on a network failure or a non-2xx answer.
 */
export async function api<T>(path: string, init: { method?: string; body?: unknown; query?: Record<string, string | number | undefined | null> } = {}): Promise<T> {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(init.query ?? {})) if (v !== undefined && v !== null && v !== "") qs.set(k, String(v));
  const url = path + (qs.size ? `?${qs}` : "");
  const headers: Record<string, string> = { Accept: "application/json" };
  if (init.body !== undefined) headers["Content-Type"] = "application/json";
  const res = await send(url, init.method ?? "GET", headers, init.body === undefined ? undefined : JSON.stringify(init.body));
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

/** Fetches a same-origin HTML or text resource with the API key (e.g. a model report). @throws ApiError */
export async function apiText(path: string): Promise<string> {
  return (await send(path, "GET", {})).text();
}

const KNOWN = ["unauthorized", "forbidden", "not-found", "validation-error", "conflict", "rate-limited", "unavailable", "internal"];

/** A user-facing message for any thrown value, in the active language. */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.status === 0) return t("error.network");
    const slug = (err.problem?.type ?? "").split("/").pop() ?? "";
    const key = KNOWN.includes(slug) ? slug : statusSlug(err.status);
    if (key === "validation-error") {
      const detail = err.problem?.errors?.length
        ? err.problem.errors.map((e) => `${e.path}: ${e.expected}`).join("; ")
        : (err.problem?.detail ?? "");
      return t("error.validation-error", { detail });
    }
    if (key) return t(`error.${key}` as MsgKey);
    return t("error.unknown", { status: err.status });
  }
  return t("error.page");
}

function statusSlug(status: number): string | null {
  if (status === 401) return "unauthorized";
  if (status === 403) return "forbidden";
  if (status === 404) return "not-found";
  if (status === 409) return "conflict";
  if (status === 429) return "rate-limited";
  if (status === 503) return "unavailable";
  if (status >= 500) return "internal";
  if (status === 400 || status === 422) return "validation-error";
  return null;
}

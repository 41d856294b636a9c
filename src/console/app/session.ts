/**
 * The signed-in key's role, from `GET /me`, and what it may do. The console hides or disables what the role
 * cannot call, using the same permission table the API enforces (`src/auth/permissions.ts`, bundled), so a
 * button is never shown only to fail with 403. The server still decides: this only shapes the interface.
 */
import { can, isRole, type Role } from "../../auth/permissions";
import { api } from "./api";

/** What `GET /me` answers. */
export interface Me {
  keyId: string | null;
  role: Role;
  permissions: { method: string; path: string; what: string }[];
}

let me: Me | null = null;

/**
 * Loads (once per sign-in) the caller's role from `GET /me`.
 * @throws ApiError when the call fails (401 for an unknown key); an unknown role in the answer is a 500-like error.
 */
export async function loadMe(): Promise<Me> {
  if (me) return me;
  const r = await api<Me>("/me");
  if (!isRole(r.role)) throw new Error(`GET /me: unknown role ${String(r.role)}`);
  me = r;
  return r;
}

/** The loaded role, or null before `loadMe` (or after sign-out). */
export function currentRole(): Role | null {
  return me?.role ?? null;
}

/** Forgets the role (sign-out, or a 401). */
export function clearMe(): void {
  me = null;
}

/** Sets the role directly (tests). */
export function setMe(m: Me | null): void {
  me = m;
}

/**
 * Whether the signed-in role may call `method path` (a concrete path such as `/orders/O-1/release`).
 * Before the role is known it answers true and the server decides.
 */
export function may(method: string, path: string): boolean {
  return me ? can(me.role, method, path) : true;
}

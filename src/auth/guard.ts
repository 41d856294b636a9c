import { ForbiddenError } from "../shared";
import type { Principal } from "./keys";
import { can, permissionFor } from "./permissions";

/**
 * Enforces the permission table for one request.
 * @throws ForbiddenError (403) naming the roles the route needs and the caller's role.
 */
export function authorize(who: Principal, method: string, path: string): void {
  if (can(who.role, method, path)) return;
  const p = permissionFor(method, path);
  const need = p ? p.roles.join(" or ") : "admin";
  throw new ForbiddenError(`${method} ${p?.path ?? path} needs role ${need}; the key has role ${who.role}`);
}

import * as crypto from "node:crypto";
import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { NextFunction, Request, Response } from "express";
import { UnauthorizedError } from "../shared";
import type { KeyResolver, Principal } from "./context";

// crypto.hash (Node >= 20.12) is the one-shot form: no Hash object per request.
const oneShot = (crypto as unknown as { hash?: (alg: string, data: string, enc: "buffer") => Buffer }).hash;

function digest(s: string): Buffer {
  return oneShot ? oneShot("sha256", s, "buffer") : crypto.createHash("sha256").update(s).digest();
}

/**
 * Accepts exactly one key (CREDIT_API_KEY) as principal {keyId: "env", role: "admin"}. Comparison is in
 * constant time over SHA-256 digests, so neither content nor length leaks through timing.
 */
export function envKeyResolver(envKey: string | undefined): KeyResolver {
  if (!envKey) return () => null;
  const want = digest(envKey);
  const principal: Principal = Object.freeze({ keyId: "env", role: "admin" });
  return (key) => (timingSafeEqual(digest(key), want) ? principal : null);
}

/** Chains resolvers: the first one that knows the key wins (the security issue adds the ApiKey table). */
export function anyResolver(...resolvers: KeyResolver[]): KeyResolver {
  return async (key) => {
    for (const r of resolvers) {
      const p = await r(key);
      if (p) return p;
    }
    return null;
  };
}

const PREFIX = "bearer ";

/**
 * Resolves the caller of a request from `Authorization: Bearer <key>`.
 * @returns the principal (synchronously when the resolver is synchronous).
 * @throws UnauthorizedError when the header is missing, malformed or the key is unknown.
 */
export function authenticate(req: IncomingMessage, resolve: KeyResolver): Principal | Promise<Principal> {
  const h = req.headers.authorization;
  if (!h || h.length <= PREFIX.length || h.slice(0, PREFIX.length).toLowerCase() !== PREFIX) {
    throw new UnauthorizedError();
  }
  const r = resolve(h.slice(PREFIX.length).trim());
  if (r instanceof Promise) {
    return r.then((p) => {
      if (!p) throw new UnauthorizedError("The API key is not valid");
      return p;
    });
  }
  if (!r) throw new UnauthorizedError("The API key is not valid");
  return r;
}

/** The one auth middleware: sets `res.locals.principal` or fails the request with 401 problem+json. */
export function authMiddleware(resolve: KeyResolver) {
  return (req: Request, res: Response, next: NextFunction): void => {
    try {
      const p = authenticate(req, resolve);
      if (p instanceof Promise) {
        p.then((principal) => {
          res.locals.principal = principal;
          next();
        }, next);
        return;
      }
      res.locals.principal = p;
      next();
    } catch (e) {
      next(e);
    }
  };
}

/** The principal the auth middleware resolved. */
export function principalOf(res: Response): Principal {
  return res.locals.principal as Principal;
}

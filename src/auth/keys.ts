import * as crypto from "node:crypto";
import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from "node:crypto";
import type { Database } from "../db";
import { NotFoundError, ValidationError, describeValue } from "../shared";
import { isRole, ROLES, type Role } from "./permissions";

/** Who is calling (same shape as the API's `Principal`). */
export interface Principal {
  keyId: string;
  role: Role;
}

/** Resolves a bearer key to a principal (synchronously when it can), or null when the key is unknown. */
export type KeyResolver = (key: string) => Principal | null | Promise<Principal | null>;

/** An API key as listed: never the secret or its hash. */
export interface ApiKeyInfo {
  id: string;
  name: string;
  prefix: string;
  role: Role;
  createdAt: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

/** scrypt cost: N = 2^14, r = 8, p = 1 (16 MiB, ~30-60 ms per verification on this class of machine). */
export const SCRYPT = { N: 2 ** 14, r: 8, p: 1, keyLen: 32, saltLen: 16 } as const;

const KEY_RE = /^ck_([0-9a-f]{12})_([A-Za-z0-9_-]{32})$/;

function scrypt(secret: string, salt: Buffer, keyLen: number, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scryptCb(secret, salt, keyLen, opts, (e, k) => (e ? reject(e) : resolve(k))));
}

/** A fresh key `ck_<12 hex prefix>_<32 base64url secret>` (72 random bits of prefix, 192 of secret). */
export function generateKey(): { key: string; prefix: string } {
  const prefix = randomBytes(6).toString("hex");
  return { key: `ck_${prefix}_${randomBytes(24).toString("base64url")}`, prefix };
}

/** The public prefix of a well-formed key, or null when `key` does not have the `ck_<prefix>_<secret>` form. */
export function keyPrefix(key: string): string | null {
  const m = KEY_RE.exec(key);
  return m ? m[1] : null;
}

/** Hashes a whole key with scrypt and a fresh per-key salt: `scrypt$N$r$p$<salt b64>$<hash b64>`. */
export async function hashKey(key: string): Promise<string> {
  const salt = randomBytes(SCRYPT.saltLen);
  const h = await scrypt(key, salt, SCRYPT.keyLen, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p });
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString("base64")}$${h.toString("base64")}`;
}

/** Verifies `key` against a stored `hashKey` string in constant time. False for a malformed hash. */
export async function verifyKey(key: string, stored: string): Promise<boolean> {
  const parts = stored.split("$");
  if (parts.length !== 6 || parts[0] !== "scrypt") return false;
  const [N, r, p] = parts.slice(1, 4).map(Number);
  const salt = Buffer.from(parts[4], "base64");
  const want = Buffer.from(parts[5], "base64");
  if (!Number.isInteger(N) || !Number.isInteger(r) || !Number.isInteger(p) || want.length === 0) return false;
  const got = await scrypt(key, salt, want.length, { N, r, p, maxmem: 256 * N * r + 1024 * 1024 });
  return timingSafeEqual(got, want);
}

// crypto.hash (Node >= 20.12) is the one-shot form: no Hash object per request.
const oneShot = (crypto as unknown as { hash?: (alg: string, data: string, enc: "base64") => string }).hash;

function sha256(s: string): string {
  return oneShot ? oneShot("sha256", s, "base64") : createHash("sha256").update(s).digest("base64");
}

function iso(d: Date | null): string | null {
  return d ? d.toISOString() : null;
}

export interface KeyStoreOptions {
  /**
   * How long a successful verification is cached in memory, keyed by sha256(key) (ms, default 30,000).
   * A key revoked through this store is dropped from its cache at once; other processes (another API
   * instance, the CLI) see the revocation within this TTL.
   */
  cacheTtlMs?: number;
  /** How long an unknown or wrong key is remembered as bad, so retries do not pay scrypt (ms, default 5,000). */
  negativeTtlMs?: number;
  /** Cache size bound (entries, default 10,000): the cache is cleared when it is reached. */
  maxEntries?: number;
  /** Clock for the cache (ms). */
  now?: () => number;
}

interface Cached {
  principal: Principal | null;
  expires: number;
}

/**
 * API keys in the ApiKey table: the prefix in clear (lookup), the whole key as an scrypt hash with a
 * per-key salt. Verifications are cached (see {@link KeyStoreOptions.cacheTtlMs}) so the /score hot
 * path does not pay scrypt per request; concurrent first uses of one key share one verification.
 */
export class ApiKeyStore {
  private readonly cache = new Map<string, Cached>();
  private readonly inflight = new Map<string, Promise<Principal | null>>();
  private readonly ttl: number;
  private readonly negTtl: number;
  private readonly max: number;
  private readonly now: () => number;

  constructor(
    private readonly db: Database,
    opts: KeyStoreOptions = {},
  ) {
    this.ttl = opts.cacheTtlMs ?? 30_000;
    this.negTtl = opts.negativeTtlMs ?? 5_000;
    this.max = opts.maxEntries ?? 10_000;
    this.now = opts.now ?? Date.now;
  }

  /**
   * Creates a key with `role`. The whole key is returned once, here; only its prefix and hash are stored.
   * @throws ValidationError for an empty name or an unknown role.
   */
  async create(name: string, role: string): Promise<ApiKeyInfo & { key: string }> {
    const issues = [];
    if (typeof name !== "string" || name.trim() === "" || name.length > 200) issues.push({ path: "name", expected: "1..200 characters", received: describeValue(name) });
    if (!isRole(role)) issues.push({ path: "role", expected: `one of ${ROLES.join(", ")}`, received: describeValue(role) });
    if (issues.length) throw new ValidationError(issues);
    const { key, prefix } = generateKey();
    const row = await this.db.prisma.apiKey.create({ data: { id: `key_${prefix}`, name: name.trim(), prefix, hash: await hashKey(key), role } });
    return { ...this.info(row), key };
  }

  /** Every key, newest first (revoked ones included, with revokedAt). */
  async list(): Promise<ApiKeyInfo[]> {
    const rows = await this.db.prisma.apiKey.findMany({ orderBy: [{ createdAt: "desc" }, { id: "asc" }] });
    return rows.map((r) => this.info(r));
  }

  /**
   * Revokes a key by id (`key_<prefix>`) or prefix, and drops it from this process's cache.
   * @returns the revoked key (revoking twice keeps the first revocation time). @throws NotFoundError
   */
  async revoke(idOrPrefix: string, at: Date): Promise<ApiKeyInfo> {
    const prisma = this.db.prisma;
    const row = await prisma.apiKey.findFirst({ where: { OR: [{ id: idOrPrefix }, { prefix: idOrPrefix }] } });
    if (!row) throw new NotFoundError("API key", idOrPrefix);
    const updated = row.revokedAt ? row : await prisma.apiKey.update({ where: { id: row.id }, data: { revokedAt: at } });
    for (const [h, c] of this.cache) if (c.principal?.keyId === row.id) this.cache.delete(h);
    return this.info(updated);
  }

  /**
   * Verifies a presented key: known prefix, not revoked, scrypt hash matches.
   * @returns the principal, or null.
   */
  async verify(key: string): Promise<Principal | null> {
    const prefix = keyPrefix(key);
    if (!prefix) return null;
    const row = await this.db.prisma.apiKey.findUnique({ where: { prefix } });
    if (!row || row.revokedAt || !isRole(row.role)) return null;
    if (!(await verifyKey(key, row.hash))) return null;
    // Best effort, once per cache period: never on the hot path of a cached key.
    this.db.prisma.apiKey.update({ where: { id: row.id }, data: { lastUsedAt: new Date(this.now()) } }).catch(() => undefined);
    return Object.freeze({ keyId: row.id, role: row.role });
  }

  /** A resolver for the API: synchronous on a cache hit, one shared scrypt verification on a miss. */
  resolver(): KeyResolver {
    return (key: string) => {
      if (!key.startsWith("ck_")) return null;
      const h = sha256(key);
      const c = this.cache.get(h);
      const t = this.now();
      if (c && c.expires > t) return c.principal;
      let p = this.inflight.get(h);
      if (!p) {
        p = this.verify(key).then(
          (principal) => {
            this.inflight.delete(h);
            if (this.cache.size >= this.max) this.cache.clear();
            this.cache.set(h, { principal, expires: this.now() + (principal ? this.ttl : this.negTtl) });
            return principal;
          },
          (e) => {
            this.inflight.delete(h);
            throw e;
          },
        );
        this.inflight.set(h, p);
      }
      return p;
    };
  }

  private info(r: { id: string; name: string; prefix: string; role: string; createdAt: Date; revokedAt: Date | null; lastUsedAt: Date | null }): ApiKeyInfo {
    return { id: r.id, name: r.name, prefix: r.prefix, role: r.role as Role, createdAt: r.createdAt.toISOString(), revokedAt: iso(r.revokedAt), lastUsedAt: iso(r.lastUsedAt) };
  }
}

/**
 * Chains resolvers, staying synchronous while each answers synchronously (the score hot path then
 * creates no promise per request). The first resolver that knows the key wins.
 */
export function chainResolvers(...resolvers: KeyResolver[]): KeyResolver {
  return (key) => {
    for (let i = 0; i < resolvers.length; i++) {
      const r = resolvers[i](key);
      if (r instanceof Promise) {
        const rest = resolvers.slice(i + 1);
        return r.then((p) => p ?? (rest.length ? chainResolvers(...rest)(key) : null));
      }
      if (r) return r;
    }
    return null;
  };
}

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../db";
import { ApiKeyStore, chainResolvers, generateKey, hashKey, keyPrefix, verifyKey, type Principal } from ".";

describe("key format and hashing", () => {
  it("generates ck_<12 hex>_<32 base64url> keys whose prefix parses back", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const { key, prefix } = generateKey();
      expect(key).toMatch(/^ck_[0-9a-f]{12}_[A-Za-z0-9_-]{32}$/);
      expect(keyPrefix(key)).toBe(prefix);
      seen.add(key);
    }
    expect(seen.size).toBe(50);
    expect(keyPrefix("ck_short_x")).toBeNull();
    expect(keyPrefix("Bearer ck_")).toBeNull();
  });

  it("hashes with scrypt N=2^14 and a per-key salt; verifies only the same key", async () => {
    const { key } = generateKey();
    const [a, b] = [await hashKey(key), await hashKey(key)];
    expect(a).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/);
    expect(a).not.toBe(b); // different salts
    expect(await verifyKey(key, a)).toBe(true);
    expect(await verifyKey(key.slice(0, -1) + (key.endsWith("A") ? "B" : "A"), a)).toBe(false);
    expect(await verifyKey(key, "bcrypt$whatever")).toBe(false);
  });
});

describe("ApiKeyStore", () => {
  let dir: string;
  let db: Database;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "auth-test-"));
    db = await openDatabase(`file:${join(dir, "a.db")}`);
  });
  afterAll(async () => {
    await db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("stores only prefix and hash, resolves from the cache synchronously, and forgets a revoked key at once", async () => {
    let t = 0;
    const store = new ApiKeyStore(db, { cacheTtlMs: 1000, now: () => t });
    const k = await store.create("  sap  ", "erp");
    expect(k).toMatchObject({ name: "sap", role: "erp", revokedAt: null });
    const row = await db.prisma.apiKey.findUnique({ where: { id: k.id } });
    expect(JSON.stringify(row)).not.toContain(k.key.slice(16));
    const resolve = store.resolver();
    const first = resolve(k.key);
    expect(first).toBeInstanceOf(Promise);
    expect(await first).toEqual({ keyId: k.id, role: "erp" });
    expect(resolve(k.key)).toEqual({ keyId: k.id, role: "erp" }); // cached: synchronous
    await store.revoke(k.prefix, new Date("2026-11-02T00:00:00Z"));
    expect(await resolve(k.key)).toBeNull();
    expect((await store.list()).find((x) => x.id === k.id)?.revokedAt).toBe("2026-11-02T00:00:00.000Z");
  });

  it("another process's revocation is seen once the cache entry expires (TTL)", async () => {
    let t = 0;
    const a = new ApiKeyStore(db, { cacheTtlMs: 1000, now: () => t });
    const b = new ApiKeyStore(db);
    const k = await a.create("other", "officer");
    const resolve = a.resolver();
    expect(await resolve(k.key)).toMatchObject({ role: "officer" });
    await b.revoke(k.id, new Date());
    expect(resolve(k.key)).toMatchObject({ role: "officer" }); // still cached in process a
    t = 1001;
    expect(await resolve(k.key)).toBeNull();
  });

  it("shares one verification between concurrent first uses and refuses unknown, malformed and wrong keys", async () => {
    const store = new ApiKeyStore(db);
    const k = await store.create("burst", "analyst");
    const resolve = store.resolver();
    const all = Array.from({ length: 20 }, () => resolve(k.key));
    expect(new Set(all).size).toBe(1); // the same promise
    expect(await all[0]).toMatchObject({ role: "analyst" });
    expect(resolve("not-a-ck-key")).toBeNull();
    expect(await resolve(generateKey().key)).toBeNull();
    expect(await resolve(`ck_${k.prefix}_${"A".repeat(32)}`)).toBeNull();
  });

  it("validates name and role", async () => {
    const store = new ApiKeyStore(db);
    await expect(store.create("", "boss")).rejects.toMatchObject({ status: 400, issues: [{ path: "name" }, { path: "role" }] });
    await expect(store.revoke("key_nope", new Date())).rejects.toMatchObject({ status: 404 });
  });
});

describe("chainResolvers", () => {
  const p = (keyId: string): Principal => ({ keyId, role: "admin" });
  it("stays synchronous while every resolver is, and falls through to later ones", async () => {
    const chain = chainResolvers((k) => (k === "a" ? p("A") : null), (k) => (k === "b" ? p("B") : null));
    expect(chain("a")).toEqual(p("A"));
    expect(chain("b")).toEqual(p("B"));
    expect(chain("c")).toBeNull();
    const mixed = chainResolvers(async (k) => (k === "a" ? p("A") : null), (k) => (k === "b" ? p("B") : null));
    expect(await mixed("b")).toEqual(p("B"));
    expect(await mixed("z")).toBeNull();
  });
});

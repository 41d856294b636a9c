import type { Command } from "commander";

/**
 * `credit keys create --name N --role R`, `credit keys list [--json]`, `credit keys revoke <id|prefix>`:
 * hashed API keys in the database of DATABASE_URL. The created key is printed once; only its prefix and
 * scrypt hash are stored. A running API sees a revocation within its verification cache TTL (30 s).
 */
export function register(program: Command): void {
  const keys = program.command("keys").description("create, list and revoke API keys (roles: erp, officer, analyst, admin)");

  async function withStore<T>(fn: (store: import("../../auth").ApiKeyStore) => Promise<T>): Promise<T> {
    const { loadConfig } = await import("../../config");
    const { openDatabase } = await import("../../db");
    const { ApiKeyStore } = await import("../../auth");
    const db = await openDatabase(loadConfig().DATABASE_URL);
    try {
      return await fn(new ApiKeyStore(db));
    } finally {
      await db.close();
    }
  }

  keys
    .command("create")
    .description("create a key with a role; prints the key once (store it now: it cannot be shown again)")
    .requiredOption("--name <name>", "who or what uses the key, e.g. 'sap-prod'")
    .requiredOption("--role <role>", "erp | officer | analyst | admin")
    .option("--json", "print the key record as JSON")
    .action(async (o: { name: string; role: string; json?: boolean }) => {
      const k = await withStore((s) => s.create(o.name, o.role));
      if (o.json) process.stdout.write(JSON.stringify(k) + "\n");
      else process.stdout.write(`created ${k.id} (role ${k.role}, name ${k.name})\n${k.key}\n`);
    });

  keys
    .command("list")
    .description("list keys (id, prefix, role, name, created, last used, revoked); never the secret")
    .option("--json", "print JSON")
    .action(async (o: { json?: boolean }) => {
      const list = await withStore((s) => s.list());
      if (o.json) {
        process.stdout.write(JSON.stringify(list) + "\n");
        return;
      }
      const rows = [["id", "role", "name", "created", "last used", "revoked"], ...list.map((k) => [k.id, k.role, k.name, k.createdAt, k.lastUsedAt ?? "-", k.revokedAt ?? "-"])];
      const w = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
      for (const r of rows) process.stdout.write(r.map((c, i) => c.padEnd(w[i])).join("  ").trimEnd() + "\n");
    });

  keys
    .command("revoke <id>")
    .description("revoke a key by id (key_<prefix>) or prefix")
    .action(async (id: string) => {
      const k = await withStore((s) => s.revoke(id, new Date()));
      process.stdout.write(`revoked ${k.id} at ${k.revokedAt}\n`);
    });
}

// Regenerates both Prisma clients and the initial migration SQL for SQLite and PostgreSQL from
// prisma/schema.prisma. Use while the schema is pre-release (one 0001_init per provider); once a release
// has shipped, add new numbered migrations instead (see docs/DATABASE.md).
import { spawnSync } from "node:child_process";
import { writeFileSync, mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const run = (args, env = {}) => {
  const r = spawnSync(process.execPath, args, { cwd: root, encoding: "utf8", env: { ...process.env, DATABASE_URL: "file:./data/dev.db", ...env } });
  if (r.status !== 0) {
    process.stderr.write(r.stderr);
    process.exit(r.status ?? 1);
  }
  return r.stdout;
};
run([join(root, "scripts/prisma-generate.mjs")]);
const cli = join(root, "node_modules/prisma/build/index.js");
for (const [provider, schema] of [["sqlite", "prisma/schema.prisma"], ["postgres", "prisma/postgres/schema.prisma"]]) {
  const sql = run([cli, "migrate", "diff", "--from-empty", "--to-schema-datamodel", schema, "--script"]);
  const dir = join(root, "prisma/migrations", provider, "0001_init");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "migration.sql"), sql);
}
console.log("regenerated clients and prisma/migrations/{sqlite,postgres}/0001_init");

// Generates both Prisma clients (SQLite and PostgreSQL) after install.
// prisma/postgres/schema.prisma is derived from prisma/schema.prisma with only the provider and output
// changed, so the two databases cannot drift apart. The 6.19 CLI needs a resolvable datasource url even
// for `generate` (otherwise it tries to download a query engine), so a placeholder is supplied.
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const sqlite = readFileSync(join(root, "prisma/schema.prisma"), "utf8");
const pg = sqlite
  .replace('output     = "../generated/sqlite"', 'output     = "../../generated/postgres"')
  .replace('provider = "sqlite"', 'provider = "postgresql"')
  .replace(/^\/\/ The credit domain's data model\.[\s\S]*?(?=\n\n)/m, "// GENERATED from prisma/schema.prisma by scripts/prisma-generate.mjs: edit that file, not this one.");
mkdirSync(join(root, "prisma/postgres"), { recursive: true });
writeFileSync(join(root, "prisma/postgres/schema.prisma"), pg);

const cli = join(root, "node_modules/prisma/build/index.js");
for (const [schema, url] of [
  ["prisma/schema.prisma", "file:./data/dev.db"],
  ["prisma/postgres/schema.prisma", "postgresql://localhost:5432/credit"],
]) {
  const r = spawnSync(process.execPath, [cli, "generate", "--schema", schema], {
    cwd: root,
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, DATABASE_URL: url, PRISMA_HIDE_UPDATE_MESSAGE: "1" },
  });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

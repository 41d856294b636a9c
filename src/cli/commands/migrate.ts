import type { Command } from "commander";

export function register(program: Command): void {
  program
    .command("migrate")
    .description("apply committed database migrations (SQLite or PostgreSQL, from DATABASE_URL)")
    .action(async () => {
      const { loadConfig } = await import("../../config");
      const { migrate } = await import("../../db");
      const cfg = loadConfig();
      const r = await migrate(cfg.DATABASE_URL);
      process.stdout.write(`applied ${r.applied.length} migration(s); ${r.alreadyApplied.length} already applied\n`);
    });
}

import type { Config } from "../config";
import { openDatabase, type Database } from "../db";
import type { Logger } from "../shared";
import type { JobRunnerDeps } from ".";

/**
 * Opens what the handlers need for a CLI or worker process: the database, the policy store (POLICY_FILE)
 * and the model registry (MODELS_DIR). The API process builds these itself and passes them to
 * createJobRunner.
 */
export async function openJobDeps(config: Config, log: Logger): Promise<{ deps: JobRunnerDeps; close: () => Promise<void> }> {
  const db: Database = await openDatabase(config.DATABASE_URL);
  const { PolicyStore } = await import("../policy");
  const policies = PolicyStore.fromFile(config.POLICY_FILE);
  const { openRegistry } = await import("./handlers/models");
  const registry = await openRegistry(config);
  return { deps: { config, db, registry, policies, log }, close: () => db.close() };
}

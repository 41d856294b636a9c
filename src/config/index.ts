import { z } from "zod";
import { fromZodIssues } from "../shared";

/**
 * Service configuration from environment variables, validated once at start. Every variable is
 * documented in the README with its default. Invalid values fail fast with the variable's name,
 * what was expected and what was received.
 */
const bool = z
  .enum(["true", "false", "1", "0", "yes", "no"])
  .transform((v) => v === "true" || v === "1" || v === "yes");
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const EnvSchema = z.object({
  PORT: int(0, 65535).default(3000),
  HOST: z.string().min(1).default("0.0.0.0"),
  DATABASE_URL: z
    .string()
    .regex(/^(file:|postgres(ql)?:\/\/)/, "a 'file:' SQLite path or a 'postgresql://' URL")
    .default("file:./data/credit.db"),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, "a 'redis://' URL").optional(),
  CREDIT_API_KEY: z.string().min(16, "at least 16 characters").optional(),
  MODELS_DIR: z.string().min(1).default("models"),
  POLICY_FILE: z.string().min(1).default("policy/default.yaml"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** Seed the demo portfolio on an empty database at start. */
  DEMO_ON_EMPTY: bool.default(true),
  DEMO_CUSTOMERS: int(10, 1_000_000).default(3000),
  DEMO_SEED: int(0, 2 ** 31 - 1).default(42),
  /** Train a default model at start when the registry has no champion. */
  TRAIN_ON_EMPTY: bool.default(true),
  /** Job schedules (cron, UTC). */
  RETRAIN_CRON: z.string().default("0 3 * * 0"),
  RESCORE_CRON: z.string().default("0 2 * * *"),
  DRIFT_CRON: z.string().default("30 2 * * *"),
  COLLECTIONS_CRON: z.string().default("0 6 * * *"),
  /** Retrain gate: the challenger's out-of-time AUC must beat the champion's by at least this much. */
  RETRAIN_AUC_MARGIN: z.coerce.number().min(0).max(0.5).default(0.005),
  /** Run the job scheduler inside the API process when REDIS_URL is unset. */
  JOBS_IN_PROCESS: bool.default(true),
  COLLECTIONS_WEBHOOK_URL: z.url().optional(),
  COLLECTIONS_WEBHOOK_SECRET: z.string().min(16).optional(),
  /** Requests per minute per API key. */
  RATE_LIMIT_PER_MINUTE: int(1, 10_000_000).default(600_000),
  /**
   * Group-commit window for audit writes, in milliseconds. 0 (default): decisions that arrive in the same
   * event-loop turn, or while the previous batch is being committed, share one transaction, with no added
   * wait; n > 0 additionally waits up to n ms for more rows (larger batches, higher latency).
   */
  AUDIT_FLUSH_MS: int(0, 1000).default(0),
});

export type Config = z.infer<typeof EnvSchema>;

/**
 * Parses and validates the environment. @throws ValidationError naming each bad variable.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const input = Object.fromEntries(Object.entries(env).filter(([k, v]) => k in EnvSchema.shape && v !== ""));
  const r = EnvSchema.safeParse(input);
  if (!r.success) throw fromZodIssues(r.error.issues, input, "env");
  return r.data;
}

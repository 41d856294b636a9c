import { pino, destination as pinoDestination, type Logger } from "pino";

/**
 * Structured JSON logs (pino). Servers and workers log to stdout; the CLI logs to stderr so that its
 * stdout carries only results. Authorization headers and keys are redacted everywhere.
 */
export type { Logger };

/** What every logger redacts (API keys in headers or fields, also inside a logged error). */
export const LOG_REDACT = {
  paths: ["req.headers.authorization", "headers.authorization", "*.headers.authorization", "err.config.headers.authorization", "apiKey", "key", "*.apiKey", "*.key", "secret", "*.secret"],
  censor: "[redacted]",
};
const redact = LOG_REDACT;

/** Creates a logger. `LOG_LEVEL` (default `info`) sets the level; `destination` 2 sends it to stderr. */
export function createLogger(name: string, destination: 1 | 2 = 1): Logger {
  return pino(
    { name, level: process.env.LOG_LEVEL ?? (process.env.VITEST ? "silent" : "info"), redact, base: { service: "credit", component: name } },
    pinoDestination({ fd: destination, sync: destination === 2 }),
  );
}

let root: Logger | undefined;

/** The process-wide logger (stdout). */
export function logger(): Logger {
  root ??= createLogger("service");
  return root;
}

/** Replaces the process-wide logger (the CLI points it at stderr). */
export function setLogger(l: Logger): void {
  root = l;
}

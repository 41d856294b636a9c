import { AppError, ValidationError, logger } from "../shared";

/**
 * The CLI's single error handler: known errors print their message and field issues (no stack trace);
 * unknown ones print a short line and are logged in full. Returns the exit code (2 for bad input, 1 otherwise).
 */
export function reportCliError(err: unknown): number {
  if (err instanceof ValidationError) {
    process.stderr.write("error: invalid input\n");
    for (const i of err.issues) process.stderr.write(`  - ${i.path || "(input)"}: expected ${i.expected}, received ${i.received}\n`);
    return 2;
  }
  if (err instanceof AppError) {
    process.stderr.write(`error: ${err.detail}\n`);
    return err.status >= 400 && err.status < 500 ? 2 : 1;
  }
  logger().error({ err }, "command failed");
  process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
  if (process.env.DEBUG) process.stderr.write(`${(err as Error)?.stack ?? ""}\n`);
  return 1;
}

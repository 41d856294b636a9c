import { readdirSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Command, CommanderError } from "commander";
import { createLogger, setLogger } from "../shared";
import { reportCliError } from "./errors";

/**
 * The `credit` command. Each file in `src/cli/commands/` exports `register(program)` and adds one
 * subcommand; command modules stay light and import heavy components inside their action.
 */
export async function buildProgram(): Promise<Command> {
  const program = new Command("credit")
    .description("Trade-credit scoring service: data, training, scoring, policy, jobs")
    .showHelpAfterError()
    .exitOverride();
  const dir = join(import.meta.dirname, "commands");
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"))
    .sort();
  for (const f of files) {
    const mod = (await import(pathToFileURL(join(dir, f)).href)) as { register?: (p: Command) => void };
    mod.register?.(program);
  }
  return program;
}

/** Runs the CLI with `argv` (without node and script). Exits the process with the command's status. */
export async function main(argv: string[]): Promise<void> {
  // The CLI's stdout carries results; logs go to stderr.
  if (!process.argv.includes("start") && !process.argv.includes("serve") && !process.argv.includes("worker")) {
    setLogger(createLogger("cli", 2));
  }
  const program = await buildProgram();
  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode;
      return;
    }
    process.exitCode = reportCliError(err);
  }
}

import type { Command } from "commander";

/** `credit serve --model DIR [--port N]`: serves one artifact as the champion (no seeding, no training). */
export function register(program: Command): void {
  program
    .command("serve")
    .description("serve the REST API with the model artifact in DIR as champion (no seeding or training)")
    .requiredOption("--model <dir>", "model artifact directory (manifest.json, model.json, metrics.json)")
    .option("--port <n>", "TCP port (default: PORT or 3000)")
    .option("--host <host>", "interface to listen on (default: HOST or 0.0.0.0)")
    .action(async (o: { model: string; port?: string; host?: string }) => {
      const { loadConfig } = await import("../../config");
      const { logger, ValidationError } = await import("../../shared");
      const { createApp, openRuntime, startServer, untilSignal } = await import("../../api");
      const config = loadConfig();
      const port = o.port === undefined ? config.PORT : Number(o.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ValidationError([{ path: "--port", expected: "an integer 0..65535", received: `"${o.port}"` }]);
      const log = logger();
      const rt = await openRuntime(config, { logger: log, modelDir: o.model });
      const app = await createApp(rt.ctx);
      const running = await startServer(app, { port, host: o.host ?? config.HOST, logger: log });
      const m = rt.ctx.models.champion();
      log.info({ url: running.url, model: m.id, policy: rt.ctx.policies.version() }, `serving ${running.url} with model ${m.id} and policy ${rt.ctx.policies.version()}`);
      await untilSignal(running, () => rt.close(), log);
    });
}

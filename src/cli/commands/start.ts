import type { Command } from "commander";

/**
 * `credit start` (npm start): migrate; on an empty database seed the demo portfolio (DEMO_ON_EMPTY);
 * without a champion train one from the payment history and promote it (TRAIN_ON_EMPTY); load the
 * policy; start the job runner; serve the API until SIGTERM/SIGINT, then shut down gracefully.
 */
export function register(program: Command): void {
  program
    .command("start")
    .description("start the service: migrate, seed and train on first start, run jobs, serve the REST API")
    .option("--port <n>", "TCP port (default: PORT or 3000)")
    .option("--host <host>", "interface to listen on (default: HOST or 0.0.0.0)")
    .action(async (o: { port?: string; host?: string }) => {
      const { mkdtempSync, rmSync } = await import("node:fs");
      const { join } = await import("node:path");
      const { tmpdir } = await import("node:os");
      const { loadConfig } = await import("../../config");
      const { logger, todayUtc, ValidationError } = await import("../../shared");
      const { openDatabase, isEmpty, seedDemo } = await import("../../db");
      const { ModelRegistry } = await import("../../scoring");
      const { registrySource } = await import("../../decisions");
      const { createApp, openRuntime, startServer, untilSignal } = await import("../../api");
      const config = loadConfig();
      const port = o.port === undefined ? config.PORT : Number(o.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ValidationError([{ path: "--port", expected: "an integer 0..65535", received: `"${o.port}"` }]);
      const log = logger();
      const db = await openDatabase(config.DATABASE_URL);
      let jobs: { close(): Promise<void>; start(): Promise<void> } | null = null;
      try {
        if (config.DEMO_ON_EMPTY && (await isEmpty(db))) {
          const asOf = todayUtc();
          log.info({ customers: config.DEMO_CUSTOMERS, seed: config.DEMO_SEED, asOf }, "empty database: loading the demo portfolio");
          const c = await seedDemo(db, { customers: config.DEMO_CUSTOMERS, seed: config.DEMO_SEED, asOf });
          log.info(c, "demo portfolio loaded");
        }
        const registry = new ModelRegistry(config.MODELS_DIR);
        if (registry.championId() === null && config.TRAIN_ON_EMPTY) {
          log.info("no champion model: training the default model from the payment history");
          const { trainFromDatabase } = await import("../../../training");
          const tmp = mkdtempSync(join(tmpdir(), "credit-train-"));
          try {
            let last = "";
            const r = await trainFromDatabase(db, {
              out: join(tmp, "model"),
              now: new Date(),
              onProgress: (stage) => {
                if (stage !== last) log.info({ stage }, "training");
                last = stage;
              },
            });
            const id = registry.register(r.dir);
            registry.promote(id, new Date());
            log.info({ model: id }, "default model trained and promoted");
          } finally {
            rmSync(tmp, { recursive: true, force: true });
          }
        }
        const rt = await openRuntime(config, { logger: log, db, models: { source: registrySource(registry), champion: registry.champion() } });
        const stopFollowing = rt.holder.follow(5_000, (err) => log.error({ err }, "could not load the registry's new champion"));
        if (config.REDIS_URL || config.JOBS_IN_PROCESS) {
          const { createJobRunner } = await import("../../jobs");
          const runner = createJobRunner({ config, db, registry, policies: rt.policyStore, log });
          await runner.start();
          jobs = runner;
          rt.ctx.jobs = runner;
        }
        const app = await createApp(rt.ctx);
        const running = await startServer(app, { port, host: o.host ?? config.HOST, logger: log });
        const model = rt.ctx.models.ready() ? rt.ctx.models.champion().id : "none (POST /score answers 503 until one is promoted)";
        log.info({ url: running.url, model, policy: rt.ctx.policies.version(), jobs: jobs ? (config.REDIS_URL ? "bull" : "in-process") : "off" }, `credit service at ${running.url} (docs ${running.url}/docs), model ${model}, policy ${rt.ctx.policies.version()}`);
        await untilSignal(running, async () => {
          stopFollowing();
          await jobs?.close();
          jobs = null;
          await rt.close();
        }, log);
      } finally {
        await jobs?.close().catch(() => undefined);
        await db.close();
      }
    });
}

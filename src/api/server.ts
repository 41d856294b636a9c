import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Express } from "express";
import type { Logger } from "../shared";

/** A listening HTTP server with graceful shutdown. */
export interface RunningServer {
  server: Server;
  /** `http://host:port` actually bound (port 0 resolves to a free port). */
  url: string;
  port: number;
  /**
   * Graceful stop: stop accepting connections, let requests in flight finish (up to `graceMs`, default
   * 10 s, then close the remaining sockets), then run `onDrained` (flush pending decision writes, close
   * queues and the database). Idempotent.
   */
  stop(graceMs?: number): Promise<void>;
}

export interface ServeOptions {
  port: number;
  host?: string;
  logger?: Logger;
  /** Runs after the last request finished: flush and close resources, in order. */
  onDrained?: () => Promise<void>;
}

/** Listens with node:http (keep-alive on, Nagle off) and wires graceful shutdown. */
export async function startServer(app: Express, opts: ServeOptions): Promise<RunningServer> {
  const server = createServer({ keepAlive: true, noDelay: true }, app);
  // Longer than typical client/ERP keep-alive pools, so the server is not the side that drops idle sockets mid-request.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host ?? "0.0.0.0", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === "IPv6" ? `[${addr.address}]` : addr.address === "0.0.0.0" ? "127.0.0.1" : addr.address;
  let stopping: Promise<void> | null = null;
  return {
    server,
    url: `http://${host}:${addr.port}`,
    port: addr.port,
    stop(graceMs = 10_000) {
      stopping ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const timer = setTimeout(() => server.closeAllConnections(), graceMs);
        timer.unref();
        // Keep-alive sockets that go idle after their last response are closed as they do.
        const idle = setInterval(() => server.closeIdleConnections(), 50);
        await closed;
        clearInterval(idle);
        clearTimeout(timer);
        opts.logger?.info("http server closed; draining");
        await opts.onDrained?.();
      })();
      return stopping;
    },
  };
}

/**
 * Runs until SIGTERM/SIGINT, then shuts down gracefully: stop accepting, finish requests in flight,
 * then `shutdown()` (flush pending decision writes, close job queues and the database), then resolve.
 * A second signal exits at once.
 */
export function untilSignal(running: RunningServer, shutdown: () => Promise<void>, log: Logger): Promise<void> {
  return new Promise<void>((resolve) => {
    let stopping = false;
    const onSignal = (sig: NodeJS.Signals) => {
      if (stopping) {
        log.warn({ signal: sig }, "second signal: exiting now");
        process.exit(1);
      }
      stopping = true;
      log.info({ signal: sig }, "shutting down: no new connections, finishing requests in flight");
      running
        .stop()
        .then(shutdown)
        .then(
          () => {
            log.info("shutdown complete");
            resolve();
          },
          (err) => {
            log.error({ err }, "shutdown failed");
            process.exitCode = 1;
            resolve();
          },
        );
    };
    process.once("SIGTERM", onSignal);
    process.once("SIGINT", onSignal);
  });
}

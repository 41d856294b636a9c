import { IncomingMessage, ServerResponse, createServer, type Server } from "node:http";
import { Server as NetServer, type AddressInfo, type Socket } from "node:net";
import type { Express } from "express";

const IncomingMessageBase = IncomingMessage as unknown as (this: IncomingMessage, socket: Socket) => void;
const ServerResponseBase = ServerResponse;
import type { Logger } from "../shared";

/** How long after stop() a connection that has not sent a complete request yet may still deliver one (ms). */
const FRESH_GRACE_MS = 1_000;

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

/**
 * Request and response classes whose instances are born with the express app's prototypes. Express 5's
 * `app.handle` calls `Object.setPrototypeOf(req, app.request)` (and the same for res) on every request;
 * changing the prototype of a live object drops V8's fast properties, so every later property access in
 * node's http internals and in express gets slower. With the prototype already in place the call is a no-op
 * (measured with wrk on a bare express 5 handler: about 1.5-3x the requests/s and a much lower p99).
 */
export function expressHttpClasses(app: Express): { IncomingMessage: typeof IncomingMessage; ServerResponse: typeof ServerResponse } {
  function Req(this: IncomingMessage, socket: Socket) {
    IncomingMessageBase.call(this, socket);
  }
  Req.prototype = app.request;
  function Res(this: ServerResponse, req: IncomingMessage, options?: unknown) {
    (ServerResponseBase as unknown as (this: ServerResponse, req: IncomingMessage, options?: unknown) => void).call(this, req, options);
  }
  Res.prototype = app.response;
  return { IncomingMessage: Req as unknown as typeof IncomingMessage, ServerResponse: Res as unknown as typeof ServerResponse };
}

/** Listens with node:http (keep-alive on, Nagle off, express-shaped request objects) and wires graceful shutdown. */
export async function startServer(app: Express, opts: ServeOptions): Promise<RunningServer> {
  const server = createServer({ keepAlive: true, noDelay: true, ...expressHttpClasses(app) }, app);
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
  // Connections and the ones with a response in progress, so that a stop ends each connection only once its
  // response is fully written (Node's closeIdleConnections may cut a large response that is still flushing).
  const sockets = new Set<Socket>();
  const busy = new Set<Socket>();
  // Sockets that completed a response. A socket accepted but not yet parsed (busy event loop) is not idle:
  // ending it at stop would drop a request the client already sent, so it gets FRESH_GRACE_MS to deliver it.
  const served = new WeakSet<Socket>();
  let draining = false;
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.once("close", () => {
      sockets.delete(s);
      busy.delete(s);
    });
  });
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    const s = req.socket;
    busy.add(s);
    res.once("close", () => {
      busy.delete(s);
      served.add(s);
      if (draining) s.end();
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
        draining = true;
        // net.Server's close, not http.Server's: the latter also runs closeIdleConnections(), which destroys
        // connections whose request has arrived but is not parsed yet (it counts them as idle).
        const closed = new Promise<void>((resolve) => NetServer.prototype.close.call(server, () => resolve()));
        // Idle keep-alive connections end now (FIN after any pending bytes); busy ones when their response is done.
        for (const s of sockets) if (!busy.has(s) && served.has(s)) s.end();
        const fresh = setTimeout(() => {
          for (const s of sockets) if (!busy.has(s)) s.end();
        }, Math.min(FRESH_GRACE_MS, graceMs));
        fresh.unref();
        const timer = setTimeout(() => {
          for (const s of sockets) s.destroy();
        }, graceMs);
        timer.unref();
        await closed;
        clearTimeout(timer);
        clearTimeout(fresh);
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

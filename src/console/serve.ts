import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Router, type Request, type Response } from "express";
import * as esbuild from "esbuild";

/**
 * Serves the officers' console under a mount point (the API mounts it at `/console`): one HTML page, one
 * script bundled in memory from `app/*.ts` with esbuild at first use, and one stylesheet. Everything is
 * local (no CDN) and needs no authentication: the page asks for the API key and sends it on each API call.
 */

const APP_DIR = join(import.meta.dirname, "app");

export interface ConsoleAssets {
  html: string;
  js: string;
  css: string;
  /** Content hash used for cache busting and ETags. */
  etag: string;
}

/** Bundles the browser sources (ES2020, minified, with an inline source map only when `dev`). */
export async function buildConsoleAssets(opts: { dev?: boolean } = {}): Promise<ConsoleAssets> {
  const result = await esbuild.build({
    entryPoints: [join(APP_DIR, "main.ts")],
    bundle: true,
    write: false,
    format: "esm",
    target: "es2020",
    platform: "browser",
    minify: !opts.dev,
    sourcemap: opts.dev ? "inline" : false,
    legalComments: "none",
    // Chinese text stays as UTF-8 instead of \u escapes (smaller, and greppable).
    charset: "utf8",
    logLevel: "silent",
  });
  const js = result.outputFiles[0].text;
  const css = readFileSync(join(APP_DIR, "styles.css"), "utf8");
  const { createHash } = await import("node:crypto");
  const etag = createHash("sha256").update(js).update(css).digest("hex").slice(0, 16);
  const html = `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>信用管理控制台 · Credit Console</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="app.css?v=${etag}">
<script type="module" src="app.js?v=${etag}"></script>
</head>
<body><div id="app"></div><noscript>JavaScript is required. 需要启用 JavaScript。</noscript></body>
</html>`;
  return { html, js, css, etag };
}

/**
 * An express router serving the console: `GET /` (HTML, also for a path without trailing slash),
 * `GET /app.js`, `GET /app.css`. Assets are built once, at the first request (or eagerly with
 * `prebuild: true`), and cached in memory. `onOpen` is called whenever the page itself is served (to
 * prefetch what the first screen will ask for).
 */
export function consoleRouter(opts: { dev?: boolean; prebuild?: boolean; onOpen?: () => void } = {}): Router {
  let assets: Promise<ConsoleAssets> | null = null;
  const get = () => (assets ??= buildConsoleAssets(opts));
  if (opts.prebuild) void get().catch(() => (assets = null));
  const router = Router();
  const send = (type: string, pick: (a: ConsoleAssets) => string) => async (req: Request, res: Response) => {
    let a: ConsoleAssets;
    try {
      a = await get();
    } catch (err) {
      assets = null;
      throw err;
    }
    const tag = `"${a.etag}"`;
    res.setHeader("ETag", tag);
    res.setHeader("Cache-Control", type === "text/html" ? "no-cache" : "public, max-age=3600");
    if (req.headers["if-none-match"] === tag) {
      res.status(304).end();
      return;
    }
    res.type(type).send(pick(a));
  };
  router.get("/app.js", send("text/javascript", (a) => a.js));
  router.get("/app.css", send("text/css", (a) => a.css));
  router.get("/", (req, res, next) => {
    // Relative asset URLs need the trailing slash.
    if (!req.originalUrl.split("?")[0].endsWith("/")) {
      res.redirect(301, `${req.baseUrl}/`);
      return;
    }
    try {
      opts.onOpen?.();
    } catch {
      // A failed prefetch must never keep the page from loading; the data request reports its own errors.
    }
    void send("text/html", (a) => a.html)(req, res).catch(next);
  });
  return router;
}

import { Writable } from "node:stream";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RateLimiter } from "../../src/auth";
import { sendProblem } from "../../src/api";
import { LOG_REDACT } from "../../src/shared";
import { call, startFixture, type Fixture } from "./fixture";

describe("RateLimiter (token bucket)", () => {
  it("allows the bucket, then refuses with the seconds until the next token, and refills at the rate", () => {
    let t = 0;
    const rl = new RateLimiter({ perMinute: 60, burstSeconds: 10, now: () => t });
    expect(rl.capacity).toBe(10);
    for (let i = 0; i < 10; i++) rl.take("k");
    expect(() => rl.take("k")).toThrow(expect.objectContaining({ status: 429, retryAfterSeconds: 1 }));
    rl.take("other"); // buckets are per key
    t = 999;
    expect(() => rl.take("k")).toThrow(expect.objectContaining({ status: 429 }));
    t = 1000;
    rl.take("k");
    t = 1000 + 60_000; // a minute refills up to the bucket size only
    for (let i = 0; i < 10; i++) rl.take("k");
    expect(() => rl.take("k")).toThrow(expect.objectContaining({ retryAfterSeconds: 1 }));
  });

  it("computes Retry-After for slow rates", () => {
    const rl = new RateLimiter({ perMinute: 2, burstSeconds: 30, now: () => 0 });
    expect(rl.capacity).toBe(1);
    rl.take("k");
    expect(() => rl.take("k")).toThrow(expect.objectContaining({ retryAfterSeconds: 30 }));
  });
});

let fx: Fixture;
beforeAll(async () => {
  fx = await startFixture({ customers: 20, env: { RATE_LIMIT_PER_MINUTE: "60" } });
}, 180_000);
afterAll(async () => fx?.close());

describe("over HTTP", () => {
  it("answers 429 problem+json with Retry-After per key, on the routes and on POST /score", async () => {
    const statuses: number[] = [];
    let last;
    for (let i = 0; i < 12; i++) {
      last = await call(fx.server.url, "GET", "/me", { key: fx.keys.officer });
      statuses.push(last.status);
    }
    expect(statuses).toEqual([...Array(10).fill(200), 429, 429]);
    expect(last!.type).toContain("application/problem+json");
    expect(last!.body).toMatchObject({ type: "/problems/rate-limited", status: 429 });
    expect(Number(last!.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    // another key is not affected; POST /score is limited the same way
    expect((await call(fx.server.url, "GET", "/me", { key: fx.keys.analyst })).status).toBe(200);
    const score: number[] = [];
    for (let i = 0; i < 11; i++) score.push((await call(fx.server.url, "POST", "/score", { key: fx.keys.erp, body: { features: {} } })).status);
    expect(score).toEqual([...Array(10).fill(200), 429]);
  });

  it("sets security headers on API answers, the console and Swagger UI", async () => {
    const me = await call(fx.server.url, "GET", "/me", { key: fx.keys.admin });
    expect(me.headers.get("x-content-type-options")).toBe("nosniff");
    expect(me.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    for (const path of ["/console/", "/docs/"]) {
      const r = await fetch(fx.server.url + path);
      expect(r.status).toBe(200);
      const csp = r.headers.get("content-security-policy") ?? "";
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(r.headers.get("x-frame-options")).toBe("SAMEORIGIN");
      expect(r.headers.get("strict-transport-security")).toContain("max-age=");
      expect(r.headers.get("x-powered-by")).toBeNull();
    }
    const score = await call(fx.server.url, "POST", "/score", { key: fx.keys.admin, body: { features: {} }, headers: { "x-request-id": "req-123" } });
    expect(score.headers.get("x-request-id")).toBe("req-123");
  });

  it("never puts a stack trace or SQL in a 500, and logs the request id but never the API key", async () => {
    const lines: string[] = [];
    const log = pino({ redact: LOG_REDACT }, new Writable({ write: (c, _e, cb) => (lines.push(String(c)), cb()) }));
    let written = "";
    const res = {
      headersSent: false,
      getHeader: (h: string) => (h === "x-request-id" ? "rid-7" : undefined),
      writeHead() {},
      end: (t: string) => (written = t),
    };
    const err = Object.assign(new Error('SQLITE_ERROR: near "SELECT * FROM \\"ApiKey\\"": syntax error'), { headers: { authorization: `Bearer ${fx.keys.admin}` } });
    expect(sendProblem(res as never, err, "/x", log)).toBe(500);
    expect(written).not.toMatch(/SELECT|SQLITE|at .*\.ts/);
    expect(lines.join("")).toContain("rid-7");
    expect(lines.join("")).not.toContain(fx.keys.admin);
  });
});

import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { missingDecisions, post, prepare, startChild } from "./kill-harness";

/**
 * Graceful shutdown: SIGTERM while batch and single scoring requests are in flight. Every request that
 * was accepted gets its 200, a connection opened after the signal is refused, the process exits 0 after
 * "shutdown complete", and every answered decision is in the database.
 */
const dir = mkdtempSync(join(tmpdir(), "shutdown-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("SIGTERM", () => {
  it("finishes requests in flight, flushes decisions, refuses new connections and exits 0", async () => {
    const url = `file:${join(dir, "s.db")}`;
    const { modelDir, customers } = await prepare(url, 30);
    const child = await startChild(url, modelDir);
    for (let i = 0; i < 5; i++) expect((await post(child.url, "/score", { customerId: customers[i], order: { id: `WARM-${i}`, amount: 10 } }, false)).status).toBe(200);

    const order = (p: string, i: number) => ({ customerId: customers[i % customers.length], order: { id: `${p}-${i}`, amount: 100 + i } });
    const batches = Array.from({ length: 4 }, (_, b) => post(child.url, "/score/batch", { rows: Array.from({ length: 100 }, (_, i) => order(`B${b}`, i)) }, false));
    const singles = Array.from({ length: 40 }, (_, i) => post(child.url, "/score", order("S", i), false));
    // A marker on a new connection: once it is answered, the server has accepted every connection opened
    // before it (the accept queue is FIFO), so the requests above are in the server's hands, not the kernel's.
    await new Promise((r) => setTimeout(r, 50));
    const marker = await new Promise<number>((resolve, reject) => http.get(child.url + "/healthz", { agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on("error", reject));
    expect(marker).toBe(200);
    child.proc.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 1000));
    const late = await post(child.url, "/score", order("LATE", 0), false).then(
      (r) => `status ${r.status}`,
      (e: { code?: string }) => e.code,
    );

    const settled = await Promise.allSettled([...batches, ...singles]);
    const exit = await child.exited;
    const failed = settled.map((x, i) => (x.status === "rejected" ? `${i < batches.length ? "batch" : "single"} ${i}: ${String(x.reason)}` : null)).filter(Boolean);
    expect(failed).toEqual([]);
    const all = settled.map((x) => (x as PromiseFulfilledResult<{ status: number; text: string }>).value);
    const b = all.slice(0, batches.length);
    const s = all.slice(batches.length);
    expect(b.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(s.map((r) => r.status)).toEqual(Array(40).fill(200));
    expect(late).toBe("ECONNREFUSED");
    expect(exit).toEqual({ code: 0, signal: null });
    expect(child.log.some((l) => l.includes("shutdown complete"))).toBe(true);

    const ids = [...b.flatMap((r) => (JSON.parse(r.text) as { results: { decisionId: string }[] }).results.map((x) => x.decisionId)), ...s.map((r) => JSON.parse(r.text).decisionId as string)];
    expect(ids.length).toBe(4 * 100 + 40);
    expect(await missingDecisions(url, ids)).toEqual([]);
  }, 120_000);
});

describe("stop() with a connection that has not sent its request yet", () => {
  it("serves a request that arrives on an accepted connection just after the stop began", async () => {
    const { startServer } = await import("../../src/api");
    const express = (await import("express")).default;
    const net = await import("node:net");
    const app = express();
    app.get("/x", (_req, res) => void res.send("ok"));
    const running = await startServer(app, { port: 0, host: "127.0.0.1" });
    const accepted = new Promise<void>((r) => running.server.once("connection", () => r()));
    const sock = net.connect(running.port, "127.0.0.1");
    const reply = new Promise<string>((resolve) => {
      let text = "";
      sock.on("data", (d) => (text += d.toString()));
      sock.on("close", () => resolve(text));
      sock.on("error", (e) => resolve(`error ${(e as { code?: string }).code}`));
    });
    await accepted;
    const stopped = running.stop(5000);
    sock.write("GET /x HTTP/1.1\r\nHost: x\r\n\r\n");
    const text = await reply;
    await stopped;
    expect(text).toMatch(/^HTTP\/1\.1 200/);
    expect(text).toMatch(/\r\n\r\nok$/);
  });
});

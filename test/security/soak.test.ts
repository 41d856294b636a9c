import { describe, expect, it } from "vitest";
import { runSoak } from "../../bench/soak";

/**
 * Short soak (the full one is `npm run bench:soak`): `credit serve` under a fixed rate of POST /score
 * with orders and invoice ingestion every second. No errors; the server's memory does not run away.
 */
describe("soak (short)", () => {
  it("answers every order check at a fixed rate with ingestion running, without errors", async () => {
    const r = await runSoak({ seconds: 6, rate: 20, customers: 40, ingestRows: 50, warmupMs: 1000 });
    console.log(`soak (short): ${r.answered200}/${r.sent} answered, ${r.throughputPerSec}/s, p99 ${r.latencyMs.p99} ms, RSS ${r.rssMb.start} -> ${r.rssMb.end} MB, ingestion ${r.ingestion.batches} batches`);
    expect(r.errors).toBe(0);
    expect(r.statuses).toEqual({ 200: r.sent });
    expect(r.ingestion.errors).toBe(0);
    expect(r.ingestion.batches).toBeGreaterThanOrEqual(3);
    expect(r.serverExit).toBe(0);
    expect(r.rssMb.end).toBeLessThan(r.rssMb.start + 150);
  }, 120_000);
});

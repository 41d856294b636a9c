import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "training/**/*.test.ts", "test/**/*.test.ts", "data/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    // 2-core machines: more workers only thrash.
    maxWorkers: 2,
    reporters: ["default", "json"],
    outputFile: { json: ".artifacts/vitest.json" },
  },
});

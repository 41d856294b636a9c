import { describe, expect, it } from "vitest";
import { loadConfig } from "./index";
import { ValidationError } from "../shared";

describe("loadConfig", () => {
  it("applies documented defaults", () => {
    const c = loadConfig({});
    expect(c.PORT).toBe(3000);
    expect(c.DATABASE_URL).toBe("file:./data/credit.db");
    expect(c.REDIS_URL).toBeUndefined();
    expect(c.DEMO_ON_EMPTY).toBe(true);
  });
  it("names the variable, what was expected and what was received", () => {
    try {
      loadConfig({ PORT: "eighty", DATABASE_URL: "mysql://x" });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ValidationError);
      const issues = (e as ValidationError).issues;
      expect(issues.map((i) => i.path).sort()).toEqual(["env/DATABASE_URL", "env/PORT"]);
      expect(issues.find((i) => i.path === "env/PORT")?.received).toContain("eighty");
    }
  });
});

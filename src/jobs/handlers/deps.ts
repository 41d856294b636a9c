import type { Policy, PolicyStore } from "../../policy";
import { UnavailableError } from "../../shared";
import type { JobContext } from "../types";

/** The policy in force, from the PolicyStore handed to the runner. @throws UnavailableError without one. */
export function activePolicy(ctx: Pick<JobContext, "policies">): Policy {
  const store = ctx.policies as PolicyStore | null | undefined;
  if (!store || typeof store.current !== "function") throw new UnavailableError("the job runner was started without a policy store");
  return store.current();
}

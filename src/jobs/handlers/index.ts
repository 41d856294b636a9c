import type { HandlerTable } from "../types";

/**
 * The four jobs. Each module is imported on first use, so a process that only schedules (the API) does not
 * load training code.
 */
export const defaultHandlers: HandlerTable = {
  retrain: async (ctx, params, progress) => (await import("./retrain")).retrainJob(ctx, params, progress),
  rescore: async (ctx, params, progress) => (await import("./rescore")).rescoreJob(ctx, params, progress),
  drift: async (ctx, params, progress) => (await import("./drift")).driftJob(ctx, params, progress),
  collections: async (ctx, params, progress) => (await import("./collections")).collectionsJob(ctx, params, progress),
};

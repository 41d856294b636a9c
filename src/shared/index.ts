export * from "./errors";
export * from "./dates";
export * from "./money";
export * from "./ids";
export * from "./logger";

import { unwatchFile, watchFile } from "node:fs";
import { logger } from "../shared";
import { loadPolicyFile, type Policy } from "./schema";

/**
 * Holds the active policy by reference. Readers call `current()` per request and keep the object they got
 * for the whole decision, so a swap never mixes two versions inside one decision. `activate` and `reload`
 * swap the reference in one assignment (atomic for every reader); an invalid file never replaces the
 * running policy.
 */
export class PolicyStore {
  private active: Policy;
  private readonly listeners = new Set<(p: Policy, previous: Policy) => void>();

  constructor(initial: Policy) {
    this.active = initial;
  }

  /** Loads and validates `path` as the initial policy. @throws like `loadPolicyFile` */
  static fromFile(path: string): PolicyStore {
    return new PolicyStore(loadPolicyFile(path));
  }

  /** The policy in force. */
  current(): Policy {
    return this.active;
  }

  /** Makes `policy` the active one and returns the previous one. */
  activate(policy: Policy): Policy {
    const previous = this.active;
    this.active = policy;
    if (previous.version !== policy.version) logger().info({ from: previous.version, to: policy.version }, "policy activated");
    for (const l of this.listeners) l(policy, previous);
    return previous;
  }

  /**
   * Loads `path` and activates it. When the file is unreadable or invalid, the running policy stays in
   * force and the error is thrown. @throws ValidationError | AppError
   */
  reload(path: string): Policy {
    let next: Policy;
    try {
      next = loadPolicyFile(path);
    } catch (err) {
      logger().warn({ path, keep: this.active.version, err: (err as Error).message }, "policy refused; the running policy stays in force");
      throw err;
    }
    this.activate(next);
    return next;
  }

  /** Calls `fn` after every activation (e.g. to record the version in the database). Returns an unsubscribe function. */
  onActivate(fn: (p: Policy, previous: Policy) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /**
   * Reloads `path` whenever its content changes (polled every `intervalMs`, default 2000, so editors that
   * replace the file are seen too). An invalid new file is logged and refused, and the running policy stays
   * in force; `onError` is told about it. Returns a function that stops watching.
   */
  watch(path: string, opts: { intervalMs?: number; onError?: (err: unknown) => void } = {}): () => void {
    const listener = (cur: { mtimeMs: number; size: number }, prev: { mtimeMs: number; size: number }) => {
      if (cur.mtimeMs === prev.mtimeMs && cur.size === prev.size) return;
      try {
        const before = this.active.sha256;
        const next = this.reload(path);
        if (next.sha256 === before) return;
      } catch (err) {
        opts.onError?.(err);
      }
    };
    watchFile(path, { interval: opts.intervalMs ?? 2000, persistent: false }, listener);
    return () => unwatchFile(path, listener);
  }
}

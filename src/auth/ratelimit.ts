import { RateLimitedError } from "../shared";

export interface RateLimitOptions {
  /** Sustained requests per minute per key. */
  perMinute: number;
  /** Bucket size as seconds of the sustained rate (default 10: a burst of 10 s worth of requests). */
  burstSeconds?: number;
  /** Monotonic clock in ms (default performance.now). */
  now?: () => number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Per-key token bucket, in memory and per process: with N API processes a key gets up to N times the
 * rate. Refills continuously at perMinute/60 tokens per second up to the bucket size.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly rate: number;
  private readonly size: number;
  private readonly now: () => number;

  constructor(opts: RateLimitOptions) {
    if (!(opts.perMinute > 0)) throw new RangeError(`perMinute must be > 0, got ${opts.perMinute}`);
    this.rate = opts.perMinute / 60_000; // tokens per ms
    this.size = Math.max(1, Math.ceil((opts.perMinute / 60) * (opts.burstSeconds ?? 10)));
    this.now = opts.now ?? (() => performance.now());
  }

  /** Bucket size (requests). */
  get capacity(): number {
    return this.size;
  }

  /**
   * Takes one token for `key`.
   * @throws RateLimitedError (429) with the whole seconds until a token is available (Retry-After).
   */
  take(key: string): void {
    const t = this.now();
    let b = this.buckets.get(key);
    if (!b) {
      b = { tokens: this.size, at: t };
      this.buckets.set(key, b);
    } else {
      b.tokens = Math.min(this.size, b.tokens + (t - b.at) * this.rate);
      b.at = t;
    }
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return;
    }
    throw new RateLimitedError(Math.max(1, Math.ceil((1 - b.tokens) / this.rate / 1000)));
  }
}

import { randomFillSync } from "node:crypto";

const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const POOL = Buffer.alloc(4096);
let at = POOL.length;

/**
 * Decision id: `dec_` + a ULID (48-bit millisecond time + 80 random bits, Crockford base32), the same layout
 * as src/shared `newId`, with the random bytes drawn from a pooled CSPRNG buffer so an id costs no syscall.
 */
export function decisionId(nowMs: number): string {
  if (at + 10 > POOL.length) {
    randomFillSync(POOL);
    at = 0;
  }
  let t = nowMs;
  let time = "";
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  let rand = "";
  // 80 bits = 16 base32 digits, taken 5 bits at a time from 10 bytes.
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < 10; i++) {
    acc = (acc << 8) | POOL[at + i];
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      rand += ALPHABET[(acc >> bits) & 31];
    }
    acc &= (1 << bits) - 1;
  }
  at += 10;
  return "dec_" + time + rand;
}

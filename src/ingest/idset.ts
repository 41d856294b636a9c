/**
 * The set of external ids seen in a file, in bounded, compact memory: open addressing over two 32-bit
 * hashes (64 bits) and the row number, 12 bytes a slot, about 24 bytes per id (a JS Map of strings takes
 * 80-100). A hash match is only a *suspect* duplicate; the importer confirms suspects against the real
 * ids before it reports anything (see `importCsv`), so no false duplicate is ever reported.
 */
export class CompactIdSet {
  private h1: Uint32Array;
  private h2: Uint32Array;
  private rows: Uint32Array;
  private mask: number;
  private count = 0;

  constructor(initialCapacity = 1 << 16) {
    let cap = 1;
    while (cap < initialCapacity) cap <<= 1;
    this.h1 = new Uint32Array(cap);
    this.h2 = new Uint32Array(cap);
    this.rows = new Uint32Array(cap);
    this.mask = cap - 1;
  }

  /** Ids added so far. */
  get size(): number {
    return this.count;
  }

  /**
   * Adds `id` seen at data row `row` (>= 1). Returns the row of an earlier id with the same 64-bit hash
   * (a suspected duplicate; the earlier entry is kept), or 0 when the id is new.
   */
  add(id: string, row: number): number {
    const [a, b] = hash64(id);
    let i = (a ^ Math.imul(b, 0x9e3779b1)) & this.mask;
    for (;;) {
      const r = this.rows[i];
      if (r === 0) break;
      if (this.h1[i] === a && this.h2[i] === b) return r;
      i = (i + 1) & this.mask;
    }
    this.h1[i] = a;
    this.h2[i] = b;
    this.rows[i] = row;
    if (++this.count * 2 > this.mask + 1) this.grow();
    return 0;
  }

  private grow(): void {
    const { h1, h2, rows } = this;
    const cap = (this.mask + 1) * 2;
    this.h1 = new Uint32Array(cap);
    this.h2 = new Uint32Array(cap);
    this.rows = new Uint32Array(cap);
    this.mask = cap - 1;
    for (let j = 0; j < rows.length; j++) {
      if (rows[j] === 0) continue;
      let i = (h1[j] ^ Math.imul(h2[j], 0x9e3779b1)) & this.mask;
      while (this.rows[i] !== 0) i = (i + 1) & this.mask;
      this.h1[i] = h1[j];
      this.h2[i] = h2[j];
      this.rows[i] = rows[j];
    }
  }
}

/** Two independent 32-bit hashes of a string (FNV-1a and a murmur3-style mix over UTF-16 code units). */
export function hash64(s: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x9747b28c ^ s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    let k = Math.imul(c, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    b ^= Math.imul(k, 0x1b873593);
    b = (b << 13) | (b >>> 19);
    b = (Math.imul(b, 5) + 0xe6546b64) | 0;
  }
  b ^= b >>> 16;
  b = Math.imul(b, 0x85ebca6b);
  b ^= b >>> 13;
  b = Math.imul(b, 0xc2b2ae35);
  b ^= b >>> 16;
  return [a >>> 0, b >>> 0];
}

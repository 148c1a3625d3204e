/**
 * A map from 32-bit integers to non-negative int32 values over typed arrays (open addressing, linear probing).
 * For hot lookups keyed by an IPv4 address: a JS Map boxes keys above 2^30 and chases pointers; this probes
 * two adjacent words.
 */
export class Int32Map {
  size = 0;
  /** Two words per slot: key, value + 1 (0 = empty). */
  private slots: Int32Array;
  private mask: number;

  constructor(capacity = 1024) {
    let n = 16;
    while (n < capacity * 2) n *= 2;
    this.slots = new Int32Array(n * 2);
    this.mask = n - 1;
  }

  /** The value for `key`, or -1. */
  get(key: number): number {
    const slots = this.slots;
    const k = key | 0;
    let s = hash(k) & this.mask;
    for (;;) {
      const v = slots[2 * s + 1];
      if (v === 0) return -1;
      if (slots[2 * s] === k) return v - 1;
      s = (s + 1) & this.mask;
    }
  }

  set(key: number, value: number): void {
    if ((this.size + 1) * 2 > this.mask + 1) this.grow();
    const slots = this.slots;
    const k = key | 0;
    let s = hash(k) & this.mask;
    for (;;) {
      const v = slots[2 * s + 1];
      if (v === 0) break;
      if (slots[2 * s] === k) {
        slots[2 * s + 1] = value + 1;
        return;
      }
      s = (s + 1) & this.mask;
    }
    slots[2 * s] = k;
    slots[2 * s + 1] = value + 1;
    this.size++;
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Int32Array(old.length * 2);
    this.mask = old.length - 1;
    this.size = 0;
    for (let i = 0; i < old.length; i += 2) if (old[i + 1] !== 0) this.set(old[i], old[i + 1] - 1);
  }
}

function hash(k: number): number {
  const h = Math.imul(k ^ (k >>> 16), 0x85ebca6b);
  return h ^ (h >>> 13);
}

/**
 * Zone lookup for observed addresses: the ZoneIndex's flattened segments compiled into sorted integer
 * interval tables (typed arrays for IPv4, bigint for IPv6); a lookup is one binary search.
 */
import type { Owner, ZoneIndex } from '../policy/zone-index.ts';
import { parseIp } from '../net/ip.ts';

export class ZoneTable {
  private readonly lo4: Float64Array;
  private readonly hi4: Float64Array;
  private readonly own4: Owner[];
  constructor(private readonly index: ZoneIndex) {
    const s4 = index.segments(4);
    this.lo4 = new Float64Array(s4.length);
    this.hi4 = new Float64Array(s4.length);
    this.own4 = [];
    s4.forEach((s, i) => {
      this.lo4[i] = Number(s.lo);
      this.hi4[i] = Number(s.hi);
      this.own4.push(s.owner);
    });
  }

  lookupV4(v: number): Owner | undefined {
    let lo = 0;
    let hi = this.lo4.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (v < this.lo4[mid]) hi = mid - 1;
      else if (v > this.hi4[mid]) lo = mid + 1;
      else return this.own4[mid];
    }
    return undefined;
  }

  /** IPv6 is rare in plant captures: the ZoneIndex's own bigint search. */
  lookupV6(v: bigint): Owner | undefined {
    return this.index.lookup(6, v);
  }

  lookup(ip: string): Owner | undefined {
    const v4 = parseV4(ip);
    if (v4 >= 0) return this.lookupV4(v4);
    const p = parseIp(ip);
    if (!p.ok) return undefined;
    return p.value.family === 4 ? this.lookupV4(Number(p.value.value)) : this.lookupV6(p.value.value);
  }
}

/** Dotted quad → unsigned integer, or -1. */
export function parseV4(s: string): number {
  let v = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || part > 255) return -1;
      v = v * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else if (c >= 48 && c <= 57) {
      part = part * 10 + (c - 48);
      if (++digits > 3) return -1;
    } else return -1;
  }
  if (dots !== 3 || digits === 0 || part > 255) return -1;
  return v * 256 + part;
}

/**
 * Address → zone (and asset) by longest-prefix match, over the model's subnets and asset addresses.
 * Prefixes either nest or are disjoint, so they flatten into sorted disjoint segments; a lookup is a binary search.
 * The capture hot path builds its own typed-array copy from `segments()`.
 */
import type { Family, Prefix } from '../net/ip.ts';
import { parseIp } from '../net/ip.ts';
import type { Model } from '../model/types.ts';

export interface Owner {
  zoneId: string;
  assetId?: string;
}

export interface Segment {
  lo: bigint;
  hi: bigint;
  owner: Owner;
}

interface Entry {
  prefix: Prefix;
  owner: Owner;
}

function flatten(entries: Entry[]): Segment[] {
  // Outer prefixes first, so each inner one overrides its part of the enclosing range.
  entries.sort((a, b) => (a.prefix.lo < b.prefix.lo ? -1 : a.prefix.lo > b.prefix.lo ? 1 : a.prefix.len - b.prefix.len));
  const out: Segment[] = [];
  const stack: Entry[] = [];
  let cursor = -1n; // last address already emitted
  const emit = (lo: bigint, hi: bigint, owner: Owner) => {
    if (hi < lo) return;
    const last = out[out.length - 1];
    if (last && last.hi + 1n === lo && last.owner === owner) last.hi = hi;
    else out.push({ lo, hi, owner });
  };
  const popUntil = (limit: bigint) => {
    // Emit the rest of every enclosing range that ends before `limit`.
    while (stack.length && stack[stack.length - 1].prefix.hi < limit) {
      const top = stack.pop()!;
      emit(cursor + 1n, top.prefix.hi, top.owner);
      cursor = top.prefix.hi > cursor ? top.prefix.hi : cursor;
    }
  };
  for (const e of entries) {
    popUntil(e.prefix.lo);
    const top = stack[stack.length - 1];
    if (top) {
      emit(cursor + 1n, e.prefix.lo - 1n, top.owner);
    }
    cursor = e.prefix.lo - 1n > cursor ? e.prefix.lo - 1n : cursor;
    stack.push(e);
  }
  popUntil(1n << 129n);
  return out;
}

export class ZoneIndex {
  private readonly v4: Segment[];
  private readonly v6: Segment[];

  constructor(model: Model) {
    const e4: Entry[] = [];
    const e6: Entry[] = [];
    for (const z of model.zones) {
      const zoneOwner: Owner = { zoneId: z.id };
      for (const p of z.prefixes) (p.family === 4 ? e4 : e6).push({ prefix: p, owner: zoneOwner });
      for (const a of z.assets) {
        if (!a.id) continue;
        const owner: Owner = { zoneId: z.id, assetId: a.id };
        for (const p of a.prefixes) (p.family === 4 ? e4 : e6).push({ prefix: p, owner });
      }
    }
    this.v4 = flatten(e4);
    this.v6 = flatten(e6);
  }

  segments(family: Family): readonly Segment[] {
    return family === 4 ? this.v4 : this.v6;
  }

  lookup(family: Family, value: bigint): Owner | undefined {
    const segs = family === 4 ? this.v4 : this.v6;
    let lo = 0;
    let hi = segs.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const s = segs[mid];
      if (value < s.lo) hi = mid - 1;
      else if (value > s.hi) lo = mid + 1;
      else return s.owner;
    }
    return undefined;
  }

  lookupText(ip: string): Owner | undefined {
    const p = parseIp(ip);
    return p.ok ? this.lookup(p.value.family, p.value.value) : undefined;
  }
}

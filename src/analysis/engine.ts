/**
 * Evaluates one first-match ACL over the whole packet space, split into address cells (zones and the gaps
 * between them): rules are indexed by the (source cell, destination cell) pairs they touch, and each cell pair
 * is evaluated on its own with `firstMatch`. The result is a partition of every cell pair into boxes decided
 * by one rule each, which answers "what is permitted from zone A to zone B", "which rule decides it" and
 * "which rules never decide anything" (shadowed). Editing one rule re-evaluates only the cell pairs it touches.
 */
import { ADDR_MAX, PORT_MAX, PROTO_MAX, firstMatch, type Box, type Leaf, type MatchRule } from '../net/space.ts';

export interface Cell {
  lo: number;
  hi: number;
  /** Zone id, or null for addresses in no zone. */
  zone: string | null;
}

/** Sorted, disjoint cells covering the whole address dimension [0, ADDR_MAX]. */
export function cellsFrom(intervals: { lo: number; hi: number; zone: string }[]): Cell[] {
  const sorted = intervals.slice().sort((a, b) => a.lo - b.lo || a.hi - b.hi);
  const out: Cell[] = [];
  let cursor = 0;
  for (const iv of sorted) {
    if (iv.hi < cursor) continue;
    const lo = Math.max(iv.lo, cursor);
    if (lo > cursor) out.push({ lo: cursor, hi: lo - 1, zone: null });
    const last = out[out.length - 1];
    if (last && last.zone === iv.zone && last.hi + 1 === lo) last.hi = iv.hi;
    else out.push({ lo, hi: iv.hi, zone: iv.zone });
    cursor = iv.hi + 1;
  }
  if (cursor <= ADDR_MAX) out.push({ lo: cursor, hi: ADDR_MAX, zone: null });
  return out;
}

/** Index of the cell holding address x (cells cover everything). */
export function cellOf(cells: readonly Cell[], x: number): number {
  let lo = 0;
  let hi = cells.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (cells[mid].lo <= x) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

export class AclEngine {
  readonly cells: readonly Cell[];
  readonly rules: MatchRule[];
  readonly defaultPermit: boolean;
  /** Candidate rule indices (ascending) per cell pair key `i * n + j`. */
  private readonly candidates = new Map<number, number[]>();
  /** Leaves per evaluated cell pair key. */
  readonly leaves = new Map<number, Leaf[]>();
  /** Number of leaves each rule decides. */
  decided: Uint32Array;

  constructor(cells: readonly Cell[], rules: MatchRule[], defaultPermit: boolean) {
    this.cells = cells;
    this.rules = rules;
    this.defaultPermit = defaultPermit;
    this.decided = new Uint32Array(rules.length);
    for (let k = 0; k < rules.length; k++) for (const key of this.pairsOf(rules[k].box)) this.addCandidate(key, k);
  }

  get n(): number {
    return this.cells.length;
  }

  /** Cell pair keys a box touches. */
  pairsOf(box: Box): number[] {
    const n = this.cells.length;
    const i0 = cellOf(this.cells, box[0]);
    const i1 = cellOf(this.cells, box[1]);
    const j0 = cellOf(this.cells, box[2]);
    const j1 = cellOf(this.cells, box[3]);
    const out: number[] = [];
    for (let i = i0; i <= i1; i++) for (let j = j0; j <= j1; j++) out.push(i * n + j);
    return out;
  }

  private addCandidate(key: number, k: number): void {
    const l = this.candidates.get(key);
    if (!l) this.candidates.set(key, [k]);
    else if (l[l.length - 1] < k) l.push(k);
    else {
      // Keep ascending order (only rule edits insert in the middle).
      let p = l.length;
      while (p > 0 && l[p - 1] > k) p--;
      if (l[p - 1] !== k) l.splice(p, 0, k);
    }
  }

  regionOf(key: number): Box {
    const n = this.cells.length;
    const s = this.cells[Math.floor(key / n)];
    const d = this.cells[key % n];
    return [s.lo, s.hi, d.lo, d.hi, 0, PROTO_MAX, 0, PORT_MAX, 0, PORT_MAX];
  }

  /** Evaluates the given cell pairs (all pairs with candidate rules when omitted; the rest take the default). */
  evaluate(keys?: Iterable<number>): void {
    const todo = keys ? [...keys] : [...this.candidates.keys()];
    for (const key of todo) {
      const old = this.leaves.get(key);
      if (old) for (const l of old) if (l.rule >= 0) this.decided[l.rule]--;
      const cand = this.candidates.get(key) ?? [];
      const leaves = firstMatch(this.regionOf(key), this.rules, cand, this.defaultPermit);
      for (const l of leaves) if (l.rule >= 0) this.decided[l.rule]++;
      this.leaves.set(key, leaves);
    }
  }

  /** Leaves of a cell pair: evaluated ones, or the default action over the whole pair. */
  leavesOf(key: number): Leaf[] {
    const l = this.leaves.get(key);
    if (l) return l;
    return [{ box: this.regionOf(key), rule: -1, permit: this.defaultPermit }];
  }

  /** Replaces rule k and re-evaluates only the cell pairs the old or new rule touches; returns those keys. */
  replaceRule(k: number, rule: MatchRule): number[] {
    const oldKeys = this.pairsOf(this.rules[k].box);
    for (const key of oldKeys) {
      const l = this.candidates.get(key)!;
      const p = l.indexOf(k);
      if (p >= 0) l.splice(p, 1);
    }
    this.rules[k] = rule;
    const newKeys = this.pairsOf(rule.box);
    for (const key of newKeys) this.addCandidate(key, k);
    const all = [...new Set([...oldKeys, ...newKeys])];
    this.evaluate(all);
    return all;
  }
}

/**
 * Evaluates one first-match ACL exactly: for every rule, the packets it decides (its box minus every earlier
 * rule's box), as disjoint boxes. Earlier rules that can overlap are found through an index of the address
 * cells (zones and the gaps between them) each rule touches, so a rule is only compared with the few rules
 * that share its cell pairs — and the part of the space no rule matches (the default) is never cut into
 * boxes unless the default is permit. This keeps the output near the number of rules (a naive walk that
 * subtracts every rule from the undecided rest materialises the default's fragments, which grow ≈ n^1.8).
 * A rule spanning several cell pairs is cut per cell pair first (each part meets only its own pair's rules).
 * A rule decides nothing ⇔ earlier rules cover it (shadowed). Editing one rule recomputes only the later
 * rules that overlap its old or new box, only in the cell pairs of those boxes, and reports those pairs.
 */
import { ADDR_MAX, PORT_MAX, PROTO_MAX, boxContains, boxIntersect, boxIntersects, boxSubtract, type Box, type MatchRule } from '../net/space.ts';

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

/** `pieces ∖ b`, in place of a new array. */
function subtractAll(pieces: Box[], b: Box): Box[] {
  const next: Box[] = [];
  for (const p of pieces) {
    if (!boxIntersects(p, b)) next.push(p);
    else for (const q of boxSubtract(p, b)) next.push(q);
  }
  return next;
}

function insertSorted(m: Map<number, number[]>, key: number, k: number): void {
  const l = m.get(key);
  if (!l) m.set(key, [k]);
  else if (l[l.length - 1] < k) l.push(k);
  else {
    let p = l.length;
    while (p > 0 && l[p - 1] > k) p--;
    if (l[p - 1] !== k) l.splice(p, 0, k);
  }
}

function remove(l: number[] | undefined, k: number): void {
  if (!l) return;
  const p = l.indexOf(k);
  if (p >= 0) l.splice(p, 1);
}

const NARROW_PORTS = 4096;

/** Destination-port buckets a rule is filed under: 1 + port/256 for narrow ranges, 0 for wide ones. */
function portBuckets(box: Box): number[] {
  if (box[9] - box[8] >= NARROW_PORTS) return [0];
  const out: number[] = [];
  for (let b = box[8] >> 8; b <= box[9] >> 8; b++) out.push(1 + b);
  return out;
}

/** Destination-host bucket a rule is filed under: single hosts by hash, everything else 0. */
function hostBucket(box: Box): number {
  return box[2] === box[3] ? 1 + (box[2] % 16) : 0;
}

export interface Decided {
  box: Box;
  /** Deciding rule index, -1 for the default action. */
  rule: number;
  permit: boolean;
}

export class AclEngine {
  readonly cells: readonly Cell[];
  readonly rules: MatchRule[];
  readonly defaultPermit: boolean;
  /** Rule indices (ascending) per cell pair key `i * n + j`. */
  private readonly candidates = new Map<number, number[]>();
  /** Packets each rule decides, as disjoint boxes. */
  pieces: Box[][] = [];
  private stamp: Uint32Array;
  private epoch = 0;
  private readonly defaultCache = new Map<number, Box[]>();
  /** Per rule that spans several cell pairs: its pieces per cell pair, in `pairsOf` order (`pieces` joins them). */
  private readonly split = new Map<number, Box[][]>();
  /** The rules whose decided packets the last `replaceRule` recomputed. */
  lastAffected: number[] = [];
  /** What each of `lastAffected` decided before that `replaceRule` (same order). */
  lastOldPieces: Box[][] = [];

  /**
   * A finer index for overlap queries: per cell pair, also by destination-port bucket (256 ports; 0 = wide)
   * and destination host (16 hash buckets; 0 = not a single host). Most rules name one service port and
   * one host, so a rule meets only the few earlier rules of its own buckets plus the wide ones.
   */
  private readonly fine = new Map<number, Map<number, Map<number, number[]>>>();

  constructor(cells: readonly Cell[], rules: MatchRule[], defaultPermit: boolean) {
    this.cells = cells;
    this.rules = rules;
    this.defaultPermit = defaultPermit;
    this.stamp = new Uint32Array(rules.length);
    for (let k = 0; k < rules.length; k++) this.index(k, true);
  }

  private index(k: number, add: boolean): void {
    const box = this.rules[k].box;
    const keys = this.pairsOf(box);
    for (const key of keys) {
      if (add) this.addCandidate(key, k);
      else remove(this.candidates.get(key), k);
    }
    const ports = portBuckets(box);
    const hb = hostBucket(box);
    for (const key of keys) {
      let byPort = this.fine.get(key);
      if (!byPort) {
        byPort = new Map();
        this.fine.set(key, byPort);
      }
      for (const pb of ports) {
        let byHost = byPort.get(pb);
        if (!byHost) {
          byHost = new Map();
          byPort.set(pb, byHost);
        }
        if (add) insertSorted(byHost, hb, k);
        else remove(byHost.get(hb), k);
      }
    }
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
    insertSorted(this.candidates, key, k);
  }

  regionOf(key: number): Box {
    const n = this.cells.length;
    const s = this.cells[Math.floor(key / n)];
    const d = this.cells[key % n];
    return [s.lo, s.hi, d.lo, d.hi, 0, PROTO_MAX, 0, PORT_MAX, 0, PORT_MAX];
  }

  /** Rules that share a cell pair with `box` and intersect it, in order; `before` bounds the index. */
  overlapping(box: Box, before = Infinity, after = -1): number[] {
    this.epoch++;
    if (this.epoch === 0xffffffff) {
      this.stamp.fill(0);
      this.epoch = 1;
    }
    const out: number[] = [];
    const narrowPorts = box[9] - box[8] < NARROW_PORTS;
    const hb0 = box[2] === box[3] ? hostBucket(box) : -1;
    const scan = (l: number[] | undefined) => {
      if (!l) return;
      for (const j of l) {
        if (j >= before) break;
        if (j <= after || this.stamp[j] === this.epoch) continue;
        this.stamp[j] = this.epoch;
        if (boxIntersects(this.rules[j].box, box)) out.push(j);
      }
    };
    const scanHosts = (byHost: Map<number, number[]> | undefined) => {
      if (!byHost) return;
      if (hb0 >= 0) {
        scan(byHost.get(0));
        scan(byHost.get(hb0));
      } else for (const l of byHost.values()) scan(l);
    };
    for (const key of this.pairsOf(box)) {
      const byPort = this.fine.get(key);
      if (!byPort) continue;
      if (narrowPorts) {
        // Wide rules (bucket 0) and the buckets of the query's ports.
        scanHosts(byPort.get(0));
        for (let b = box[8] >> 8; b <= box[9] >> 8; b++) scanHosts(byPort.get(1 + b));
      } else for (const byHost of byPort.values()) scanHosts(byHost);
    }
    return out.sort((a, b) => a - b);
  }

  /** Packets of `box` that none of the `earlier` rules (ascending, all intersecting it) match. */
  private piecesFrom(box: Box, earlier: number[]): Box[] {
    for (const j of earlier) if (boxContains(this.rules[j].box, box)) return [];
    let pieces: Box[] = [box];
    for (const j of earlier) {
      pieces = subtractAll(pieces, this.rules[j].box);
      if (pieces.length === 0) break;
    }
    return pieces;
  }

  /**
   * The packets rule k decides. A rule that spans several cell pairs is cut per cell pair first: each part
   * meets only the earlier rules of its own cell pair (a broad rule is not cut by all of them at once), and
   * an edit recomputes only the parts in the cell pairs it touches (`only`).
   */
  private computePieces(k: number, only?: Set<number>): Box[] {
    const box = this.rules[k].box;
    const cells = this.cells;
    const n = cells.length;
    const i0 = cellOf(cells, box[0]);
    const i1 = cellOf(cells, box[1]);
    const j0 = cellOf(cells, box[2]);
    const j1 = cellOf(cells, box[3]);
    if (i0 === i1 && j0 === j1) {
      this.split.delete(k);
      return this.piecesFrom(box, this.overlapping(box, k));
    }
    const w = j1 - j0 + 1;
    const count = (i1 - i0 + 1) * w;
    const regionPart = (t: number) => boxIntersect(box, this.regionOf((i0 + Math.floor(t / w)) * n + j0 + (t % w)))!;
    let parts = only ? this.split.get(k) : undefined;
    if (parts && parts.length === count && only) {
      for (const key of only) {
        const i = Math.floor(key / n);
        const j = key % n;
        if (i < i0 || i > i1 || j < j0 || j > j1) continue;
        const part = regionPart((i - i0) * w + (j - j0));
        parts[(i - i0) * w + (j - j0)] = this.piecesFrom(part, this.overlapping(part, k));
      }
    } else {
      // One overlap query for the whole box; each earlier rule goes to the cell pairs where it meets the box.
      parts = new Array<Box[]>(count);
      const lists: number[][] = Array.from({ length: count }, () => []);
      const regions = Array.from({ length: count }, (_, t) => regionPart(t));
      for (const e of this.overlapping(box, k)) {
        const eb = this.rules[e].box;
        const a1 = Math.min(i1, cellOf(cells, eb[1]));
        const b0 = Math.max(j0, cellOf(cells, eb[2]));
        const b1 = Math.min(j1, cellOf(cells, eb[3]));
        for (let a = Math.max(i0, cellOf(cells, eb[0])); a <= a1; a++)
          for (let b = b0; b <= b1; b++) {
            const t = (a - i0) * w + (b - j0);
            if (boxIntersects(eb, regions[t])) lists[t].push(e);
          }
      }
      for (let t = 0; t < count; t++) parts[t] = this.piecesFrom(regions[t], lists[t]);
    }
    this.split.set(k, parts);
    return parts.flat();
  }

  evaluate(): void {
    this.split.clear();
    this.pieces = this.rules.map((_, k) => this.computePieces(k));
    this.defaultCache.clear();
  }

  /** Rule k's pieces that can lie in cell pair `key`: the part for that pair when the rule is cut per pair. */
  private piecesOfPair(k: number, key: number): Box[] {
    const parts = this.split.get(k);
    if (!parts) return this.pieces[k];
    const n = this.cells.length;
    const box = this.rules[k].box;
    const i0 = cellOf(this.cells, box[0]);
    const j0 = cellOf(this.cells, box[2]);
    const j1 = cellOf(this.cells, box[3]);
    return parts[(Math.floor(key / n) - i0) * (j1 - j0 + 1) + ((key % n) - j0)];
  }

  /** Does rule k decide any packet? */
  decides(k: number): boolean {
    return this.pieces[k].length > 0;
  }

  /** What the default action decides inside a cell pair: the region minus every rule that touches it. */
  defaultPieces(key: number): Box[] {
    const hit = this.defaultCache.get(key);
    if (hit) return hit;
    let pieces: Box[] = [this.regionOf(key)];
    for (const k of this.candidates.get(key) ?? []) {
      pieces = subtractAll(pieces, this.rules[k].box);
      if (pieces.length === 0) break;
    }
    this.defaultCache.set(key, pieces);
    return pieces;
  }

  /** Permitted packets inside a cell pair, each with the rule that permits it (-1 = the default). */
  permitsIn(key: number): Decided[] {
    const region = this.regionOf(key);
    const out: Decided[] = [];
    for (const k of this.candidates.get(key) ?? []) {
      if (!this.rules[k].permit) continue;
      for (const p of this.piecesOfPair(k, key)) {
        const c = boxIntersect(p, region);
        if (c) out.push({ box: c, rule: k, permit: true });
      }
    }
    if (this.defaultPermit) for (const p of this.defaultPieces(key)) out.push({ box: p, rule: -1, permit: true });
    return out;
  }

  /** The rule that decides one packet (a point: five coordinates), -1 for the default. */
  ruleAt(point: readonly number[]): number {
    const n = this.cells.length;
    const key = cellOf(this.cells, point[0]) * n + cellOf(this.cells, point[1]);
    for (const k of this.candidates.get(key) ?? []) {
      const b = this.rules[k].box;
      let inside = true;
      for (let d = 0; d < 5 && inside; d++) if (point[d] < b[2 * d] || point[d] > b[2 * d + 1]) inside = false;
      if (inside) return k;
    }
    return -1;
  }

  /**
   * Replaces rule k and recomputes what changed: rule k and every later rule that overlaps its old or new
   * box, the later ones only in the cell pairs of those boxes (a rule that overlaps the box lies in a single
   * one of them, or is cut per cell pair, so its pieces elsewhere stay as they are). Returns the cell pairs
   * whose permitted packets (`permitsIn`, boxes and order) may have changed: those of the old and new box.
   */
  replaceRule(k: number, rule: MatchRule): number[] {
    const oldBox = this.rules[k].box;
    const affected = new Set<number>([k, ...this.overlapping(oldBox, Infinity, k)]);
    const oldKeys = this.pairsOf(oldBox);
    this.index(k, false);
    this.rules[k] = rule;
    const newKeys = this.pairsOf(rule.box);
    this.index(k, true);
    for (const j of this.overlapping(rule.box, Infinity, k)) affected.add(j);
    this.lastAffected = [...affected].sort((a, b) => a - b);
    this.lastOldPieces = this.lastAffected.map((j) => this.pieces[j]);
    const keys = new Set([...oldKeys, ...newKeys]);
    for (const key of keys) this.defaultCache.delete(key);
    for (const j of this.lastAffected) this.pieces[j] = j === k ? this.computePieces(j) : this.computePieces(j, keys);
    return [...keys];
  }
}

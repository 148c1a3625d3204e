/**
 * The packet-space algebra: exact sets of packets over five dimensions
 * (source address, destination address, IP protocol, source port, destination port), as unions of
 * disjoint axis-aligned boxes with inclusive integer bounds.
 *
 * Addresses are numbers: IPv4 addresses are their own value (0 … 2^32-1); IPv6 addresses are mapped by an
 * `AddressCoder` onto indices above 2^32 (coordinate compression over every IPv6 boundary the analysis uses),
 * which keeps the whole algebra on doubles and exact. For ICMP (protocol 1 and 58) the destination-port
 * dimension carries the ICMP type, as firewalls match it.
 *
 * Pure and allocation-light; no I/O. Used by src/analysis (verify) and anything else that reasons about ACLs.
 */
import type { Family } from './ip.ts';
import { formatIp } from './ip.ts';

export const SRC = 0;
export const DST = 1;
export const PROTO = 2;
export const SPORT = 3;
export const DPORT = 4;
export const NDIMS = 5;

export const V4_MAX = 2 ** 32 - 1;
/** The largest encoded address (IPv6 indices live in (V4_MAX, ADDR_MAX]). */
export const ADDR_MAX = Number.MAX_SAFE_INTEGER;
export const PROTO_MAX = 255;
export const PORT_MAX = 65535;
export const DIM_MAX = [ADDR_MAX, ADDR_MAX, PROTO_MAX, PORT_MAX, PORT_MAX] as const;

/** `[lo0, hi0, lo1, hi1, …]` over the five dimensions, inclusive bounds. */
export type Box = number[];

export function fullBox(): Box {
  return [0, ADDR_MAX, 0, ADDR_MAX, 0, PROTO_MAX, 0, PORT_MAX, 0, PORT_MAX];
}

export function makeBox(src: [number, number], dst: [number, number], proto: [number, number], sport: [number, number], dport: [number, number]): Box {
  return [src[0], src[1], dst[0], dst[1], proto[0], proto[1], sport[0], sport[1], dport[0], dport[1]];
}

export function boxIntersects(a: Box, b: Box): boolean {
  for (let i = 0; i < 10; i += 2) if (a[i] > b[i + 1] || b[i] > a[i + 1]) return false;
  return true;
}

/** Does `outer` contain `inner` entirely? */
export function boxContains(outer: Box, inner: Box): boolean {
  for (let i = 0; i < 10; i += 2) if (inner[i] < outer[i] || inner[i + 1] > outer[i + 1]) return false;
  return true;
}

export function boxIntersect(a: Box, b: Box): Box | null {
  const out = new Array<number>(10);
  for (let i = 0; i < 10; i += 2) {
    const lo = a[i] > b[i] ? a[i] : b[i];
    const hi = a[i + 1] < b[i + 1] ? a[i + 1] : b[i + 1];
    if (lo > hi) return null;
    out[i] = lo;
    out[i + 1] = hi;
  }
  return out;
}

/** `a ∖ b` as at most 10 disjoint boxes. */
export function boxSubtract(a: Box, b: Box): Box[] {
  if (!boxIntersects(a, b)) return [a];
  const out: Box[] = [];
  const rest = a.slice();
  for (let i = 0; i < 10; i += 2) {
    if (rest[i] < b[i]) {
      const piece = rest.slice();
      piece[i + 1] = b[i] - 1;
      out.push(piece);
      rest[i] = b[i];
    }
    if (rest[i + 1] > b[i + 1]) {
      const piece = rest.slice();
      piece[i] = b[i + 1] + 1;
      out.push(piece);
      rest[i + 1] = b[i + 1];
    }
  }
  return out;
}

/** Number of packets in a box (a double: exact up to 2^53, an estimate beyond). */
export function boxVolume(b: Box): number {
  let v = 1;
  for (let i = 0; i < 10; i += 2) v *= b[i + 1] - b[i] + 1;
  return v;
}

export function boxKey(b: Box): string {
  return b.join(',');
}

function cmpBox(a: Box, b: Box): number {
  for (let i = 0; i < 10; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

/**
 * A set of packets: disjoint boxes. Operations return new sets; `normalize` merges boxes that differ in one
 * dimension only and are adjacent there, and sorts them, so equal inputs give identical output.
 */
export class PacketSet {
  readonly boxes: Box[];

  constructor(boxes: Box[] = []) {
    this.boxes = boxes;
  }

  static of(...boxes: Box[]): PacketSet {
    return new PacketSet().addAll(boxes);
  }

  private addAll(boxes: Box[]): PacketSet {
    let out: Box[] = this.boxes.slice();
    for (const b of boxes) {
      let pieces: Box[] = [b];
      for (const e of out) {
        if (pieces.length === 0) break;
        const next: Box[] = [];
        for (const p of pieces) for (const q of boxSubtract(p, e)) next.push(q);
        pieces = next;
      }
      out = out.concat(pieces);
    }
    return new PacketSet(out);
  }

  isEmpty(): boolean {
    return this.boxes.length === 0;
  }

  union(other: PacketSet): PacketSet {
    return this.addAll(other.boxes);
  }

  intersect(other: PacketSet): PacketSet {
    const out: Box[] = [];
    for (const a of this.boxes) for (const b of other.boxes) {
      const c = boxIntersect(a, b);
      if (c) out.push(c);
    }
    return new PacketSet(out);
  }

  subtract(other: PacketSet): PacketSet {
    let cur = this.boxes;
    for (const b of other.boxes) {
      const next: Box[] = [];
      for (const a of cur) {
        if (!boxIntersects(a, b)) next.push(a);
        else for (const p of boxSubtract(a, b)) next.push(p);
      }
      cur = next;
      if (cur.length === 0) break;
    }
    return new PacketSet(cur);
  }

  contains(point: number[]): boolean {
    return this.boxes.some((b) => {
      for (let d = 0; d < NDIMS; d++) if (point[d] < b[2 * d] || point[d] > b[2 * d + 1]) return false;
      return true;
    });
  }

  volume(): number {
    let v = 0;
    for (const b of this.boxes) v += boxVolume(b);
    return v;
  }

  /** Merges adjacent boxes (equal on four dimensions, touching on the fifth) until none remain; sorted. */
  normalize(): PacketSet {
    return new PacketSet(mergeBoxes(this.boxes));
  }

  equals(other: PacketSet): boolean {
    return this.subtract(other).isEmpty() && other.subtract(this).isEmpty();
  }
}

/**
 * Per dimension d: compare boxes by every other dimension (lo, hi in order), then by the start on d — written
 * out, as this comparator is most of the time `mergeBoxes` takes.
 */
const BY_OTHER_DIMS: ((a: Box, b: Box) => number)[] = Array.from({ length: NDIMS }, (_, d) => {
  const order: number[] = [];
  for (let i = 0; i < 10; i++) if (i !== 2 * d && i !== 2 * d + 1) order.push(i);
  const [i0, i1, i2, i3, i4, i5, i6, i7] = order;
  const lo = 2 * d;
  return (a: Box, b: Box) =>
    a[i0] - b[i0] || a[i1] - b[i1] || a[i2] - b[i2] || a[i3] - b[i3] || a[i4] - b[i4] || a[i5] - b[i5] || a[i6] - b[i6] || a[i7] - b[i7] || a[lo] - b[lo];
});

/** Merges boxes that are equal on all dimensions but one and adjacent on that one; deterministic order. */
export function mergeBoxes(input: Box[]): Box[] {
  if (input.length <= 1) return input.map((b) => b.slice());
  let boxes = input.map((b) => b.slice());
  let changed = true;
  while (changed) {
    changed = false;
    for (let d = NDIMS - 1; d >= 0; d--) {
      const lo = 2 * d;
      // Sort by the other dimensions, then by the start on d: mergeable boxes become neighbours.
      boxes.sort(BY_OTHER_DIMS[d]);
      const out: Box[] = [];
      let cur = boxes[0];
      for (let k = 1; k < boxes.length; k++) {
        const b = boxes[k];
        let same = b[lo] === cur[lo + 1] + 1;
        for (let i = 0; same && i < 10; i++) if (i !== lo && i !== lo + 1 && a_ne(cur, b, i)) same = false;
        if (same) {
          cur[lo + 1] = b[lo + 1];
          changed = true;
        } else {
          out.push(cur);
          cur = b;
        }
      }
      out.push(cur);
      boxes = out;
    }
  }
  return boxes.sort(cmpBox);
}

function a_ne(a: Box, b: Box, i: number): boolean {
  return a[i] !== b[i];
}

// ---------------------------------------------------------------------------------------------------------
// Addresses

/**
 * Maps addresses to the numeric address dimension. IPv4 is the identity; IPv6 intervals are compressed onto
 * indices above 2^32: every IPv6 interval the analysis will use must be registered before `freeze()`.
 */
export class AddressCoder {
  private v6Bounds: bigint[] = [];
  private frozen = false;
  private starts: bigint[] = [];

  /** Registers an IPv6 interval so that it can be encoded exactly. */
  addV6(lo: bigint, hi: bigint): void {
    if (this.frozen) throw new Error('AddressCoder: addV6 after freeze');
    this.v6Bounds.push(lo, hi + 1n);
  }

  freeze(): void {
    if (this.frozen) return;
    const all = [0n, ...this.v6Bounds].filter((x) => x <= (1n << 128n) - 1n);
    all.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const uniq: bigint[] = [];
    for (const x of all) if (uniq.length === 0 || uniq[uniq.length - 1] !== x) uniq.push(x);
    this.starts = uniq;
    this.frozen = true;
  }

  private indexOf(v: bigint): number {
    // Last start ≤ v.
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= v) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Encodes an address interval of one family as a dimension interval. */
  encode(family: Family, lo: bigint, hi: bigint): [number, number] {
    if (family === 4) return [Number(lo), Number(hi)];
    this.freeze();
    const a = this.indexOf(lo);
    const b = this.indexOf(hi);
    if (this.starts[a] !== lo || (b + 1 < this.starts.length ? this.starts[b + 1] !== hi + 1n : hi !== (1n << 128n) - 1n)) {
      throw new Error(`AddressCoder: IPv6 interval was not registered`);
    }
    return [V4_MAX + 1 + a, hi === (1n << 128n) - 1n ? ADDR_MAX : V4_MAX + 1 + b];
  }

  /** The whole IPv6 space as a dimension interval. */
  v6All(): [number, number] {
    return [V4_MAX + 1, ADDR_MAX];
  }

  /** Decodes the lowest address of an encoded value. */
  decode(x: number): { family: Family; value: bigint } {
    if (x <= V4_MAX) return { family: 4, value: BigInt(x) };
    this.freeze();
    return { family: 6, value: this.starts[Math.min(x - V4_MAX - 1, this.starts.length - 1)] };
  }

  /** Decodes an encoded interval to an address interval (IPv6: the real addresses it stands for). */
  decodeRange(lo: number, hi: number): { family: Family; lo: bigint; hi: bigint }[] {
    const out: { family: Family; lo: bigint; hi: bigint }[] = [];
    if (lo <= V4_MAX) out.push({ family: 4, lo: BigInt(lo), hi: BigInt(Math.min(hi, V4_MAX)) });
    if (hi > V4_MAX) {
      this.freeze();
      const a = Math.max(lo, V4_MAX + 1) - V4_MAX - 1;
      const b = Math.min(hi - V4_MAX - 1, this.starts.length - 1);
      if (a <= b) {
        const end = b + 1 < this.starts.length ? this.starts[b + 1] - 1n : (1n << 128n) - 1n;
        out.push({ family: 6, lo: this.starts[a], hi: end });
      }
    }
    return out;
  }

  formatAddress(x: number): string {
    const d = this.decode(x);
    return formatIp(d.family, d.value);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Readable descriptions and example packets

const PROTO_NAMES: Record<number, string> = { 1: 'icmp', 6: 'tcp', 17: 'udp', 47: 'gre', 50: 'esp', 51: 'ah', 58: 'icmp6', 89: 'ospf', 112: 'vrrp', 132: 'sctp' };

export function protocolName(p: number): string {
  return PROTO_NAMES[p] ?? String(p);
}

const hasPorts = (lo: number, hi: number) => lo === hi && (lo === 6 || lo === 17 || lo === 132);

function rangeText(lo: number, hi: number, max: number): string {
  if (lo === 0 && hi === max) return 'any';
  return lo === hi ? String(lo) : `${lo}-${hi}`;
}

/** Smallest CIDR cover text of an address interval: exact prefixes when it is one, `a - b` otherwise. */
export function addressRangeText(coder: AddressCoder, lo: number, hi: number): string {
  if (lo === 0 && hi === ADDR_MAX) return 'any';
  if (lo === 0 && hi === V4_MAX) return 'any4';
  const parts: string[] = [];
  for (const r of coder.decodeRange(lo, hi)) {
    const width = r.family === 4 ? 32 : 128;
    if (r.family === 6 && r.lo === 0n && r.hi === (1n << 128n) - 1n) {
      parts.push('any6');
      continue;
    }
    const size = r.hi - r.lo + 1n;
    const isPow2 = (size & (size - 1n)) === 0n;
    if (isPow2 && r.lo % size === 0n) {
      const len = width - (size.toString(2).length - 1);
      parts.push(len === width ? formatIp(r.family, r.lo) : `${formatIp(r.family, r.lo)}/${len}`);
    } else parts.push(`${formatIp(r.family, r.lo)}-${formatIp(r.family, r.hi)}`);
  }
  return parts.join(',');
}

export function describeBox(coder: AddressCoder, b: Box): string {
  const src = addressRangeText(coder, b[0], b[1]);
  const dst = addressRangeText(coder, b[2], b[3]);
  let proto: string;
  if (b[4] === 0 && b[5] === PROTO_MAX) proto = 'ip';
  else if (b[4] === b[5]) proto = protocolName(b[4]);
  else proto = `proto ${b[4]}-${b[5]}`;
  let ports = '';
  if (hasPorts(b[4], b[5])) {
    const sp = rangeText(b[6], b[7], PORT_MAX);
    const dp = rangeText(b[8], b[9], PORT_MAX);
    ports = (sp !== 'any' ? ` sport ${sp}` : '') + ` dport ${dp}`;
  } else if (b[4] === b[5] && (b[4] === 1 || b[4] === 58)) {
    const t = rangeText(b[8], b[9], PORT_MAX);
    if (t !== 'any' && !(b[8] === 0 && b[9] >= 255)) ports = ` type ${t}`;
  }
  return `${proto} ${src} -> ${dst}${ports}`;
}

/** A readable description of a whole set: merged boxes, one clause each, `limit` clauses at most. */
export function describeSet(coder: AddressCoder, set: PacketSet | Box[], limit = 8): string {
  const boxes = mergeBoxes(set instanceof PacketSet ? set.boxes : set);
  if (boxes.length === 0) return 'nothing';
  const parts = boxes.slice(0, limit).map((b) => describeBox(coder, b));
  if (boxes.length > limit) parts.push(`… and ${boxes.length - limit} more`);
  return parts.join('; ');
}

export interface ExamplePacket {
  src: string;
  dst: string;
  protocol: string;
  src_port: number | null;
  dst_port: number | null;
}

function pick(lo: number, hi: number, preferred: number[]): number {
  for (const p of preferred) if (lo <= p && p <= hi) return p;
  return lo;
}

/** A concrete packet inside the box, preferring typical values (tcp, ephemeral source port, host addresses). */
export function examplePacket(coder: AddressCoder, b: Box, hints: readonly number[] = []): ExamplePacket {
  const addr = (lo: number, hi: number) => {
    // A known host (sorted hints) inside the range reads better than the network's first address.
    let a = 0;
    let z = hints.length;
    while (a < z) {
      const m = (a + z) >> 1;
      if (hints[m] < lo) a = m + 1;
      else z = m;
    }
    if (a < hints.length && hints[a] <= hi) return coder.formatAddress(hints[a]);
    return coder.formatAddress(hi > lo && lo <= V4_MAX && lo % 256 === 0 && lo + 1 <= hi ? lo + 1 : lo);
  };
  const proto = pick(b[4], b[5], [6, 17, 1]);
  const ported = proto === 6 || proto === 17 || proto === 132;
  const icmp = proto === 1 || proto === 58;
  return {
    src: addr(b[0], b[1]),
    dst: addr(b[2], b[3]),
    protocol: protocolName(proto),
    src_port: ported ? pick(b[6], b[7], [40000]) : null,
    dst_port: ported ? pick(b[8], b[9], [502, 443, 22, 80]) : icmp ? pick(b[8], b[9], [8]) : null,
  };
}

// ---------------------------------------------------------------------------------------------------------
// First-match evaluation

export interface MatchRule {
  box: Box;
  permit: boolean;
  /** The caller's id for the rule (e.g. an index into its config rules); several boxes may share one. */
  origin: number;
}

export interface Leaf {
  box: Box;
  /** Index into the rule list of the rule that decides every packet of the box; -1 = the default action. */
  rule: number;
  permit: boolean;
}

/**
 * First-match semantics over an ordered rule list, restricted to `region`: partitions the region into
 * disjoint boxes, each decided entirely by one rule (or by the default). Works dimension by dimension,
 * splitting only at the bounds of rules that still matter, keeping rule order, and merging neighbouring
 * slices whose remaining rule lists are identical; the list is cut after the first rule that covers the
 * rest of the slice, so later rules never fragment what an earlier one already decided.
 */
export function firstMatch(region: Box, rules: readonly MatchRule[], candidates: readonly number[], defaultPermit: boolean): Leaf[] {
  const leaves: Leaf[] = [];
  const box = region.slice();
  // Keep only rules that meet the region.
  const start: number[] = [];
  for (const i of candidates) if (boxIntersects(rules[i].box, region)) start.push(i);
  rec(0, box, start, rules, defaultPermit, leaves);
  return leaves;
}

function coversFrom(r: Box, box: Box, d: number): boolean {
  for (let i = 2 * d; i < 10; i += 2) if (r[i] > box[i] || r[i + 1] < box[i + 1]) return false;
  return true;
}

function sameList(a: number[], b: number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function rec(d: number, box: Box, list: number[], rules: readonly MatchRule[], defaultPermit: boolean, leaves: Leaf[]): void {
  if (list.length === 0) {
    leaves.push({ box: box.slice(), rule: -1, permit: defaultPermit });
    return;
  }
  const first = list[0];
  if (d === NDIMS || coversFrom(rules[first].box, box, d)) {
    leaves.push({ box: box.slice(), rule: first, permit: rules[first].permit });
    return;
  }
  const lo = box[2 * d];
  const hi = box[2 * d + 1];
  // Cut points inside (lo, hi].
  const cuts: number[] = [];
  for (const i of list) {
    const r = rules[i].box;
    const a = r[2 * d];
    const b = r[2 * d + 1];
    if (a > lo && a <= hi) cuts.push(a);
    if (b >= lo && b < hi) cuts.push(b + 1);
  }
  cuts.sort((x, y) => x - y);
  const savedLo = lo;
  const savedHi = hi;
  let segLo = lo;
  let prevList: number[] | null = null;
  let prevLo = lo;
  let prevHi = lo - 1;
  const flush = () => {
    if (prevList === null) return;
    box[2 * d] = prevLo;
    box[2 * d + 1] = prevHi;
    rec(d + 1, box, prevList, rules, defaultPermit, leaves);
  };
  for (let k = 0; k <= cuts.length; k++) {
    const next = k < cuts.length ? cuts[k] : hi + 1;
    if (next <= segLo) continue;
    const segHi = next - 1;
    // Rules active on this elementary slice, in order, cut after the first that covers the rest.
    const sub: number[] = [];
    box[2 * d] = segLo;
    box[2 * d + 1] = segHi;
    for (const i of list) {
      const r = rules[i].box;
      if (r[2 * d] <= segLo && r[2 * d + 1] >= segHi) {
        sub.push(i);
        if (coversFrom(r, box, d + 1)) break;
      }
    }
    if (prevList !== null && sameList(prevList, sub)) {
      prevHi = segHi;
    } else {
      flush();
      prevList = sub;
      prevLo = segLo;
      prevHi = segHi;
    }
    segLo = next;
  }
  flush();
  box[2 * d] = savedLo;
  box[2 * d + 1] = savedHi;
}

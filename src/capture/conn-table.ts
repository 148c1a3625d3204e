/**
 * Connection table: one entry per conversation (canonical 5-tuple: endpoint A < endpoint B), in typed arrays.
 * Open addressing over an Int32 slot array pointing into dense per-entry arrays, so nothing is allocated
 * per packet and memory grows with the number of live conversations only (about 150 bytes each).
 * Direction 0 = A→B, 1 = B→A. The initiator is decided later (SYN, else well-known port).
 */

export const FAMILY_V4 = 4;
export const FAMILY_V6 = 6;

import { APP_PENDING } from './classify.ts';

/**
 * Words per key: [family | proto << 8, portA << 16 | portB, a0..a3, b0..b3], each an int32 (a uint32 above 2^31
 * would be a double, boxed at every call that passes it).
 */
const KW = 10;

/**
 * A conversation table's entries and function-code counts as plain data, for postMessage from a capture worker
 * (every array can be transferred). `ConnTable.absorb` merges it into another table.
 */
export interface ConversationData {
  size: number;
  keys: Int32Array;
  pkts: Float64Array;
  bytes: Float64Array;
  first: Float64Array;
  last: Float64Array;
  syn: Uint8Array;
  firstDir: Uint8Array;
  app: Uint8Array;
  /** One per (entry, direction, code): the entry, direction << 24 | code, and the count. */
  codeEntry: Int32Array;
  codeDirCode: Uint32Array;
  codeCount: Float64Array;
}

export function conversationTransferList(d: ConversationData): ArrayBuffer[] {
  const views = [d.keys, d.pkts, d.bytes, d.first, d.last, d.syn, d.firstDir, d.app, d.codeEntry, d.codeDirCode, d.codeCount];
  return [...new Set(views.map((v) => v.buffer as ArrayBuffer))];
}

export class ConnTable {
  size = 0;
  /**
   * Two words per slot: entry index (-1 = empty) and the key's hash. A probe that meets another key's slot is
   * told apart by the hash, without reading that entry's key (a cache miss each, in a table of a million), and
   * growing re-slots entries from the hashes here, without reading keys at all.
   */
  private slots: Int32Array;
  private mask: number;
  cap: number;
  keys: Int32Array;
  pkts: Float64Array; // [2*i + dir]
  bytes: Float64Array; // [2*i + dir]
  first: Float64Array; // µs
  last: Float64Array;
  /** 0 unknown, 1 = A initiated (SYN from A), 2 = B initiated. */
  syn: Uint8Array;
  /** Direction of the first packet seen (0/1). */
  firstDir: Uint8Array;
  /** Application protocol id (see APP_* in classify.ts); 0 = not yet classified, 255 = gave up. */
  app: Uint8Array;
  /** Number of payload-carrying packets looked at for classification. */
  tries: Uint8Array;
  /** TCP per direction: next expected sequence number and whether it is known. */
  nextSeq: Uint32Array;
  seqOk: Uint8Array;
  /** Stream parser per direction: bytes of the current header collected, bytes still to skip, header bytes. */
  hdrLen: Uint8Array;
  skip: Int32Array;
  hdr: Uint8Array; // 8 per direction
  /** 1 when the stream in this direction could not be framed (counted once). */
  broken: Uint8Array;
  /** Index of the input file the conversation was first seen in (evidence). */
  fileOf: Uint16Array;

  constructor(initialEntries = 1 << 12) {
    this.cap = initialEntries;
    this.keys = new Int32Array(this.cap * KW);
    this.pkts = new Float64Array(this.cap * 2);
    this.bytes = new Float64Array(this.cap * 2);
    this.first = new Float64Array(this.cap);
    this.last = new Float64Array(this.cap);
    this.syn = new Uint8Array(this.cap);
    this.firstDir = new Uint8Array(this.cap);
    this.app = new Uint8Array(this.cap);
    this.tries = new Uint8Array(this.cap);
    this.nextSeq = new Uint32Array(this.cap * 2);
    this.seqOk = new Uint8Array(this.cap * 2);
    this.hdrLen = new Uint8Array(this.cap * 2);
    this.skip = new Int32Array(this.cap * 2);
    this.hdr = new Uint8Array(this.cap * 16);
    this.broken = new Uint8Array(this.cap * 2);
    this.fileOf = new Uint16Array(this.cap);
    const nslots = initialEntries * 2;
    this.slots = new Int32Array(nslots * 2).fill(-1);
    this.mask = nslots - 1;
  }

  private grow(): void {
    const cap = this.cap * 2;
    const g = <T extends Uint8Array | Uint16Array | Uint32Array | Int32Array | Float64Array>(a: T, per: number): T => {
      if (a.length === 0) return a; // released stream state stays released
      const n = new (a.constructor as new (n: number) => T)(cap * per);
      n.set(a);
      return n;
    };
    this.keys = g(this.keys, KW);
    this.pkts = g(this.pkts, 2);
    this.bytes = g(this.bytes, 2);
    this.first = g(this.first, 1);
    this.last = g(this.last, 1);
    this.syn = g(this.syn, 1);
    this.firstDir = g(this.firstDir, 1);
    this.app = g(this.app, 1);
    this.tries = g(this.tries, 1);
    this.nextSeq = g(this.nextSeq, 2);
    this.seqOk = g(this.seqOk, 2);
    this.hdrLen = g(this.hdrLen, 2);
    this.skip = g(this.skip, 2);
    this.hdr = g(this.hdr, 16);
    this.broken = g(this.broken, 2);
    this.fileOf = g(this.fileOf, 1);
    this.cap = cap;
    // Old slots in order, each to its home in the doubled table: home slots then ascend in two runs (s and
    // s + the old slot count), so the rebuild writes nearly in sequence instead of once at random per entry.
    const old = this.slots;
    const nslots = cap * 2;
    const slots = (this.slots = new Int32Array(nslots * 2).fill(-1));
    const mask = (this.mask = nslots - 1);
    for (let i = 0; i < old.length; i += 2) {
      const e = old[i];
      if (e === -1) continue;
      const h = old[i + 1];
      let s = h & mask;
      while (slots[2 * s] !== -1) s = (s + 1) & mask;
      slots[2 * s] = e;
      slots[2 * s + 1] = h;
    }
  }

  /**
   * Finds or inserts the entry for a canonical key (caller orders A < B). Returns the entry index.
   * For IPv4 pass a1..a3 = b1..b3 = 0.
   */
  lookup(w0: number, w1: number, a0: number, a1: number, a2: number, a3: number, b0: number, b1: number, b2: number, b3: number): number {
    const h = hashKey(w0, w1, a0, a1, a2, a3, b0, b1, b2, b3) | 0;
    let s = h & this.mask;
    const k = this.keys;
    const slots = this.slots;
    for (;;) {
      const e = slots[2 * s];
      if (e === -1) break;
      if (slots[2 * s + 1] === h) {
        const o = e * KW;
        if (k[o] === w0 && k[o + 1] === w1 && k[o + 2] === a0 && k[o + 6] === b0 && k[o + 3] === a1 && k[o + 4] === a2 && k[o + 5] === a3 && k[o + 7] === b1 && k[o + 8] === b2 && k[o + 9] === b3) return e;
      }
      s = (s + 1) & this.mask;
    }
    if (this.size >= this.cap) {
      this.grow();
      return this.lookup(w0, w1, a0, a1, a2, a3, b0, b1, b2, b3);
    }
    const e = this.size++;
    slots[2 * s] = e;
    slots[2 * s + 1] = h;
    const o = e * KW;
    k[o] = w0;
    k[o + 1] = w1;
    k[o + 2] = a0;
    k[o + 3] = a1;
    k[o + 4] = a2;
    k[o + 5] = a3;
    k[o + 6] = b0;
    k[o + 7] = b1;
    k[o + 8] = b2;
    k[o + 9] = b3;
    return e;
  }

  family(e: number): number {
    return this.keys[e * KW] & 0xff;
  }
  proto(e: number): number {
    return (this.keys[e * KW] >>> 8) & 0xff;
  }
  portA(e: number): number {
    return this.keys[e * KW + 1] >>> 16;
  }
  portB(e: number): number {
    return this.keys[e * KW + 1] & 0xffff;
  }
  /** Address words of endpoint A (side 0) or B (side 1). */
  addr(e: number, side: number): [number, number, number, number] {
    const o = e * KW + 2 + side * 4;
    return [this.keys[o], this.keys[o + 1], this.keys[o + 2], this.keys[o + 3]];
  }

  /**
   * Frees the per-direction stream-parser state (sequence numbers, framing) once the last packet has been
   * decoded: a third of the table's memory, returned before the flows are built from it.
   */
  releaseStreamState(): void {
    this.tries = new Uint8Array(0);
    this.nextSeq = new Uint32Array(0);
    this.seqOk = new Uint8Array(0);
    this.hdrLen = new Uint8Array(0);
    this.skip = new Int32Array(0);
    this.hdr = new Uint8Array(0);
    this.broken = new Uint8Array(0);
  }

  /** The entries and their function-code counts as transferable data (views of this table's arrays). */
  toData(codes: CodeCounter): ConversationData {
    const n = this.size;
    const codeEntry = new Int32Array(codes.size);
    const codeDirCode = new Uint32Array(codes.size);
    const codeCount = new Float64Array(codes.size);
    let c = 0;
    codes.forEach((entry, dir, code, count) => {
      codeEntry[c] = entry;
      codeDirCode[c] = ((dir << 24) | code) >>> 0;
      codeCount[c++] = count;
    });
    return {
      size: n,
      keys: this.keys.subarray(0, n * KW),
      pkts: this.pkts.subarray(0, 2 * n),
      bytes: this.bytes.subarray(0, 2 * n),
      first: this.first.subarray(0, n),
      last: this.last.subarray(0, n),
      syn: this.syn.subarray(0, n),
      firstDir: this.firstDir.subarray(0, n),
      app: this.app.subarray(0, n),
      codeEntry: codeEntry.subarray(0, c),
      codeDirCode: codeDirCode.subarray(0, c),
      codeCount: codeCount.subarray(0, c),
    };
  }

  /**
   * Merges the conversations another decoder found in a later file (`fileIndex`) as if one decoder had read on:
   * a conversation already here keeps its start, its first direction, its SYN side and the protocol it was
   * classified as, and adds the later packets, bytes and times; function codes go to `codes` when the later
   * part was read as the same protocol. What one decoder would carry across the files' boundary, the framing of
   * a PDU cut there or a segment held for a gap, is the only difference.
   */
  absorb(d: ConversationData, fileIndex: number, codes: CodeCounter): void {
    const k = d.keys;
    const map = new Int32Array(d.size);
    for (let e = 0; e < d.size; e++) {
      const o = e * KW;
      const before = this.size;
      const m = this.lookup(k[o], k[o + 1], k[o + 2], k[o + 3], k[o + 4], k[o + 5], k[o + 6], k[o + 7], k[o + 8], k[o + 9]);
      map[e] = m;
      if (this.size !== before) {
        this.fileOf[m] = fileIndex;
        this.first[m] = d.first[e];
        this.last[m] = d.last[e];
        this.firstDir[m] = d.firstDir[e];
        this.syn[m] = d.syn[e];
        this.app[m] = d.app[e];
      } else {
        if (d.first[e] < this.first[m]) this.first[m] = d.first[e];
        if (d.last[e] > this.last[m]) this.last[m] = d.last[e];
        if (this.syn[m] === 0) this.syn[m] = d.syn[e];
        if (this.app[m] === APP_PENDING) this.app[m] = d.app[e];
        else if (d.app[e] !== this.app[m]) map[e] = -1; // codes read as another protocol: not this one's
      }
      this.pkts[2 * m] += d.pkts[2 * e];
      this.pkts[2 * m + 1] += d.pkts[2 * e + 1];
      this.bytes[2 * m] += d.bytes[2 * e];
      this.bytes[2 * m + 1] += d.bytes[2 * e + 1];
    }
    for (let c = 0; c < d.codeEntry.length; c++) {
      const m = map[d.codeEntry[c]];
      if (m >= 0) codes.add(m, d.codeDirCode[c] >>> 24, d.codeDirCode[c] & 0xffffff, d.codeCount[c]);
    }
  }

  /** Approximate bytes held, for the memory budget. */
  memoryBytes(): number {
    return this.cap * (KW * 4 + 16 + 16 + 8 + 8 + 4 + 8 + 2 + 2 + 8 + 16 + 2 + 2) + this.slots.byteLength;
  }
}

export function hashKey(w0: number, w1: number, a0: number, a1: number, a2: number, a3: number, b0: number, b1: number, b2: number, b3: number): number {
  let h = Math.imul(w0 ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ w1 ^ (h >>> 15), 0xc2b2ae35);
  h = Math.imul(h ^ a0 ^ (h >>> 13), 0x85ebca6b);
  h = Math.imul(h ^ b0 ^ (h >>> 16), 0xc2b2ae35);
  if ((a1 | a2 | a3 | b1 | b2 | b3) !== 0) {
    h = Math.imul(h ^ a1 ^ (h >>> 15), 0x85ebca6b);
    h = Math.imul(h ^ a2 ^ (h >>> 13), 0xc2b2ae35);
    h = Math.imul(h ^ a3 ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ b1 ^ (h >>> 15), 0xc2b2ae35);
    h = Math.imul(h ^ b2 ^ (h >>> 13), 0x85ebca6b);
    h = Math.imul(h ^ b3 ^ (h >>> 16), 0xc2b2ae35);
  }
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * Counters keyed by (entry, direction, code): application function codes per conversation and direction
 * without a Map or an object per packet. Most conversations carry one code per direction (a poll and its
 * answer), so the first code of each (entry, direction) is held inline, indexed by entry in plain arrays
 * (sequential, 12 bytes); only further distinct codes go to an open-addressing table.
 */
export class CodeCounter {
  size = 0;
  private mask: number;
  keyEntry: Int32Array;
  keyCode: Uint32Array; // dir << 24 | code
  counts: Float64Array;
  /** Per entry * 2 + dir: first code + 1 (0 = none) and its count. */
  private firstCode: Int32Array;
  private firstCount: Float64Array;

  constructor(slots = 1 << 10) {
    this.keyEntry = new Int32Array(slots).fill(-1);
    this.keyCode = new Uint32Array(slots);
    this.counts = new Float64Array(slots);
    this.mask = slots - 1;
    this.firstCode = new Int32Array(slots);
    this.firstCount = new Float64Array(slots);
  }

  add(entry: number, dir: number, code: number, n: number): void {
    const i = entry * 2 + dir;
    if (i >= this.firstCode.length) this.growInline(i);
    const fc = this.firstCode[i];
    if (fc === 0) {
      this.firstCode[i] = code + 1;
      this.firstCount[i] = n;
      this.size++;
      return;
    }
    if (fc === code + 1) {
      this.firstCount[i] += n;
      return;
    }
    this.addHashed(entry, dir, code, n);
  }

  private growInline(i: number): void {
    let len = this.firstCode.length * 2;
    while (len <= i) len *= 2;
    const c = new Int32Array(len);
    c.set(this.firstCode);
    const n = new Float64Array(len);
    n.set(this.firstCount);
    this.firstCode = c;
    this.firstCount = n;
  }

  private addHashed(entry: number, dir: number, code: number, n: number): void {
    const kc = ((dir << 24) | code) >>> 0;
    let s = Math.imul(entry ^ Math.imul(kc, 0x9e3779b1), 0x85ebca6b);
    s = (s ^ (s >>> 15)) & this.mask;
    const ke = this.keyEntry;
    for (;;) {
      const e = ke[s];
      if (e === -1) break;
      if (e === entry && this.keyCode[s] === kc) {
        this.counts[s] += n;
        return;
      }
      s = (s + 1) & this.mask;
    }
    if ((this.hashedSize + 1) * 2 > ke.length) {
      this.rehash();
      this.addHashed(entry, dir, code, n);
      return;
    }
    ke[s] = entry;
    this.keyCode[s] = kc;
    this.counts[s] = n;
    this.hashedSize++;
    this.size++;
  }

  private hashedSize = 0;

  private rehash(): void {
    const oe = this.keyEntry;
    const oc = this.keyCode;
    const on = this.counts;
    const slots = oe.length * 2;
    this.keyEntry = new Int32Array(slots).fill(-1);
    this.keyCode = new Uint32Array(slots);
    this.counts = new Float64Array(slots);
    this.mask = slots - 1;
    this.size -= this.hashedSize;
    this.hashedSize = 0;
    for (let i = 0; i < oe.length; i++) if (oe[i] !== -1) this.addHashed(oe[i], oc[i] >>> 24, oc[i] & 0xffffff, on[i]);
  }

  /** Every counter: the inline ones in entry order, then the others in slot order. */
  forEach(fn: (entry: number, dir: number, code: number, count: number) => void): void {
    const fc = this.firstCode;
    for (let i = 0; i < fc.length; i++) if (fc[i] !== 0) fn(i >> 1, i & 1, fc[i] - 1, this.firstCount[i]);
    for (let i = 0; i < this.keyEntry.length; i++) {
      const e = this.keyEntry[i];
      if (e !== -1) fn(e, this.keyCode[i] >>> 24, this.keyCode[i] & 0xffffff, this.counts[i]);
    }
  }
}

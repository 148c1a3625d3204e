/**
 * Flows in columns: one row per (initiator, responder, transport, responder port) with packets, bytes,
 * first/last seen, connection and firewall counts, and ids into interned dictionaries for addresses,
 * strings (protocols, evidence) and function-code maps. A capture with a million distinct flows is a few
 * typed arrays (about 110 bytes a flow), not a million objects; captures fill it straight from the
 * conversation table (worker threads send their conversation tables, merged before flows are made), logs through
 * `addObservation`.
 */
import { Int32Map } from './int-map.ts';
import type { Observation, ObservedTransport } from './observation.ts';

export const TRANSPORT_NAMES: readonly ObservedTransport[] = ['tcp', 'udp', 'icmp', 'other'];
const TRANSPORT_INDEX: Readonly<Record<string, number>> = { tcp: 0, udp: 1, icmp: 2, other: 3 };

/** Function-code or application-name counts; shared between rows and never mutated once interned. */
export type CodeMap = Readonly<Record<string | number, number>>;

/** Map id 0 is the empty map. */
export const NO_MAP = 0;

/** One row as a record (what the store and older callers read). */
export interface AggregatedFlow {
  family: 4 | 6;
  src: string;
  dst: string;
  transport: ObservedTransport;
  dstPort: number;
  protocol: string;
  packets: number;
  bytes: number;
  /** Responder → initiator share (a one-way conduit must see none carrying data). */
  packetsBack: number;
  bytesBack: number;
  first: number;
  last: number;
  connections: number;
  /** Modbus/DNP3 function codes sent by the initiator. */
  requestCodes: Record<number, number>;
  responseCodes: Record<number, number>;
  appCodes: Record<string, number>;
  /** Firewall logs: how many records said allowed / denied. */
  fwAllowed: number;
  fwDenied: number;
  /** Evidence: the first input (file[:line]) this flow was seen in. */
  evidence: string;
}

type Column = Int32Array | Uint8Array | Uint16Array | Float64Array;

export class FlowTable {
  size = 0;
  private cap: number;
  private slots: Int32Array;
  private mask: number;
  src: Int32Array;
  dst: Int32Array;
  transport: Uint8Array;
  dstPort: Float64Array;
  protocol: Int32Array;
  packets: Float64Array;
  bytes: Float64Array;
  packetsBack: Float64Array;
  bytesBack: Float64Array;
  first: Float64Array;
  last: Float64Array;
  connections: Float64Array;
  /** Firewall-log counts; allocated with the first firewall record (captures never need them). */
  fwAllowed: Float64Array | null = null;
  fwDenied: Float64Array | null = null;
  requestCodes: Int32Array;
  responseCodes: Int32Array;
  appCodes: Int32Array;
  evidence: Int32Array;
  readonly addresses: string[] = [];
  private readonly addressIds = new Map<string, number>();
  private readonly v4Ids = new Int32Map();
  readonly strings: string[] = [];
  private readonly stringIds = new Map<string, number>();
  readonly maps: CodeMap[] = [Object.freeze({})];
  private readonly mapIds = new Map<string, number>([['', NO_MAP]]);

  constructor(initialRows = 1024) {
    this.cap = Math.max(16, initialRows);
    this.src = new Int32Array(this.cap);
    this.dst = new Int32Array(this.cap);
    this.transport = new Uint8Array(this.cap);
    this.dstPort = new Float64Array(this.cap);
    this.protocol = new Int32Array(this.cap);
    this.packets = new Float64Array(this.cap);
    this.bytes = new Float64Array(this.cap);
    this.packetsBack = new Float64Array(this.cap);
    this.bytesBack = new Float64Array(this.cap);
    this.first = new Float64Array(this.cap);
    this.last = new Float64Array(this.cap);
    this.connections = new Float64Array(this.cap);
    this.requestCodes = new Int32Array(this.cap);
    this.responseCodes = new Int32Array(this.cap);
    this.appCodes = new Int32Array(this.cap);
    this.evidence = new Int32Array(this.cap);
    this.slots = new Int32Array(0);
    this.mask = 0;
    this.reindex();
  }

  private columnNames(): string[] {
    return COLUMN_NAMES;
  }

  private grow(): void {
    const cap = this.cap * 2;
    const self = this as unknown as Record<string, Column>;
    for (const name of this.columnNames()) {
      const old = self[name];
      if (!old) continue;
      const n = new (old.constructor as new (n: number) => Column)(cap);
      n.set(old);
      self[name] = n;
    }
    this.cap = cap;
    this.reindex();
  }

  /**
   * Slots for the current capacity (a power of two at least twice it, so probing always ends), filled. Two
   * words per slot, row (-1 = empty) and the key's hash: probes past other keys compare hashes, not rows.
   * After growth the old slots are re-slotted in order from their hashes, which writes nearly in sequence.
   */
  private reindex(): void {
    let nslots = 16;
    while (nslots < this.cap * 2) nslots *= 2;
    const old = this.slots;
    const slots = (this.slots = new Int32Array(nslots * 2).fill(-1));
    const mask = (this.mask = nslots - 1);
    const place = (r: number, h: number) => {
      let s = h & mask;
      while (slots[2 * s] !== -1) s = (s + 1) & mask;
      slots[2 * s] = r;
      slots[2 * s + 1] = h;
    };
    for (let i = 0; i < old.length; i += 2) if (old[i] !== -1) place(old[i], old[i + 1]);
  }

  /** The row for (initiator, responder, transport, responder port); a new row is zeroed with NaN times. */
  row(src: number, dst: number, transport: number, dstPort: number): number {
    const s = this.slotOf(src, dst, transport, dstPort);
    if (this.slots[2 * s] !== -1) return this.slots[2 * s];
    if (this.size >= this.cap) {
      this.grow();
      return this.row(src, dst, transport, dstPort);
    }
    const r = this.size++;
    this.slots[2 * s] = r;
    this.slots[2 * s + 1] = this.probedHash;
    this.src[r] = src;
    this.dst[r] = dst;
    this.transport[r] = transport;
    this.dstPort[r] = dstPort;
    this.first[r] = NaN;
    this.last[r] = NaN;
    return r;
  }

  /** Hash of the key `slotOf` last looked for. */
  private probedHash = 0;

  /** The slot that holds this flow's row, or the empty slot where it would go. */
  private slotOf(src: number, dst: number, transport: number, dstPort: number): number {
    const h = hashRow(src, dst, transport, dstPort);
    this.probedHash = h;
    const slots = this.slots;
    let s = h & this.mask;
    for (;;) {
      const r = slots[2 * s];
      if (r === -1 || (slots[2 * s + 1] === h && this.src[r] === src && this.dst[r] === dst && this.dstPort[r] === dstPort && this.transport[r] === transport)) return s;
      s = (s + 1) & this.mask;
    }
  }

  address(text: string): number {
    // Rows often come grouped by initiator (a sorted store, a host's conversations): skip the lookup then.
    if (text === this.lastAddress) return this.lastAddressId;
    this.lastAddress = text;
    return (this.lastAddressId = intern(this.addresses, this.addressIds, text));
  }

  private lastAddress: string | undefined;
  private lastAddressId = -1;

  /** Address id for an IPv4 address as an unsigned integer (its text is made once). */
  addressV4(v: number): number {
    if (v === this.lastV4) return this.lastV4Id;
    let id = this.v4Ids.get(v);
    if (id === -1) {
      id = this.address(`${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`);
      this.v4Ids.set(v, id);
    }
    this.lastV4 = v;
    this.lastV4Id = id;
    return id;
  }

  private lastV4 = -1;
  private lastV4Id = -1;

  string(s: string): number {
    return intern(this.strings, this.stringIds, s);
  }

  /** Interned id of a map with these counts (equal maps share one id and one object). */
  map(m: CodeMap): number {
    let key = '';
    for (const k in m) key += mapKeyPart(k, m[k]);
    return this.mapByKey(key, m);
  }

  /** `map` for a map given as its key (see `mapKeyPart`, ascending code order); the object is built only when new. */
  mapByKey(key: string, m?: CodeMap): number {
    let id = this.mapIds.get(key);
    if (id === undefined) {
      id = this.maps.length;
      this.maps.push(Object.freeze(m ? { ...m } : parseMapKey(key)));
      this.mapIds.set(key, id);
    }
    return id;
  }

  /** Id of the sum of two interned maps. */
  mergeMaps(a: number, b: number): number {
    if (b === NO_MAP) return a;
    if (a === NO_MAP) return b;
    const out: Record<string, number> = { ...this.maps[a] };
    const add = this.maps[b];
    for (const k in add) out[k] = (out[k] ?? 0) + add[k];
    return this.map(out);
  }

  /**
   * The row of a flow given by its text fields (made when new, with this protocol and evidence: `file`, or
   * `file:line` when a line is given; the text is made only for a new row).
   */
  addFlow(src: string, dst: string, transport: string, dstPort: number, protocol: string, evidenceFile: string, evidenceLine?: number): number {
    const ti = TRANSPORT_INDEX.hasOwnProperty(transport) ? TRANSPORT_INDEX[transport] : 3;
    const before = this.size;
    const r = this.row(this.address(src), this.address(dst), ti, dstPort);
    if (this.size !== before) {
      this.protocol[r] = this.string(protocol);
      this.evidence[r] = this.string(evidenceLine !== undefined ? `${evidenceFile}:${evidenceLine}` : evidenceFile);
    } else if (protocol !== 'unknown' && this.strings[this.protocol[r]] === 'unknown') this.protocol[r] = this.string(protocol);
    return r;
  }

  /** The row of an existing flow, or -1. */
  findFlow(src: string, dst: string, transport: string, dstPort: number): number {
    const s = this.addressIds.get(src);
    const d = this.addressIds.get(dst);
    if (s === undefined || d === undefined) return -1;
    const ti = TRANSPORT_INDEX.hasOwnProperty(transport) ? TRANSPORT_INDEX[transport] : 3;
    return this.slots[2 * this.slotOf(s, d, ti, dstPort)];
  }

  /** Merges one observation (a log record or a conversation) into its flow. */
  addObservation(o: Observation): void {
    // Maps merge with mergeMaps (NO_MAP for a new row), so a new row and an existing one take the same path.
    const r = this.addFlow(o.src, o.dst, o.transport, o.dstPort, o.protocol, o.file, o.line);
    this.requestCodes[r] = this.mergeMaps(this.requestCodes[r], this.map(o.requestCodes));
    this.responseCodes[r] = this.mergeMaps(this.responseCodes[r], this.map(o.responseCodes));
    this.appCodes[r] = this.mergeMaps(this.appCodes[r], this.map(o.appCodes));
    this.addCounts(r, o.packetsOut, o.bytesOut, o.packetsIn, o.bytesIn, o.first, o.last, o.connections);
    if (o.action) this.addFirewall(r, o.action === 'allowed' ? o.connections : 0, o.action === 'denied' ? o.connections : 0);
  }

  addCounts(r: number, packetsOut: number, bytesOut: number, packetsIn: number, bytesIn: number, first: number, last: number, connections: number): void {
    this.packets[r] += packetsOut + packetsIn;
    this.bytes[r] += bytesOut + bytesIn;
    this.packetsBack[r] += packetsIn;
    this.bytesBack[r] += bytesIn;
    if (!(this.first[r] <= first) && !Number.isNaN(first)) this.first[r] = first;
    if (!(this.last[r] >= last) && !Number.isNaN(last)) this.last[r] = last;
    this.connections[r] += connections;
  }

  addFirewall(r: number, allowed: number, denied: number): void {
    if (!allowed && !denied) return;
    this.fwAllowed ??= new Float64Array(this.cap);
    this.fwDenied ??= new Float64Array(this.cap);
    this.fwAllowed[r] += allowed;
    this.fwDenied[r] += denied;
  }

  /** Firewall-log counts of row r, or undefined when no firewall record named it. */
  firewall(r: number): { allowed: number; denied: number } | undefined {
    const a = this.fwAllowed?.[r] ?? 0;
    const d = this.fwDenied?.[r] ?? 0;
    return a || d ? { allowed: a, denied: d } : undefined;
  }

  family(r: number): 4 | 6 {
    return this.addresses[this.src[r]].includes(':') ? 6 : 4;
  }

  transportName(r: number): ObservedTransport {
    return TRANSPORT_NAMES[this.transport[r]];
  }

  protocolName(r: number): string {
    return this.strings[this.protocol[r]];
  }

  /** Row r as a record. */
  record(r: number): AggregatedFlow {
    return {
      family: this.family(r),
      src: this.addresses[this.src[r]],
      dst: this.addresses[this.dst[r]],
      transport: this.transportName(r),
      dstPort: this.dstPort[r],
      protocol: this.protocolName(r),
      packets: this.packets[r],
      bytes: this.bytes[r],
      packetsBack: this.packetsBack[r],
      bytesBack: this.bytesBack[r],
      first: this.first[r],
      last: this.last[r],
      connections: this.connections[r],
      requestCodes: this.maps[this.requestCodes[r]] as Record<number, number>,
      responseCodes: this.maps[this.responseCodes[r]] as Record<number, number>,
      appCodes: this.maps[this.appCodes[r]] as Record<string, number>,
      fwAllowed: this.fwAllowed?.[r] ?? 0,
      fwDenied: this.fwDenied?.[r] ?? 0,
      evidence: this.strings[this.evidence[r]],
    };
  }

  /**
   * Row r as one Observation (for callers that read observations; firewall counts become `action`). A flow
   * has no single source port or way its initiator was found: `srcPort` is 0 and `initiatorBy` 'log'.
   */
  observation(r: number): Observation {
    const family = this.family(r);
    const transport = this.transportName(r);
    const protocol = this.protocolName(r);
    const o: Observation = {
      family,
      src: this.addresses[this.src[r]],
      dst: this.addresses[this.dst[r]],
      transport,
      ipProto: transport === 'tcp' ? 6 : transport === 'udp' ? 17 : transport === 'icmp' ? (family === 6 ? 58 : 1) : Number(/^ip-proto-(\d+)$/.exec(protocol)?.[1] ?? 0),
      srcPort: 0,
      dstPort: this.dstPort[r],
      protocol,
      packetsOut: this.packets[r] - this.packetsBack[r],
      bytesOut: this.bytes[r] - this.bytesBack[r],
      packetsIn: this.packetsBack[r],
      bytesIn: this.bytesBack[r],
      first: this.first[r],
      last: this.last[r],
      initiatorBy: 'log',
      requestCodes: this.maps[this.requestCodes[r]] as Record<number, number>,
      responseCodes: this.maps[this.responseCodes[r]] as Record<number, number>,
      appCodes: this.maps[this.appCodes[r]] as Record<string, number>,
      connections: this.connections[r],
      file: this.strings[this.evidence[r]],
    };
    const fw = this.firewall(r);
    if (fw?.denied && !fw.allowed) o.action = 'denied';
    else if (fw?.allowed) o.action = 'allowed';
    return o;
  }

  *records(): Generator<AggregatedFlow> {
    for (let r = 0; r < this.size; r++) yield this.record(r);
  }

  observations(): Observation[] {
    const out: Observation[] = new Array(this.size);
    for (let r = 0; r < this.size; r++) out[r] = this.observation(r);
    return out;
  }

  static fromObservations(observations: Iterable<Observation>): FlowTable {
    const t = new FlowTable();
    for (const o of observations) t.addObservation(o);
    return t;
  }
}

const COLUMN_NAMES = [
  'src', 'dst', 'transport', 'dstPort', 'protocol', 'packets', 'bytes', 'packetsBack', 'bytesBack',
  'first', 'last', 'connections', 'fwAllowed', 'fwDenied', 'requestCodes', 'responseCodes', 'appCodes', 'evidence',
];

export const CODES_REQUEST = 0;
export const CODES_RESPONSE = 1;
export const CODES_APP = 2;

/**
 * Function-code counts added to rows one count at a time (from a conversation table or a store): a row's
 * first code takes an interned one-entry map (a million short polls share `{3: 1}`); a row that gets more
 * sums them in a private object, interned by `finish`. Nothing is allocated per count in the common case.
 */
export class CodeSums {
  private readonly pending = [new Map<number, Record<string, number>>(), new Map<number, Record<string, number>>(), new Map<number, Record<string, number>>()];
  private readonly singles = new Map<number, number>();
  private lastKey = -1;
  private lastId = NO_MAP;

  constructor(private readonly table: FlowTable) {}

  private column(kind: number): Int32Array {
    return kind === CODES_REQUEST ? this.table.requestCodes : kind === CODES_RESPONSE ? this.table.responseCodes : this.table.appCodes;
  }

  add(kind: number, r: number, code: string | number, count: number): void {
    const col = this.column(kind);
    if (col[r] === NO_MAP) {
      col[r] = this.single(code, count);
      return;
    }
    let open = this.pending[kind].get(r);
    if (!open) this.pending[kind].set(r, (open = { ...this.table.maps[col[r]] }));
    open[code] = (open[code] ?? 0) + count;
  }

  private single(code: string | number, count: number): number {
    if (typeof code !== 'number' || code >= 65536 || count >= 16384) return this.table.mapByKey(mapKeyPart(code, count));
    const key = count * 65536 + code;
    if (key === this.lastKey) return this.lastId;
    let id = this.singles.get(key);
    if (id === undefined) this.singles.set(key, (id = this.table.mapByKey(mapKeyPart(code, count))));
    this.lastKey = key;
    this.lastId = id;
    return id;
  }

  finish(): void {
    for (let kind = CODES_REQUEST; kind <= CODES_APP; kind++) {
      const col = this.column(kind);
      for (const [r, m] of this.pending[kind]) col[r] = this.table.map(m);
      this.pending[kind].clear();
    }
  }
}

function intern(list: string[], ids: Map<string, number>, s: string): number {
  let id = ids.get(s);
  if (id === undefined) {
    id = list.length;
    list.push(s);
    ids.set(s, id);
  }
  return id;
}

function hashRow(src: number, dst: number, transport: number, port: number): number {
  let h = Math.imul(src ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ dst ^ (h >>> 15), 0xc2b2ae35);
  h = Math.imul(h ^ ((transport << 24) ^ (port | 0)) ^ (h >>> 13), 0x85ebca6b);
  return h ^ (h >>> 16); // an int32, as the slots hold it
}

function parseMapKey(key: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of key.split('\u0002')) {
    if (!part) continue;
    const i = part.indexOf('\u0001');
    out[part.slice(0, i)] = Number(part.slice(i + 1));
  }
  return out;
}

/** One entry of a map key: control characters never occur in codes or application names. */
export function mapKeyPart(code: string | number, count: number): string {
  return `${code}\u0001${count}\u0002`;
}

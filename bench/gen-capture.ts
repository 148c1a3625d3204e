/**
 * Generates a realistic capture of the example plant (examples/refinery-unit3.yaml): hundreds of hosts across
 * its zones, Modbus/TCP polling with some writes, OPC UA, DNP3, HTTPS, RDP, the diode's UDP replication,
 * 802.1Q and QinQ tags; optionally planted violations (a Modbus write from level 3, RDP from the enterprise
 * straight into control, a rogue device). Sized by bytes; pcap or pcapng.
 *
 *   node --import tsx bench/gen-capture.ts OUT.pcap --size 1G [--pcapng] [--planted] [--seed N]
 *   node --import tsx bench/gen-capture.ts OUT.pcap --flows 1000000      (one short Modbus connection per flow)
 *
 * Frames are built once per conversation and patched per packet (sequence numbers, Modbus transaction id,
 * timestamp), so a gigabyte takes seconds.
 */
import { closeSync, openSync, writeSync } from 'node:fs';

export interface GenOptions {
  out: string;
  /** Stop after about this many bytes of file. */
  bytes: number;
  format: 'pcap' | 'pcapng';
  /** `plant`: the realistic mix; `planted`: few flows + the planted violations (tests); `churn`: `flows` short Modbus connections, each its own flow. */
  scenario: 'plant' | 'planted' | 'churn';
  /** churn: number of distinct flows. */
  flows?: number;
  seed?: number;
  /** Rounds (poll cycles) for the planted scenario. */
  rounds?: number;
}

export interface GenResult {
  packets: number;
  bytes: number;
  flows: number;
}

type Kind = 'modbus' | 'opcua' | 'dnp3' | 'https' | 'rdp' | 'diode' | 'dns';

interface FlowSpec {
  src: string;
  dst: string;
  sport: number;
  dport: number;
  kind: Kind;
  tags: number[]; // VLAN ids; two = QinQ (outer 802.1ad)
  /** Modbus: function codes used in turn by the requests. */
  codes?: number[];
  /** Exchanges per round. */
  weight: number;
}

function ipBytes(ip: string): number[] {
  return ip.split('.').map(Number);
}

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

/** The flows of the example plant. */
export function plantFlows(scenario: 'plant' | 'planted', seed = 1): FlowSpec[] {
  const r = rng(seed);
  const flows: FlowSpec[] = [];
  let port = 40000;
  const eph = () => (port = port >= 65000 ? 40000 : port + 1);
  const plcs = Array.from({ length: 12 }, (_, i) => `10.20.1.${10 + i}`);
  const hmis = Array.from({ length: 6 }, (_, i) => `10.20.2.${11 + i}`);
  const HIST = '10.30.1.50';
  if (scenario === 'planted') {
    // Legitimate: HIST-01 polls PLC-01 and PLC-03 (FC 3/4, allowed by C1), HMI-01 polls and writes PLC-01 (intra-zone),
    // HMI-01 → HIST-01 OPC UA (C1), Z3 → WSUS HTTPS (C2), enterprise → jump server RDP and historian HTTPS (C3),
    // the diode's UDP replication (C4), DNP3 inside Z2.
    flows.push({ src: HIST, dst: plcs[0], sport: eph(), dport: 502, kind: 'modbus', tags: [20], codes: [3, 4], weight: 1 });
    flows.push({ src: HIST, dst: plcs[2], sport: eph(), dport: 502, kind: 'modbus', tags: [20], codes: [3], weight: 1 });
    flows.push({ src: hmis[0], dst: plcs[0], sport: eph(), dport: 502, kind: 'modbus', tags: [20], codes: [3, 16], weight: 1 });
    flows.push({ src: hmis[0], dst: HIST, sport: eph(), dport: 4840, kind: 'opcua', tags: [20], weight: 1 });
    flows.push({ src: '10.30.1.52', dst: '172.16.1.60', sport: eph(), dport: 443, kind: 'https', tags: [100, 30], weight: 1 });
    flows.push({ src: '10.40.3.10', dst: '172.16.1.70', sport: eph(), dport: 3389, kind: 'rdp', tags: [], weight: 1 });
    flows.push({ src: '10.40.3.11', dst: '172.16.1.50', sport: eph(), dport: 443, kind: 'https', tags: [], weight: 1 });
    flows.push({ src: '10.30.1.100', dst: '172.16.1.100', sport: 5450, dport: 5450, kind: 'diode', tags: [30], weight: 1 });
    flows.push({ src: '10.20.3.10', dst: plcs[4], sport: eph(), dport: 20000, kind: 'dnp3', tags: [20], weight: 1 });
    // Planted violations.
    flows.push({ src: HIST, dst: plcs[1], sport: eph(), dport: 502, kind: 'modbus', tags: [20], codes: [3, 6, 3, 16], weight: 1 }); // write from level 3
    flows.push({ src: '10.40.3.25', dst: hmis[1], sport: eph(), dport: 3389, kind: 'rdp', tags: [], weight: 1 }); // enterprise straight into control
    flows.push({ src: '192.168.77.5', dst: plcs[2], sport: eph(), dport: 502, kind: 'modbus', tags: [20], codes: [3], weight: 1 }); // rogue device
    return flows;
  }
  // Hundreds of hosts: 12 named PLCs plus 150 field controllers, 6 HMIs, 20 SCADA clients, Z3 servers, 250 users.
  const field = Array.from({ length: 150 }, (_, i) => `10.20.${10 + (i >> 6)}.${10 + (i & 63)}`);
  const ctrl = [...plcs, ...field];
  const scada = Array.from({ length: 20 }, (_, i) => `10.20.4.${10 + i}`);
  for (const c of ctrl) {
    flows.push({ src: HIST, dst: c, sport: eph(), dport: 502, kind: 'modbus', tags: [20], codes: [3, 4], weight: 2 });
    const h = hmis[Math.floor(r() * hmis.length)];
    flows.push({ src: h, dst: c, sport: eph(), dport: 502, kind: 'modbus', tags: [20], codes: [3, 3, 3, 3, 3, 3, 3, 16], weight: 3 });
    const s = scada[Math.floor(r() * scada.length)];
    flows.push({ src: s, dst: c, sport: eph(), dport: 502, kind: 'modbus', tags: [100, 20], codes: [3, 1, 2, 4], weight: 2 }); // QinQ
  }
  for (let i = 0; i < 40; i++) flows.push({ src: '10.20.3.10', dst: field[i], sport: eph(), dport: 20000, kind: 'dnp3', tags: [20], weight: 1 });
  for (const h of [...hmis, ...scada]) flows.push({ src: h, dst: HIST, sport: eph(), dport: 4840, kind: 'opcua', tags: [20], weight: 1 });
  for (const s of ['10.30.1.50', '10.30.1.51', '10.30.1.52', '10.30.1.53', '10.30.1.60']) flows.push({ src: s, dst: '172.16.1.60', sport: eph(), dport: 443, kind: 'https', tags: [30], weight: 1 });
  for (let i = 0; i < 250; i++) {
    const u = `10.40.3.${i + 1}`;
    flows.push({ src: u, dst: i % 3 ? '172.16.1.50' : '172.16.1.70', sport: eph(), dport: 443, kind: 'https', tags: [], weight: 1 });
    if (i % 10 === 0) flows.push({ src: u, dst: '172.16.1.70', sport: eph(), dport: 3389, kind: 'rdp', tags: [], weight: 1 });
  }
  flows.push({ src: '10.30.1.100', dst: '172.16.1.100', sport: 5450, dport: 5450, kind: 'diode', tags: [30], weight: 4 });
  // Violations in the realistic capture too: a level-3 write, RDP into control, a rogue device.
  flows.push({ src: HIST, dst: plcs[1], sport: eph(), dport: 502, kind: 'modbus', tags: [20], codes: [3, 6, 16], weight: 1 });
  flows.push({ src: '10.40.3.25', dst: hmis[1], sport: eph(), dport: 3389, kind: 'rdp', tags: [], weight: 1 });
  flows.push({ src: '192.168.77.5', dst: plcs[2], sport: eph(), dport: 502, kind: 'modbus', tags: [20], codes: [3], weight: 1 });
  return flows;
}

const MAC_A = [0x00, 0x1d, 0x9c, 0x00, 0x00, 0x01];
const MAC_B = [0x00, 0x1d, 0x9c, 0x00, 0x00, 0x02];

/** Ethernet (+ tags) + IPv4 + TCP/UDP header for one direction; returns bytes and field offsets. */
function frameHeader(f: FlowSpec, reverse: boolean, udp: boolean): { hdr: number[]; ipOff: number; l4Off: number } {
  const h: number[] = [...(reverse ? MAC_B : MAC_A), ...(reverse ? MAC_A : MAC_B)];
  if (f.tags.length === 2) h.push(0x88, 0xa8, f.tags[0] >> 8, f.tags[0] & 255, 0x81, 0x00, f.tags[1] >> 8, f.tags[1] & 255);
  else if (f.tags.length === 1) h.push(0x81, 0x00, f.tags[0] >> 8, f.tags[0] & 255);
  h.push(0x08, 0x00);
  const ipOff = h.length;
  const [s, d] = reverse ? [f.dst, f.src] : [f.src, f.dst];
  h.push(0x45, 0, 0, 0, 0, 0, 0x40, 0, 64, udp ? 17 : 6, 0, 0, ...ipBytes(s), ...ipBytes(d));
  const l4Off = h.length;
  const [sp, dp] = reverse ? [f.dport, f.sport] : [f.sport, f.dport];
  if (udp) h.push(sp >> 8, sp & 255, dp >> 8, dp & 255, 0, 0, 0, 0);
  else h.push(sp >> 8, sp & 255, dp >> 8, dp & 255, 0, 0, 0, 0, 0, 0, 0, 0, 0x50, 0x18, 0xff, 0xff, 0, 0, 0, 0);
  return { hdr: h, ipOff, l4Off };
}

class Writer {
  private buf = Buffer.allocUnsafe(8 * 1024 * 1024);
  private n = 0;
  written = 0;
  packets = 0;
  private fd: number;
  constructor(
    path: string,
    private readonly ng: boolean,
  ) {
    this.fd = openSync(path, 'w');
    if (ng) {
      const shb = Buffer.alloc(28);
      shb.writeUInt32LE(0x0a0d0d0a, 0);
      shb.writeUInt32LE(28, 4);
      shb.writeUInt32LE(0x1a2b3c4d, 8);
      shb.writeUInt16LE(1, 12);
      shb.writeBigInt64LE(-1n, 16);
      shb.writeUInt32LE(28, 24);
      const idb = Buffer.alloc(20);
      idb.writeUInt32LE(1, 0);
      idb.writeUInt32LE(20, 4);
      idb.writeUInt16LE(1, 8);
      idb.writeUInt32LE(65535, 12);
      idb.writeUInt32LE(20, 16);
      this.raw(Buffer.concat([shb, idb]));
    } else {
      const gh = Buffer.alloc(24);
      gh.writeUInt32LE(0xa1b2c3d4, 0);
      gh.writeUInt16LE(2, 4);
      gh.writeUInt16LE(4, 6);
      gh.writeUInt32LE(65535, 16);
      gh.writeUInt32LE(1, 20);
      this.raw(gh);
    }
  }
  private raw(b: Buffer): void {
    if (this.n + b.length > this.buf.length) this.flush();
    b.copy(this.buf, this.n);
    this.n += b.length;
    this.written += b.length;
  }
  flush(): void {
    if (this.n) writeSync(this.fd, this.buf, 0, this.n);
    this.n = 0;
  }
  /** Appends a frame; returns the offset of the frame bytes in the buffer for patching. */
  frame(tsUs: number, len: number): number {
    const pad = this.ng ? (4 - (len & 3)) & 3 : 0;
    const rec = this.ng ? 28 + len + pad + 4 : 16 + len;
    if (this.n + rec > this.buf.length) this.flush();
    const b = this.buf;
    let o = this.n;
    const sec = Math.floor(tsUs / 1e6);
    if (this.ng) {
      b.writeUInt32LE(6, o);
      b.writeUInt32LE(rec, o + 4);
      b.writeUInt32LE(0, o + 8);
      b.writeUInt32LE(Math.floor(tsUs / 4294967296), o + 12);
      b.writeUInt32LE(tsUs % 4294967296 >>> 0, o + 16);
      b.writeUInt32LE(len, o + 20);
      b.writeUInt32LE(len, o + 24);
      o += 28;
      b.fill(0, o + len, o + len + pad);
      b.writeUInt32LE(rec, o + len + pad);
    } else {
      b.writeUInt32LE(sec, o);
      b.writeUInt32LE(tsUs - sec * 1e6, o + 4);
      b.writeUInt32LE(len, o + 8);
      b.writeUInt32LE(len, o + 12);
      o += 16;
    }
    this.n += rec;
    this.written += rec;
    this.packets++;
    return o;
  }
  get buffer(): Buffer {
    return this.buf;
  }
  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

interface Conv {
  f: FlowSpec;
  fwd: { hdr: Buffer; ipOff: number; l4Off: number };
  rev: { hdr: Buffer; ipOff: number; l4Off: number };
  seqC: number;
  seqS: number;
  tid: number;
  step: number;
  opened: boolean;
}

function modbusRequest(fc: number, tid: number): number[] {
  const pdu = fc === 6 ? [fc, 0, 99, 0, 1] : fc === 16 ? [fc, 0, 99, 0, 2, 4, 0, 1, 0, 2] : [fc, 0, 0, 0, 10];
  return [tid >> 8, tid & 255, 0, 0, 0, pdu.length + 1, 1, ...pdu];
}
function modbusResponse(fc: number, tid: number): number[] {
  const pdu = fc === 6 ? [fc, 0, 99, 0, 1] : fc === 16 ? [fc, 0, 99, 0, 2] : fc <= 2 ? [fc, 2, 0xaa, 0x55] : [fc, 20, ...new Array(20).fill(7)];
  return [tid >> 8, tid & 255, 0, 0, 0, pdu.length + 1, 1, ...pdu];
}

function payloads(c: Conv, rnd: () => number): Array<[boolean, number[]]> {
  const f = c.f;
  switch (f.kind) {
    case 'modbus': {
      const fc = f.codes![c.step % f.codes!.length];
      c.tid = (c.tid + 1) & 0xffff;
      return [
        [false, modbusRequest(fc, c.tid)],
        [true, modbusResponse(fc, c.tid)],
      ];
    }
    case 'opcua': {
      if (c.step === 0) {
        const uri = [...Buffer.from('http://opcfoundation.org/UA/SecurityPolicy#Basic256Sha256')];
        const opn = [0x4f, 0x50, 0x4e, 0x46, 0, 0, 0, 0, 0, 0, 0, 0, uri.length, 0, 0, 0, ...uri, ...new Array(40).fill(1)];
        opn[4] = opn.length;
        return [
          [false, [0x48, 0x45, 0x4c, 0x46, 32, 0, 0, 0, ...new Array(24).fill(0)]],
          [true, [0x41, 0x43, 0x4b, 0x46, 28, 0, 0, 0, ...new Array(20).fill(0)]],
          [false, opn],
          [true, opn],
        ];
      }
      const msg = (n: number) => [0x4d, 0x53, 0x47, 0x46, n & 255, n >> 8, 0, 0, ...new Array(n - 8).fill(3)];
      return [
        [false, msg(120)],
        [true, msg(400)],
      ];
    }
    case 'dnp3': {
      const req = [0x05, 0x64, 0x0b, 0xc4, 0x0a, 0x00, 0x01, 0x00, 0, 0, 0xc0, 0xc0 | (c.step & 15), 0x01, 0x3c, 0x02, 0x06, 0, 0];
      const resp = [0x05, 0x64, 0x1a, 0x44, 0x01, 0x00, 0x0a, 0x00, 0, 0, 0xc0, 0xc0 | (c.step & 15), 0x81, 0, 0, 1, 2, 0, 0, ...new Array(12).fill(0)];
      return [
        [false, req],
        [true, resp],
      ];
    }
    case 'https': {
      const rec = (n: number) => [0x17, 0x03, 0x03, (n - 5) >> 8, (n - 5) & 255, ...new Array(n - 5).fill(0x5a)];
      return [
        [false, rec(180)],
        [true, rec(1400)],
        [true, rec(1400)],
        [true, rec(600 + Math.floor(rnd() * 700))],
      ];
    }
    case 'rdp': {
      const tp = (n: number) => [0x03, 0x00, n >> 8, n & 255, 0x02, 0xf0, 0x80, ...new Array(n - 7).fill(0x11)];
      if (c.step === 0) {
        const cr = [0x03, 0x00, 0x00, 0x2b, 0x26, 0xe0, 0, 0, 0, 0, 0, ...Buffer.from('Cookie: mstshash=operator\r\n'), 1, 0, 8, 0, 3, 0, 0, 0];
        cr[3] = cr.length;
        return [
          [false, cr],
          [true, [0x03, 0x00, 0x00, 0x13, 0x0e, 0xd0, 0, 0, 0x12, 0x34, 0, 2, 0, 8, 0, 2, 0, 0, 0]],
        ];
      }
      return [
        [false, tp(90)],
        [true, tp(900)],
      ];
    }
    case 'diode':
      return [[false, [...new Array(512).fill(0x42)]]];
    case 'dns':
      return [[false, new Array(40).fill(1)]];
  }
}

/** Writes one frame of a conversation: the prebuilt header, lengths, TCP sequence numbers, flags, payload. */
function emitPacket(w: Writer, c: Conv, reverse: boolean, payload: number[] | null, flags: number, ts: number): void {
  const t = reverse ? c.rev : c.fwd;
  const udp = c.f.kind === 'diode' || c.f.kind === 'dns';
  const plen = payload ? payload.length : 0;
  const len = t.hdr.length + plen;
  const at = w.frame(ts, len);
  const b = w.buffer;
  t.hdr.copy(b, at);
  const ipLen = len - t.ipOff;
  b[at + t.ipOff + 2] = ipLen >> 8;
  b[at + t.ipOff + 3] = ipLen & 255;
  const l4 = at + t.l4Off;
  if (udp) {
    const ul = 8 + plen;
    b[l4 + 4] = ul >> 8;
    b[l4 + 5] = ul & 255;
  } else {
    b.writeUInt32BE(reverse ? c.seqS >>> 0 : c.seqC >>> 0, l4 + 4);
    b.writeUInt32BE(reverse ? c.seqC >>> 0 : c.seqS >>> 0, l4 + 8);
    b[l4 + 13] = flags;
    if (flags & 0x02) {
      if (reverse) c.seqS = (c.seqS + 1) >>> 0;
      else c.seqC = (c.seqC + 1) >>> 0;
    }
    if (reverse) c.seqS = (c.seqS + plen) >>> 0;
    else c.seqC = (c.seqC + plen) >>> 0;
  }
  if (payload) for (let i = 0; i < plen; i++) b[l4 + (udp ? 8 : 20) + i] = payload[i];
}

export function generateCapture(o: GenOptions): GenResult {
  if (o.scenario === 'churn') return generateChurn(o);
  const rnd = rng(o.seed ?? 1);
  const flows = plantFlows(o.scenario, o.seed ?? 1);
  const w = new Writer(o.out, o.format === 'pcapng');
  const convs: Conv[] = flows.map((f) => {
    const udp = f.kind === 'diode' || f.kind === 'dns';
    const a = frameHeader(f, false, udp);
    const b = frameHeader(f, true, udp);
    return {
      f,
      fwd: { hdr: Buffer.from(a.hdr), ipOff: a.ipOff, l4Off: a.l4Off },
      rev: { hdr: Buffer.from(b.hdr), ipOff: b.ipOff, l4Off: b.l4Off },
      seqC: Math.floor(rnd() * 2 ** 31),
      seqS: Math.floor(rnd() * 2 ** 31),
      tid: 0,
      step: 0,
      opened: false,
    };
  });
  let ts = Date.UTC(2026, 1, 23, 8, 0, 0) * 1000;
  const emit = (c: Conv, reverse: boolean, payload: number[] | null, flags: number) => {
    ts += 7;
    emitPacket(w, c, reverse, payload, flags, ts);
  };
  const rounds = o.scenario === 'planted' ? (o.rounds ?? 5) : Infinity;
  for (let round = 0; round < rounds && w.written < o.bytes; round++) {
    for (const c of convs) {
      const udp = c.f.kind === 'diode' || c.f.kind === 'dns';
      if (!c.opened && !udp) {
        emit(c, false, null, 0x02);
        emit(c, true, null, 0x12);
        emit(c, false, null, 0x10);
      }
      c.opened = true;
      for (let k = 0; k < c.f.weight; k++) {
        for (const [rev, p] of payloads(c, rnd)) emit(c, rev, p, 0x18);
        if (!udp && c.f.kind !== 'modbus' && c.f.kind !== 'dnp3') emit(c, false, null, 0x10);
        c.step++;
      }
      if (w.written >= o.bytes) break;
    }
    ts += 100_000;
  }
  w.close();
  return { packets: w.packets, bytes: w.written, flows: flows.length };
}

/** `flows` distinct flows (enterprise hosts 10.40.x.y → 16 PLCs, Modbus FC 3), each one short connection of 4 packets. */
function generateChurn(o: GenOptions): GenResult {
  const n = o.flows ?? 1_000_000;
  const w = new Writer(o.out, o.format === 'pcapng');
  let ts = Date.UTC(2026, 1, 23, 8, 0, 0) * 1000;
  for (let i = 0; i < n; i++) {
    const client = `10.40.${(i >> 8) & 255}.${i & 255}`;
    const plc = `10.20.1.${10 + ((i >> 16) & 15)}`;
    const f: FlowSpec = { src: client, dst: plc, sport: 40000 + (i % 20000), dport: 502, kind: 'modbus', tags: [], codes: [3], weight: 1 };
    const c: Conv = {
      f,
      fwd: (() => {
        const h = frameHeader(f, false, false);
        return { hdr: Buffer.from(h.hdr), ipOff: h.ipOff, l4Off: h.l4Off };
      })(),
      rev: (() => {
        const h = frameHeader(f, true, false);
        return { hdr: Buffer.from(h.hdr), ipOff: h.ipOff, l4Off: h.l4Off };
      })(),
      seqC: i * 7919,
      seqS: i * 104729,
      tid: i & 0xffff,
      step: 0,
      opened: true,
    };
    const emit = (reverse: boolean, payload: number[] | null, flags: number) => {
      ts += 3;
      emitPacket(w, c, reverse, payload, flags, ts);
    };
    emit(false, null, 0x02);
    emit(true, null, 0x12);
    emit(false, modbusRequest(3, c.tid), 0x18);
    emit(true, modbusResponse(3, c.tid), 0x18);
  }
  w.close();
  return { packets: w.packets, bytes: w.written, flows: n };
}

export function parseSize(s: string): number {
  const m = /^(\d+(?:\.\d+)?)([kKmMgG]?)$/.exec(s);
  if (!m) throw new Error(`bad size "${s}" (e.g. 100M, 1G)`);
  const mult = { '': 1, k: 1e3, m: 1e6, g: 1e9 }[m[2].toLowerCase() as '' | 'k' | 'm' | 'g'];
  return Math.round(Number(m[1]) * mult);
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/^.*\//, ''))) {
  const args = process.argv.slice(2);
  const out = args.find((a, i) => !a.startsWith('--') && !['--size', '--seed', '--flows'].includes(args[i - 1]));
  if (!out) {
    process.stderr.write('usage: gen-capture.ts OUT [--size 1G] [--pcapng] [--planted] [--seed N]\n');
    process.exit(2);
  }
  const size = args.includes('--size') ? parseSize(args[args.indexOf('--size') + 1]) : 100e6;
  const t0 = Date.now();
  const r = generateCapture({
    out,
    bytes: size,
    format: args.includes('--pcapng') ? 'pcapng' : 'pcap',
    scenario: args.includes('--planted') ? 'planted' : args.includes('--flows') ? 'churn' : 'plant',
    flows: args.includes('--flows') ? Number(args[args.indexOf('--flows') + 1]) : undefined,
    seed: args.includes('--seed') ? Number(args[args.indexOf('--seed') + 1]) : 1,
  });
  process.stderr.write(`${out}: ${r.packets} packets, ${r.bytes} bytes, ${r.flows} flows in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
}

/**
 * Several application PDUs in one TCP segment (or UDP datagram): DNP3 link frames, TPKT/COTP/S7comm PDUs,
 * EtherNet/IP encapsulation messages and OPC UA chunks are each walked by their own length field and every
 * PDU's code is counted, so a write behind a read in the same segment is seen. Hand-built segments (read then
 * write), cut and malformed PDUs, random bytes (fast-check), and tshark on a capture built from the same PDUs.
 *
 * The corpus (../shared/corpus/pcap) has no S7comm, EtherNet/IP or OPC UA capture and no DNP3 segment with more
 * than one FIR frame, so the tshark comparison of the multi-PDU walk runs on a capture written here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { PacketDecoder } from '../../src/capture/decode.ts';
import { APP_DNP3, APP_ENIP, APP_OPCUA, APP_S7 } from '../../src/capture/classify.ts';
import { OPCUA_SECURITY_NONE, OPCUA_SECURITY_SECURED } from '../../src/capture/opcua.ts';
import { pcap, tcpFrame, type Rec } from './build.ts';
import { tsharkSkipReason } from './tshark.ts';
import {
  DNP3_READ,
  DNP3_WRITE,
  dnp3Frame,
  dnp3Request,
  dnp3Response,
  ENIP_GET,
  ENIP_GET_REPLY,
  ENIP_REGISTER,
  ENIP_SET,
  ENIP_SET_REPLY,
  enip,
  S7_READ,
  S7_READ_ACK,
  S7_SETUP,
  S7_WRITE,
  S7_WRITE_ACK,
  s7,
  tpkt,
  UA_ACK,
  UA_CLO,
  UA_HEL,
  UA_MSG,
  UA_OPN,
  uaChunk,
} from './pdu-build.ts';

const CLIENT = '10.0.0.1';
const SERVER = '10.0.1.1'; // above the client: direction 0 of the conversation table is client → server

/** One conversation: `c` true = client → server. */
interface Seg {
  c: boolean;
  data: number[];
}

function udpFrame(src: string, sport: number, dst: string, dport: number, payload: number[]): Buffer {
  const a = (s: string) => s.split('.').map(Number);
  const tot = 20 + 8 + payload.length;
  const ip = [0x45, 0, tot >> 8, tot & 255, 0, 0, 0x40, 0, 64, 17, 0, 0, ...a(src), ...a(dst)];
  const ul = 8 + payload.length;
  const udp = [sport >> 8, sport & 255, dport >> 8, dport & 255, ul >> 8, ul & 255, 0, 0];
  return Buffer.from([0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 6, 0x08, 0x00, ...ip, ...udp, ...payload]);
}

/** A client → server (`cs`) or server → client (`sc`) segment holding the given PDUs, in order. */
const cs = (...pdus: number[][]): Seg => ({ c: true, data: pdus.flat() });
const sc = (...pdus: number[][]): Seg => ({ c: false, data: pdus.flat() });

/** Frames of a TCP conversation (handshake, then the segments with consecutive sequence numbers). */
function tcpConversation(cport: number, sport: number, segs: Seg[], t0: number): Rec[] {
  let cs = 1000;
  let ss = 5000;
  let t = t0;
  const recs: Rec[] = [
    { tsUs: t++, data: tcpFrame(CLIENT, cport, SERVER, sport, cs - 1, 0x02) },
    { tsUs: t++, data: tcpFrame(SERVER, sport, CLIENT, cport, ss - 1, 0x12) },
    { tsUs: t++, data: tcpFrame(CLIENT, cport, SERVER, sport, cs, 0x10) },
  ];
  for (const s of segs) {
    if (s.c) {
      recs.push({ tsUs: t++, data: tcpFrame(CLIENT, cport, SERVER, sport, cs, 0x18, s.data) });
      cs += s.data.length;
    } else {
      recs.push({ tsUs: t++, data: tcpFrame(SERVER, sport, CLIENT, cport, ss, 0x18, s.data) });
      ss += s.data.length;
    }
  }
  return recs;
}

/** Our codes per conversation and direction: `${client port}>${server port}` (client → server) or `…<…`, code → count. */
function ourCodes(recs: Rec[]): Record<string, Record<number, number>> {
  const dec = new PacketDecoder();
  for (const r of recs) dec.packet(r.data, 0, r.data.length, r.data.length, 1, r.tsUs);
  const out: Record<string, Record<number, number>> = {};
  dec.codes.forEach((e, dir, code, n) => {
    const ports = dec.conns.keys[e * 10 + 1];
    const k = `${ports >>> 16}${dir === 0 ? '>' : '<'}${ports & 0xffff}`;
    (out[k] ??= {})[code] = (out[k][code] ?? 0) + n;
  });
  return out;
}

const cut = (a: number[], n: number): [number[], number[]] => [a.slice(0, n), a.slice(n)];

test('DNP3: every link frame of a segment, read then write; FIR only; link-only frames stepped over', () => {
  // A fragment in two transport segments (two link frames): FIR on the first (carries the application header), FIN on the second.
  const firOnly = dnp3Frame(0xc4, 10, 1, [0x41, 0xc5, 0x02, 0x50, 0x01, 0x00, 0x07, 0x07, 0x00]);
  const finOnly = dnp3Frame(0xc4, 10, 1, [0x82, 0x00, 0x00, 0x00]);
  const linkStatus = dnp3Frame(0xc9, 10, 1, []);
  const r = ourCodes(
    tcpConversation(40001, 20000, [
      cs(DNP3_READ(0), DNP3_WRITE(1)),
      sc(dnp3Response(0), dnp3Response(1)),
      cs(linkStatus, DNP3_READ(2), firOnly, finOnly, DNP3_WRITE(3)),
    ], 1e6),
  );
  assert.deepEqual(r, { '40001>20000': { 1: 2, 2: 3 }, '40001<20000': { 129: 2 } });
  // Frames longer than one 16-byte data block (CRC every 16 bytes): the next frame is found after them.
  const long = dnp3Request(0x01, new Array(40).fill(0x3c));
  assert.equal(long.length, 10 + 43 + 2 * 3);
  assert.deepEqual(ourCodes(tcpConversation(40002, 20000, [cs(long, DNP3_WRITE(1))], 1e6)), { '40002>20000': { 1: 1, 2: 1 } });
});

test('DNP3 over UDP: every frame of the datagram', () => {
  const data = [...DNP3_READ(0), ...DNP3_WRITE(1)];
  const dec = new PacketDecoder();
  const f = udpFrame(CLIENT, 40003, SERVER, 20000, data);
  dec.packet(f, 0, f.length, f.length, 1, 1);
  const got: Record<number, number> = {};
  dec.codes.forEach((_e, _d, code, n) => (got[code] = (got[code] ?? 0) + n));
  assert.deepEqual(got, { 1: 1, 2: 1 });
});

test('S7comm: every TPKT of a segment, job read then job write, acks', () => {
  const r = ourCodes(
    tcpConversation(40001, 102, [
      cs(S7_SETUP()),
      cs(S7_READ(2), S7_WRITE(3)),
      sc(S7_READ_ACK(2), S7_WRITE_ACK(3)),
      cs(S7_READ(4), S7_READ(5), S7_WRITE(6)),
      // an ack without parameters (ROSCTR 2) between two jobs
      sc(s7(2, 7, []), S7_WRITE_ACK(6)),
    ], 1e6),
  );
  assert.deepEqual(r, { '40001>102': { 0x1f0: 1, 0x104: 3, 0x105: 2 }, '40001<102': { 0x304: 1, 0x305: 2, 0x2ff: 1 } });
});

test('EtherNet/IP: every encapsulation message of a segment, Get then Set attribute', () => {
  const r = ourCodes(
    tcpConversation(40001, 44818, [
      cs(ENIP_REGISTER()),
      sc(ENIP_REGISTER()),
      cs(ENIP_GET(), ENIP_SET()),
      sc(ENIP_GET_REPLY(), ENIP_SET_REPLY()),
      cs(ENIP_GET(), enip(0x66, []), ENIP_SET()),
    ], 1e6),
  );
  assert.deepEqual(r, { '40001>44818': { 0x65ff: 1, 0x6f0e: 2, 0x6f10: 2, 0x66ff: 1 }, '40001<44818': { 0x65ff: 1, 0x6f8e: 1, 0x6f90: 1 } });
});

test('OPC UA: every chunk of a segment; OPN security counted per OPN', () => {
  const r = ourCodes(
    tcpConversation(40001, 4840, [
      cs(UA_HEL()),
      sc(UA_ACK()),
      cs(UA_OPN('None'), UA_MSG(2), UA_MSG(3)),
      cs(UA_MSG(4), UA_OPN('Basic256Sha256'), UA_CLO()),
    ], 1e6),
  );
  assert.deepEqual(r, { '40001>4840': { 1: 1, 3: 2, 4: 3, 5: 1, [OPCUA_SECURITY_NONE]: 1, [OPCUA_SECURITY_SECURED]: 1 }, '40001<4840': { 2: 1 } });
});

/** Client → server codes of: `first` then the first `at` bytes of `pdu` in one segment, the rest in the next. */
function cutAt(port: number, first: number[], pdu: number[], at: number): Record<number, number> {
  const [head, tail] = cut(pdu, at);
  return ourCodes(tcpConversation(40001, port, [cs(first, head), cs(tail)], 1e6))[`40001>${port}`];
}

test('a PDU cut by the segment end: counted once when its code is in the first part; the walk stops there', () => {
  // DNP3: a write cut after its function code (13 bytes) → counted; cut before it, or inside the link header → not.
  assert.deepEqual(cutAt(20000, DNP3_READ(0), DNP3_WRITE(1), 13), { 1: 1, 2: 1 });
  assert.deepEqual(cutAt(20000, DNP3_READ(0), DNP3_WRITE(1), 12), { 1: 1 });
  assert.deepEqual(cutAt(20000, DNP3_READ(0), DNP3_WRITE(1), 5), { 1: 1 });
  // S7: a write job whose function byte is in the segment, its data in the next one → counted; cut before the
  // function byte → not counted (never as "no function").
  assert.deepEqual(cutAt(102, S7_READ(2), S7_WRITE(3), 18), { 0x104: 1, 0x105: 1 });
  assert.deepEqual(cutAt(102, S7_READ(2), S7_WRITE(3), 17), { 0x104: 1 });
  // ENIP: a SendRRData cut after its CIP service byte → counted; cut inside the CPF or the header → not counted.
  assert.deepEqual(cutAt(44818, ENIP_GET(), ENIP_SET(), 41), { 0x6f0e: 1, 0x6f10: 1 });
  assert.deepEqual(cutAt(44818, ENIP_GET(), ENIP_SET(), 40), { 0x6f0e: 1 });
  assert.deepEqual(cutAt(44818, ENIP_GET(), ENIP_SET(), 23), { 0x6f0e: 1 });
  // OPC UA: a chunk whose 8-byte header is in the segment is counted; the OPN security only when its URI is complete.
  assert.deepEqual(cutAt(4840, UA_MSG(1), UA_OPN('None'), 20), { 3: 1, 4: 1 });
  assert.deepEqual(cutAt(4840, UA_MSG(1), UA_OPN('None'), 7), { 4: 1 });
});

/** Calls the decoder's per-segment code walk directly on `b` and returns the number of codes it counted. */
function walk(app: number, b: Uint8Array): number {
  const dec = new PacketDecoder();
  let adds = 0;
  const codes = dec.codes;
  const add = codes.add.bind(codes);
  codes.add = (e: number, d: number, c: number, n: number) => {
    adds++;
    add(e, d, c, n);
  };
  (dec as unknown as { appCode(app: number, b: Uint8Array, p: number, n: number, e: number, dir: number): void }).appCode(app, b, 0, b.length, 0, 0);
  return adds;
}

test('zero, too small and huge length fields: no loop, nothing read past the segment, what precedes counted', () => {
  const le32 = (v: number) => [v & 255, (v >> 8) & 255, (v >> 16) & 255, v >>> 24];
  // DNP3 length byte below 5 (invalid) after a read: the read counted, the walk stops.
  assert.equal(walk(APP_DNP3, Uint8Array.from([...DNP3_READ(0), 0x05, 0x64, 0x00, 0xc4, 10, 0, 1, 0, 0, 0, 0xc0, 0xc0, 0x02])), 1);
  assert.equal(walk(APP_DNP3, Uint8Array.from([...DNP3_READ(0), 0x05, 0x64, 0xff, 0xc4, 10, 0, 1, 0, 0, 0, 0xc0, 0xc0, 0x02])), 2, 'a 255-byte frame cut: counted by its header');
  // TPKT length 0 and 0xFFFF.
  assert.equal(walk(APP_S7, Uint8Array.from([...S7_READ(2), 0x03, 0x00, 0x00, 0x00, 0x02, 0xf0, 0x80, ...S7_WRITE(3).slice(7)])), 1);
  const huge = S7_WRITE(3);
  huge[2] = 0xff;
  huge[3] = 0xff;
  assert.equal(walk(APP_S7, Uint8Array.from([...S7_READ(2), ...huge, ...S7_WRITE(4)])), 2, 'the huge one counted by its header, nothing after it');
  // ENIP length 0 (a header-only SendRRData: no CIP service) and 0xFFFF.
  const zero = enip(0x6f, []);
  assert.equal(walk(APP_ENIP, Uint8Array.from([...zero, ...zero, ...ENIP_SET()])), 3);
  const big = ENIP_SET();
  big[2] = 0xff;
  big[3] = 0xff;
  assert.equal(walk(APP_ENIP, Uint8Array.from([...ENIP_GET(), ...big, ...ENIP_GET()])), 2);
  // OPC UA size 0, 7 (< header), 2^31 - 1 (counted by its header) and ≥ 2^31 (not a plausible chunk: no header).
  for (const size of [0, 7, 0x7fffffff, 0xffffffff]) {
    const c = uaChunk('MSG', [1, 2, 3, 4]);
    c.splice(4, 4, ...le32(size));
    assert.equal(walk(APP_OPCUA, Uint8Array.from([...UA_MSG(1), ...c, ...UA_MSG(2)])), size === 0x7fffffff ? 2 : 1, `size ${size}`);
  }
  // Nothing but a header-sized prefix of each.
  for (const [app, pdu] of [
    [APP_DNP3, DNP3_WRITE(0)],
    [APP_S7, S7_WRITE(0)],
    [APP_ENIP, ENIP_SET()],
    [APP_OPCUA, UA_MSG(1)],
  ] as const) for (let n = 0; n <= pdu.length; n++) walk(app, Uint8Array.from(pdu.slice(0, n)));
});

test('random bytes and mutated PDU sequences: the walk never throws, never loops, counts at most one code per minimal PDU', () => {
  const apps = [APP_DNP3, APP_S7, APP_ENIP, APP_OPCUA];
  const min: Record<number, number> = { [APP_DNP3]: 10, [APP_S7]: 7, [APP_ENIP]: 24, [APP_OPCUA]: 8 };
  const pdus: Record<number, number[][]> = {
    [APP_DNP3]: [DNP3_READ(0), DNP3_WRITE(1), dnp3Response(2), dnp3Frame(0xc9, 1, 2, [])],
    [APP_S7]: [S7_SETUP(), S7_READ(), S7_WRITE(), S7_READ_ACK(), s7(2, 1, []), tpkt([])],
    [APP_ENIP]: [ENIP_REGISTER(), ENIP_GET(), ENIP_SET(), ENIP_SET_REPLY(), enip(0x6f, [])],
    [APP_OPCUA]: [UA_HEL(), UA_OPN('None'), UA_OPN('Basic256'), UA_MSG(1), UA_CLO()],
  };
  const bound = (app: number, n: number) => Math.floor(n / min[app]) * (app === APP_OPCUA ? 2 : 1);
  fc.assert(
    fc.property(fc.constantFrom(...apps), fc.uint8Array({ maxLength: 2000 }), (app, b) => walk(app, b) <= bound(app, b.length)),
    { numRuns: 2000, seed: 62443 },
  );
  // Valid PDUs concatenated, then bytes overwritten and the end cut: the walk goes deep before it meets damage.
  fc.assert(
    fc.property(
      fc.constantFrom(...apps),
      fc.array(fc.nat(5), { minLength: 1, maxLength: 12 }),
      fc.array(fc.tuple(fc.nat(2000), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
      fc.nat(2000),
      (app, picks, muts, cutAt) => {
        const list = pdus[app];
        const b = Uint8Array.from(picks.flatMap((k) => list[k % list.length]));
        for (const [at, v] of muts) if (b.length) b[at % b.length] = v;
        const n = Math.min(b.length, cutAt);
        return walk(app, b.subarray(0, n)) <= bound(app, n);
      },
    ),
    { numRuns: 3000, seed: 1815 },
  );
});

/**
 * tshark's view of each PDU, from PDML (fields in document order): DNP3 `dnp3.al.func`; S7 `s7comm.header.rosctr`
 * with the first `s7comm.param.func` of the same PDU (0xFF when it has none); ENIP `enip.command` with the first
 * `cip.service` after it (0xFF when none); OPC UA `opcua.transport.type` and, for OPN, `opcua.security.spu`.
 * Keyed like `ourCodes`.
 */
function tsharkCodes(file: string, servers: number[]): Record<string, Record<number, number>> {
  const r = spawnSync('timeout', ['15', 'tshark', '-n', '-r', file, '-T', 'pdml', '-Y', 'dnp3 || s7comm || enip || opcua'], { encoding: 'utf8', maxBuffer: 1 << 28 });
  assert.equal(r.status, 0, r.stderr);
  const out: Record<string, Record<number, number>> = {};
  const UA = ['HEL', 'ACK', 'OPN', 'MSG', 'CLO', 'ERR', 'RHE'];
  for (const pkt of r.stdout.split('<packet>').slice(1)) {
    const port = (n: string) => Number(new RegExp(`name="(?:tcp|udp)\\.${n}" [^>]*show="(\\d+)"`).exec(pkt)![1]);
    const sp = port('srcport');
    const dp = port('dstport');
    const k = servers.includes(dp) ? `${sp}>${dp}` : `${dp}<${sp}`;
    const m = (out[k] ??= {});
    const add = (c: number) => (m[c] = (m[c] ?? 0) + 1);
    let pending: { kind: string; hi: number; lo: number } | undefined;
    const flush = () => {
      if (pending) add((pending.hi << 8) | pending.lo);
      pending = undefined;
    };
    const re = /<proto name="(s7comm|enip)"|name="(dnp3\.al\.func|s7comm\.header\.rosctr|s7comm\.param\.func|enip\.command|cip\.service|opcua\.transport\.type|opcua\.security\.spu)"[^>]*show="([^"]*)"/g;
    for (const x of pkt.matchAll(re)) {
      if (x[1]) {
        flush();
        pending = { kind: x[1], hi: -1, lo: 0xff };
        continue;
      }
      const [name, show] = [x[2], x[3]];
      if (name === 'dnp3.al.func') add(Number(show));
      else if (name === 'opcua.transport.type') add(UA.indexOf(show) + 1);
      else if (name === 'opcua.security.spu') add(show.endsWith('#None') ? OPCUA_SECURITY_NONE : OPCUA_SECURITY_SECURED);
      else if (pending && (name === 's7comm.header.rosctr' || name === 'enip.command')) pending.hi = Number(show);
      else if (pending && pending.lo === 0xff && (name === 's7comm.param.func' || name === 'cip.service')) pending.lo = Number(show);
    }
    flush();
  }
  return out;
}

/**
 * Client port 40002: a read then the first `at` bytes of `pdu`; the rest of `pdu` alone; again a read and the
 * first part; then the rest followed by another read.
 */
function splitCase(port: number, read: (ref: number) => number[], pdu: number[], at: number, t0: number): Rec[] {
  const [head, tail] = cut(pdu, at);
  return tcpConversation(40002, port, [
    cs(read(5), head),
    cs(tail),
    cs(read(7), head),
    cs(tail, read(8)),
  ], t0);
}

test('tshark agrees on every PDU of multi-PDU segments (capture built here)', { skip: tsharkSkipReason() }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'otz-pdus-'));
  try {
    const recs: Rec[] = [
      // Clean multi-PDU segments (client port 40001): must agree exactly.
      ...tcpConversation(40001, 20000, [cs(DNP3_READ(0), DNP3_WRITE(1)), sc(dnp3Response(0), dnp3Response(1)), cs(DNP3_READ(2), DNP3_WRITE(3), DNP3_READ(4))], 1e6),
      ...tcpConversation(40001, 102, [cs(S7_SETUP()), cs(S7_READ(2), S7_WRITE(3)), sc(S7_READ_ACK(2), S7_WRITE_ACK(3)), cs(S7_READ(4), S7_READ(5), S7_WRITE(6))], 2e6),
      ...tcpConversation(40001, 44818, [cs(ENIP_REGISTER()), sc(ENIP_REGISTER()), cs(ENIP_GET(), ENIP_SET()), sc(ENIP_GET_REPLY(), ENIP_SET_REPLY())], 3e6),
      ...tcpConversation(40001, 4840, [cs(UA_HEL()), sc(UA_ACK()), cs(UA_OPN('None'), UA_MSG(2), UA_MSG(3)), cs(UA_MSG(4), UA_CLO())], 4e6),
      { tsUs: 5e6, data: udpFrame(CLIENT, 40001, SERVER, 20000, [...DNP3_READ(7), ...DNP3_WRITE(8)]) },
      // A PDU split across two segments (client port 40002): alone in the second segment, then followed by another PDU.
      ...splitCase(20000, DNP3_READ, DNP3_WRITE(6), 14, 6e6),
      ...splitCase(102, S7_READ, S7_WRITE(9), 20, 7e6),
      ...splitCase(44818, () => ENIP_GET(), ENIP_SET(), 44, 8e6),
    ];
    const file = join(dir, 'pdus.pcap');
    writeFileSync(file, pcap(recs));
    const ours = ourCodes(recs);
    const ts = tsharkCodes(file, [20000, 102, 44818, 4840]);
    // Split PDUs (client port 40002) included: the tail of a split PDU is stepped over (the direction's skip),
    // so the PDU behind it in the same segment is counted, as tshark counts it after reassembly.
    assert.deepEqual(ours, ts);
    assert.deepEqual(ours, {
      '40001>20000': { 1: 4, 2: 3 }, // reads: TCP 3 + UDP 1; writes: TCP 2 + UDP 1
      '40001<20000': { 129: 2 },
      '40001>102': { 0x1f0: 1, 0x104: 3, 0x105: 2 },
      '40001<102': { 0x304: 1, 0x305: 1 },
      '40001>44818': { 0x65ff: 1, 0x6f0e: 1, 0x6f10: 1 },
      '40001<44818': { 0x65ff: 1, 0x6f8e: 1, 0x6f90: 1 },
      '40001>4840': { 1: 1, 3: 1, [OPCUA_SECURITY_NONE]: 1, 4: 3, 5: 1 },
      '40001<4840': { 2: 1 },
      // Split cases: a read, the split write (counted in its first part), its tail then a read, a write.
      '40002>20000': { 1: 3, 2: 2 },
      '40002>102': { 0x104: 3, 0x105: 2 },
      '40002>44818': { 0x6f0e: 3, 0x6f10: 2 },
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/**
 * IP fragments are reassembled before the transport layer is read, so traffic split into fragments is seen
 * as a whole: a Modbus write hidden behind a tiny first fragment (RFC 1858: the first fragment carries only
 * the ports) is counted; fragments out of order, duplicated or overlapping (the first copy of a byte wins)
 * reassemble; a datagram that never completes is counted by its first fragment, as before; random fragment
 * streams never throw. The corpus comparison with tshark on fragmented captures is in oracle.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { readCaptures } from '../../src/capture/index.ts';
import { PacketDecoder } from '../../src/capture/decode.ts';
import { pcap, tcpFrame, type Rec } from './build.ts';

const dir = mkdtempSync(join(tmpdir(), 'otz-frag-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

const HIST = '10.30.1.50';
const PLC = '10.20.1.11';
const IP = 14; // Ethernet header length in tcpFrame's frames

/** The frame's IP datagram cut into fragments at payload offsets `cuts` (multiples of 8), in `order`. */
function fragments(frame: Buffer, cuts: number[], order?: number[], id = 0x1234): Buffer[] {
  const hdr = frame.subarray(0, IP + 20);
  const payload = frame.subarray(IP + 20);
  const at = [0, ...cuts, payload.length];
  const out: Buffer[] = [];
  for (let k = 0; k + 1 < at.length; k++) {
    const part = payload.subarray(at[k], at[k + 1]);
    const f = Buffer.concat([hdr, part]);
    f.writeUInt16BE(20 + part.length, IP + 2);
    f.writeUInt16BE(id, IP + 4);
    f.writeUInt16BE((k + 2 < at.length ? 0x2000 : 0) | (at[k] >> 3), IP + 6);
    out.push(f);
  }
  return (order ?? out.map((_, k) => k)).map((k) => out[k]);
}

function mbWrite(tid: number): number[] {
  return [tid >> 8, tid & 255, 0, 0, 0, 6, 1, 6, 0, 5, 0, 9]; // FC 6 write single register
}
function mbRead(tid: number): number[] {
  return [tid >> 8, tid & 255, 0, 0, 0, 6, 1, 3, 0, 0, 0, 10];
}

function recs(frames: Buffer[]): Rec[] {
  const hs = [tcpFrame(HIST, 40000, PLC, 502, 100, 0x02), tcpFrame(PLC, 502, HIST, 40000, 900, 0x12)];
  return [...hs, ...frames].map((data, k) => ({ tsUs: 1.7e15 + k, data }));
}

async function result(frames: Buffer[], name: string) {
  const p = join(dir, name);
  writeFileSync(p, pcap(recs(frames)));
  const r = await readCaptures([p], { perConversation: true });
  const o = r.observations.find((x) => x.src === HIST && x.dst === PLC && x.dstPort === 502);
  return { codes: { ...(o?.requestCodes ?? {}) }, packets: (o?.packetsOut ?? 0) + (o?.packetsIn ?? 0), protocol: o?.protocol, stats: r.stats };
}

test('a Modbus write behind a tiny first fragment (ports only) is counted', async () => {
  const seg = tcpFrame(HIST, 40000, PLC, 502, 101, 0x18, [...mbRead(1), ...mbWrite(2)]);
  const r = await result(fragments(seg, [8, 16, 32]), 'tiny.pcap');
  assert.equal(r.protocol, 'modbus');
  assert.deepEqual(r.codes, { 3: 1, 6: 1 });
  assert.equal(r.stats.reassembled, 1);
  assert.equal(r.packets, 3, 'SYN, SYN-ACK and the frame completing the datagram (as tshark counts)');
});

test('fragments out of order, duplicated or overlapping reassemble to the same codes', async () => {
  const seg = tcpFrame(HIST, 40000, PLC, 502, 101, 0x18, [...mbRead(1), ...mbWrite(2), ...mbRead(3)]);
  const expected = { 3: 2, 6: 1 };
  assert.deepEqual((await result(fragments(seg, [8, 24, 40]), 'ordered.pcap')).codes, expected);
  assert.deepEqual((await result(fragments(seg, [8, 24, 40], [3, 1, 0, 2]), 'shuffled.pcap')).codes, expected);
  assert.deepEqual((await result(fragments(seg, [8, 24, 40], [1, 1, 0, 3, 2, 2]), 'dups.pcap')).codes, expected);
  // An overlapping later copy of bytes 24.. with a different function code: the first copy wins.
  const [f0, f1, f2, f3] = fragments(seg, [8, 24, 40]);
  const evil = Buffer.from(f2);
  evil[IP + 20 + 15] = 16; // the write's function code: payload byte 39 (TCP header 20 + read 12 + 7), 15 into this fragment
  assert.deepEqual((await result([f0, f1, f2, evil, f3], 'overlap.pcap')).codes, expected);
  assert.deepEqual((await result([f0, f1, evil, f2, f3], 'overlap-first.pcap')).codes, { 3: 2, 16: 1 }, 'the copy received first is the one decoded');
});

test('a datagram with a fragment that never comes: its leading bytes decoded at the end of the input', async () => {
  const seg = tcpFrame(HIST, 40000, PLC, 502, 101, 0x18, [...mbRead(1), ...mbWrite(2)]);
  const [f0, f1, f2] = fragments(seg, [32, 40]);
  const r = await result([f0, f2], 'lost.pcap');
  assert.deepEqual(r.codes, { 3: 1 }, 'the read in the first 32 bytes; the write header was in the lost fragment');
  assert.deepEqual((await result([f0, f1], 'lost-last.pcap')).codes, { 3: 1, 6: 1 }, 'only the last 4 bytes lost: the write header arrived');
  assert.equal(r.stats.reassembled, 0);
  assert.equal(r.packets, 3);
});

test('random fragment streams never throw and never hang', () => {
  fc.assert(
    fc.property(fc.array(fc.record({ id: fc.nat(3), off: fc.nat(200), more: fc.boolean(), len: fc.nat(60), proto: fc.constantFrom(6, 17, 1, 99), bytes: fc.uint8Array({ maxLength: 60 }) }), { maxLength: 40 }), (frags) => {
      const dec = new PacketDecoder();
      for (const f of frags) {
        const frame = Buffer.alloc(IP + 20 + f.bytes.length);
        frame.writeUInt16BE(0x0800, 12);
        frame[IP] = 0x45;
        frame.writeUInt16BE(20 + f.len, IP + 2);
        frame.writeUInt16BE(f.id, IP + 4);
        frame.writeUInt16BE((f.more ? 0x2000 : 0) | f.off, IP + 6);
        frame[IP + 9] = f.proto;
        frame.set([10, 0, 0, 1, 10, 0, 0, 2], IP + 12);
        frame.set(f.bytes, IP + 20);
        dec.packet(frame, 0, frame.length, frame.length, 1, 1);
      }
      dec.finish();
    }),
    { numRuns: 500 },
  );
});

test('thousands of 8-byte fragments of one datagram (hostile): bounded work, the leading bytes still decoded', () => {
  const seg = tcpFrame(HIST, 40000, PLC, 502, 101, 0x18, [...mbRead(1), ...mbWrite(2), ...new Array(60000).fill(0)]);
  const payloadLen = seg.length - IP - 20;
  const cuts: number[] = [];
  for (let at = 8; at < payloadLen; at += 8) cuts.push(at);
  // The first and the last fragment, then the others in order: each one extends the covered prefix, the order
  // that made a naive coverage check cubic.
  const n = cuts.length + 1;
  const frags = fragments(seg, cuts, [0, n - 1, ...[...Array(n - 2).keys()].map((k) => k + 1)]);
  const dec = new PacketDecoder();
  const t0 = performance.now();
  for (const f of frags) dec.packet(f, 0, f.length, f.length, 1, 1);
  dec.finish();
  const ms = performance.now() - t0;
  assert.ok(frags.length > 7000, `${frags.length} fragments`);
  assert.ok(ms < 2000, `${frags.length} fragments in ${ms.toFixed(0)} ms`);
});

test('a full reassembly table gives up its oldest datagram without handing its addresses to the new one', async () => {
  // 4,096 datagrams whose second fragment never comes, from HIST to PLC; then the first fragment of a Modbus
  // write from another host, which never completes either: given up at the end of the capture, it must be
  // counted under its own addresses, not those of the datagram given up to make room for it.
  const frames: Buffer[] = [];
  for (let id = 1; id <= 4096; id++) frames.push(fragments(tcpFrame(HIST, 40000, PLC, 502, 101, 0x18, mbRead(id)), [16], undefined, id)[0]);
  const other = tcpFrame('10.30.1.60', 40001, PLC, 502, 500, 0x18, mbWrite(7));
  frames.push(fragments(other, [8], undefined, 0x7777)[0]);
  const p = join(dir, 'full-table.pcap');
  writeFileSync(p, pcap(recs(frames)));
  const r = await readCaptures([p], { perConversation: true });
  const fromOther = r.observations.find((o) => o.src === '10.30.1.60' && o.dst === PLC && o.dstPort === 502);
  assert.ok(fromOther, JSON.stringify([...new Set(r.observations.map((o) => `${o.src}>${o.dst}:${o.dstPort}`))]));
  assert.equal(fromOther.packetsOut, 1);
  assert.equal(r.stats.reassembled, 0);
});

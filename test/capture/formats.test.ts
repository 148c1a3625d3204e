/**
 * Containers and link types: the Modbus trace of the corpus (../shared/corpus/pcap/modbus_modbusSmall.pcap)
 * re-wrapped as big-endian / nanosecond pcap, pcapng in both byte orders with two interfaces of different link
 * types and timestamp resolutions plus an unknown block, simple packet blocks, gzip, raw IP, Linux SLL and SLL2,
 * and 802.1Q / QinQ tags must give exactly the observations of the original.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CORPUS } from '../helpers/paths.ts';
import { readCaptures } from '../../src/capture/index.ts';
import { pcap, pcapng, readPcapRecords, tcpFrame, type Rec } from './build.ts';

const SRC = join(CORPUS, 'pcap/modbus_modbusSmall.pcap');
const dir = mkdtempSync(join(tmpdir(), 'otz-formats-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

async function observe(name: string, bytes: Buffer) {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  const r = await readCaptures([p], { perConversation: true });
  assert.deepEqual(
    r.diagnostics.filter((d) => d.severity !== 'info'),
    [],
    `${name}: no diagnostics`,
  );
  return r.observations.map(({ file: _f, ...o }) => o);
}

const { recs } = readPcapRecords(SRC);
const base = await observe('orig.pcap', pcap(recs));

test('the re-wrapped original is the corpus file itself', async () => {
  const direct = (await readCaptures([SRC], { perConversation: true })).observations.map(({ file: _f, ...o }) => o);
  assert.deepEqual(base, direct);
  assert.ok(base.some((o) => o.protocol === 'modbus' && Object.keys(o.requestCodes).length > 0));
});

test('pcap big-endian and nanosecond resolution', async () => {
  assert.deepEqual(await observe('be.pcap', pcap(recs, { be: true })), base);
  assert.deepEqual(await observe('ns.pcap', pcap(recs, { ns: true })), base);
  assert.deepEqual(await observe('be-ns.pcap', pcap(recs, { be: true, ns: true })), base);
});

test('pcapng: both byte orders, two interfaces (Ethernet µs, raw IP ns), unknown block, gzip', async () => {
  // Alternate packets between interface 0 (Ethernet, default µs) and 1 (raw IP, 10^-9).
  const two: Rec[] = recs.map((r, i) => (i % 2 ? { ...r, iface: 1, data: r.data.subarray(14) } : r));
  const ifaces = [{ linktype: 1 }, { linktype: 101, tsresol: 9 }];
  for (const be of [false, true]) {
    const obs = await observe(`two-${be}.pcapng`, pcapng(ifaces, two, { be }));
    // Wire length of raw-IP frames is 14 bytes shorter: compare everything else, and bytes separately.
    assert.deepEqual(
      obs.map((o) => ({ ...o, bytesOut: 0, bytesIn: 0 })),
      base.map((o) => ({ ...o, bytesOut: 0, bytesIn: 0 })),
    );
  }
  assert.deepEqual(await observe('le.pcapng', pcapng([{ linktype: 1 }], recs)), base);
  // Binary resolution 2^-20 s cannot hold every microsecond: within 1 µs.
  const res2 = await observe('res2.pcapng', pcapng([{ linktype: 1, tsresol: 0x80 | 20 }], recs));
  assert.deepEqual(
    res2.map((o) => ({ ...o, first: 0, last: 0 })),
    base.map((o) => ({ ...o, first: 0, last: 0 })),
  );
  res2.forEach((o, i) => assert.ok(Math.abs(o.first - base[i].first) <= 1 && Math.abs(o.last - base[i].last) <= 1));
  assert.deepEqual(await observe('orig.pcap.gz', gzipSync(pcap(recs))), base);
  assert.deepEqual(await observe('le.pcapng.gz', gzipSync(pcapng([{ linktype: 1 }], recs))), base);
});

test('pcapng simple packet blocks carry no timestamp but count the same', async () => {
  const obs = await observe('spb.pcapng', pcapng([{ linktype: 1 }], recs, { simple: true }));
  assert.deepEqual(
    obs.map((o) => ({ ...o, first: 0, last: 0 })),
    base.map((o) => ({ ...o, first: 0, last: 0 })),
  );
});

test('Linux SLL and SLL2 and raw IP link types', async () => {
  const sll = recs.map((r) => {
    const h = Buffer.alloc(16);
    h.writeUInt16BE(r.data.readUInt16BE(12), 14);
    return { ...r, data: Buffer.concat([h, r.data.subarray(14)]), orig: (r.orig ?? r.data.length) + 2 };
  });
  const sll2 = recs.map((r) => {
    const h = Buffer.alloc(20);
    h.writeUInt16BE(r.data.readUInt16BE(12), 0);
    return { ...r, data: Buffer.concat([h, r.data.subarray(14)]), orig: (r.orig ?? r.data.length) + 6 };
  });
  const raw = recs.map((r) => ({ ...r, data: r.data.subarray(14), orig: (r.orig ?? r.data.length) - 14 }));
  const strip = (o: (typeof base)[number]) => ({ ...o, bytesOut: 0, bytesIn: 0 });
  assert.deepEqual((await observe('sll.pcap', pcap(sll, { linktype: 113 }))).map(strip), base.map(strip));
  assert.deepEqual((await observe('sll2.pcap', pcap(sll2, { linktype: 276 }))).map(strip), base.map(strip));
  assert.deepEqual((await observe('raw.pcap', pcap(raw, { linktype: 101 }))).map(strip), base.map(strip));
  assert.deepEqual((await observe('raw228.pcap', pcap(raw, { linktype: 228 }))).map(strip), base.map(strip));
});

test('802.1Q and QinQ tags, Modbus ADUs split across segments and several per segment', async () => {
  const A = '10.30.1.50';
  const B = '10.20.1.10';
  const req = (tid: number, fc: number) => [0, tid, 0, 0, 0, 6, 1, fc, 0, 0, 0, 2];
  let cs = 1000;
  let ss = 5000;
  const frames: Buffer[] = [];
  const c = (p: number[], tags: number[]) => {
    frames.push(tcpFrame(A, 40000, B, 502, cs, 0x18, p, tags));
    cs += p.length;
  };
  const s = (p: number[], tags: number[]) => {
    frames.push(tcpFrame(B, 502, A, 40000, ss, 0x18, p, tags));
    ss += p.length;
  };
  frames.push(tcpFrame(A, 40000, B, 502, cs++, 0x02, [], [20]));
  frames.push(tcpFrame(B, 502, A, 40000, ss++, 0x12, [], [20]));
  // Two ADUs in one segment (FC 3, FC 4), 802.1Q.
  c([...req(1, 3), ...req(2, 4)], [20]);
  // One ADU split 5 / 7 bytes across two segments (FC 6), QinQ.
  const w = req(3, 6);
  c(w.slice(0, 5), [100, 20]);
  c(w.slice(5), [100, 20]);
  // A retransmission of the last segment must not count twice.
  frames.push(tcpFrame(A, 40000, B, 502, cs - 7, 0x18, w.slice(5), [20]));
  // An exception response to FC 6 (0x86), then a normal response to FC 3.
  s([0, 3, 0, 0, 0, 3, 1, 0x86, 2], [20]);
  s([0, 1, 0, 0, 0, 5, 1, 3, 2, 0, 7], [20]);
  const obs = await observe('tags.pcap', pcap(frames.map((data, i) => ({ tsUs: 1e15 + i, data }))));
  assert.equal(obs.length, 1);
  const o = obs[0];
  assert.equal(o.src, A);
  assert.equal(o.dst, B);
  assert.equal(o.initiatorBy, 'syn');
  assert.equal(o.protocol, 'modbus');
  assert.equal(o.packetsOut + o.packetsIn, frames.length);
  assert.deepEqual(o.requestCodes, { 3: 1, 4: 1, 6: 1 });
  assert.deepEqual(o.responseCodes, { 3: 1, 0x86: 1 });
});

/**
 * TCP segments out of order (common in SPAN-port captures): for conversations whose codes are read from the
 * byte stream (Modbus, DNP3, S7comm, EtherNet/IP, OPC UA) a segment that arrives ahead of a gap is held until
 * the gap fills, so the codes are those of the capture in order — a Modbus write in a late segment is not
 * lost. A gap that never fills is given up (at the end of the capture or when too much waits behind it).
 * Oracle: the same frames in sequence order, counted by us and by tshark.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { readCaptures } from '../../src/capture/index.ts';
import { pcap, tcpFrame, type Rec } from './build.ts';
import { tsharkSkipReason } from './tshark.ts';

const dir = mkdtempSync(join(tmpdir(), 'otz-reorder-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

const HMI = '10.20.2.11';
const PLC = '10.20.1.10';

/** A Modbus request ADU. */
function adu(tid: number, fc: number, data: number[] = [0, 1, 0, 1]): number[] {
  return [tid >> 8, tid & 255, 0, 0, 0, data.length + 2, 1, fc, ...data];
}

/** Client segments (seq, payload) of a stream: ADUs cut into segments at `cuts` byte positions. */
function segments(stream: number[], cuts: number[], isn = 1000): { seq: number; payload: number[] }[] {
  const at = [0, ...cuts.filter((c) => c > 0 && c < stream.length).sort((a, b) => a - b), stream.length];
  const out: { seq: number; payload: number[] }[] = [];
  for (let k = 0; k + 1 < at.length; k++) if (at[k + 1] > at[k]) out.push({ seq: isn + 1 + at[k], payload: stream.slice(at[k], at[k + 1]) });
  return out;
}

function capture(segs: { seq: number; payload: number[] }[], order: number[]): Rec[] {
  const recs: Rec[] = [{ tsUs: 1.7e15, data: tcpFrame(HMI, 40000, PLC, 502, 1000, 0x02) }, { tsUs: 1.7e15 + 1, data: tcpFrame(PLC, 502, HMI, 40000, 5000, 0x12) }];
  order.forEach((k, n) => recs.push({ tsUs: 1.7e15 + 10 + n, data: tcpFrame(HMI, 40000, PLC, 502, segs[k].seq, 0x18, segs[k].payload) }));
  return recs;
}

async function codes(recs: Rec[], name: string): Promise<Record<string, number>> {
  const p = join(dir, name);
  writeFileSync(p, pcap(recs));
  const r = await readCaptures([p], { perConversation: true });
  const o = r.observations.find((x) => x.src === HMI && x.dst === PLC);
  return Object.fromEntries(Object.entries(o?.requestCodes ?? {}).map(([k, v]) => [k, v]));
}

const STREAM = [...adu(1, 3), ...adu(2, 3), ...adu(3, 6, [0, 5, 0, 9]), ...adu(4, 16, [0, 1, 0, 2, 4, 0, 1, 0, 2]), ...adu(5, 4)];

test('a write in a segment that arrives late is counted, as in sequence order', async () => {
  const segs = segments(STREAM, [12, 20, 30, 41, 53]);
  const inOrder = await codes(capture(segs, segs.map((_, k) => k)), 'in-order.pcap');
  assert.deepEqual(inOrder, { 3: 2, 4: 1, 6: 1, 16: 1 });
  // Swap two middle segments, then move the first data segment to the end.
  const swapped = segs.map((_, k) => k);
  [swapped[2], swapped[3]] = [swapped[3], swapped[2]];
  assert.deepEqual(await codes(capture(segs, swapped), 'swapped.pcap'), inOrder);
  const firstLast = [...segs.keys()].slice(1).concat([0]);
  assert.deepEqual(await codes(capture(segs, firstLast), 'first-last.pcap'), inOrder);
});

test('any order and any cuts of the stream, with duplicates: the codes of the stream in order', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.integer({ min: 8, max: STREAM.length - 1 }), { maxLength: 12 }),
      fc.array(fc.nat(), { maxLength: 20 }),
      fc.array(fc.nat(), { maxLength: 4 }),
      async (cuts, shuffle, dups) => {
        const segs = segments(STREAM, cuts);
        const order = segs.map((_, k) => k);
        for (let k = 0; k < shuffle.length; k++) {
          const a = k % order.length;
          const b = shuffle[k] % order.length;
          [order[a], order[b]] = [order[b], order[a]];
        }
        for (const d of dups) order.splice(d % (order.length + 1), 0, order[d % order.length]); // retransmissions
        // Few enough segments that none is given up: the result is exactly the stream's.
        assert.deepEqual(await codes(capture(segs, order), 'prop.pcap'), { 3: 2, 4: 1, 6: 1, 16: 1 });
      },
    ),
    { numRuns: 60 },
  );
});

test('a segment lost for good: what follows it is still counted at the end of the capture', async () => {
  const segs = segments(STREAM, [12, 24, 36, 45, 53]); // one ADU per segment, the write of 16 split in two
  const lost = [0, 2, 3, 4, 5]; // segment 1 (the second read) never arrives
  assert.deepEqual(await codes(capture(segs, lost), 'lost.pcap'), { 3: 1, 4: 1, 6: 1, 16: 1 });
});

test('tshark agrees with us on the reordered capture once its frames are put back in sequence order', { skip: tsharkSkipReason() }, async () => {
  // One ADU per segment (tshark then needs no reassembly of its own: the hand-built handshake has no ACKs).
  const segs = segments(STREAM, [12, 24, 36, 53]);
  const order = [0, 3, 1, 4, 2];
  const ours = await codes(capture(segs, order), 'reordered.pcap');
  const sorted = join(dir, 'sorted.pcap');
  writeFileSync(sorted, pcap(capture(segs, segs.map((_, k) => k))));
  const r = spawnSync('timeout', ['15', 'tshark', '-n', '-r', sorted, '-Y', 'modbus && tcp.dstport == 502', '-T', 'fields', '-e', 'modbus.func_code'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const ts: Record<string, number> = {};
  for (const line of r.stdout.split('\n')) for (const c of line.split(',').filter(Boolean)) ts[c] = (ts[c] ?? 0) + 1;
  assert.deepEqual(ours, ts);
});

test('held segments keep their bytes when the reader refills its buffer with the next file', async () => {
  const segs = segments(STREAM, [12, 24, 36, 45, 53]);
  const lostPath = join(dir, 'lost-then.pcap');
  writeFileSync(lostPath, pcap(capture(segs, [0, 2, 3, 4, 5]))); // held until the end of the input
  const other = join(dir, 'other.pcap');
  const noise = Array.from({ length: 200 }, (_, k) => ({ tsUs: 1.8e15 + k, data: tcpFrame('10.99.0.1', 50000, '10.99.0.2', 80, 1 + k * 100, 0x18, new Array(100).fill(0xee)) }));
  writeFileSync(other, pcap(noise));
  const r = await readCaptures([lostPath, other], { perConversation: true });
  const o = r.observations.find((x) => x.src === HMI && x.dst === PLC);
  assert.deepEqual({ ...o?.requestCodes }, { 3: 1, 4: 1, 6: 1, 16: 1 });
});

/**
 * The reader streams a file through two buffers in turns (one parsed while the next chunk is read), carrying the
 * cut record at each chunk's end over to the next. Captures of tens of MB with records of every size, and pcapng
 * blocks bigger than the carry-over room and than a whole chunk, must hand every packet to the decoder exactly
 * once, byte for byte, with its own file offset — the same as the gzip path, which is fed in other pieces.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { readCaptureFile } from '../../src/capture/reader.ts';
import type { PacketDecoder } from '../../src/capture/decode.ts';
import { pcap, type Rec } from './build.ts';

const dir = mkdtempSync(join(tmpdir(), 'otz-chunks-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

/** Deterministic pseudo-random numbers (xorshift32). */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 2 ** 32;
  };
}

/** A packet whose bytes say which packet it is: index in the first 4 bytes, then a pattern derived from it. */
function packetBytes(i: number, len: number): Buffer {
  const b = Buffer.alloc(len);
  for (let k = 0; k < len; k++) b[k] = (i * 31 + k * 7) & 0xff;
  if (len >= 4) b.writeUInt32BE(i, 0);
  return b;
}

interface Seen {
  index: number;
  len: number;
  orig: number;
  ok: boolean;
  offset: number;
}

/** A stand-in decoder that records what the reader hands over and checks each packet's bytes. */
function recorder(): { dec: PacketDecoder; seen: Seen[] } {
  const seen: Seen[] = [];
  const dec = {
    files: [] as string[],
    file: '',
    fileIndex: 0,
    recordOffset: -1,
    packet(b: Uint8Array, off: number, len: number, orig: number) {
      const index = len >= 4 ? ((b[off] << 24) | (b[off + 1] << 16) | (b[off + 2] << 8) | b[off + 3]) >>> 0 : -1;
      const want = packetBytes(index, len);
      seen.push({ index, len, orig, ok: Buffer.compare(want, Buffer.from(b.buffer, b.byteOffset + off, len)) === 0, offset: dec.recordOffset });
    },
  };
  return { dec: dec as unknown as PacketDecoder, seen };
}

async function readAll(file: string, overlap = true) {
  const { dec, seen } = recorder();
  const r = await readCaptureFile(file, dec, file, undefined, overlap);
  return { r, seen };
}

test('pcap of ~20 MB, records of 4 B to 64 KiB: every packet once, intact, at its offset; gzip the same', async () => {
  const next = rng(7);
  const recs: Rec[] = [];
  const offsets: number[] = [];
  let off = 24;
  let total = 0;
  for (let i = 0; total < 20e6; i++) {
    // Mostly small packets, some large ones, so cuts fall at every kind of place in a record.
    const r = next();
    const len = r < 0.9 ? 4 + Math.floor(next() * 1500) : r < 0.99 ? 1500 + Math.floor(next() * 9000) : 65536;
    recs.push({ tsUs: 1e15 + i, data: packetBytes(i, len) });
    offsets.push(off);
    off += 16 + len;
    total += len;
  }
  const bytes = pcap(recs);
  const file = join(dir, 'many.pcap');
  writeFileSync(file, bytes);
  const { r, seen } = await readAll(file);
  assert.equal(r.error, undefined);
  assert.deepEqual(r.warnings, []);
  assert.equal(r.bytesRead, bytes.length);
  assert.equal(r.packets, recs.length);
  assert.equal(seen.length, recs.length);
  const bad = seen.findIndex((s, i) => s.index !== i || !s.ok || s.len !== recs[i].data.length || s.offset !== offsets[i]);
  assert.equal(bad, -1, `first wrong packet: ${JSON.stringify(seen[bad])}, expected index ${bad} at ${offsets[bad]}`);

  // Chunks read in turn on this thread (the worker pool's way) hand over the same packets.
  const inTurn = await readAll(file, false);
  assert.deepEqual(inTurn.seen, seen);
  assert.equal(inTurn.r.packets, recs.length);

  const gz = join(dir, 'many.pcap.gz');
  writeFileSync(gz, gzipSync(bytes, { level: 1 }));
  const z = await readAll(gz);
  assert.equal(z.r.error, undefined);
  assert.deepEqual(z.seen, seen);
});

/** pcapng (little-endian, one Ethernet interface) from packet and filler blocks, with each packet's block offset. */
function pcapngOf(items: ({ packet: number; len: number } | { filler: number })[]): { bytes: Buffer; offsets: number[] } {
  const parts: Buffer[] = [];
  const offsets: number[] = [];
  let at = 0;
  const block = (type: number, body: Buffer) => {
    const len = 12 + body.length;
    const b = Buffer.alloc(len);
    b.writeUInt32LE(type, 0);
    b.writeUInt32LE(len, 4);
    body.copy(b, 8);
    b.writeUInt32LE(len, len - 4);
    parts.push(b);
    at += len;
  };
  const shb = Buffer.alloc(16);
  shb.writeUInt32LE(0x1a2b3c4d, 0);
  shb.writeUInt16LE(1, 4);
  shb.fill(0xff, 8, 16);
  block(0x0a0d0d0a, shb);
  const idb = Buffer.alloc(8);
  idb.writeUInt16LE(1, 0);
  block(1, idb);
  for (const it of items) {
    if ('filler' in it) {
      block(0x0bad0bad, Buffer.alloc(it.filler, 0x5a)); // an unknown block: skipped whole
      continue;
    }
    const data = packetBytes(it.packet, it.len);
    const pad = (4 - (data.length & 3)) & 3;
    const body = Buffer.alloc(20 + data.length + pad);
    body.writeUInt32LE(0, 0);
    body.writeUInt32LE(data.length, 12);
    body.writeUInt32LE(data.length, 16);
    data.copy(body, 20);
    offsets.push(at);
    block(6, body);
  }
  return { bytes: Buffer.concat(parts), offsets };
}

test('pcapng blocks larger than the carry-over room and than a whole chunk are joined, not lost', async () => {
  const items: ({ packet: number; len: number } | { filler: number })[] = [];
  let n = 0;
  const run = (count: number, len: number) => {
    for (let k = 0; k < count; k++) items.push({ packet: n++, len });
  };
  run(5000, 997); // ~5 MB: the first big block straddles the first chunk's end
  items.push({ filler: 3 * 1024 * 1024 + 4 }); // bigger than the carry-over room
  run(3, 200_000); // packets larger than pcap allows, fine in pcapng
  items.push({ filler: 12 * 1024 * 1024 }); // bigger than a whole chunk
  run(2, 2_500_000); // packets bigger than the room themselves
  run(20000, 301);
  items.push({ filler: 1024 * 1024 + 8 }); // just past the room
  run(10, 64);
  const { bytes, offsets } = pcapngOf(items);
  const file = join(dir, 'blocks.pcapng');
  writeFileSync(file, bytes);
  const { r, seen } = await readAll(file);
  assert.equal(r.error, undefined);
  assert.deepEqual(r.warnings, []);
  assert.deepEqual((await readAll(file, false)).seen, seen);
  assert.equal(r.packets, n);
  assert.equal(seen.length, n);
  const bad = seen.findIndex((s, i) => s.index !== i || !s.ok || s.offset !== offsets[i]);
  assert.equal(bad, -1, `first wrong packet: ${JSON.stringify(seen[bad])}, expected index ${bad} at ${offsets[bad]}`);

  // Cut inside the 12 MiB block: the packets before it count, the cut is a warning at that block's offset.
  const cutAt = offsets[5003] - 12 * 1024 * 1024 + 4096;
  const cut = join(dir, 'blocks-cut.pcapng');
  writeFileSync(cut, bytes.subarray(0, cutAt));
  const c = await readAll(cut);
  assert.equal(c.r.error, undefined);
  assert.equal(c.seen.length, 5003);
  assert.deepEqual(c.seen, seen.slice(0, 5003));
  assert.equal(c.r.warnings.length, 1);
  assert.equal(c.r.warnings[0].offset, offsets[5002] + 20 + 200_000 + 12);
  assert.match(c.r.warnings[0].message, /cut short/);
});

test('a file shorter than a header, and an empty file: a clear error at offset 0', async () => {
  for (const [name, bytes] of [
    ['empty.pcap', Buffer.alloc(0)],
    ['three.pcap', Buffer.from([0xd4, 0xc3, 0xb2])],
  ] as const) {
    const file = join(dir, name);
    writeFileSync(file, bytes);
    const { r, seen } = await readAll(file);
    assert.equal(seen.length, 0);
    assert.equal(r.error?.offset, 0, name);
    assert.match(r.error!.message, /too short/);
  }
});

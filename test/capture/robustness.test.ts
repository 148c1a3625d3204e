/**
 * Hostile input: every capture of ../shared/corpus/pcap (incl. trunc_*, ip-bogus-header-len, empty.pcap,
 * modbus_fuzz-72.pcap) and seeded mutations of them (bit flips, overwritten length fields, truncation at every
 * kind of boundary) must end with counts or a diagnostic that names a byte offset inside the file — never an
 * exception, never a hang.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CORPUS } from '../helpers/paths.ts';
import { readCaptures } from '../../src/capture/index.ts';

const DIR = join(CORPUS, 'pcap');
const FILES = readdirSync(DIR).filter((f) => /\.pcap(ng)?$/.test(f)).sort();

async function check(path: string, size: number) {
  const r = await readCaptures([path], { displayName: () => 'x' });
  for (const d of r.diagnostics) {
    if (d.code === 'ZC861') continue;
    assert.ok(d.offset !== undefined, `${d.code} carries a byte offset: ${d.message}`);
    assert.ok(d.offset! >= 0 && d.offset! <= size, `offset ${d.offset} inside the file (${size} bytes)`);
    assert.match(d.message, /byte offset \d+/);
  }
  return r;
}

test('corpus: what each odd capture yields', async () => {
  const expect: Record<string, { packets: number; codes: string[] }> = {
    'empty.pcap': { packets: 0, codes: [] },
    'trunc_trunc-hdr.pcap': { packets: 1, codes: ['ZC853'] },
    'trunc_ip4-trunc.pcap': { packets: 1, codes: ['ZC853'] },
    'trunc_ip6-trunc.pcap': { packets: 1, codes: ['ZC853'] },
    'trunc_ipv4-truncated-broken-header.pcap': { packets: 1, codes: ['ZC853'] },
    'ip-bogus-header-len.pcap': { packets: 1, codes: [] },
    'modbus_fuzz-72.pcap': { packets: 36, codes: ['ZC853'] },
  };
  for (const [f, e] of Object.entries(expect)) {
    const path = join(DIR, f);
    const r = await check(path, readFileSync(path).length);
    assert.equal(r.stats.packets, e.packets, f);
    assert.deepEqual(r.diagnostics.map((d) => d.code), e.codes, f);
  }
  // The first truncated header is the first record, right after the 24-byte file header.
  const t = await readCaptures([join(DIR, 'trunc_trunc-hdr.pcap')]);
  assert.equal(t.diagnostics[0].offset, 24);
});

test('seeded mutations of every corpus capture never throw or hang', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'otz-fuzz-'));
  let seed = 0x5eed;
  const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  let runs = 0;
  let errors = 0;
  try {
    const started = Date.now();
    for (const f of FILES) {
      const orig = readFileSync(join(DIR, f));
      for (let k = 0; k < 12; k++) {
        const b = Buffer.from(orig);
        const mode = k % 4;
        if (mode === 0) for (let i = 0; i < 8; i++) b[Math.floor(rnd() * b.length)] ^= 1 << Math.floor(rnd() * 8);
        if (mode === 1 && b.length > 40) b.writeUInt32LE(Math.floor(rnd() * 2 ** 32), 24 + 8 + 4 * Math.floor(rnd() * 2)); // first record's lengths
        if (mode === 2 && b.length > 24) for (let i = 24; i < b.length; i += 1 + Math.floor(rnd() * 64)) b[i] = Math.floor(rnd() * 256);
        const data = mode === 3 ? b.subarray(0, Math.floor(rnd() * b.length)) : b;
        const p = join(dir, `m${k}.pcap`);
        writeFileSync(p, k === 11 ? gzipSync(data).subarray(0, Math.max(10, Math.floor(data.length / 3))) : data);
        const r = await check(p, k === 11 ? Infinity : data.length);
        errors += r.diagnostics.filter((d) => d.severity === 'error').length;
        runs++;
      }
    }
    assert.ok(Date.now() - started < 30000, 'mutations finish quickly');
    assert.equal(runs, FILES.length * 12);
    assert.ok(errors > 0, 'some mutations are fatal and reported as errors with offsets');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a record that claims a huge captured length stops the file with its offset', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'otz-huge-'));
  try {
    const b = Buffer.from(readFileSync(join(DIR, 'modbus_modbusSmall.pcap')));
    // Second record: after the 24-byte header and the first record (16 + its captured length).
    const second = 24 + 16 + b.readUInt32LE(24 + 8);
    b.writeUInt32LE(0x7fffffff, second + 8);
    const p = join(dir, 'huge.pcap');
    writeFileSync(p, b);
    const r = await readCaptures([p], { displayName: () => 'huge.pcap' });
    assert.equal(r.stats.packets, 1);
    const e = r.diagnostics.find((d) => d.code === 'ZC851');
    assert.ok(e, 'ZC851 reported');
    assert.equal(e!.offset, second);
    assert.match(e!.message, new RegExp(`huge.pcap: byte offset ${second}: record header claims 2147483647 captured bytes`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/**
 * The Modbus/TCP stream parser against real captures of ../shared/corpus/pcap (Zeek test traces, BSD):
 * the request bytes of each TCP stream, as tshark reassembles them, must parse into the same function codes
 * tshark decodes, whether they arrive whole, one byte at a time or in random cuts; malformed headers fail closed.
 *   modbus_modbusSmall.pcap                 — 20 short sessions of FC 1 and FC 15 requests
 *   modbus_modbus-and-non-modbus-p502.pcap  — Modbus and other protocols on port 502
 *   modbus_fuzz-72.pcap                     — fuzzed Modbus traffic
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { CORPUS } from '../helpers/paths.ts';
import { MAX_ADU_LENGTH, ModbusStreamParser, buildAdu, exceptionResponse } from '../../src/modbus/stream.ts';

interface Seg { stream: number; dport: number; payload: Buffer; fcs: number[] }

function segments(file: string): Seg[] {
  const r = spawnSync('tshark', ['-r', join(CORPUS, 'pcap', file), '-Y', 'tcp.len>0', '-T', 'fields', '-E', 'separator=/t', '-e', 'tcp.stream', '-e', 'tcp.dstport', '-e', 'tcp.payload', '-e', 'modbus.func_code'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim().split('\n').map((l) => {
    const [s, d, p, f] = l.split('\t');
    return { stream: Number(s), dport: Number(d), payload: Buffer.from(p.replace(/:/g, ''), 'hex'), fcs: f ? f.split(',').map(Number) : [] };
  });
}

function parseAll(chunks: Buffer[]) {
  const p = new ModbusStreamParser();
  const fcs: number[] = [];
  let error;
  for (const c of chunks) {
    const r = p.push(c);
    fcs.push(...r.frames.map((f) => f.functionCode));
    error ??= r.error;
  }
  return { fcs, error };
}

const tsharkSkip = spawnSync('sh', ['-c', 'command -v tshark']).status === 0 ? false : 'needs tshark (installed by .ci/run)';

test('request streams parse into the function codes tshark decodes', { skip: tsharkSkip }, () => {
  for (const file of ['modbus_modbusSmall.pcap', 'modbus_modbus-and-non-modbus-p502.pcap']) {
    const segs = segments(file).filter((s) => s.dport === 502);
    const streams = [...new Set(segs.map((s) => s.stream))];
    let compared = 0;
    for (const st of streams) {
      const mine = segs.filter((s) => s.stream === st);
      if (!mine.every((s) => s.fcs.length > 0)) continue; // not Modbus throughout: covered by the fail-closed test
      const expected = mine.flatMap((s) => s.fcs);
      const whole = parseAll(mine.map((s) => s.payload));
      assert.deepEqual(whole.fcs, expected, `${file} stream ${st}`);
      assert.equal(whole.error, undefined);
      compared += expected.length;
    }
    assert.ok(compared >= 6, `${file}: compared ${compared} requests`);
  }
});

test('the same bytes give the same frames whole, byte by byte and in random cuts', { skip: tsharkSkip }, () => {
  for (const file of ['modbus_modbusSmall.pcap', 'modbus_fuzz-72.pcap', 'modbus_modbus-and-non-modbus-p502.pcap']) {
    const segs = segments(file);
    for (const key of [...new Set(segs.map((s) => `${s.stream}/${s.dport}`))]) {
      const bytes = Buffer.concat(segs.filter((s) => `${s.stream}/${s.dport}` === key).map((s) => s.payload));
      const whole = parseAll([bytes]);
      const bytewise = parseAll([...bytes].map((b) => Buffer.from([b])));
      let seed = bytes.length;
      const cuts: Buffer[] = [];
      for (let i = 0; i < bytes.length; ) {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        const n = 1 + (seed % 40);
        cuts.push(bytes.subarray(i, i + n));
        i += n;
      }
      const random = parseAll(cuts);
      assert.deepEqual(bytewise, whole, `${file} ${key}`);
      assert.deepEqual(random, whole, `${file} ${key}`);
    }
  }
});

test('non-Modbus bytes on port 502 fail closed with the offset of the bad header field', { skip: tsharkSkip }, () => {
  const segs = segments('modbus_modbus-and-non-modbus-p502.pcap').filter((s) => s.dport === 502);
  const bad = [...new Set(segs.map((s) => s.stream))].filter((st) => segs.some((s) => s.stream === st && s.fcs.length === 0));
  assert.ok(bad.length > 0);
  for (const st of bad) {
    const r = parseAll(segs.filter((s) => s.stream === st).map((s) => s.payload));
    assert.ok(r.error, `stream ${st} must be refused`);
    assert.match(r.error.message, /protocol id|MBAP length/);
  }
});

test('several ADUs in one chunk and one ADU over many chunks', () => {
  const a = buildAdu(1, 1, Buffer.from([3, 0, 99, 0, 1]));
  const b = buildAdu(2, 1, Buffer.from([6, 0, 99, 0, 7]));
  const c = buildAdu(3, 9, Buffer.from([16, 0, 0, 0, 2, 4, 0, 1, 0, 2]));
  const p = new ModbusStreamParser();
  const r1 = p.push(Buffer.concat([a, b, c.subarray(0, 3)]));
  assert.deepEqual(r1.frames.map((f) => [f.transactionId, f.functionCode, f.offset]), [[1, 3, 0], [2, 6, 12]]);
  assert.equal(p.pending, 3);
  const r2 = p.push(c.subarray(3));
  assert.deepEqual(r2.frames.map((f) => [f.transactionId, f.unitId, f.functionCode, f.offset, f.raw.length]), [[3, 9, 16, 24, 17]]);
  assert.deepEqual(r2.frames[0].raw, c);
});

test('malformed MBAP headers fail closed and stay failed', () => {
  const cases: [string, Buffer, RegExp, number][] = [
    ['length 0', Buffer.from('0001000000000103', 'hex'), /MBAP length 0/, 4],
    ['length 1', Buffer.from('000100000001010300', 'hex'), /MBAP length 1/, 4],
    ['length 255', Buffer.from('00010000 00ff 01'.replace(/ /g, ''), 'hex'), /MBAP length 255/, 4],
    ['protocol id 1', Buffer.from('0001000100060103006300 01'.replace(/ /g, ''), 'hex'), /protocol id is 1/, 2],
  ];
  for (const [name, bytes, re, offset] of cases) {
    const good = buildAdu(7, 1, Buffer.from([3, 0, 0, 0, 1]));
    const p = new ModbusStreamParser();
    const r = p.push(Buffer.concat([good, bytes, good]));
    assert.equal(r.frames.length, 1, name);
    assert.match(r.error!.message, re, name);
    assert.equal(r.error!.offset, good.length + offset, name);
    assert.deepEqual(p.push(good).frames, [], `${name}: nothing after the failure`);
  }
  // The longest legal ADU is accepted.
  const max = buildAdu(1, 1, Buffer.alloc(MAX_ADU_LENGTH - 7, 16));
  assert.equal(new ModbusStreamParser().push(max).frames.length, 1);
});

test('exception response mirrors transaction, unit and function code', () => {
  const [f] = new ModbusStreamParser().push(buildAdu(0x1234, 5, Buffer.from([6, 0, 1, 0, 2]))).frames;
  assert.equal(exceptionResponse(f, 1).toString('hex'), '123400000003058601');
});

test('property: any sequence of valid ADUs, cut anywhere, parses back to the same ADUs', async () => {
  const fc = (await import('fast-check')).default;
  const adu = fc.record({ tid: fc.integer({ min: 0, max: 0xffff }), unit: fc.integer({ min: 0, max: 255 }), pdu: fc.uint8Array({ minLength: 1, maxLength: 253 }) });
  fc.assert(
    fc.property(fc.array(adu, { minLength: 1, maxLength: 20 }), fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 50 }), (adus, cutSizes) => {
      const built = adus.map((a) => buildAdu(a.tid, a.unit, a.pdu));
      const bytes = Buffer.concat(built);
      const chunks: Buffer[] = [];
      for (let i = 0, k = 0; i < bytes.length; k++) {
        const n = cutSizes[k % cutSizes.length];
        chunks.push(bytes.subarray(i, i + n));
        i += n;
      }
      const p = new ModbusStreamParser();
      const frames = chunks.flatMap((c) => p.push(c).frames);
      assert.equal(p.error, undefined);
      assert.equal(p.pending, 0);
      assert.deepEqual(frames.map((f) => f.raw), built);
      assert.deepEqual(frames.map((f) => [f.transactionId, f.unitId, f.functionCode]), adus.map((a) => [a.tid, a.unit, a.pdu[0]]));
    }),
    { numRuns: 300, seed: 62443 },
  );
});

/**
 * The enforcing Modbus filter under load on loopback: hundreds of concurrent connections sending pipelined,
 * split and malformed requests. The device behind it records every request it receives; it must never see a
 * function code outside the allowed set, and every rejected request must come back as exception 01.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createModbusServer, type ModbusServerHandle } from '../../src/modbus/server.ts';
import { createModbusFilter, parseFunctionCodes, type FilterDecision, type ModbusFilter } from '../../src/modbus/filter.ts';
import { ModbusStreamParser, buildAdu, type ModbusFrame } from '../../src/modbus/stream.ts';
import { ModbusClient, registerValues } from '../../src/modbus/client.ts';
import { runCli } from '../helpers/cli.ts';

let dev: ModbusServerHandle;
let filter: ModbusFilter;
let port = 0;
const decisions: FilterDecision[] = [];
const ALLOWED = new Set([3, 4]);

before(async () => {
  dev = createModbusServer();
  await new Promise<void>((r) => dev.server.listen(0, '127.0.0.1', () => r()));
  filter = createModbusFilter({ upstreamHost: '127.0.0.1', upstreamPort: (dev.server.address() as AddressInfo).port, allow: ALLOWED, log: (d) => decisions.push(d) });
  await new Promise<void>((r) => filter.server.listen(0, '127.0.0.1', () => r()));
  port = (filter.server.address() as AddressInfo).port;
});

after(async () => {
  await new Promise((r) => filter.server.close(r));
  await new Promise((r) => dev.server.close(r));
});

function assertDeviceClean() {
  const bad = dev.device.requests.filter((r) => !ALLOWED.has(r.functionCode));
  assert.deepEqual(bad, [], 'the device received a disallowed function code');
  assert.equal(dev.device.writes, 0);
}

/** Sends `bytes` in the given cuts and collects responses until `expect` frames arrived or the peer closed. */
function exchange(chunks: Buffer[], expect: number, timeoutMs = 5000): Promise<{ frames: ModbusFrame[]; closed: boolean }> {
  return new Promise((resolve) => {
    const s: Socket = connect(port, '127.0.0.1');
    s.setNoDelay(true);
    const p = new ModbusStreamParser();
    const frames: ModbusFrame[] = [];
    let closed = false;
    const t = setTimeout(() => finish(), timeoutMs);
    const finish = () => {
      clearTimeout(t);
      s.destroy();
      resolve({ frames, closed });
    };
    s.on('data', (c) => {
      frames.push(...p.push(c).frames);
      if (frames.length >= expect && expect > 0) finish();
    });
    s.on('close', () => {
      closed = true;
      finish();
    });
    s.on('error', () => {});
    s.on('connect', async () => {
      for (const c of chunks) {
        s.write(c);
        await new Promise((r) => setImmediate(r));
      }
    });
  });
}

const req = (tid: number, fc: number, addr = 99, val = 1) => {
  const pdu = fc === 16 ? Buffer.from([16, 0, addr, 0, 1, 2, 0, val]) : Buffer.from([fc, 0, addr, 0, val]);
  return buildAdu(tid, 1, pdu);
};

test('400 concurrent connections with pipelined and split requests: only FC 3/4 reach the device', async () => {
  dev.device.holding[99] = 4242;
  const codes = [3, 6, 4, 16, 5, 3, 90, 15, 8, 4];
  const runs = [];
  for (let c = 0; c < 400; c++) {
    const adus = codes.map((fc, k) => req(k + 1, fc));
    const bytes = Buffer.concat(adus);
    // Cut the pipelined stream at connection-specific places, so headers and PDUs straddle segments.
    const chunks: Buffer[] = [];
    for (let i = 0, n = 1 + (c % 13); i < bytes.length; i += n, n = 1 + ((n * 7 + c) % 29)) chunks.push(bytes.subarray(i, i + n));
    runs.push(exchange(chunks, codes.length, 15000));
  }
  const results = await Promise.all(runs);
  for (const r of results) {
    assert.equal(r.frames.length, codes.length);
    const byTid = new Map(r.frames.map((f) => [f.transactionId, f]));
    codes.forEach((fc, k) => {
      const f = byTid.get(k + 1)!;
      if (ALLOWED.has(fc)) {
        assert.equal(f.functionCode, fc);
        if (fc === 3) assert.deepEqual(registerValues(f), [4242]);
      } else {
        assert.equal(f.functionCode, fc | 0x80);
        assert.equal(f.raw[8], 1, 'exception 01 illegal function');
      }
    });
    // Responses keep request order.
    assert.deepEqual(r.frames.map((f) => f.transactionId), codes.map((_, k) => k + 1));
  }
  assertDeviceClean();
  assert.equal(dev.device.requests.filter((r) => r.functionCode === 3).length, 800);
  assert.equal(dev.device.holding[99], 4242);
});

test('a malformed header closes the connection and nothing after it is forwarded', async () => {
  const before = dev.device.requests.length;
  const bad = [
    Buffer.from('000900000000', 'hex'), // length 0
    Buffer.from('000900000100', 'hex'), // length 256
    Buffer.from('00090001000601', 'hex'), // protocol id 1
  ];
  for (const b of bad) {
    const r = await exchange([Buffer.concat([req(1, 3), b, req(2, 3), req(3, 6)])], 99, 3000);
    assert.equal(r.closed, true);
    assert.ok(r.frames.length <= 1);
  }
  const reasons = decisions.filter((d) => d.decision === 'close').map((d) => d.reason);
  assert.ok(reasons.filter((x) => /malformed request stream/.test(x)).length >= 3, reasons.join('\n'));
  // At most the leading valid read of each connection reached the device.
  assert.ok(dev.device.requests.length - before <= 3);
  assertDeviceClean();
});

test('random bytes on 200 connections never get a disallowed code through', async () => {
  let seed = 42;
  const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
  const runs = [];
  for (let c = 0; c < 200; c++) {
    const parts: Buffer[] = [];
    for (let k = 0; k < 6; k++) {
      const kind = rnd() % 4;
      if (kind === 0) parts.push(Buffer.from(Array.from({ length: 1 + (rnd() % 20) }, () => rnd() & 0xff)));
      else {
        // Plausible headers with a random function code and random (sometimes wrong) lengths.
        const fc = rnd() % 128;
        const pdu = Buffer.from([fc, ...Array.from({ length: rnd() % 12 }, () => rnd() & 0xff)]);
        const adu = buildAdu(rnd() & 0xffff, rnd() & 0xff, pdu);
        if (kind === 3) adu.writeUInt16BE(rnd() % 300, 4);
        parts.push(adu);
      }
    }
    runs.push(exchange([Buffer.concat(parts)], 6, 1000));
  }
  await Promise.all(runs);
  assertDeviceClean();
});

test('a write split across segments is still rejected with exception 01', async () => {
  const w = req(77, 6, 99, 1);
  const r = await exchange([w.subarray(0, 7), w.subarray(7, 8), w.subarray(8)], 1);
  assert.equal(r.frames[0].functionCode, 0x86);
  assert.equal(r.frames[0].raw[8], 1);
  assertDeviceClean();
  const d = decisions.find((x) => x.transaction === 77)!;
  assert.equal(d.decision, 'reject');
  assert.equal(d.function, 'write-single-register');
});

test('the client helper reads through the filter and sees the write refused', async () => {
  dev.device.holding[99] = 17;
  const c = new ModbusClient({ host: '127.0.0.1', port });
  await c.connect();
  const r = await c.readHolding(1, 99, 1);
  assert.equal(r.kind, 'ok');
  assert.deepEqual(registerValues((r as { frame: ModbusFrame }).frame), [17]);
  const w = await c.writeSingle(1, 99, 17);
  assert.deepEqual(w.kind === 'exception' ? w.code : w.kind, 1);
  c.close();
  assertDeviceClean();
});

test('function-code lists', () => {
  assert.deepEqual(parseFunctionCodes('3,4'), { codes: [3, 4] });
  assert.deepEqual(parseFunctionCodes('1-4, 16'), { codes: [1, 2, 3, 4, 16] });
  assert.match((parseFunctionCodes('3;4') as { error: string }).error, /"3;4"/);
  assert.match((parseFunctionCodes('0') as { error: string }).error, /1\.\.127/);
});

test('CLI: bad flags exit 2 with a clear message; a model conduit gives the codes', async () => {
  let r = await runCli(['modbus-filter', '--listen', 'nope', '--upstream', '127.0.0.1:502', '--allow', '3']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--listen "nope": expected ADDR:PORT/);
  r = await runCli(['modbus-filter', '--listen', '127.0.0.1:0', '--upstream', '127.0.0.1:502', '--allow', '3,x']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--allow "x"/);
  r = await runCli(['modbus-filter', '--listen', '127.0.0.1:0', '--upstream', '127.0.0.1:502', '--model', 'examples/refinery-unit3.yaml', '--conduit', 'C3-DMZ-ENT']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /C3-DMZ-ENT has no flow with function_codes/);
  const ac = new AbortController();
  const run = runCli(['modbus-filter', '--listen', '127.0.0.1:0', '--upstream', '127.0.0.1:502', '--model', 'examples/refinery-unit3.yaml', '--conduit', 'C1-BPCS-OPS'], { signal: ac.signal });
  await new Promise((r2) => setTimeout(r2, 300));
  ac.abort();
  r = await run;
  assert.equal(r.code, 0);
  assert.match(r.stderr, /forwarding function codes 3,4 to 127\.0\.0\.1:502/);
});

test('CLI: the filter forwards a read, refuses a write and logs both as JSON lines', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'otz-mbf-'));
  const log = join(dir, 'decisions.jsonl');
  const upstreamPort = (dev.server.address() as AddressInfo).port;
  // Find a free port for --listen, then hand it to the CLI.
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
  const listenPort = (probe.address() as AddressInfo).port;
  await new Promise((r) => probe.close(r));
  const ac = new AbortController();
  const run = runCli(['modbus-filter', '--listen', `127.0.0.1:${listenPort}`, '--upstream', `127.0.0.1:${upstreamPort}`, '--allow', '3', '--log', log], { signal: ac.signal });
  let c: ModbusClient | undefined;
  for (let i = 0; i < 50 && !c; i++) {
    const x = new ModbusClient({ host: '127.0.0.1', port: listenPort, timeoutMs: 500 });
    try {
      await x.connect();
      c = x;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  assert.ok(c, 'the CLI filter accepted a connection');
  dev.device.holding[5] = 555;
  const r = await c.readHolding(1, 5, 1);
  assert.deepEqual(r.kind === 'ok' ? registerValues(r.frame) : r.kind, [555]);
  const w = await c.writeSingle(1, 5, 1);
  assert.deepEqual(w.kind === 'exception' ? w.code : w.kind, 1);
  c.close();
  ac.abort();
  const done = await run;
  assert.equal(done.code, 0);
  assert.match(done.stderr, /stopped \(1 connections, 1 forwarded, 1 rejected/);
  const lines = readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(lines.map((l) => [l.decision, l.function_code, l.function]), [['forward', 3, 'read-holding-registers'], ['reject', 6, 'write-single-register']]);
  assert.equal(dev.device.holding[5], 555);
  rmSync(dir, { recursive: true, force: true });
});

/**
 * S7comm job functions against a conduit flow's `s7_functions` (test/fixtures/capture/s7-plant.yaml: the
 * historian may set up communication and read variables on the PLC, nothing else).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../helpers/paths.ts';
import { runCli } from '../helpers/cli.ts';
import { pcap, tcpFrame } from '../capture/build.ts';

const MODEL = join(ROOT, 'test/fixtures/capture/s7-plant.yaml');
const dir = mkdtempSync(join(tmpdir(), 'otz-s7-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

// TPKT (03 00 len) | COTP DT (02 F0 80) | S7 header: 32, ROSCTR 01 (job), 0000, PDU ref, param len 000e, data len | function
const s7job = (fn: number) => [0x03, 0x00, 0x00, 0x1f, 0x02, 0xf0, 0x80, 0x32, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x0e, 0x00, 0x00, fn, 0x01, 0x12, 0x0a, 0x10, 0x02, 0x00, 0x01, 0x00, 0x01, 0x84, 0x00, 0x00, 0x00];

function capture(fns: number[]): string {
  const H = '10.2.0.50';
  const P = '10.1.0.10';
  let seq = 1000;
  const frames = [tcpFrame(H, 50000, P, 102, seq++, 0x02), tcpFrame(P, 102, H, 50000, 7000, 0x12)];
  for (const fn of fns) {
    const p = s7job(fn);
    frames.push(tcpFrame(H, 50000, P, 102, seq, 0x18, p));
    seq += p.length;
  }
  const f = join(dir, `s7-${fns.join('-')}.pcap`);
  writeFileSync(f, pcap(frames.map((data, i) => ({ tsUs: 1.7e15 + i, data }))));
  return f;
}

test('setup communication and read var: allowed', async () => {
  const r = await runCli(['baseline', MODEL, capture([0xf0, 0x04, 0x04]), '--format', 'json']);
  assert.equal(r.code, 0, r.stdout);
  const f = (JSON.parse(r.stdout) as { flows: { verdict: string; protocol: string; app_codes: Record<string, number> }[] }).flows[0];
  assert.equal(f.protocol, 's7comm');
  assert.equal(f.verdict, 'allowed');
  assert.deepEqual(f.app_codes, { 'job:read-var': 2, 'job:setup-communication': 1 });
});

test('write var and PLC stop from operations: function-code-not-allowed with the S7 function bytes', async () => {
  const r = await runCli(['baseline', MODEL, capture([0xf0, 0x04, 0x05, 0x29]), '--format', 'json']);
  assert.equal(r.code, 1);
  const v = (JSON.parse(r.stdout) as { violations: { reasons: string[]; disallowed_function_codes: number[]; conduit: string }[] }).violations;
  assert.deepEqual(
    v.map((x) => [x.reasons, x.disallowed_function_codes, x.conduit]),
    [[['function-code-not-allowed'], [0x05, 0x29], 'C-OPS-CTRL']],
  );
});

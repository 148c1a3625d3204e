/** `otzones baseline` exit codes and messages: 0 clean, 1 violations, 2 unusable input (file and byte offset named). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CORPUS, EXAMPLE } from '../helpers/paths.ts';
import { runCli } from '../helpers/cli.ts';
import { pcap, tcpFrame } from '../capture/build.ts';

const dir = mkdtempSync(join(tmpdir(), 'otz-blcli-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

const HIST = '10.30.1.50';
const PLC = '10.20.1.10';
function poll(fc: number): Buffer {
  const req = [0, 1, 0, 0, 0, 6, 1, fc, 0, 0, 0, 1];
  return pcap(
    [
      tcpFrame(HIST, 40000, PLC, 502, 100, 0x02),
      tcpFrame(PLC, 502, HIST, 40000, 900, 0x12),
      tcpFrame(HIST, 40000, PLC, 502, 101, 0x18, req),
    ].map((data, i) => ({ tsUs: 1771833600e6 + i, data })),
  );
}

test('only traffic the conduits allow: exit 0 and a one-line verdict', async () => {
  const p = join(dir, 'ok.pcap');
  writeFileSync(p, poll(3));
  const r = await runCli(['baseline', EXAMPLE, p]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /1 flows: 0 intra-zone, 1 allowed by a conduit, 0 violation\(s\)/);
  assert.match(r.stdout, /No violations: every cross-zone flow observed is allowed by a conduit\./);
  const j = JSON.parse((await runCli(['baseline', EXAMPLE, p, '--format', 'json'])).stdout) as { tool: string; command: string; flows: Record<string, unknown>[] };
  assert.equal(j.tool, 'otzones');
  assert.equal(j.command, 'baseline');
  assert.deepEqual(j.flows[0], {
    src: HIST,
    dst: PLC,
    transport: 'tcp',
    dst_port: 502,
    protocol: 'modbus',
    src_zone: 'Z3-OPS',
    dst_zone: 'Z2-BPCS',
    src_asset: 'HIST-01',
    dst_asset: 'PLC-01',
    packets: 3,
    bytes: 174,
    first_seen: '2026-02-23T08:00:00.000Z',
    last_seen: '2026-02-23T08:00:00.000Z',
    function_codes: { 3: 1 },
    exception_codes: {},
    app_codes: {},
    verdict: 'allowed',
    reasons: [],
    conduit: 'C1-BPCS-OPS',
    disallowed_function_codes: [],
    connections: 1,
    evidence: p,
  });
});

test('a write from level 3 is exit 1', async () => {
  const p = join(dir, 'write.pcap');
  writeFileSync(p, poll(16));
  const r = await runCli(['baseline', EXAMPLE, p, '--format', 'json']);
  assert.equal(r.code, 1);
  assert.deepEqual((JSON.parse(r.stdout) as { violations: { reasons: string[] }[] }).violations.map((v) => v.reasons), [['function-code-not-allowed']]);
});

test('unusable input: exit 2 with the file and the byte offset, never a stack trace', async () => {
  const missing = await runCli(['baseline', EXAMPLE, join(dir, 'nope.pcap')]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /nope\.pcap: no such file/);
  const none = await runCli(['baseline', EXAMPLE]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /give at least one capture or log file/);
  const jobs = await runCli(['baseline', EXAMPLE, join(CORPUS, 'pcap/empty.pcap'), '--jobs', 'x']);
  assert.equal(jobs.code, 2);
  const empty = join(dir, 'empty.bin');
  writeFileSync(empty, '');
  const e = await runCli(['baseline', EXAMPLE, empty]);
  assert.equal(e.code, 2);
  assert.match(e.stdout, /empty\.bin: byte offset 0: .*\(the file is empty\)/);
  // A capture whose second record claims 2 GB: the first packet counts, the error names offset 40 + its length.
  const b = Buffer.from(readFileSync(join(CORPUS, 'pcap/modbus_modbusSmall.pcap')));
  const second = 24 + 16 + b.readUInt32LE(32);
  b.writeUInt32LE(0x7fffffff, second + 8);
  const bad = join(dir, 'bad.pcap');
  writeFileSync(bad, b);
  const c = await runCli(['baseline', EXAMPLE, bad, '--format', 'json']);
  assert.equal(c.code, 2);
  assert.match(c.stderr, new RegExp(`ZC851: .*bad\\.pcap: byte offset ${second}: record header claims 2147483647 captured bytes`));
  assert.doesNotMatch(c.stdout + c.stderr, /\n\s+at /, 'no stack trace');
  const j = JSON.parse(c.stdout) as { diagnostics: { code: string; offset?: number }[] };
  assert.equal(j.diagnostics[0].code, 'ZC851');
  // A truncated capture is a warning: counted up to the cut, exit by verdict.
  const t = join(dir, 'trunc.pcap');
  writeFileSync(t, readFileSync(join(CORPUS, 'pcap/modbus_modbusSmall.pcap')).subarray(0, 1000));
  const tr = await runCli(['baseline', EXAMPLE, t]);
  assert.equal(tr.code, 1, 'unzoned corpus hosts are violations; the truncation itself is only a warning');
  assert.match(tr.stdout, /warning ZC852: .*trunc\.pcap: byte offset \d+: last record cut short/);
});

test('an unusable model is exit 2 before any capture is read', async () => {
  const m = join(dir, 'bad.yaml');
  writeFileSync(m, 'zones: [\n');
  const r = await runCli(['baseline', m, join(CORPUS, 'pcap/empty.pcap')]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /bad\.yaml/);
});

test('--progress when stderr is not a terminal: plain lines with bytes, packets/s and ETA', async () => {
  const p = join(dir, 'progress.pcap');
  writeFileSync(p, poll(3));
  const r = await runCli(['baseline', EXAMPLE, p, '--progress']);
  assert.equal(r.code, 0);
  assert.match(r.stderr, /^baseline: 246 B of 246 B \(100%\), \d+ packets\/s, ETA 0 s$/m);
  const quiet = await runCli(['baseline', EXAMPLE, p]);
  assert.equal(quiet.stderr, '', 'no progress unless asked or on a terminal');
});

test('OPC UA without security on a conduit flow that requires SignAndEncrypt: allowed, with a note', async () => {
  // HMI-01 → HIST-01:4840 is allowed by C1-BPCS-OPS with security_mode SignAndEncrypt (examples/refinery-unit3.yaml).
  const uri = [...Buffer.from('http://opcfoundation.org/UA/SecurityPolicy#None')];
  const opn = [0x4f, 0x50, 0x4e, 0x46, 0, 0, 0, 0, 0, 0, 0, 0, uri.length, 0, 0, 0, ...uri];
  opn[4] = opn.length;
  const hel = [0x48, 0x45, 0x4c, 0x46, 32, 0, 0, 0, ...new Array(24).fill(0)];
  const frames = [
    tcpFrame('10.20.2.11', 50000, HIST, 4840, 10, 0x02),
    tcpFrame(HIST, 4840, '10.20.2.11', 50000, 500, 0x12),
    tcpFrame('10.20.2.11', 50000, HIST, 4840, 11, 0x18, hel),
    tcpFrame('10.20.2.11', 50000, HIST, 4840, 11 + hel.length, 0x18, opn),
  ];
  const p = join(dir, 'opcua-none.pcap');
  writeFileSync(p, pcap(frames.map((data, i) => ({ tsUs: 1.7e15 + i, data }))));
  const r = await runCli(['baseline', EXAMPLE, p, '--format', 'json']);
  assert.equal(r.code, 0);
  const f = (JSON.parse(r.stdout) as { flows: { verdict: string; app_codes: Record<string, number>; notes?: string[] }[] }).flows[0];
  assert.equal(f.verdict, 'allowed');
  assert.deepEqual(f.app_codes, { hel: 1, opn: 1, 'security:none': 1 });
  assert.deepEqual(f.notes, ['C1-BPCS-OPS requires OPC UA security mode SignAndEncrypt; 1 secure channel(s) opened with SecurityPolicy#None']);
  const t = await runCli(['baseline', EXAMPLE, p]);
  assert.match(t.stdout, /Allowed flows that miss a requirement of their conduit \(1\):\n {2}10\.20\.2\.11 \(HMI-01\) -> 10\.30\.1\.50 \(HIST-01\) {2}tcp\/4840 opcua: C1-BPCS-OPS requires/);
  // SARIF carries it as a warning (ZC885), so a pipeline reading SARIF sees it; the exit code stays 0 (allowed).
  const sarif = await runCli(['baseline', EXAMPLE, p, '--format', 'sarif']);
  assert.equal(sarif.code, 0);
  const results = (JSON.parse(sarif.stdout) as { runs: { results: { ruleId: string; level: string; message: { text: string } }[] }[] }).runs[0].results;
  const req = results.filter((x) => x.ruleId === 'ZC885');
  assert.equal(req.length, 1);
  assert.equal(req[0].level, 'warning');
  assert.match(req[0].message.text, /SecurityPolicy#None/);
});

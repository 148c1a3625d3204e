/**
 * A capture generated from the example model (bench/gen-capture.ts --planted) holds legitimate traffic of every
 * conduit plus three planted violations: a Modbus write (FC 6, 16) from level 3 (HIST-01 → PLC-02), RDP from
 * the enterprise straight into control (10.40.3.25 → HMI-02), and a rogue device (192.168.77.5) polling PLC-03.
 * `otzones baseline` must report exactly those — in pcap and pcapng, on one core and on two, and via the store.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { EXAMPLE } from '../helpers/paths.ts';
import { runCli } from '../helpers/cli.ts';
import { generateCapture } from '../../bench/gen-capture.ts';

const dir = mkdtempSync(join(tmpdir(), 'otz-planted-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const PCAP = join(dir, 'planted.pcap');
const PCAPNG = join(dir, 'planted.pcapng');
generateCapture({ out: PCAP, bytes: 1e9, format: 'pcap', scenario: 'planted' });
generateCapture({ out: PCAPNG, bytes: 1e9, format: 'pcapng', scenario: 'planted' });

const EXPECTED = [
  { src: '10.30.1.50', dst: '10.20.1.11', transport: 'tcp', dst_port: 502, protocol: 'modbus', src_zone: 'Z3-OPS', dst_zone: 'Z2-BPCS', reasons: ['function-code-not-allowed'], conduit: 'C1-BPCS-OPS', disallowed_function_codes: [6, 16] },
  { src: '10.40.3.25', dst: '10.20.2.12', transport: 'tcp', dst_port: 3389, protocol: 'rdp', src_zone: 'Z5-ENT', dst_zone: 'Z2-BPCS', reasons: ['no-conduit'], conduit: null, disallowed_function_codes: [] },
  { src: '192.168.77.5', dst: '10.20.1.12', transport: 'tcp', dst_port: 502, protocol: 'modbus', src_zone: null, dst_zone: 'Z2-BPCS', reasons: ['unzoned-endpoint'], conduit: null, disallowed_function_codes: [] },
];

type Flow = Record<string, unknown> & { verdict: string; function_codes: Record<string, number> };

function pick(v: Flow) {
  const { src, dst, transport, dst_port, protocol, src_zone, dst_zone, reasons, conduit, disallowed_function_codes } = v;
  return { src, dst, transport, dst_port, protocol, src_zone, dst_zone, reasons, conduit, disallowed_function_codes };
}

async function baseline(args: string[]) {
  const r = await runCli(['baseline', EXAMPLE, ...args, '--format', 'json']);
  return { ...r, json: r.stdout ? (JSON.parse(r.stdout) as { flows: Flow[]; violations: Flow[]; assets: { ip: string; zone: string | null; observed_roles: string[] }[]; summary: Record<string, unknown>; proposed_conduits_yaml: string }) : undefined };
}

test('exactly the planted violations, most serious first (pcap)', async () => {
  const r = await baseline([PCAP]);
  assert.equal(r.code, 1, r.stderr);
  const j = r.json!;
  assert.deepEqual(j.violations.map(pick), EXPECTED);
  // 5 rounds of the generator's code cycle [3, 6, 3, 16]: 3, 6, 3, 16, 3.
  assert.deepEqual(j.violations[0].function_codes, { 3: 3, 6: 1, 16: 1 });
  // Everything else is intra-zone or allowed by the conduit the model names.
  const allowed = j.flows.filter((f) => f.verdict === 'allowed').map((f) => `${f.src}>${f.dst}:${f.dst_port}=${f.conduit}`);
  assert.deepEqual(allowed.sort(), [
    '10.20.2.11>10.30.1.50:4840=C1-BPCS-OPS',
    '10.30.1.100>172.16.1.100:5450=C4-OPS-DMZ-DIODE',
    '10.30.1.50>10.20.1.10:502=C1-BPCS-OPS',
    '10.30.1.50>10.20.1.12:502=C1-BPCS-OPS',
    '10.30.1.52>172.16.1.60:443=C2-OPS-DMZ',
    '10.40.3.10>172.16.1.70:3389=C3-DMZ-ENT',
    '10.40.3.11>172.16.1.50:443=C3-DMZ-ENT',
  ]);
  assert.deepEqual(j.flows.filter((f) => f.verdict === 'intra-zone').map((f) => `${f.src}>${f.dst}:${f.dst_port}`).sort(), ['10.20.2.11>10.20.1.10:502', '10.20.3.10>10.20.1.14:20000']);
  const rogue = j.assets.find((a) => a.ip === '192.168.77.5');
  assert.deepEqual(rogue, { ip: '192.168.77.5', zone: null, asset: null, model_role: null, observed_roles: ['ics-client', 'unknown-device'] });
  assert.ok(j.assets.find((a) => a.ip === '10.20.1.11')!.observed_roles.includes('controller'));
  assert.ok(j.assets.find((a) => a.ip === '10.30.1.50')!.observed_roles.includes('engineering'), 'HIST-01 wrote');
  const proposed = parse(j.proposed_conduits_yaml) as { conduits: { conduit_id: string; protocols_allowed: Record<string, unknown>[] }[] };
  assert.deepEqual(
    proposed.conduits.map((c) => [c.conduit_id, c.protocols_allowed.map((p) => [p.protocol, p.port, p.from, p.to])]),
    [
      ['C1-BPCS-OPS', [['modbus', 502, 'HIST-01', 'PLC-02']]],
      ['C-PROPOSED-Z5-ENT-Z2-BPCS', [['rdp', 3389, 'ENT-USERS', 'HMI-02']]],
    ],
  );
  assert.match(j.proposed_conduits_yaml, /# {3}- 192\.168\.77\.5/);
});

test('pcapng gives the same flows as pcap; two files on two worker threads the same verdicts', async () => {
  const a = (await baseline([PCAP])).json!;
  const b = (await baseline([PCAPNG])).json!;
  assert.deepEqual(b.flows.map((f) => ({ ...f, evidence: '' })), a.flows.map((f) => ({ ...f, evidence: '' })));
  const two = await baseline([PCAP, PCAPNG, '--jobs', '2']);
  assert.equal(two.code, 1);
  assert.deepEqual(two.json!.violations.map(pick), EXPECTED);
  // One process, two files: each flow's evidence is the file it was first seen in.
  const seq = (await baseline([PCAP, PCAPNG])).json!;
  assert.deepEqual([...new Set(seq.flows.map((f) => f.evidence))], [PCAP]);
  const f0 = a.flows[0];
  const t0 = two.json!.flows.find((f) => f.src === f0.src && f.dst === f0.dst && f.dst_port === f0.dst_port)!;
  assert.equal(t0.packets, 2 * (f0.packets as number));
});

test('--store: two days ingested separately are judged together', async () => {
  const store = join(dir, 'flows.duckdb');
  const day1 = await baseline([PCAP, '--store', store]);
  assert.equal(day1.code, 1, day1.stderr);
  const day2 = await baseline([PCAPNG, '--store', store]);
  assert.equal(day2.json!.summary.inputs, 2);
  const once = (await baseline([PCAP])).json!;
  for (const f of once.flows) {
    const g = day2.json!.flows.find((x) => x.src === f.src && x.dst === f.dst && x.dst_port === f.dst_port)!;
    assert.equal(g.packets, 2 * (f.packets as number), `${f.src}>${f.dst}`);
    assert.deepEqual(
      Object.fromEntries(Object.entries(g.function_codes).map(([k, v]) => [k, v / 2])),
      f.function_codes,
    );
    assert.equal(g.verdict, f.verdict);
  }
  // Reporting from the store alone, without new input.
  const only = await baseline(['--store', store]);
  assert.deepEqual(only.json!.violations.map(pick), EXPECTED);
});

test('text summary: counts, reasons and the worst violation first; SARIF carries one result per violation', async () => {
  const t = await runCli(['baseline', EXAMPLE, PCAP]);
  assert.equal(t.code, 1);
  const lines = t.stdout.split('\n');
  assert.match(lines[1], /1 input\(s\), \d+ packets, .*; 12 flows: 2 intra-zone, 7 allowed by a conduit, 3 violation\(s\)/);
  assert.equal(lines[2], 'Reasons: function-code-not-allowed 1, no-conduit 1, unzoned-endpoint 1');
  assert.match(lines[5], /^ {2}10\.30\.1\.50 \(HIST-01\) -> 10\.20\.1\.11 \(PLC-02\) {2}tcp\/502 modbus {2}Z3-OPS -> Z2-BPCS {2}function codes not allowed: 6 write-single-register x1, 16 write-multiple-registers x1 \[C1-BPCS-OPS\]/);
  const s = await runCli(['baseline', EXAMPLE, PCAP, '--format', 'sarif']);
  const sarif = JSON.parse(s.stdout) as { runs: { results: { ruleId: string }[] }[] };
  assert.deepEqual(sarif.runs[0].results.map((r) => r.ruleId), ['ZC880', 'ZC881', 'ZC884']);
  assert.ok(readFileSync(PCAP).length > 0);
});

test('the proposed conduit flows, merged into the model, cover every planted flow but the unzoned device', async () => {
  const { parseDocument } = await import('yaml');
  const first = (await baseline([PCAP])).json!;
  const proposal = parse(first.proposed_conduits_yaml) as { conduits: { conduit_id: string; protocols_allowed: unknown[] }[] };
  const doc = parseDocument(readFileSync(EXAMPLE, 'utf8'));
  const conduits = doc.get('conduits') as import('yaml').YAMLSeq;
  for (const c of proposal.conduits) {
    const existing = conduits.items.find((n) => (n as import('yaml').YAMLMap).get('conduit_id') === c.conduit_id) as import('yaml').YAMLMap | undefined;
    if (existing) for (const f of c.protocols_allowed) (existing.get('protocols_allowed') as import('yaml').YAMLSeq).add(doc.createNode(f));
    else conduits.add(doc.createNode(c));
  }
  const merged = join(dir, 'merged.yaml');
  writeFileSync(merged, doc.toString());
  const r = await runCli(['baseline', merged, PCAP, '--format', 'json']);
  assert.equal(r.code, 1, r.stderr);
  const j = JSON.parse(r.stdout) as { violations: Flow[] };
  assert.deepEqual(j.violations.map(pick), [EXPECTED[2]], 'only the rogue device is left');
});

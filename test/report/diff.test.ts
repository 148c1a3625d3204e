/** `otzones diff`: model changes and the zone pairs whose permitted traffic changes (from the two policy IRs). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModelText } from '../../src/model/load.ts';
import { diffModels, renderDiff } from '../../src/report/diff.ts';
import { runCli } from '../helpers/cli.ts';
import { EXAMPLE, ROOT } from '../helpers/paths.ts';

const BASE = readFileSync(EXAMPLE, 'utf8');

function model(text: string, file: string) {
  const r = loadModelText(text, file);
  assert.ok(r.model, r.diagnostics.map((d) => d.message).join('\n'));
  return r.model!;
}

function edit(from: string, to: string, text = BASE): string {
  assert.ok(text.includes(from), `the example contains ${from}`);
  return text.replace(from, to);
}

test('the same model: nothing differs', () => {
  const d = diffModels(model(BASE, 'a.yaml'), model(BASE, 'b.yaml'));
  assert.equal(d.same, true);
  assert.equal(renderDiff(d, 'text'), 'otzones diff a.yaml -> b.yaml\n\nNo change to zones, conduits, flows, security levels or permitted traffic.\n');
});

test('a widened function-code list changes exactly one zone pair and one flow', () => {
  const d = diffModels(model(BASE, 'a.yaml'), model(edit('function_codes: [3, 4]', 'function_codes: [3, 4, 16]'), 'b.yaml'));
  assert.deepEqual(d.zonePairs, [
    { from: 'Z3-OPS', to: 'Z2-BPCS', added: ['modbus tcp/502 10.30.1.50/32 → 10.20.0.0/16 fc 3,4,16'], removed: ['modbus tcp/502 10.30.1.50/32 → 10.20.0.0/16 fc 3,4'] },
  ]);
  assert.deepEqual(d.flows, {
    added: ['C1-BPCS-OPS: modbus tcp/502 HIST-01 → Z2-BPCS function codes 3,4,16'],
    removed: ['C1-BPCS-OPS: modbus tcp/502 HIST-01 → Z2-BPCS function codes 3,4'],
  });
  assert.deepEqual([d.zones, d.conduits.changed, d.sl], [{ added: [], removed: [], changed: [] }, [], []]);
});

test('an asset address change moves permitted traffic without any flow text changing', () => {
  const d = diffModels(model(BASE, 'a.yaml'), model(edit('ip: 10.30.1.50 }', 'ip: 10.30.1.55 }'), 'b.yaml'));
  assert.deepEqual(d.flows, { added: [], removed: [] });
  assert.deepEqual(d.zonePairs.map((p) => `${p.from}>${p.to}`), ['Z2-BPCS>Z3-OPS', 'Z3-OPS>Z2-BPCS']);
  assert.deepEqual(d.zones.changed, [{ id: 'Z3-OPS', changes: [{ field: 'asset HIST-01', old: 'historian 10.30.1.50', new: 'historian 10.30.1.55' }] }]);
});

test('a removed conduit, an added zone and SL changes', () => {
  let text = edit('security_level_target: "SL 1"', 'security_level_target: "SL 2"');
  text = edit('    security_level: "SL 1"\n', '    security_level: "SL 2"\n', text);
  // Drop C2-OPS-DMZ (the HTTPS patch path) and its references.
  const start = text.indexOf('  - conduit_id: C2-OPS-DMZ');
  const end = text.indexOf('  # The seed lists historian replication');
  text = text.slice(0, start) + text.slice(end);
  text = text.replace('allowed_conduits: [C1-BPCS-OPS, C2-OPS-DMZ, C4-OPS-DMZ-DIODE]', 'allowed_conduits: [C1-BPCS-OPS, C4-OPS-DMZ-DIODE]');
  text = text.replace('allowed_conduits: [C2-OPS-DMZ, C3-DMZ-ENT, C4-OPS-DMZ-DIODE]', 'allowed_conduits: [C3-DMZ-ENT, C4-OPS-DMZ-DIODE]');
  text = text.replace('\nconduits:\n', '\n  - zone_id: Z6-LAB\n    name: "Test lab"\n    purdue_level: 3\n    subnets: ["10.60.0.0/16"]\n\nconduits:\n');
  const d = diffModels(model(BASE, 'a.yaml'), model(text, 'b.yaml'));
  assert.deepEqual(d.conduits, { added: [], removed: ['C2-OPS-DMZ'], changed: [] });
  assert.deepEqual(d.zones.added, ['Z6-LAB']);
  assert.deepEqual(d.zones.changed.map((z) => [z.id, z.changes.map((c) => c.field)]), [['Z3-OPS', ['allowed_conduits']], ['Z4-DMZ', ['allowed_conduits']]]);
  assert.deepEqual(d.sl, [
    { kind: 'zone', id: 'Z5-ENT', old: 'SL 1', new: 'SL 2' },
    { kind: 'conduit', id: 'C3-DMZ-ENT', old: 'SL 1', new: 'SL 2' },
  ]);
  assert.deepEqual(d.zonePairs, [{ from: 'Z3-OPS', to: 'Z4-DMZ', added: [], removed: ['https tcp/443 10.30.0.0/16 → 172.16.1.60/32'] }]);
  const md = renderDiff(d, 'md');
  assert.match(md, /- \*\*Z3-OPS → Z4-DMZ\*\*\n  - no longer permitted: https tcp\/443 10\.30\.0\.0\/16 → 172\.16\.1\.60\/32/);
  assert.match(md, /\| zone \| Z5-ENT \| SL 1 \| SL 2 \|/);
  assert.match(md, /- removed: C2-OPS-DMZ/);
  assert.match(md, /- added: Z6-LAB/);
});

test('risk section changes: scenarios, compensations and the method', async () => {
  const risky = readFileSync(join(ROOT, 'examples/refinery-unit3-risk.yaml'), 'utf8');
  const changed = risky.replace('      likelihood: 3\n      consequences: { production: 4, financial: 4 }', '      likelihood: 4\n      consequences: { production: 4, financial: 4 }').replace('tolerable_risk: 6', 'tolerable_risk: 8');
  assert.notEqual(changed, risky);
  const d = diffModels(model(BASE, 'a.yaml'), model(risky, 'b.yaml'));
  assert.deepEqual(d.risk.added.slice(0, 2), ['compensation Z2-BPCS IAC,UC', 'risk method']);
  assert.equal(d.risk.added.filter((x) => x.startsWith('scenario ')).length, 6);
  const e = diffModels(model(risky, 'b.yaml'), model(changed, 'c.yaml'));
  assert.deepEqual(e.risk.changed, [
    { id: 'risk method', changes: [{ field: 'tolerable_risk', old: '6', new: '8' }] },
    { id: 'scenario R4-REMOTE-ACCESS', changes: [{ field: 'likelihood', old: '3', new: '4' }] },
  ]);
  assert.equal(e.same, false);
  assert.deepEqual(e.zonePairs, []);
});

test('CLI: json envelope, --exit-code, bad input is exit 2 with the file and line', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'otzones-diff-'));
  const b = join(dir, 'b.yaml');
  writeFileSync(b, edit('port: 3389', 'port: [3389, 5985]'));
  let r = await runCli(['diff', 'examples/refinery-unit3.yaml', b, '--format', 'json']);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.tool, 'otzones');
  assert.equal(j.command, 'diff');
  assert.deepEqual(j.diff.zonePairs.map((p: { from: string; to: string }) => `${p.from}>${p.to}`), ['Z5-ENT>Z4-DMZ']);
  r = await runCli(['diff', 'examples/refinery-unit3.yaml', b, '--exit-code']);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /Z5-ENT -> Z4-DMZ\n {6}\+ rdp tcp\/3389,5985 10\.40\.0\.0\/16 → 172\.16\.1\.70\/32\n {6}- rdp tcp\/3389 /);
  r = await runCli(['diff', 'examples/refinery-unit3.yaml', 'examples/refinery-unit3.yaml', '--exit-code']);
  assert.equal(r.code, 0);
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, 'facility: x\nzones: [\n');
  r = await runCli(['diff', 'examples/refinery-unit3.yaml', bad]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /bad\.yaml:\d+:\d+/);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
});

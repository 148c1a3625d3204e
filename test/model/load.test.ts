import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadModelFile, loadModelText } from '../../src/model/load.ts';
import { EXAMPLE, SEED } from '../helpers/paths.ts';

test('the seed zone definition loads as written, with infos for what was inferred', () => {
  const r = loadModelFile(SEED);
  assert.ok(r.model, 'model loaded');
  assert.deepEqual(r.diagnostics.filter((d) => d.severity !== 'info'), []);
  const m = r.model!;
  assert.deepEqual(m.zones.map((z) => z.id), ['Z1-SIS', 'Z2-BPCS', 'Z3-OPS', 'Z4-DMZ', 'Z5-ENT']);
  assert.equal(m.zones[0].safety, true, 'Triconex controllers make Z1 a safety zone');
  assert.deepEqual(m.zones[1].purdue, { min: 1, max: 2 });
  assert.deepEqual(m.zones[3].purdue, { min: 3.5, max: 3.5 });
  assert.equal(m.zones[1].assets[0].count, 12, 'PLC-01 through PLC-12');
  const modbus = m.conduits[0].flows.find((f) => f.protocol === 'modbus')!;
  assert.deepEqual([modbus.from, modbus.to, modbus.functionCodes, modbus.ports], [['Z3-OPS'], ['Z2-BPCS'], [3, 4], [{ lo: 502, hi: 502 }]]);
  const pi = m.conduits[1].flows.find((f) => f.protocol === 'pi')!;
  assert.equal(pi.oneWay, true);
  const inferredDirection = r.diagnostics.find((d) => d.code === 'ZC110' && d.path === 'conduits[0].protocols_allowed[1].direction');
  assert.ok(inferredDirection, 'an info says what the Modbus direction text was read as');
  assert.equal(inferredDirection!.line, 92);
  assert.equal(inferredDirection!.column, 20);
});

test('the structured example loads without diagnostics', () => {
  const r = loadModelFile(EXAMPLE);
  assert.ok(r.model);
  assert.deepEqual(r.diagnostics, []);
  assert.equal(r.model!.zones.find((z) => z.id === 'Z3-OPS')!.assets.find((a) => a.id === 'HIST-01')!.ips[0], '10.30.1.50');
});

test('YAML syntax errors name line and column', () => {
  const r = loadModelText('facility: x\nzones:\n  - zone_id: "Z1\n', 'bad.yaml');
  assert.equal(r.model, undefined);
  assert.equal(r.diagnostics[0].code, 'ZC002');
  assert.equal(r.diagnostics[0].file, 'bad.yaml');
  assert.ok(r.diagnostics[0].line! >= 3);
});

test('a document that is not a model says so', () => {
  for (const text of ['- 1\n- 2\n', 'hello\n', '{}\n', 'facility: x\n']) {
    const r = loadModelText(text, 'x.yaml');
    assert.equal(r.model, undefined, text);
    assert.equal(r.diagnostics[0].code, 'ZC003', text);
  }
});

test('schema errors point at the offending value', () => {
  const r = loadModelText('facility: x\nzones:\n  - zone_id: Z1\n    vlan: 5000\n    security_level_target: "SL 7"\n', 'x.yaml');
  assert.equal(r.model, undefined);
  const vlan = r.diagnostics.find((d) => d.path === 'zones[0].vlan')!;
  assert.equal(vlan.code, 'ZC101');
  assert.equal(vlan.line, 4);
  assert.equal(vlan.column, 11);
  const sl = r.diagnostics.find((d) => d.path === 'zones[0].security_level_target')!;
  assert.match(sl.message, /SL 0.*SL 4/);
  assert.equal(sl.line, 5);
});

test('a missing required key is named, at its parent', () => {
  const r = loadModelText('facility: x\nzones:\n  - name: no id\n', 'x.yaml');
  const d = r.diagnostics.find((x) => x.code === 'ZC102')!;
  assert.match(d.message, /zone_id/);
  assert.equal(d.line, 3);
});

test('unknown keys are warnings that point at the key', () => {
  const r = loadModelText('facility: x\nzones:\n  - zone_id: Z1\n    vlna: 10\n', 'x.yaml');
  assert.ok(r.model);
  const d = r.diagnostics.find((x) => x.code === 'ZC103')!;
  assert.equal(d.severity, 'warning');
  assert.deepEqual([d.line, d.column], [4, 5]);
});

test('alias bombs are refused, not expanded', () => {
  const bomb = 'a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\nzones: [*d]\n';
  const r = loadModelText(bomb, 'bomb.yaml');
  assert.equal(r.model, undefined);
  assert.equal(r.diagnostics[0].code, 'ZC002');
});

test('seed direction text: arrows, function-code lists and ambiguity', () => {
  const text = `facility: x
zones:
  - { zone_id: Z3-OPS }
  - { zone_id: Z2-BPCS }
conduits:
  - conduit_id: C1
    connects: [Z2-BPCS, Z3-OPS]
    protocols_allowed:
      - { protocol: modbus, direction: "Z2 <- Z3 (FC 1-4, 23)" }
      - { protocol: modbus, direction: "Z2 <-> Z3" }
      - { protocol: modbus, direction: "sideways" }
`;
  const r = loadModelText(text, 'x.yaml');
  const flows = r.model!.conduits[0].flows;
  assert.deepEqual(flows[0].from, ['Z3-OPS']);
  assert.deepEqual(flows[0].functionCodes, [1, 2, 3, 4, 23]);
  assert.equal(flows.length, 3, 'the bidirectional entry becomes two flows; the uninterpretable one none');
  assert.ok(r.diagnostics.some((d) => d.code === 'ZC111'));
  assert.ok(r.diagnostics.some((d) => d.code === 'ZC113'));
});

test('the fast path (js-yaml, positions on demand) and the positioned path agree', async () => {
  const { readFileSync } = await import('node:fs');
  const { loadWithPositions } = await import('../../src/model/load.ts');
  const { ROOT } = await import('../helpers/paths.ts');
  const { join } = await import('node:path');
  for (const f of [EXAMPLE, SEED, join(ROOT, 'examples/refinery-unit3-risk.yaml')]) {
    const text = readFileSync(f, 'utf8');
    const fast = loadModelText(text, 'm.yaml');
    const full = loadWithPositions(text, 'm.yaml');
    assert.deepEqual(fast.model, full.model, f);
    assert.deepEqual(fast.diagnostics, full.diagnostics, f);
  }
});

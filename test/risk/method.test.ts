/** The risk method (docs/risk.md): scores, recommended SL per scenario and zone, and the ZC6xx checks. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadModelText } from '../../src/model/load.ts';
import type { Model } from '../../src/model/types.ts';
import { assessRisk, assessScenario, DEFAULT_MATRIX, riskMethod, riskScore } from '../../src/risk/method.ts';
import { checkRisk } from '../../src/risk/check.ts';
import { EXAMPLE } from '../helpers/paths.ts';

const BASE = readFileSync(EXAMPLE, 'utf8');

/** The example model with a risk section appended (YAML text, indented under `risk:`). */
function withRisk(risk: string, base = BASE) {
  const text = `${base.trimEnd()}\nrisk:\n${risk.replace(/^\n/, '').replace(/\s+$/, '')}\n`;
  const r = loadModelText(text, 'plant.yaml');
  assert.ok(r.model, r.diagnostics.map((d) => `${d.line}:${d.column} ${d.message}`).join('\n'));
  assert.deepEqual(r.diagnostics.filter((d) => d.severity === 'error'), []);
  return { model: r.model!, locate: r.locate, text };
}

function lineOf(text: string, needle: string): number {
  return text.split('\n').findIndex((l) => l.includes(needle)) + 1;
}

test('default matrix is likelihood x consequence; the threshold defaults to 6', () => {
  assert.equal(DEFAULT_MATRIX[2]![4], 15);
  assert.equal(DEFAULT_MATRIX[0]![0], 1);
  assert.equal(DEFAULT_MATRIX[4]![4], 25);
  const m = riskMethod(undefined);
  assert.equal(m.tolerable, 6);
  assert.equal(riskScore(m, 3, 5), 15);
  assert.equal(riskScore(m, 4, 2), 8);
});

test('recommended SL per scenario: each SL lowers the likelihood one step until the risk is tolerable, then the capability floor', () => {
  const { model } = withRisk('  scenarios: []');
  const m = riskMethod(undefined);
  const cases: { l: number; c: Record<string, number>; cap?: 'casual' | 'simple' | 'moderate' | 'extended'; risk: number; riskSL: number; rec: number; residual: number; worst: string }[] = [
    // 2 x 5 = 10 > 6; at SL 1: 1 x 5 = 5 <= 6. Moderate attacker: floor SL 3.
    { l: 2, c: { health_safety: 5, production: 3 }, cap: 'moderate', risk: 10, riskSL: 1, rec: 3, residual: 5, worst: 'health_safety' },
    // 3 x 4 = 12; SL 1: 8; SL 2: 4.
    { l: 3, c: { production: 4, financial: 2 }, risk: 12, riskSL: 2, rec: 2, residual: 4, worst: 'production' },
    // 4 x 2 = 8; SL 1: 6 (tolerable, equal to the threshold).
    { l: 4, c: { financial: 2 }, cap: 'casual', risk: 8, riskSL: 1, rec: 1, residual: 6, worst: 'financial' },
    // 1 x 2 = 2: tolerable as is; no capability given: SL 0.
    { l: 1, c: { reputation: 2 }, risk: 2, riskSL: 0, rec: 0, residual: 2, worst: 'reputation' },
    // Extended attacker: floor SL 4 although the risk is low.
    { l: 1, c: { environment: 1 }, cap: 'extended', risk: 1, riskSL: 0, rec: 4, residual: 1, worst: 'environment' },
  ];
  for (const [i, k] of cases.entries()) {
    const a = assessScenario(model, m, { id: `S${i}`, target: 'Z2-BPCS', likelihood: k.l, consequences: k.c, capability: k.cap }, i);
    assert.deepEqual(
      { risk: a.risk, riskSL: a.riskSL, rec: a.recommendedSL, residual: a.residualRisk, worst: a.worstCategory, reachable: a.reachable },
      { risk: k.risk, riskSL: k.riskSL, rec: k.rec, residual: k.residual, worst: k.worst, reachable: true },
      `case ${i}`,
    );
  }
  // 5 x 5 = 25 with threshold 4: even SL 4 leaves 1 x 5 = 5.
  const strict = { ...m, tolerable: 4 };
  const a = assessScenario(model, strict, { id: 'X', target: 'Z1-SIS', likelihood: 5, consequences: { health_safety: 5 } }, 0);
  assert.equal(a.riskSL, 4);
  assert.equal(a.reachable, false);
  assert.equal(a.residualRisk, 5);
});

test('a custom matrix and threshold from the model are used', () => {
  const { model } = withRisk(`
  tolerable_risk: 3
  matrix:
    - [1, 1, 2, 2, 3]
    - [1, 2, 2, 3, 4]
    - [2, 2, 3, 4, 5]
    - [2, 3, 4, 5, 5]
    - [3, 4, 5, 5, 5]
  scenarios:
    - { id: S1, target: Z3-OPS, likelihood: 4, consequences: { production: 4 } }
`);
  const r = assessRisk(model)!;
  assert.equal(r.method.customMatrix, true);
  assert.equal(r.method.tolerable, 3);
  const s = r.scenarios[0]!;
  // matrix[4][4] = 5; SL 1 -> [3][4] = 4; SL 2 -> [2][4] = 3 <= 3.
  assert.equal(s.risk, 5);
  assert.equal(s.recommendedSL, 2);
});

test('a conduit scenario applies to every zone it joins; frs restrict the FRs it raises', () => {
  const { model } = withRisk(`
  scenarios:
    - { id: S1, target: C1-BPCS-OPS, likelihood: 3, consequences: { production: 4 } }
    - { id: S2, target: Z2-BPCS, likelihood: 3, consequences: { health_safety: 5 }, capability: moderate, frs: [IAC, SI] }
`);
  const r = assessRisk(model)!;
  assert.deepEqual(r.scenarios[0]!.zones, ['Z2-BPCS', 'Z3-OPS']);
  const bpcs = r.zones.find((z) => z.zoneId === 'Z2-BPCS')!;
  assert.deepEqual(bpcs.recommended, { IAC: 3, UC: 2, SI: 3, DC: 2, RDF: 2, TRE: 2, RA: 2 });
  assert.deepEqual(bpcs.scenarios, ['S1', 'S2']);
  const ops = r.zones.find((z) => z.zoneId === 'Z3-OPS')!;
  assert.deepEqual(Object.values(ops.recommended), [2, 2, 2, 2, 2, 2, 2]);
  assert.equal(r.zones.some((z) => z.zoneId === 'Z5-ENT'), false);
});

function codes(model: Model, locate: Parameters<typeof checkRisk>[1]) {
  return checkRisk(model, locate).map((d) => ({ code: d.code, severity: d.severity, line: d.line, ids: d.ids }));
}

test('ZC601: declared SL-T below the recommended one is an error at the zone SL-T, naming the scenario', () => {
  // Z5-ENT declares SL 1; 3 x 4 = 12 needs SL 2.
  const { model, locate, text } = withRisk(`
  scenarios:
    - { id: ENT-RANSOM, target: Z5-ENT, likelihood: 3, consequences: { financial: 4 } }
`);
  const d = checkRisk(model, locate).filter((x) => x.code === 'ZC601');
  assert.equal(d.length, 1);
  assert.equal(d[0]!.severity, 'error');
  assert.equal(d[0]!.line, lineOf(text, 'security_level_target: "SL 1"'));
  assert.deepEqual(d[0]!.ids, ['Z5-ENT', 'ENT-RANSOM']);
  assert.match(d[0]!.message, /declares SL-T SL 1 but its risk assessment recommends SL 2/);
});

test('ZC602: two or more levels above the recommendation is a warning; one level above is fine', () => {
  // Z1-SIS declares SL 3; a 1 x 2 casual scenario recommends SL 1 -> 3 >= 1 + 2.
  const far = withRisk(`
  scenarios:
    - { id: LOW, target: Z1-SIS, likelihood: 1, consequences: { production: 2 }, capability: casual }
`);
  const w = checkRisk(far.model, far.locate).filter((x) => x.code === 'ZC602');
  assert.equal(w.length, 1);
  assert.equal(w[0]!.severity, 'warning');
  // A simple attacker recommends SL 2: SL 3 is one above, no warning.
  const near = withRisk(`
  scenarios:
    - { id: LOW, target: Z1-SIS, likelihood: 1, consequences: { production: 2 }, capability: simple }
`);
  assert.deepEqual(checkRisk(near.model, near.locate).filter((x) => x.code === 'ZC602' || x.code === 'ZC601'), []);
});

test('unknown targets, unknown compensation references, duplicate ids, unreachable risk, zones without scenarios', () => {
  const { model, locate, text } = withRisk(`
  tolerable_risk: 4
  scenarios:
    - { id: S1, target: Z9-NOWHERE, likelihood: 2, consequences: { production: 2 } }
    - { id: S1, target: Z1-SIS, likelihood: 5, consequences: { health_safety: 5 }, capability: extended }
  compensations:
    - { zone: Z7-GHOST, fr: IAC, level: 2, control: "x" }
    - { zone: Z2-BPCS, fr: [IAC, UC], level: 2, conduit: C3-DMZ-ENT, control: "y" }
`);
  const got = codes(model, locate);
  const find = (code: string) => got.filter((d) => d.code === code);
  assert.deepEqual(find('ZC603').map((d) => d.line), [lineOf(text, 'Z9-NOWHERE')]);
  assert.deepEqual(find('ZC608').map((d) => d.line), [lineOf(text, 'target: Z1-SIS')]);
  assert.equal(find('ZC605').length, 1, 'SL 4 leaves 1 x 5 = 5 > 4');
  assert.deepEqual(find('ZC604').map((d) => d.line), [lineOf(text, 'Z7-GHOST'), lineOf(text, 'C3-DMZ-ENT, control')]);
  // Z2..Z5 have no scenario (S1 on Z9 matches nothing).
  assert.deepEqual(find('ZC606').map((d) => d.ids[0]), ['Z2-BPCS', 'Z3-OPS', 'Z4-DMZ', 'Z5-ENT']);
  assert.ok(got.every((d) => d.line !== undefined), 'every risk diagnostic points at a line');
});

test('ZC607: a zone with scenarios and no SL-T', () => {
  const base = BASE.replace('    security_level_target: "SL 1"\n', '');
  const { model, locate } = withRisk(`
  scenarios:
    - { id: S1, target: Z5-ENT, likelihood: 2, consequences: { financial: 2 } }
`, base);
  const d = checkRisk(model, locate).filter((x) => x.code === 'ZC607');
  assert.equal(d.length, 1);
  assert.match(d[0]!.message, /recommend SL 0/);
});

test('ZC609: a scenario against a conduit recommends its SL-T; below it is a warning at the conduit SL', () => {
  // C3-DMZ-ENT declares SL 1; 3 x 4 = 12 needs SL 2. The scenario also bears on Z4-DMZ (SL 2, fine) and Z5-ENT (SL 1: ZC601).
  const { model, locate, text } = withRisk(`
  scenarios:
    - { id: C3-ABUSE, target: C3-DMZ-ENT, likelihood: 3, consequences: { production: 4 } }
`);
  const r = assessRisk(model)!;
  assert.deepEqual(r.conduits.map((c) => [c.conduitId, c.recommended.IAC, c.scenarios]), [['C3-DMZ-ENT', 2, ['C3-ABUSE']]]);
  const d = checkRisk(model, locate);
  const w = d.filter((x) => x.code === 'ZC609');
  assert.equal(w.length, 1);
  assert.equal(w[0]!.severity, 'warning');
  assert.equal(w[0]!.line, lineOf(text, 'security_level: "SL 1"'));
  assert.deepEqual(d.filter((x) => x.code === 'ZC601').map((x) => x.ids[0]), ['Z5-ENT']);
});

test('a risk section with a bad likelihood is a schema error with its line', () => {
  const text = `${BASE.trimEnd()}\nrisk:\n  scenarios:\n    - { id: S1, target: Z1-SIS, likelihood: 9, consequences: { production: 2 } }\n`;
  const r = loadModelText(text, 'plant.yaml');
  const e = r.diagnostics.filter((d) => d.severity === 'error');
  assert.equal(e.length, 1);
  assert.equal(e[0]!.line, lineOf(text, 'likelihood: 9'));
  assert.match(e[0]!.path ?? '', /risk\.scenarios\[0\]\.likelihood/);
});

test('the example with a risk section recommends exactly its declared SL-T (no ZC601/ZC602)', async () => {
  const { loadModelFile } = await import('../../src/model/load.ts');
  const { ROOT } = await import('../helpers/paths.ts');
  const r = loadModelFile(`${ROOT}/examples/refinery-unit3-risk.yaml`);
  const a = assessRisk(r.model!)!;
  for (const z of a.zones) assert.deepEqual(z.recommended, z.declared, z.zoneId);
  assert.deepEqual(checkRisk(r.model!, r.locate).map((d) => d.code).sort(), ['ZC610', 'ZC610']);
});

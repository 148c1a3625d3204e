/** SL-A per zone and FR from asset SL-C, explicit compensations, the gap table and its diagnostics. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadModelFile, loadModelText } from '../../src/model/load.ts';
import { achievedLevels } from '../../src/risk/sl.ts';
import { checkRisk } from '../../src/risk/check.ts';
import { ROOT } from '../helpers/paths.ts';

const MODEL = `
facility: Test
zones:
  - zone_id: ZA
    security_level_target: { IAC: 3, UC: 2, SI: 2, DC: 1, RDF: 2, TRE: 2, RA: 2 }
    subnets: ["10.1.0.0/24"]
    assets:
      - { id: A1, ip: 10.1.0.1, sl_c: { IAC: 2, UC: 2, SI: 3, DC: 1, RDF: 2, TRE: 2, RA: 2 } }
      - { id: A2, ip: 10.1.0.2, sl_c: { IAC: 3, UC: 1, SI: 3, DC: 2, RDF: 2, TRE: 3, RA: 2 } }
  - zone_id: ZB
    security_level_target: 2
    subnets: ["10.2.0.0/24"]
    assets:
      - { id: B1, ip: 10.2.0.1, sl_c: 2 }
      - { id: B2, ip: 10.2.0.2 }
  - zone_id: ZC
    security_level_target: 2
    subnets: ["10.3.0.0/24"]
    assets:
      - { id: C1, ip: 10.3.0.1, sl_c: 1 }
conduits:
  - conduit_id: CAB
    connects: [ZA, ZB]
    security_level: 2
    protocols_allowed:
      - { protocol: https, from: ZA, to: B1 }
`;

function load(extra = '') {
  const r = loadModelText(MODEL + extra, 'm.yaml');
  assert.ok(r.model);
  assert.deepEqual(r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message), []);
  return r;
}

test('SL-A per FR is the lowest SL-C of the zone assets; the gap is SL-T minus SL-A', () => {
  const za = achievedLevels(load().model!).find((z) => z.zoneId === 'ZA')!;
  const row = Object.fromEntries(za.frs.map((f) => [f.fr, [f.target, f.achieved, f.gap]]));
  assert.deepEqual(row, {
    IAC: [3, 2, 1],
    UC: [2, 1, 1],
    SI: [2, 3, 0],
    DC: [1, 1, 0],
    RDF: [2, 2, 0],
    TRE: [2, 2, 0],
    RA: [2, 2, 0],
  });
  assert.deepEqual(za.frs.find((f) => f.fr === 'UC')!.limitedBy, ['A2']);
  assert.deepEqual(za.frs.find((f) => f.fr === 'RDF')!.limitedBy, ['A1', 'A2']);
});

test('an asset without SL-C makes the zone SL-A unknown (no guessing), reported as ZC611', () => {
  const r = load();
  const zb = achievedLevels(r.model!).find((z) => z.zoneId === 'ZB')!;
  assert.ok(zb.frs.every((f) => f.achieved === null && f.gap === null));
  assert.deepEqual(zb.assetsWithoutSlC, ['B2']);
  const d = checkRisk(r.model!, r.locate).filter((x) => x.code === 'ZC611');
  assert.deepEqual(d.map((x) => x.ids), [['ZB']]);
});

test('ZC610 names the FRs below SL-T and the limiting assets, at the zone SL-T line', () => {
  const r = load();
  const d = checkRisk(r.model!, r.locate).filter((x) => x.code === 'ZC610');
  assert.deepEqual(d.map((x) => x.ids[0]), ['ZA', 'ZC']);
  assert.equal(d[0]!.message, 'zone ZA achieves less than its SL-T: FR 1 IAC 2 < 3 (A1); FR 2 UC 1 < 2 (A2)');
  assert.equal(d[0]!.line, 5, 'the security_level_target line of ZA');
});

test('a declared compensation raises SL-A only for its FRs and closes the gap', () => {
  const r = load(`
risk:
  compensations:
    - { zone: ZA, fr: IAC, level: 3, conduit: CAB, control: "MFA at the conduit firewall" }
    - { zone: ZB, fr: [IAC, UC, SI, DC, RDF, TRE, RA], level: 2, control: "zone-wide allowlisting" }
`);
  const all = achievedLevels(r.model!);
  const iac = all.find((z) => z.zoneId === 'ZA')!.frs.find((f) => f.fr === 'IAC')!;
  assert.deepEqual([iac.fromAssets, iac.achieved, iac.gap, iac.compensation?.conduit], [2, 3, 0, 'CAB']);
  const uc = all.find((z) => z.zoneId === 'ZA')!.frs.find((f) => f.fr === 'UC')!;
  assert.deepEqual([uc.achieved, uc.gap, uc.compensation], [1, 1, undefined]);
  // Compensation declared for a zone whose SL-A was unknown: the declared level is used.
  assert.ok(all.find((z) => z.zoneId === 'ZB')!.frs.every((f) => f.achieved === 2 && f.gap === 0));
  const d = checkRisk(r.model!, r.locate).filter((x) => x.code === 'ZC610');
  assert.equal(d[0]!.message, 'zone ZA achieves less than its SL-T: FR 2 UC 1 < 2 (A2)');
});

test('the risk example: gaps in FR 4 for the BPCS PLCs and FR 6 for the historian; IAC/UC compensated', () => {
  const r = loadModelFile(join(ROOT, 'examples/refinery-unit3-risk.yaml'));
  const all = achievedLevels(r.model!);
  const gaps = all.flatMap((z) => z.frs.filter((f) => f.gap).map((f) => `${z.zoneId}/${f.fr}/${f.gap}`));
  assert.deepEqual(gaps, ['Z2-BPCS/DC/1', 'Z3-OPS/TRE/1']);
  const bpcs = all.find((z) => z.zoneId === 'Z2-BPCS')!;
  assert.deepEqual(bpcs.frs.filter((f) => f.compensation).map((f) => f.fr), ['IAC', 'UC']);
  assert.equal(bpcs.assets, 19);
});

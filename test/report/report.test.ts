/**
 * `otzones report`: the numbers are the computed ones, sections without evidence say "not run", bad evidence
 * is a clear exit-2 error, and the whole text report of the risk example with verify/baseline/probe results
 * attached is pinned as a golden file (read before accepting; refresh with UPDATE_GOLDEN=1).
 * Evidence: fixtures/verify-port-leak.json is the real output of `otzones verify examples/refinery-unit3.yaml
 * --config test/verify/fixtures/refinery-port-leak.cfg --format json`; baseline-refinery.json and
 * probe-refinery.json are hand-written to the shapes of ../shared/spec/CLI.md (those commands are not merged yet).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runCli } from '../helpers/cli.ts';
import { EXAMPLE, ROOT, SEED } from '../helpers/paths.ts';
import { loadModelFile } from '../../src/model/load.ts';
import { compilePolicy } from '../../src/policy/ir.ts';

const FIX = 'test/report/fixtures';
const RISK = 'examples/refinery-unit3-risk.yaml';
const EVIDENCE = ['--verify', `${FIX}/verify-port-leak.json`, '--baseline', `${FIX}/baseline-refinery.json`, '--probe', `${FIX}/probe-refinery.json`];

async function jsonReport(args: string[]) {
  const r = await runCli(['report', ...args, '--format', 'json']);
  assert.equal(r.stderr, '');
  return { code: r.code, report: JSON.parse(r.stdout).report };
}

test('zone and conduit numbers are those computed from the model and its policy IR', async () => {
  const { code, report } = await jsonReport([RISK, ...EVIDENCE]);
  assert.equal(code, 1, 'verify error, baseline violations and a failed probe make the report exit 1');
  const model = loadModelFile(join(ROOT, RISK)).model!;
  const ir = compilePolicy(model);
  // Asset counts: sum of `count` per zone (ENT-USERS stands for 250 devices).
  assert.deepEqual(report.zones.map((z: { id: string; assets: number }) => [z.id, z.assets]), [['Z1-SIS', 3], ['Z2-BPCS', 19], ['Z3-OPS', 6], ['Z4-DMZ', 4], ['Z5-ENT', 250]]);
  assert.deepEqual(report.zones.map((z: { assets: number }) => z.assets), model.zones.map((z) => z.assets.reduce((n, a) => n + a.count, 0)));
  // Allow = IR rules per conduit; deny = one default deny per direction between its two zones.
  const counts = report.conduits.map((c: { id: string; allowRules: number; denyRules: number }) => [c.id, c.allowRules, c.denyRules]);
  assert.deepEqual(counts, [['C1-BPCS-OPS', 2, 2], ['C2-OPS-DMZ', 1, 2], ['C4-OPS-DMZ-DIODE', 1, 2], ['C3-DMZ-ENT', 2, 2]]);
  assert.deepEqual(counts.map((c: (string | number)[]) => c[1]), model.conduits.map((c) => ir.rules.filter((r) => r.conduitId === c.id).length));
  // The ASA configuration generated for the model's firewall: one permit per IR rule.
  assert.deepEqual(report.generated, [{ firewall: 'FW-ISA3000-01', vendor: 'cisco-isa3000', target: 'asa', allow: ir.rules.length, deny: 4 }]);
  const c1 = report.conduits[0];
  assert.equal(c1.dpi.enabled, true);
  assert.match(c1.dpi.text, /Modbus function codes 3,4/);
  assert.match(c1.dpi.text, /1 needs-dpi finding/);
  assert.match(c1.dpi.text, /probe: 1\/1 write-blocked checks pass/);
  assert.deepEqual(report.conduits[3].verify, { errors: 1, warnings: 0, kinds: { 'prohibited-flow-permitted': 1 } });
  assert.equal(report.zones[0].conduits.length, 0);
  // The fixtures were produced for the plain example: the report says so.
  assert.deepEqual(report.otherModels.map((o: { model: string }) => o.model), ['examples/refinery-unit3.yaml', 'examples/refinery-unit3.yaml', 'examples/refinery-unit3.yaml']);
  const same = await jsonReport(['examples/refinery-unit3.yaml', ...EVIDENCE]);
  assert.deepEqual(same.report.otherModels, []);
});

test('validation results come from the probe results; baseline and verify are summarised from their files', async () => {
  const { report } = await jsonReport([RISK, ...EVIDENCE]);
  assert.deepEqual(report.validation.probe, { file: `${FIX}/probe-refinery.json`, pass: 8, fail: 1, error: 0 });
  assert.equal(report.validation.crossZone.text, '8 pass / 1 fail / 0 error (9 checks)');
  assert.equal(report.validation.prohibitedPaths.status, 'fail');
  assert.equal(report.validation.prohibitedPaths.text, '2/3 pass; exceptions: prohibited-path Z4-DMZ→Z3-OPS 10.30.1.52:22 (fail, observed open)');
  assert.equal(report.validation.protocolEnforcement.text, 'function code filtering verified (2/2: reads allowed, writes blocked)');
  assert.equal(report.validation.diode.status, 'pass');
  assert.equal(report.baseline.flows, 6);
  assert.equal(report.baseline.packets, 1200 + 400 + 900 + 6 + 3 + 12);
  assert.deepEqual(report.baseline.byVerdict, { allowed: 2, 'intra-zone': 1, violation: 3 });
  assert.deepEqual(report.baseline.unzonedAssets, ['192.168.99.5']);
  assert.deepEqual(report.verify.byKind, { 'needs-dpi': 1, 'prohibited-flow-permitted': 1 });
  // Zone pairs with evidence of traffic no conduit allows (drawn red in the diagram).
  assert.deepEqual(report.violations, [
    { from: 'Z3-OPS', to: 'Z2-BPCS', source: 'baseline', count: 1 },
    { from: 'Z5-ENT', to: 'Z2-BPCS', source: 'baseline', count: 1 },
    { from: 'Z5-ENT', to: 'Z4-DMZ', source: 'verify', count: 1 },
  ]);
  const sr52 = report.requirements.find((q: { id: string }) => q.id === 'SR 5.2 RE 1');
  assert.equal(sr52.status, 'fail');
  assert.equal(sr52.result, 'verify: 1 error(s), 0 warning(s); probe: 8 pass, 1 fail, 0 error');
  const sr78 = report.requirements.find((q: { id: string }) => q.id === 'SR 7.8');
  assert.equal(sr78.result, 'inventory: 282 device(s) in 5 zone(s); baseline: 6 flow(s), 3 violation(s), 1 unzoned host(s)');
  assert.deepEqual(report.traceability.map((t: { zcr: string; status: string }) => `${t.zcr} ${t.status}`), ['ZCR 1 pass', 'ZCR 2 pass', 'ZCR 3 pass', 'ZCR 4 pass', 'ZCR 5 info', 'ZCR 6 fail', 'ZCR 7 manual']);
});

test('without evidence every result section says "not run" and the clean example exits 0', async () => {
  const r = await runCli(['report', 'examples/refinery-unit3.yaml']);
  assert.equal(r.code, 0, r.stderr);
  for (const line of ['Cross-zone tests: not run', 'Prohibited path tests: not run', 'Protocol enforcement: not run']) assert.ok(r.stdout.includes(line), line);
  assert.match(r.stdout, /FIREWALL VERIFICATION:\nnot run/);
  assert.match(r.stdout, /BASELINE \(observed traffic\):\nnot run/);
  assert.match(r.stdout, /RISK ASSESSMENT:\nnot run/);
  assert.match(r.stdout, /ZCR 2 +NOT RUN/);
  assert.doesNotMatch(r.stdout, /PASS +Zone boundary|SR 5\.2 +1 +PASS/);
});

test('the text report follows the source document layout (golden file)', async () => {
  const r = await runCli(['report', RISK, ...EVIDENCE]);
  assert.equal(r.code, 1);
  const order = ['IEC 62443 Zone Implementation Report', 'Facility: Petrochemical Refinery - Unit 3', 'Implementation Date: 2026-02-23', 'ZONE ARCHITECTURE:', 'Zone Z2-BPCS: Basic Process Control System (SL-T: SL 2)', '  Assets: 19', 'CONDUIT CONFIGURATION:', 'Conduit C1-BPCS-OPS: Z2-BPCS <-> Z3-OPS', '  Firewall Rules: 2 allow / 2 deny', '  DPI Enabled: Yes', 'VALIDATION RESULTS:', 'Cross-zone tests: 8 pass / 1 fail', 'Prohibited path tests: 2/3 pass', 'Protocol enforcement: function code filtering verified', 'DESIGN DIAGNOSTICS:', 'RISK ASSESSMENT:', 'SECURITY LEVEL GAPS', 'FIREWALL VERIFICATION:', 'BASELINE (observed traffic):', 'ZCR TRACEABILITY', 'SYSTEM REQUIREMENTS'];
  let at = -1;
  for (const s of order) {
    const i = r.stdout.indexOf(s, at + 1);
    assert.ok(i > at, `"${s}" after the previous section`);
    at = i;
  }
  const golden = join(ROOT, 'test/report/golden/refinery-unit3-risk.txt');
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(golden)) {
    if (process.env.UPDATE_GOLDEN !== '1') assert.fail(`missing golden ${golden}: run with UPDATE_GOLDEN=1 and read it`);
    mkdirSync(dirname(golden), { recursive: true });
    writeFileSync(golden, r.stdout);
  }
  assert.equal(r.stdout, readFileSync(golden, 'utf8'));
});

test('json and markdown carry the same numbers; md --out writes the diagram beside it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'otzones-report-'));
  const r = await runCli(['report', RISK, ...EVIDENCE, '--format', 'md', '--out', join(dir, 'r.md')]);
  assert.equal(r.code, 1);
  const md = readFileSync(join(dir, 'r.md'), 'utf8');
  assert.match(md, /!\[Zones and conduits\]\(r\.svg\)/);
  assert.ok(readFileSync(join(dir, 'r.svg'), 'utf8').startsWith('<svg'));
  assert.match(md, /\| C1-BPCS-OPS \| Z2-BPCS ↔ Z3-OPS \| SL 2 \| .* \| 2 \/ 2; verified: 0 error\(s\) \|/);
  assert.match(md, /\| Z5-ENT \| Enterprise Network \| 4 \| SL 1 \| 250 \|/);
});

test('bad evidence files: exit 2 with the file and line:column or key, never a stack trace', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'otzones-report-bad-'));
  const broken = join(dir, 'broken.json');
  writeFileSync(broken, '{\n  "tool": "otzones",\n  "command": "probe",\n  "results": [ { "check": "x", } ]\n}\n');
  let r = await runCli(['report', EXAMPLE, '--probe', broken]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /broken\.json:4:\d+: not valid JSON/);
  assert.doesNotMatch(r.stderr, /\n\s+at /);

  r = await runCli(['report', EXAMPLE, '--probe', `${FIX}/baseline-refinery.json`]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /baseline-refinery\.json: this is the output of `otzones baseline`, expected `otzones probe --format json`/);

  const shape = join(dir, 'shape.json');
  writeFileSync(shape, JSON.stringify({ tool: 'otzones', command: 'probe', results: [{ check: 'prohibited-path', status: 'maybe' }] }));
  r = await runCli(['report', EXAMPLE, '--probe', shape]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /shape\.json: results\[0\]\.status: .*expected the output of `otzones probe --format json`/);

  r = await runCli(['report', EXAMPLE, '--verify', join(dir, 'missing.json')]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /missing\.json: cannot read \(ENOENT\)/);

  r = await runCli(['report', EXAMPLE, '--format', 'docx']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--format must be one of text, md, html, pdf, json/);

  r = await runCli(['report', EXAMPLE, '--format', 'pdf']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--format pdf needs --out FILE/);
});

test('the seed document (../shared/seed/zone-definition.yaml): flows the IR cannot lower are still listed, with 0 allow rules', async () => {
  const r = await runCli(['report', SEED, '--format', 'json']);
  assert.notEqual(r.code, 2, r.stderr);
  const report = JSON.parse(r.stdout).report;
  const c1 = report.conduits.find((c: { id: string }) => c.id === 'C1-BPCS-OPS');
  assert.equal(c1.allowRules, 0);
  assert.deepEqual(c1.protocols.map((p: { protocol: string; ports: string }) => `${p.protocol}/${p.ports}`), ['opcua/4840', 'modbus/502']);
  assert.match(c1.protocols[1].text, /function codes 3,4 \[not in the policy IR/);
  assert.equal(c1.dpi.enabled, false);
  assert.deepEqual(report.zones.map((z: { id: string }) => z.id), ['Z1-SIS', 'Z2-BPCS', 'Z3-OPS', 'Z4-DMZ', 'Z5-ENT']);
});

test('deterministic: the same inputs give byte-identical json and html', async () => {
  const a = await runCli(['report', RISK, ...EVIDENCE, '--format', 'json']);
  const b = await runCli(['report', RISK, ...EVIDENCE, '--format', 'json']);
  assert.equal(a.stdout, b.stdout);
  const h1 = await runCli(['report', RISK, ...EVIDENCE, '--format', 'html']);
  const h2 = await runCli(['report', RISK, ...EVIDENCE, '--format', 'html']);
  assert.equal(h1.stdout, h2.stdout);
  assert.doesNotMatch(h1.stdout, /20\d\d-\d\d-\d\dT\d\d:/, 'no timestamps');
});

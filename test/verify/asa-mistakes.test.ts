/**
 * Hand-written ISA-3000 configurations for examples/refinery-unit3.yaml (test/verify/fixtures/refinery-*.cfg):
 * one correct, four with one known mistake each. Each mistake yields exactly its finding, with the line,
 * zones, conduit and a concrete packet; the correct one yields none (the Modbus function-code constraint is
 * an info `needs-dpi` in every case, since an ASA ACL cannot enforce it).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.ts';
import { SEED } from '../helpers/paths.ts';

const FIX = 'test/verify/fixtures';
const MODEL = 'examples/refinery-unit3.yaml';

interface Finding {
  kind: string;
  severity: string;
  from_zone: string | null;
  to_zone: string | null;
  conduit: string | null;
  example: { src: string; dst: string; protocol: string; src_port: number | null; dst_port: number | null } | null;
  space: string;
  rule: { file: string; line: number; text: string } | null;
}

async function verify(name: string) {
  const r = await runCli(['verify', MODEL, '--config', join(FIX, name), '--format', 'json']);
  assert.equal(r.stderr, '');
  const doc = JSON.parse(r.stdout) as { tool: string; command: string; findings: Finding[]; matrix: { from_zone: string; to_zone: string; permitted: string }[]; summary: { errors: number } };
  assert.equal(doc.tool, 'otzones');
  assert.equal(doc.command, 'verify');
  const shown = doc.findings.filter((f) => f.severity !== 'info').map((f) => ({ kind: f.kind, line: f.rule?.line ?? null, from: f.from_zone, to: f.to_zone, conduit: f.conduit, example: f.example, space: f.space }));
  return { code: r.code, doc, shown };
}

const needsDpi = (doc: { findings: Finding[] }) => doc.findings.filter((f) => f.kind === 'needs-dpi').map((f) => `${f.from_zone}>${f.to_zone} ${f.conduit} line ${f.rule?.line}`);

test('the correct configuration verifies clean; Modbus function codes are reported as needs-dpi', async () => {
  const { code, doc, shown } = await verify('refinery-correct.cfg');
  assert.deepEqual(shown, []);
  assert.equal(code, 0);
  assert.deepEqual(needsDpi(doc), ['Z3-OPS>Z2-BPCS C1-BPCS-OPS line 46']);
  const m = Object.fromEntries(doc.matrix.map((x) => [`${x.from_zone}>${x.to_zone}`, x.permitted]));
  assert.equal(m['Z5-ENT>Z4-DMZ'], 'tcp 10.40.0.0/16 -> 172.16.1.50 dport 443; tcp 10.40.0.0/16 -> 172.16.1.70 dport 443; tcp 10.40.0.0/16 -> 172.16.1.70 dport 3389');
  assert.equal(m['Z4-DMZ>Z3-OPS'], 'nothing');
  assert.equal(m['Z1-SIS>Z2-BPCS'], 'not joined by any of the given configurations');
});

test('a stray permit ip any any: prohibited flows from the enterprise zone, all blamed on its line', async () => {
  const { code, shown } = await verify('refinery-stray-permit-any.cfg');
  assert.equal(code, 1);
  assert.deepEqual(
    shown.map((f) => [f.kind, f.line, f.from, f.to, f.conduit]),
    [
      ['prohibited-flow-permitted', 52, 'Z5-ENT', 'Z2-BPCS', null],
      ['prohibited-flow-permitted', 52, 'Z5-ENT', 'Z3-OPS', null],
      ['prohibited-flow-permitted', 52, 'Z5-ENT', 'Z4-DMZ', null],
    ],
  );
  assert.deepEqual(shown[0].example, { src: '10.40.3.1', dst: '10.20.1.10', protocol: 'tcp', src_port: 40000, dst_port: 502 });
  assert.equal(shown[0].space, 'ip 10.40.0.0/16 -> 10.20.0.0/16');
  // Towards the DMZ the permitted set is everything except what the conduit allows.
  assert.match(shown[2].space, /tcp 10\.40\.0\.0\/16 -> 172\.16\.1\.70 dport 0-442/);
});

test('a missing conduit rule: the RDP flow of C3-DMZ-ENT is blocked by the implicit deny', async () => {
  const { code, shown } = await verify('refinery-missing-rdp.cfg');
  assert.equal(code, 1);
  assert.deepEqual(shown, [
    {
      kind: 'conduit-flow-blocked',
      line: null,
      from: 'Z5-ENT',
      to: 'Z4-DMZ',
      conduit: 'C3-DMZ-ENT',
      example: { src: '10.40.3.1', dst: '172.16.1.70', protocol: 'tcp', src_port: 40000, dst_port: 3389 },
      space: 'tcp 10.40.0.0/16 -> 172.16.1.70 dport 3389',
    },
  ]);
});

test('a rule shadowed by an earlier deny is reported on its own line and nothing else', async () => {
  const { code, shown } = await verify('refinery-shadowed.cfg');
  assert.equal(code, 0, 'a shadowed rule is a warning');
  assert.deepEqual(shown, [
    {
      kind: 'shadowed-rule',
      line: 52,
      from: null,
      to: null,
      conduit: null,
      example: { src: '10.40.3.7', dst: '172.16.1.70', protocol: 'tcp', src_port: 40000, dst_port: 23 },
      space: 'tcp 10.40.3.7 -> 172.16.1.70 dport 23',
    },
  ]);
});

test('a port range that leaks one extra port: exactly that port is reported', async () => {
  const { code, shown } = await verify('refinery-port-leak.cfg');
  assert.equal(code, 1);
  assert.deepEqual(shown, [
    {
      kind: 'prohibited-flow-permitted',
      line: 51,
      from: 'Z5-ENT',
      to: 'Z4-DMZ',
      conduit: null,
      example: { src: '10.40.3.1', dst: '172.16.1.70', protocol: 'tcp', src_port: 40000, dst_port: 3390 },
      space: 'tcp 10.40.0.0/16 -> 172.16.1.70 dport 3390',
    },
  ]);
});

test('text and SARIF output name the file and line', async () => {
  const t = await runCli(['verify', MODEL, '--config', join(FIX, 'refinery-port-leak.cfg')]);
  assert.equal(t.code, 1);
  assert.match(t.stdout, /refinery-port-leak\.cfg:51: error ZC801 \(prohibited-flow-permitted\): Z5-ENT → Z4-DMZ/);
  assert.match(t.stdout, /= example: tcp 10\.40\.3\.1:40000 -> 172\.16\.1\.70:3390/);
  const s = await runCli(['verify', MODEL, '--config', join(FIX, 'refinery-port-leak.cfg'), '--format', 'sarif']);
  const sarif = JSON.parse(s.stdout);
  const res = sarif.runs[0].results.filter((r: { level: string }) => r.level === 'error');
  assert.equal(res.length, 1);
  assert.equal(res[0].ruleId, 'ZC801');
  assert.equal(res[0].locations[0].physicalLocation.region.startLine, 51);
});

test('ASA implicit rules: with no access-group, higher to lower security level is permitted', async () => {
  const { writeFileSync, mkdtempSync, readFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'otzones-verify-'));
  const text = readFileSync(join(FIX, 'refinery-correct.cfg'), 'utf8').replace('access-group zone-bpcs_in in interface zone-bpcs\n', '');
  writeFileSync(join(dir, 'fw.cfg'), text);
  const r = await runCli(['verify', MODEL, '--config', join(dir, 'fw.cfg'), '--format', 'json']);
  const doc = JSON.parse(r.stdout);
  const errs = doc.findings.filter((f: Finding) => f.severity === 'error').map((f: Finding) => `${f.kind} ${f.from_zone}>${f.to_zone} line ${f.rule?.line}`);
  // zone-bpcs (100) may now open anything towards ops (80), dmz (50) and ent (0): blamed on its interface block.
  assert.deepEqual(errs, [
    'prohibited-flow-permitted Z2-BPCS>Z3-OPS line 8',
    'prohibited-flow-permitted Z2-BPCS>Z4-DMZ line 8',
    'prohibited-flow-permitted Z2-BPCS>Z5-ENT line 8',
  ]);
  // The ACL that is no longer applied is reported as unused.
  assert.ok(doc.findings.some((f: Finding) => f.kind === 'unused-rule' && f.rule?.line === 44));
});

test('unusable input exits 2 with the file named, never a stack trace', async () => {
  const missing = await runCli(['verify', MODEL, '--config', 'no/such.cfg']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /no\/such\.cfg: cannot read the configuration \(ENOENT\)/);
  const unknown = await runCli(['verify', MODEL, '--config', 'package.json']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /package\.json:1:1: cannot tell which firewall/);
  const vendor = await runCli(['verify', MODEL, '--config', join(FIX, 'refinery-correct.cfg'), '--vendor', 'junos']);
  assert.equal(vendor.code, 2);
  assert.match(vendor.stderr, /--vendor must be one of asa, nftables, iptables/);
  const { writeFileSync, mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'otzones-verify-bad-'));
  writeFileSync(join(dir, 'bad.json'), '{"nftables": [\n  {"table": {"family": "inet", "name": "x"}},\n  oops\n]}\n');
  const json = await runCli(['verify', MODEL, '--config', join(dir, 'bad.json')]);
  assert.equal(json.code, 2);
  assert.match(json.stderr, /bad\.json:3:\d+: not valid JSON/);
  // The seed dialect has no subnets: nothing can be placed in a zone.
  const seed = await runCli(['verify', SEED, '--config', join(FIX, 'refinery-correct.cfg')]);
  assert.equal(seed.code, 2);
  assert.match(seed.stderr, /no zone has `subnets`/);
  const help = await runCli(['verify', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--config <file>/);
  for (const r of [missing, unknown, vendor, json]) assert.doesNotMatch(r.stderr, /\n\s+at /);
});

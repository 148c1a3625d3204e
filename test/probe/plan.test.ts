/** What `probe` would send for examples/refinery-unit3.yaml (--dry-run; no root, no lab, nothing sent). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EXAMPLE, SEED } from '../helpers/paths.ts';
import { runCli } from '../helpers/cli.ts';
import { loadModelFile } from '../../src/model/load.ts';
import { compilePolicy } from '../../src/policy/ir.ts';
import { ZoneIndex } from '../../src/policy/zone-index.ts';
import { allowedBy, probePorts } from '../../src/probe/plan.ts';

const NO_LAB = ['--run-dir', '/nonexistent/otz-probe-test'];
const model = loadModelFile(EXAMPLE).model!;
const ir = compilePolicy(model);

interface Planned { id: number; check: string; from_zone: string; to_zone: string; src: string; target: string; transport: string; expected: string; packets: number; sends: string }

async function dry(extra: string[] = []) {
  const r = await runCli(['probe', EXAMPLE, '--lab', '--dry-run', '--format', 'json', ...NO_LAB, ...extra]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as { planned: Planned[]; summary: { tasks: number; packets: number; rate: number; estimated_seconds: number }; notes: string[] };
}

test('every packet goes to an address of the model, and every ordered zone pair is covered', async () => {
  const d = await dry();
  const idx = new ZoneIndex(model);
  for (const p of d.planned) {
    const dst = p.target.split(':')[0];
    assert.equal(idx.lookupText(dst)?.zoneId, p.to_zone, `${p.target} lies in ${p.to_zone}`);
    assert.equal(idx.lookupText(p.src)?.zoneId, p.from_zone);
  }
  const pairs = new Set(d.planned.filter((p) => p.check === 'prohibited-path').map((p) => `${p.from_zone}>${p.to_zone}`));
  assert.equal(pairs.size, 20);
  // The goal: the whole example at the default rate in well under 30 s.
  assert.equal(d.summary.rate, 100);
  assert.ok(d.summary.estimated_seconds < 25, `${d.summary.estimated_seconds} s`);
});

test('prohibited-path probes are exactly the tuples the policy IR does not allow', async () => {
  const d = await dry();
  const ports = probePorts(ir);
  assert.ok(ports.tcp.includes(502) && ports.tcp.includes(20000) && ports.tcp.includes(4840) && ports.udp.includes(5450));
  for (const p of d.planned.filter((x) => x.check === 'prohibited-path')) {
    const [dst, port] = p.target.split(':');
    assert.equal(allowedBy(ir, p.src, dst, p.transport, port ? Number(port) : undefined), undefined, JSON.stringify(p));
  }
  // HIST-01 → PLC:502 is a conduit flow (probed as a Modbus read), MES-01 is not and nothing probes it as allowed.
  assert.ok(d.planned.some((p) => p.check === 'modbus-read' && p.src === '10.30.1.50' && p.target === '10.20.1.10:502'));
  assert.ok(!d.planned.some((p) => p.check === 'prohibited-path' && p.src === '10.30.1.50' && p.target === '10.20.1.10:502'));
  assert.ok(d.planned.some((p) => p.check === 'prohibited-path' && p.from_zone === 'Z5-ENT' && p.target === '10.20.1.10:502'));
});

test('write tests only with --allow-write-test, only to safe_test_register, writing back the value read', async () => {
  const without = await dry();
  assert.equal(without.planned.filter((p) => p.check === 'modbus-write-blocked').length, 0);
  assert.ok(without.notes.some((n) => /--allow-write-test/.test(n)));
  const withW = await dry(['--allow-write-test']);
  const writes = withW.planned.filter((p) => p.check === 'modbus-write-blocked');
  assert.deepEqual(writes.map((w) => w.target), ['10.20.1.10:502', '10.20.1.11:502']);
  for (const w of writes) assert.equal(w.sends, 'TCP connect, FC 3 read of safe_test_register 99, FC 6 writing the value just read back to it');
  // Reads of PLCs without a safe register read register 0 and never write.
  assert.equal(withW.planned.filter((p) => p.check === 'modbus-read').length, 12);
});

test('the dry run is deterministic and its text form lists every packet', async () => {
  assert.deepEqual(await dry(), await dry());
  const r = await runCli(['probe', EXAMPLE, '--lab', '--dry-run', ...NO_LAB]);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^#0 conduit-open Z2-BPCS -> Z3-OPS: 10\.20\.1\.10 -> 10\.30\.1\.50:4840\/tcp: TCP connect \(expected open\)$/m);
  assert.match(r.stdout, /dry run: \d+ checks, at most \d+ packets, about [\d.]+ s at 100 packets\/s; nothing was sent/);
});

test('usage errors exit 2 with one clear line', async () => {
  const cases: [string[], RegExp][] = [
    [['probe', EXAMPLE], /give exactly one of --lab or --from ZONE/],
    [['probe', EXAMPLE, '--lab', '--from', 'Z3-OPS'], /give exactly one of --lab or --from ZONE/],
    [['probe', EXAMPLE, '--from', 'Z9'], /--from Z9: no such zone .*zones: Z1-SIS, Z2-BPCS/],
    [['probe', EXAMPLE, '--from', 'Z3-OPS', '--rate', '0'], /--rate "0": expected a number/],
    [['probe', EXAMPLE, '--from', 'Z3-OPS'], /this host has no IPv4 address in zone Z3-OPS \(10\.30\.0\.0\/16\)/],
    [['probe', EXAMPLE, '--lab', ...NO_LAB], /ZC778: no lab in \/nonexistent\/otz-probe-test; run `otzones lab up/],
    [['probe', 'test/probe/does-not-exist.yaml', '--lab'], /does-not-exist\.yaml/],
    // The source document's Zone Definition Document (../shared/seed) names no addresses: nothing to probe.
    [['probe', SEED, '--lab', '--dry-run', ...NO_LAB], /ZC778: nothing to probe: no zone of .*zone-definition\.yaml has addresses/],
  ];
  for (const [argv, re] of cases) {
    const r = await runCli(argv);
    assert.equal(r.code, 2, argv.join(' '));
    assert.match(r.stderr, re, argv.join(' '));
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
});

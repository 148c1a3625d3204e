import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { runCli } from '../helpers/cli.ts';
import { ROOT, SEED } from '../helpers/paths.ts';

test('validate on the example: exit 0, JSON envelope per the CLI contract', async () => {
  const r = await runCli(['validate', 'examples/refinery-unit3.yaml', '--format', 'json']);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.tool, 'otzones');
  assert.equal(j.command, 'validate');
  assert.equal(typeof j.version, 'string');
  assert.deepEqual(j.summary, { errors: 0, warnings: 0, infos: 0 });
});

test('validate on the seed: no errors, inferred meanings as infos', async () => {
  const r = await runCli(['validate', SEED, '--format', 'json']);
  const j = JSON.parse(r.stdout);
  assert.equal(j.summary.errors, 0);
  assert.ok(j.summary.infos > 10);
  assert.notEqual(r.code, 2);
});

test('unusable input: exit 2, one clear message with position, no stack trace', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'otz-cli-'));
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, 'facility: x\nzones:\n  - zone_id: [\n');
  const r = await runCli(['validate', bad]);
  assert.equal(r.code, 2);
  assert.match(r.stdout, /bad\.yaml:\d+:\d+: error ZC002/);
  assert.doesNotMatch(r.stdout + r.stderr, /at .*\.ts:\d+/);
  const missing = await runCli(['validate', join(dir, 'nope.yaml')]);
  assert.equal(missing.code, 2);
  assert.match(missing.stdout, /ZC001.*no such file/);
  const usage = await runCli(['validate']);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /missing required argument/);
  const fmt = await runCli(['validate', SEED, '--format', 'xml']);
  assert.equal(fmt.code, 2);
  assert.match(fmt.stderr, /--format must be one of/);
});

test('SARIF output is SARIF 2.1.0 with rule ids and regions', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'otz-cli-'));
  const f = join(dir, 'm.yaml');
  writeFileSync(f, 'facility: x\nzones:\n  - zone_id: Z1\n  - zone_id: Z1\n');
  const r = await runCli(['validate', f, '--format', 'sarif']);
  assert.equal(r.code, 1);
  const s = JSON.parse(r.stdout);
  assert.equal(s.version, '2.1.0');
  const res = s.runs[0].results.find((x: { ruleId: string }) => x.ruleId === 'ZC201');
  assert.equal(res.level, 'error');
  assert.equal(res.locations[0].physicalLocation.region.startLine, 4);
});

test('the installed bin runs from a shell (npx otzones)', () => {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/otzones.js'), 'validate', 'examples/refinery-unit3.yaml'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /0 error\(s\)/);
  const help = spawnSync(process.execPath, [join(ROOT, 'bin/otzones.js'), 'validate', '--help'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(help.status, 0);
  assert.match(help.stdout, /Examples:/);
});

/**
 * The rule registry agrees with the files, the tests and docs/rules.md: each rule's file name is its name, it has
 * a table test and a docs section with its code, name and severity; the loader codes are documented too. Also pins
 * what the bundled example (nothing) and the seed (the two warnings docs/rules.md explains) report.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateFile, validateText } from '../../src/index.ts';
import { allCodes } from '../../src/diagnostics/codes.ts';
import { RULES } from '../../src/rules/index.ts';
import { runCli } from '../helpers/cli.ts';
import { EXAMPLE, ROOT, SEED } from '../helpers/paths.ts';
import { BASE } from './table.ts';

const DOCS = readFileSync(join(ROOT, 'docs/rules.md'), 'utf8');
const NOT_RULES = new Set(['index.ts', 'rule.ts', 'model-helpers.ts']);

test('each rule: code in ZC200-ZC599, unique; file name = rule name; the file exports the registered rule; a test file', async () => {
  const codes = RULES.map((r) => r.meta.code);
  assert.equal(new Set(codes).size, codes.length, 'codes are unique');
  assert.deepEqual([...codes].sort(), codes, 'registered in code order');
  for (const r of RULES) {
    assert.match(r.meta.code, /^ZC[2-5]\d\d$/);
    assert.match(r.meta.name, /^[a-z]+(-[a-z0-9]+)*$/);
    assert.match(r.meta.clause, /IEC 62443-3-[23]/);
    const file = join(ROOT, 'src/rules', `${r.meta.name}.ts`);
    assert.ok(existsSync(file), `src/rules/${r.meta.name}.ts`);
    const mod = (await import(file)) as Record<string, unknown>;
    assert.ok(Object.values(mod).includes(r), `src/rules/${r.meta.name}.ts exports the registered ${r.meta.code}`);
    assert.ok(existsSync(join(ROOT, 'test/rules', `${r.meta.name}.test.ts`)), `test/rules/${r.meta.name}.test.ts`);
  }
  const ruleFiles = readdirSync(join(ROOT, 'src/rules')).filter((f) => f.endsWith('.ts') && !NOT_RULES.has(f));
  assert.deepEqual(ruleFiles.sort(), RULES.map((r) => `${r.meta.name}.ts`).sort(), 'every rule file is registered');
});

test('docs/rules.md: a section with anchor, code, name and severity for every rule, and a table row', () => {
  for (const { meta } of RULES) {
    const id = meta.code.toLowerCase();
    assert.ok(DOCS.includes(`<a id="${id}"></a>\n## ${meta.code} ${meta.name} (${meta.severity})\n`), `section for ${meta.code}`);
    assert.ok(DOCS.includes(`| [${meta.code}](#${id}) | ${meta.name} | ${meta.severity} |`), `table row for ${meta.code}`);
  }
  const anchors = [...DOCS.matchAll(/<a id="(zc\d+)"><\/a>/g)].map((m) => m[1]);
  assert.equal(new Set(anchors).size, anchors.length, 'anchors are unique');
});

test('docs/rules.md lists the loader codes with their names and severities', () => {
  const loader = allCodes().filter((c) => /^ZC(0|1|301|9)/.test(c.code));
  assert.ok(loader.length >= 13);
  for (const c of loader) assert.ok(DOCS.includes(`| ${c.code} | ${c.name} | ${c.severity} |`), `loader code ${c.code}`);
});

test('the rule tables start from a model that triggers nothing', () => {
  const r = validateText(BASE, 'base.yaml');
  assert.deepEqual(r.diagnostics, []);
});

test('examples/refinery-unit3.yaml: no diagnostics at all', () => {
  const r = validateFile(EXAMPLE);
  assert.deepEqual(r.diagnostics.map((d) => `${d.line}:${d.column} ${d.code} ${d.message}`), []);
});

test('the seed (../shared/seed/zone-definition.yaml): no errors; exactly the two warnings docs/rules.md explains', () => {
  const r = validateFile(SEED);
  assert.equal(r.diagnostics.filter((d) => d.severity === 'error').length, 0);
  const warnings = r.diagnostics.filter((d) => d.severity === 'warning').map((d) => ({ code: d.code, line: d.line, ids: d.ids }));
  assert.deepEqual(warnings, [
    { code: 'ZC405', line: 117, ids: ['C3-DMZ-ENT', 'Z4-DMZ'] },
    { code: 'ZC505', line: 124, ids: ['C3-DMZ-ENT', 'Z5-ENT', 'Z4-DMZ'] },
  ]);
  assert.match(DOCS, /\*\*ZC405\*\* on `C3-DMZ-ENT`/);
  assert.match(DOCS, /\*\*ZC505\*\* on the RDP flow/);
});

test('the CLI on a model with design errors: exit 1, the JSON contract shape, warnings alone exit 0', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'otz-rules-cli-'));
  try {
    const bad = join(dir, 'bad.yaml');
    const text = BASE.replace('vlan: 30', 'vlan: 20');
    writeFileSync(bad, text);
    const column = text.split('\n')[3].indexOf('vlan: 20') + 'vlan: '.length + 1;
    const r = await runCli(['validate', bad, '--format', 'json']);
    assert.equal(r.code, 1, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.deepEqual(j.diagnostics, [
      {
        code: 'ZC304', severity: 'error', message: 'zone Z3 uses VLAN 20, which zone Z2 already uses', file: bad,
        line: 4, column, path: 'zones[1].vlan', ids: ['Z3', 'Z2'],
        notes: ['hosts on one VLAN reach each other without crossing the zone boundary firewall; give each zone its own VLAN'],
      },
    ]);
    assert.deepEqual(j.summary, { errors: 1, warnings: 0, infos: 0 });
    const warn = join(dir, 'warn.yaml');
    writeFileSync(warn, BASE.replace('function_codes: [3, 4]', 'function_codes: [3, 6]'));
    const w = await runCli(['validate', warn]);
    assert.equal(w.code, 0);
    assert.match(w.stdout, /warning ZC503 \(write-from-higher-level\): modbus is initiated from Z3 \(level 3\) to Z2 \(level 2\) in conduit C23, and its function codes include 6/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/**
 * Property-based robustness of `validate`: random mutations of the bundled example and of the source document's
 * zone definition (../shared/seed/zone-definition.yaml, third-party text) — byte flips, line deletions and
 * duplications, indentation changes, swapped values, hostile strings — always end in diagnostics or success:
 * no exception, every diagnostic well-formed with a position inside the text, the CLI exits 0, 1 or 2 without a
 * stack trace, and each run is quick. fast-check prints the seed and the shrunk mutation list on failure;
 * OTZ_FUZZ_RUNS raises the number of runs for a longer local session.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { validateText, type ValidateResult } from '../../src/index.ts';
import { runCli } from '../helpers/cli.ts';
import { EXAMPLE, SEED } from '../helpers/paths.ts';

const BASES = { example: readFileSync(EXAMPLE, 'utf8'), seed: readFileSync(SEED, 'utf8') };
const RUNS = Number(process.env.OTZ_FUZZ_RUNS ?? 0) || undefined;

const HOSTILE = [
  '*undefined_alias',
  '&a [*a, *a]',
  'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
  '<<: *x',
  '? [complex, key]\n: value',
  '%YAML 1.1\n---',
  '---\n---',
  '!!binary AAAA',
  '!!js/function "function(){}"',
  '!custom {a: 1}',
  '__proto__: { polluted: true }',
  'constructor: { prototype: { x: 1 } }',
  'zones: null',
  'zones: []',
  'conduits: {}',
  '"10.0.0.0/33"',
  '"::ffff:10.20.1.10"',
  '"10.20.1.10/32"',
  '"0x0a.0.0.1"',
  '99999999999999999999999999',
  '-1',
  '.nan',
  '.inf',
  '~',
  '[]',
  '{}',
  '""',
  '"\u0000"',
  '"\u202e\ufeff🔥"',
  'x'.repeat(20_000),
  '"Z1 -> Z2 -> Z3 (FC 1-65535, read only, one way)"',
  '"Z9 <-> (FC ///)"',
  '[' + '['.repeat(200) + ']'.repeat(200) + ']',
  '{a: ' + '{b: '.repeat(100) + '1' + '}'.repeat(101),
  '\t\t- tab indented',
  'purdue_level: "5-0"',
  'security_level_target: { IAC: 9 }',
];
const CHARS = [':', '-', ' ', '\n', '\t', '#', '&', '*', '!', '|', '>', "'", '"', '%', '@', '`', '{', '}', '[', ']', ',', '?', '\\', '\u0000', 'é', '0', '9', '/', '.'];

type Mutation =
  | { kind: 'flip'; at: number; ch: string }
  | { kind: 'deleteLine'; at: number }
  | { kind: 'duplicateLine'; at: number }
  | { kind: 'indent'; at: number; delta: number }
  | { kind: 'swapValues'; a: number; b: number }
  | { kind: 'insert'; at: number; text: string; asValue: boolean }
  | { kind: 'truncate'; at: number }
  | { kind: 'renameId'; at: number; to: number; typo: boolean };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), ch: fc.constantFrom(...CHARS) }),
  fc.record({ kind: fc.constant('deleteLine' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('duplicateLine' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('indent' as const), at: fc.nat(), delta: fc.integer({ min: -6, max: 6 }) }),
  fc.record({ kind: fc.constant('swapValues' as const), a: fc.nat(), b: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.oneof(fc.constantFrom(...HOSTILE), fc.string({ maxLength: 40 })), asValue: fc.boolean() }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  // Keeps the YAML valid but the model wrong (a reference to another or a misspelt id), so the rules get exercised.
  fc.record({ kind: fc.constant('renameId' as const), at: fc.nat(), to: fc.nat(), typo: fc.boolean() }),
);

const ID = /\b[A-Z][A-Z0-9]*-[A-Z0-9-]*[A-Z0-9]\b/g;

const VALUE = /^(\s*(?:-\s+)?[A-Za-z_][\w-]*:\s+)(.+)$/;

function apply(text: string, m: Mutation): string {
  const lines = text.split('\n');
  const line = (n: number) => n % lines.length;
  switch (m.kind) {
    case 'flip': {
      if (!text.length) return m.ch;
      const i = m.at % text.length;
      return text.slice(0, i) + m.ch + text.slice(i + 1);
    }
    case 'deleteLine':
      lines.splice(line(m.at), 1);
      return lines.join('\n');
    case 'duplicateLine':
      lines.splice(line(m.at), 0, lines[line(m.at)]);
      return lines.join('\n');
    case 'indent': {
      const i = line(m.at);
      lines[i] = m.delta >= 0 ? ' '.repeat(m.delta) + lines[i] : lines[i].replace(new RegExp(`^ {0,${-m.delta}}`), '');
      return lines.join('\n');
    }
    case 'swapValues': {
      // Swap the values of two `key: value` lines (a VLAN into a subnet, an id into a Purdue level, …).
      const withValues = lines.map((l, i) => (VALUE.test(l) ? i : -1)).filter((i) => i >= 0);
      if (withValues.length < 2) return text;
      const a = withValues[m.a % withValues.length];
      const b = withValues[m.b % withValues.length];
      const [, ka, va] = VALUE.exec(lines[a])!;
      const [, kb, vb] = VALUE.exec(lines[b])!;
      lines[a] = ka + vb;
      lines[b] = kb + va;
      return lines.join('\n');
    }
    case 'insert': {
      const i = line(m.at);
      if (m.asValue && VALUE.test(lines[i])) lines[i] = VALUE.exec(lines[i])![1] + m.text;
      else lines.splice(i, 0, m.text);
      return lines.join('\n');
    }
    case 'truncate':
      return text.slice(0, m.at % (text.length + 1));
    case 'renameId': {
      const found = [...text.matchAll(ID)];
      if (found.length < 2) return text;
      const at = found[m.at % found.length];
      const other = found[m.to % found.length][0];
      const to = m.typo ? other.slice(0, -1) + (other.endsWith('X') ? 'Y' : 'X') : other;
      return text.slice(0, at.index) + to + text.slice(at.index! + at[0].length);
    }
  }
}

const mutated = fc
  .tuple(fc.constantFrom<keyof typeof BASES>('example', 'seed'), fc.array(mutation, { minLength: 1, maxLength: 4 }))
  .map(([base, ms]) => ({ base, ms, text: ms.reduce(apply, BASES[base]) }));

function checkResult(r: ValidateResult, text: string): void {
  assert.ok(Array.isArray(r.diagnostics));
  const lineCount = text.split('\n').length;
  for (const d of r.diagnostics) {
    assert.match(d.code, /^ZC\d{3}$/);
    assert.notEqual(d.code, 'ZC900', `internal error: ${d.message}`);
    assert.ok(['error', 'warning', 'info'].includes(d.severity));
    assert.equal(typeof d.message, 'string');
    assert.ok(d.message.length > 0 && d.message.length < 2_000 + 20_000, 'message bounded');
    assert.ok(Array.isArray(d.ids));
    if (d.line !== undefined) {
      assert.ok(Number.isInteger(d.line) && d.line >= 1 && d.line <= lineCount + 1, `line ${d.line} of ${lineCount}`);
      assert.ok(Number.isInteger(d.column) && d.column! >= 1, `column ${d.column}`);
    }
  }
  // Unusable input always says why.
  if (!r.usable) assert.ok(r.diagnostics.some((d) => d.severity === 'error'), 'an unusable model has an error');
  if (r.model) assert.ok(Array.isArray(r.model.zones));
}

test('validateText: random mutations of the example and the seed end in diagnostics or success', (t) => {
  let slowest = 0;
  const seen = { usable: 0, unusable: 0, withRuleFindings: 0 };
  fc.assert(
    fc.property(mutated, ({ text }) => {
      const t0 = performance.now();
      const r = validateText(text, 'fuzz.yaml');
      const ms = performance.now() - t0;
      slowest = Math.max(slowest, ms);
      assert.ok(ms < 2_000, `validate took ${ms.toFixed(0)} ms`);
      checkResult(r, text);
      seen[r.usable ? 'usable' : 'unusable']++;
      if (r.diagnostics.some((d) => /^ZC[2-5]\d\d$/.test(d.code) && d.code !== 'ZC301')) seen.withRuleFindings++;
    }),
    { numRuns: RUNS ?? 1_000 },
  );
  // Both outcomes were exercised, and mutated models reached the design rules (a generator that always broke
  // the YAML would prove little).
  t.diagnostic(`${JSON.stringify(seen)}, slowest ${slowest.toFixed(0)} ms`);
  assert.ok(seen.usable > 30 && seen.unusable > 30 && seen.withRuleFindings > 10, JSON.stringify(seen));
  assert.ok(slowest < 2_000);
});

test('the CLI on mutated files: exit 0, 1 or 2, JSON that parses, never a stack trace', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'otz-fuzz-'));
  try {
    const exits = new Set<number>();
    let n = 0;
    await fc.assert(
      fc.asyncProperty(mutated, fc.boolean(), async ({ text }, json) => {
        const file = join(dir, `m${n++}.yaml`);
        writeFileSync(file, text);
        const r = await runCli(json ? ['validate', file, '--format', 'json'] : ['validate', file]);
        assert.ok([0, 1, 2].includes(r.code), `exit ${r.code}: ${r.stderr.slice(0, 500)}`);
        exits.add(r.code);
        assert.doesNotMatch(r.stdout + r.stderr, /\n\s+at .*:\d+:\d+\)?\n|internal error/);
        if (json) {
          const j = JSON.parse(r.stdout);
          assert.equal(j.command, 'validate');
          assert.equal(j.summary.errors > 0, r.code !== 0);
        } else {
          assert.match(r.stdout, /\d+ error\(s\), \d+ warning\(s\), \d+ info\(s\)/);
        }
      }),
      { numRuns: RUNS ? Math.ceil(RUNS / 5) : 100 },
    );
    assert.ok(exits.has(2) && (exits.has(0) || exits.has(1)), [...exits].join(','));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('hostile strings as every value of the example, one at a time, never crash the loader', () => {
  const lines = BASES.example.split('\n');
  const valueLines = lines.map((l, i) => (VALUE.test(l) ? i : -1)).filter((i) => i >= 0);
  for (const h of HOSTILE.filter((s) => !s.includes('\n'))) {
    for (const i of valueLines.filter((_, k) => k % 7 === 0)) {
      const text = apply(BASES.example, { kind: 'insert', at: i, text: h, asValue: true });
      checkResult(validateText(text, 'hostile.yaml'), text);
    }
  }
});

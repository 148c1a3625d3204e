/**
 * Safety of generated text: hostile free text (quotes, newlines, `;`, `#`, `}`, backslashes, `!`, `$()`) in
 * the model changes only comment/description text of any target, never adds a line or a command.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../helpers/cli.ts';
import { TARGETS } from '../../src/targets/index.ts';
import { variant } from './helpers.ts';

const HOSTILE = 'Evil "quoted" \'single\' ; rm -rf / # }\n} end\nexit\r\n\\ \\n $(reboot) `id` ! <x> | & {';
const SAFE_CHARS = /^[A-Za-z0-9 \-_.,:/()+=@]*$/;

function model(text: string, fileName: string): string {
  return variant((m) => {
    m.facility = text;
    m.standard = text;
    for (const z of m.zones) {
      z.name = text;
      z.security_requirements = [text];
      for (const a of z.assets) a.name = text;
    }
    for (const c of m.conduits) {
      c.name = text;
      c.controls = [text];
      for (const f of c.protocols_allowed) f.description = text;
    }
    m.switches[0].trunk_description = text;
  }, fileName);
}

for (const t of TARGETS) {
  test(`hostile names: ${t.name} output differs from a benign model only inside comments/descriptions`, async () => {
    const benign = await runCli(['compile', model('Plain text', 'plain.yaml'), '--target', t.name]);
    const evil = await runCli(['compile', model(HOSTILE, 'evil"; #}\nx.yaml'), '--target', t.name]);
    assert.equal(benign.code, 0, benign.stderr);
    assert.equal(evil.code, 0, evil.stderr);
    const a = benign.stdout.split('\n');
    const b = evil.stdout.split('\n');
    assert.equal(b.length, a.length, 'hostile text must not add or remove lines');
    let differing = 0;
    for (let i = 0; i < a.length; i++) {
      if (a[i] === b[i]) continue;
      differing++;
      // The differing part is what replaced the text: only safe characters may appear there.
      let p = 0;
      while (p < a[i].length && a[i][p] === b[i][p]) p++;
      let s = 0;
      while (s < a[i].length - p && s < b[i].length - p && a[i][a[i].length - 1 - s] === b[i][b[i].length - 1 - s]) s++;
      const injected = b[i].slice(p, b[i].length - s);
      assert.match(injected, SAFE_CHARS, `line ${i + 1} of ${t.name}: ${JSON.stringify(b[i])}`);
      assert.match(b[i], /^\s*([#!]|description |set comments |access-list \S+ remark )/, `only comments may change (${t.name} line ${i + 1}: ${b[i]})`);
    }
    assert.ok(differing > 0, 'the free text does reach the output (header facility at least)');
  });
}

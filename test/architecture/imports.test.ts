/**
 * Enforces the dependency direction of docs/architecture.md by reading the sources, since the usual tool
 * (dependency-cruiser) needs Node 22: a module imports only from its own layer or layers to its left,
 * and nothing outside src/cli and src/web prints, reads argv or exits.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { ROOT } from '../helpers/paths.ts';

const LAYERS: Record<string, number> = {
  model: 0, diagnostics: 0, net: 0,
  rules: 1, risk: 1, policy: 1,
  targets: 2, parsers: 2, analysis: 2, capture: 2, logs: 2, modbus: 2,
  baseline: 3, lab: 3, probe: 3,
  report: 4,
  'index.ts': 5,
  cli: 6, web: 6,
};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) return n === 'node_modules' || n === 'dist' ? [] : files(p);
    return /\.(ts|tsx)$/.test(n) ? [p] : [];
  });
}

const SRC = join(ROOT, 'src');
const layerOf = (file: string) => LAYERS[relative(SRC, file).split('/')[0]];

test('imports follow the layer order', () => {
  const violations: string[] = [];
  for (const f of files(SRC)) {
    const from = layerOf(f);
    if (from === undefined) {
      violations.push(`${relative(ROOT, f)}: folder not in the architecture's layer list`);
      continue;
    }
    const text = readFileSync(f, 'utf8');
    for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+['"](\.[^'"]+)['"]/g)) {
      const target = resolve(dirname(f), m[1]);
      if (!target.startsWith(SRC)) continue;
      const to = layerOf(target);
      if (to !== undefined && to > from) violations.push(`${relative(ROOT, f)} imports ${relative(ROOT, target)} (layer ${to} > ${from})`);
    }
  }
  assert.deepEqual(violations, []);
});

test('the library never prints, reads argv or exits', () => {
  const offenders: string[] = [];
  for (const f of files(SRC)) {
    const top = relative(SRC, f).split('/')[0];
    if (top === 'cli' || top === 'web') continue;
    // Lab daemons are separate processes started by the lab; their entry files may print and exit.
    if (/\.daemon\.ts$|\/daemons?\//.test(f)) continue;
    const text = readFileSync(f, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
    if (/\bconsole\.(log|error|warn|info)\(|process\.exit\(|process\.argv\b|process\.stdout\.write\(/.test(text)) offenders.push(relative(ROOT, f));
  }
  assert.deepEqual(offenders, []);
});

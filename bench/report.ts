/**
 * Report, diagram and diff at scale, with Graphviz `dot` (Debian graphviz, when installed) laying out the
 * same zone graph in the same run as the reference.
 *   node --import tsx bench/report.ts [zones...]      (default: 5 40 400)
 * Writes nothing; prints a table to paste into bench/RESULTS.md under "## report".
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { loadModelText } from '../src/model/load.ts';
import type { Model } from '../src/model/types.ts';
import { compilePolicy } from '../src/policy/ir.ts';
import { runRules } from '../src/rules/index.ts';
import { checkRisk } from '../src/risk/check.ts';
import { buildReport } from '../src/report/build.ts';
import { renderText } from '../src/report/text.ts';
import { renderHtml } from '../src/report/html.ts';
import { renderDiagram } from '../src/report/diagram.ts';
import { diffModels } from '../src/report/diff.ts';
import { largeModelYaml } from '../test/report/large-model.ts';

function time<T>(fn: () => T, runs = 5): { ms: number; value: T } {
  let value = fn();
  const t0 = performance.now();
  for (let i = 0; i < runs; i++) value = fn();
  return { ms: (performance.now() - t0) / runs, value };
}

function dotSource(model: Model): string {
  const lines = ['digraph G {', 'rankdir=TB; node [shape=box];'];
  const levels = new Map<string, string[]>();
  for (const z of model.zones) {
    const k = z.purdue ? `${z.purdue.min}-${z.purdue.max}` : 'none';
    levels.set(k, [...(levels.get(k) ?? []), z.id]);
  }
  let i = 0;
  for (const [k, ids] of levels) lines.push(`subgraph cluster_${i++} { label="Level ${k}"; rank=same; ${ids.map((id) => `"${id}" [label="${id}\\nSL-T"]`).join('; ')} }`);
  for (const c of model.conduits) {
    const [a, b] = c.connects;
    lines.push(`"${a}" -> "${b}" [label="${c.id}: ${c.flows.map((f) => f.protocol).join(', ')}"];`);
  }
  lines.push('}');
  return lines.join('\n');
}

const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
const dot = spawnSync('sh', ['-c', 'command -v dot']).status === 0;
console.log(`| zones | conduits | load+IR ms | rules+risk ms | build report ms | text ms | html ms | diagram ms | SVG KiB | dot -Tsvg ms | diff (one edit) ms |`);
console.log('|---|---|---|---|---|---|---|---|---|---|---|');
for (const n of sizes.length ? sizes : [5, 40, 400]) {
  const text = n === 5 ? readFileSync(new URL('../examples/refinery-unit3.yaml', import.meta.url), 'utf8') : largeModelYaml(n);
  const load = time(() => {
    const r = loadModelText(text, 'bench.yaml');
    return { r, ir: compilePolicy(r.model!) };
  }, 3);
  const { r, ir } = load.value;
  const model = r.model!;
  const diags = time(() => [...runRules(model, r.locate), ...checkRisk(model, r.locate)], 3);
  const build = time(() => buildReport({ model, diagnostics: diags.value, evidence: { verify: [], baseline: [] }, ir }));
  const txt = time(() => renderText(build.value));
  const svg = time(() => renderDiagram(model, { ir }));
  const html = time(() => renderHtml(build.value, svg.value));
  let dotMs = 'not installed';
  if (dot) {
    const src = dotSource(model);
    const t0 = performance.now();
    const p = spawnSync('dot', ['-Tsvg'], { input: src, maxBuffer: 1 << 28 });
    dotMs = p.status === 0 ? (performance.now() - t0).toFixed(1) : `failed (${p.status})`;
  }
  // One edit: the first HTTPS flow moves to port 8443.
  const editedText = text.includes('port: 443\n') ? text.replace('port: 443\n', 'port: 8443\n') : text.replace('{ protocol: https,', '{ protocol: https, port: 8443,');
  const edited = loadModelText(editedText, 'b.yaml').model!;
  const diff = time(() => diffModels(model, edited, { old: ir, new: compilePolicy(edited) }), 3);
  console.log(`| ${n} | ${model.conduits.length} | ${load.ms.toFixed(1)} | ${diags.ms.toFixed(1)} | ${build.ms.toFixed(1)} | ${txt.ms.toFixed(1)} | ${html.ms.toFixed(1)} | ${svg.ms.toFixed(1)} | ${(svg.value.length / 1024).toFixed(0)} | ${dotMs} | ${diff.ms.toFixed(1)} (${diff.value.zonePairs.length} pair(s) changed) |`);
}

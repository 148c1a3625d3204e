/**
 * HTML/Markdown/SVG escaping with hostile model strings, the diagram's structure (bands, boxes, diode,
 * violations, no overlapping boxes at 40 zones), and real PDF/PNG output through the Debian Chromium.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModelFile, loadModelText } from '../../src/model/load.ts';
import { buildReport } from '../../src/report/build.ts';
import { renderHtml } from '../../src/report/html.ts';
import { renderMarkdown } from '../../src/report/markdown.ts';
import { renderDiagram } from '../../src/report/diagram.ts';
import { chromiumPath } from '../../src/report/pdf.ts';
import { runCli } from '../helpers/cli.ts';
import { EXAMPLE, ROOT } from '../helpers/paths.ts';
import { largeModelYaml } from './large-model.ts';

const HOSTILE = `
facility: "<script>alert('f')</script> & Co"
zones:
  - zone_id: ZA
    name: "<img src=x onerror=alert(1)> | pipe **bold** [link](javascript:x)"
    purdue_level: 2
    security_level_target: 2
    subnets: ["10.1.0.0/24"]
    assets:
      - { id: A1, name: "</svg><script>x()</script>", ip: 10.1.0.1 }
    security_requirements: ["<b>raw</b>"]
  - zone_id: ZB
    name: "quote \\" and apostrophe ' here \\e[2J\\x07"
    purdue_level: 3
    subnets: ["10.2.0.0/24"]
conduits:
  - conduit_id: C1
    name: "<iframe src=//evil>"
    connects: [ZA, ZB]
    protocols_allowed:
      - { protocol: https, from: ZB, to: ZA }
    controls: ["<style>body{display:none}</style>", "a & b < c"]
risk:
  scenarios:
    - { id: S1, target: ZA, threat_source: "<svg onload=alert(2)>", vector: "\\"><script>", likelihood: 2, consequences: { production: 3 } }
`;

function hostile() {
  const r = loadModelText(HOSTILE, 'hostile.yaml');
  assert.ok(r.model, r.diagnostics.map((d) => d.message).join('\n'));
  return buildReport({ model: r.model!, diagnostics: r.diagnostics, evidence: { verify: [], baseline: [] } });
}

test('HTML escapes every model string: no element comes from the model', () => {
  const report = hostile();
  const html = renderHtml(report, renderDiagram(loadModelText(HOSTILE, 'hostile.yaml').model!));
  for (const bad of ['<script', '<img', '<iframe', '<style>body', '<svg onload', '<b>raw', '</svg><script']) assert.ok(!html.includes(bad), `${bad} must not appear unescaped`);
  assert.ok(html.includes('&lt;script&gt;alert(&#39;f&#39;)&lt;/script&gt; &amp; Co'));
  assert.ok(html.includes('&lt;img src=x onerror=alert(1)&gt;'));
  assert.ok(html.includes('a &amp; b &lt; c'));
  assert.ok(html.includes('quote &quot; and apostrophe &#39; here ?[2J?'), 'control characters (invalid in XML) become ?');
  // Exactly the elements we write: one <style>, one <svg>, no script at all.
  assert.equal(html.match(/<style>/g)!.length, 1);
  assert.equal(html.match(/<svg/g)!.length, 1);
  assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
});

test('Markdown escapes table breaks, HTML and link syntax', () => {
  const md = renderMarkdown(hostile());
  assert.ok(!md.includes('<img'));
  assert.ok(!md.includes('<script'));
  assert.ok(md.includes('&lt;img src=x onerror=alert(1)&gt; \\| pipe \\*\\*bold\\*\\* \\[link\\](javascript:x)'));
  // Every zone-table row has the same number of unescaped cell separators as the header.
  const rows = md.split('\n').filter((l) => l.startsWith('| ZA |') || l.startsWith('| Zone | Name |'));
  const cells = (l: string) => l.replace(/\\\|/g, '').split('|').length;
  assert.ok(rows.length >= 2);
  assert.equal(new Set(rows.slice(0, 2).map(cells)).size, 1);
});

test('text and markdown outputs carry no terminal control characters from the model', async () => {
  const report = hostile();
  const { renderText } = await import('../../src/report/text.ts');
  const text = renderText(report);
  const md = renderMarkdown(report);
  for (const out of [text, md]) assert.ok(!/[\u001b\u0007]/.test(out));
  assert.ok(text.includes('here ?[2J?'));
  assert.ok(md.includes('here ?\\[2J?'));
});

test('the SVG escapes names and ids and stays one svg element', () => {
  const svg = renderDiagram(loadModelText(HOSTILE, 'hostile.yaml').model!);
  assert.equal(svg.match(/<svg/g)!.length, 1);
  assert.equal(svg.match(/<\/svg>/g)!.length, 1);
  assert.ok(!svg.includes('<script'));
  assert.ok(!svg.includes('<img'));
});

function rects(svg: string, stroke: RegExp): { x: number; y: number; w: number; h: number }[] {
  return [...svg.matchAll(/<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)" rx="6" fill="[^"]+" stroke="([^"]+)"/g)]
    .filter((m) => stroke.test(m[5]!))
    .map((m) => ({ x: Number(m[1]), y: Number(m[2]), w: Number(m[3]), h: Number(m[4]) }));
}

test('diagram of the example: Purdue bands top-down, one box per zone with SL-T and assets, diode and protocols', () => {
  const model = loadModelFile(EXAMPLE).model!;
  const svg = renderDiagram(model);
  const bands = [...svg.matchAll(/<text x="20" y="(\d+)" font-size="13" font-weight="bold" fill="#345">Level ([^<]+)<\/text>/g)].map((m) => [Number(m[1]), m[2]]);
  assert.deepEqual(bands.map((b) => b[1]), ['4', '3.5', '3', '1-2', '1']);
  assert.ok(bands.every((b, i) => i === 0 || (b[0] as number) > (bands[i - 1]![0] as number)));
  assert.equal(rects(svg, /./).length, 5);
  assert.ok(svg.includes('SL-T 2 · 19 assets · VLAN 20'));
  assert.ok(svg.includes('SL-T 1 · 250 assets · VLAN 40'));
  assert.ok(svg.includes('isolated: no conduit'), 'the air-gapped SIS zone says so');
  assert.ok(svg.includes('C1-BPCS-OPS: opcua 4840; modbus 502 fc3,4'));
  assert.equal((svg.match(/url\(#diode\)/g) ?? []).length, 1, 'one diode edge, one-way');
  assert.ok(svg.includes('C4-OPS-DMZ-DIODE (DIODE): pi 5450'));
  assert.ok(!svg.includes('stroke-dasharray'), 'no violation without evidence');
});

test('violations from verify/baseline are red, dashed and marked ✗ (not colour alone)', () => {
  const model = loadModelFile(EXAMPLE).model!;
  const svg = renderDiagram(model, {
    violations: [
      { from: 'Z5-ENT', to: 'Z2-BPCS', source: 'baseline', count: 2 },
      { from: 'Z5-ENT', to: 'Z4-DMZ', source: 'verify', count: 1 },
    ],
  });
  assert.equal((svg.match(/stroke="#c00" stroke-width="2.2" stroke-dasharray="7 4"/g) ?? []).length, 2);
  assert.ok(svg.includes('>✗ NO CONDUIT Z5-ENT → Z2-BPCS</text><text'));
  assert.ok(svg.includes('>baseline 2</text>'));
  assert.match(svg, />C3-DMZ-ENT: https 443; rdp 3389<\/text><text [^>]*fill="#900" font-weight="bold">✗ not allowed: verify 1<\/text>/);
  // The edge that skips two bands runs in a lane right of every box.
  const lane = /<path d="M([\d.]+),[\d.]+ L[\d.]+,[\d.]+ L([\d.]+),[\d.]+ L([\d.]+)/.exec(svg)!;
  assert.ok(Number(lane[2]) > Math.max(...rects(svg, /./).map((b) => b.x + b.w)));
});

test('a 40-zone model: every zone drawn, no two boxes overlap, deterministic', () => {
  const r = loadModelText(largeModelYaml(40), 'large.yaml');
  assert.ok(r.model);
  const svg = renderDiagram(r.model!);
  assert.equal(svg, renderDiagram(r.model!));
  const boxes = rects(svg, /./);
  assert.equal(boxes.length, 40);
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i]!;
      const b = boxes[j]!;
      const apart = a.x + a.w <= b.x || b.x + b.w <= a.x || a.y + a.h <= b.y || b.y + b.h <= a.y;
      assert.ok(apart, `boxes ${i} and ${j} overlap`);
    }
  }
  for (const z of r.model!.zones) assert.ok(svg.includes(`>${z.id}<`), z.id);
});

const chromium = chromiumPath(process.env);

test('PDF through headless Chromium: a real PDF of the report', { skip: chromium ? false : 'needs Debian chromium at /usr/bin/chromium (installed by .ci/run)', timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'otzones-pdf-'));
  const out = join(dir, 'report.pdf');
  const r = await runCli(['report', 'examples/refinery-unit3-risk.yaml', '--probe', 'test/report/fixtures/probe-refinery.json', '--format', 'pdf', '--out', out]);
  assert.equal(r.code, 1, r.stderr);
  const pdf = readFileSync(out);
  assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-');
  assert.ok(pdf.length > 20_000, `PDF of ${pdf.length} bytes`);
  assert.match(pdf.subarray(pdf.length - 64).toString('latin1'), /%%EOF\s*$/);
});

test('diagram --out x.png renders through Chromium; other extensions are refused', { skip: chromium ? false : 'needs Debian chromium', timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'otzones-png-'));
  const png = join(dir, 'zones.png');
  let r = await runCli(['diagram', 'examples/refinery-unit3.yaml', '--out', png]);
  assert.equal(r.code, 0, r.stderr);
  const buf = readFileSync(png);
  assert.deepEqual([...buf.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  // IHDR width/height equal the SVG's.
  const svg = (await runCli(['diagram', 'examples/refinery-unit3.yaml'])).stdout;
  const [, w, h] = /width="(\d+)" height="(\d+)"/.exec(svg)!;
  assert.deepEqual([buf.readUInt32BE(16), buf.readUInt32BE(20)], [Number(w), Number(h)]);
  r = await runCli(['diagram', 'examples/refinery-unit3.yaml', '--out', join(dir, 'zones.gif')]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /must end in \.svg or \.png/);
});

test('without Chromium, --format pdf says what to install, writes the HTML beside it and exits 2', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'otzones-nopdf-'));
  const saved = process.env.OTZONES_CHROMIUM;
  process.env.OTZONES_CHROMIUM = join(dir, 'no-such-chromium');
  try {
    const r = await runCli(['report', 'examples/refinery-unit3.yaml', '--format', 'pdf', '--out', join(dir, 'r.pdf')]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /need Chromium: install the Debian package `chromium`/);
    assert.match(r.stderr, /wrote .*r\.html instead/);
    assert.ok(!existsSync(join(dir, 'r.pdf')));
    assert.ok(readFileSync(join(dir, 'r.html'), 'utf8').startsWith('<!doctype html>'));
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  } finally {
    if (saved === undefined) delete process.env.OTZONES_CHROMIUM;
    else process.env.OTZONES_CHROMIUM = saved;
  }
});

test('diagram without --out prints the SVG; a broken model is exit 2 with its line', async () => {
  const r = await runCli(['diagram', 'examples/refinery-unit3.yaml']);
  assert.equal(r.code, 0);
  assert.ok(r.stdout.startsWith('<svg'));
  const dir = mkdtempSync(join(tmpdir(), 'otzones-diag-'));
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, 'facility: x\nzones:\n  - zone_id: [oops\n');
  const b = await runCli(['diagram', bad]);
  assert.equal(b.code, 2);
  assert.match(b.stderr, /bad\.yaml:\d+:\d+/);
  assert.ok(existsSync(join(ROOT, 'examples/refinery-unit3.yaml')));
});

/** The dashboard's JSON API, in-process (Hono's app.request) and over loopback HTTP for the token, Host and reload checks. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDashboard, startDashboard } from '../../src/web/server.ts';
import { compilePolicy, loadModelFile } from '../../src/index.ts';
import { EXAMPLE, ROOT } from '../helpers/paths.ts';
import { ASA_CORPUS_LINE, corpusAsaLine, manyFlowsBaseline, manyZonesModel, writeExampleResults } from './fixtures.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'otz-web-api-'));
const get = async (d: ReturnType<typeof createDashboard>, path: string, init?: RequestInit) => {
  const r = await d.app.request(`http://127.0.0.1${path}`, init);
  return { status: r.status, headers: r.headers, json: r.headers.get('content-type')?.includes('json') ? await r.json() : await r.text() };
};

const exampleLine = (needle: string) => readFileSync(EXAMPLE, 'utf8').split('\n').findIndex((l) => l.includes(needle)) + 1;

test('architecture: every zone and conduit of the example with its model line', async () => {
  const d = createDashboard({ model: 'examples/refinery-unit3.yaml', cwd: ROOT });
  const { json: a } = await get(d, '/api/architecture');
  assert.deepEqual(a.zones.map((z: { id: string }) => z.id), ['Z1-SIS', 'Z2-BPCS', 'Z3-OPS', 'Z4-DMZ', 'Z5-ENT']);
  assert.deepEqual(a.conduits.map((c: { id: string }) => c.id), ['C1-BPCS-OPS', 'C2-OPS-DMZ', 'C4-OPS-DMZ-DIODE', 'C3-DMZ-ENT']);
  const bpcs = a.zones[1];
  assert.deepEqual(bpcs.purdue, { min: 1, max: 2 });
  assert.equal(bpcs.sl_t.level, 2);
  assert.equal(bpcs.assets.length, 19);
  assert.equal(bpcs.line, exampleLine('zone_id: Z2-BPCS'));
  assert.match(bpcs.text, /zone_id: Z2-BPCS/);
  assert.equal(a.zones[0].safety, true);
  const c1 = a.conduits[0];
  assert.equal(c1.line, exampleLine('conduit_id: C1-BPCS-OPS'));
  const modbus = c1.flows.find((f: { protocol: string }) => f.protocol === 'modbus');
  assert.deepEqual(modbus.function_codes.map((f: { code: number }) => f.code), [3, 4]);
  assert.equal(modbus.ports, '502');
  assert.deepEqual(a.conduits[2].diode, { from: 'Z3-OPS', to: 'Z4-DMZ' });
});

test('matrix without results: the allowed cells are exactly the zone pairs of the policy IR', async () => {
  const d = createDashboard({ model: 'examples/refinery-unit3.yaml', cwd: ROOT });
  const { json: m } = await get(d, '/api/matrix');
  assert.deepEqual(m.sources, { allowed: 'loaded', permitted: 'not run', observed: 'not run' });
  const got = m.cells.map((c: { from: string; to: string; allowed: number }) => `${c.from}>${c.to}:${c.allowed}`);
  assert.deepEqual(got, ['Z2-BPCS>Z3-OPS:1', 'Z3-OPS>Z2-BPCS:1', 'Z3-OPS>Z4-DMZ:2', 'Z5-ENT>Z4-DMZ:2']);
  // Cross-check with the IR itself (the one description of what is allowed).
  const r = loadModelFile(EXAMPLE);
  const ir = compilePolicy(r.model!, r.locate);
  assert.equal(m.cells.reduce((n: number, c: { allowed: number }) => n + c.allowed, 0), ir.rules.length);
  const { json: meta } = await get(d, '/api/meta');
  assert.equal(meta.results.verify.status, 'not run');
  assert.deepEqual(meta.report.formats, []);
  const { json: v } = await get(d, '/api/verify');
  assert.equal(v.status, 'not run');
  const { json: f } = await get(d, '/api/flows');
  assert.equal(f.status, 'not run');
  assert.equal(f.total, 0);
});

test('matrix with verify, baseline and probe files: permitted, observed and violations per cell, down to flows and config lines', async () => {
  const dir = tmp();
  const files = writeExampleResults(dir);
  const d = createDashboard({ model: EXAMPLE, cwd: ROOT, ...files });
  const { json: m } = await get(d, '/api/matrix');
  assert.deepEqual(m.sources, { allowed: 'loaded', permitted: 'loaded', observed: 'loaded' });
  const cell = (from: string, to: string) => m.cells.find((c: { from: string; to: string }) => c.from === from && c.to === to);
  assert.deepEqual(cell('Z5-ENT', 'Z2-BPCS'), { from: 'Z5-ENT', to: 'Z2-BPCS', allowed: 0, conduits: [], permitted: 'any IP', observed: 1, violations: 1, findings: 1 });
  assert.deepEqual(cell('Z3-OPS', 'Z2-BPCS'), { from: 'Z3-OPS', to: 'Z2-BPCS', allowed: 1, conduits: ['C1-BPCS-OPS'], permitted: 'tcp/502', observed: 2, violations: 1, findings: 0 });
  assert.equal(m.unzoned_flows, 1);
  // Intra-zone traffic is no cell of the matrix.
  assert.equal(cell('Z2-BPCS', 'Z2-BPCS'), undefined);

  const { json: c } = await get(d, '/api/matrix/cell?from=Z5-ENT&to=Z2-BPCS');
  assert.deepEqual(c.rules, []);
  assert.equal(c.findings.length, 1);
  assert.equal(c.findings[0].rule.line, ASA_CORPUS_LINE);
  assert.equal(c.findings[0].rule.text, corpusAsaLine());
  assert.equal(c.flows.total, 1);
  assert.equal(c.flows.flows[0].src, '10.40.3.7');
  assert.deepEqual(c.flows.flows[0].function_codes, { '16': 4 });

  const { json: c2 } = await get(d, '/api/matrix/cell?from=Z3-OPS&to=Z2-BPCS');
  assert.equal(c2.rules.length, 1);
  assert.equal(c2.rules[0].protocol, 'modbus');
  assert.deepEqual(c2.rules[0].function_codes, [{ code: 3, name: 'read-holding-registers' }, { code: 4, name: 'read-input-registers' }]);
  assert.equal(c2.rules[0].line, exampleLine('protocol: modbus'));
  assert.equal(c2.flows.total, 2);

  const { json: p } = await get(d, '/api/probe');
  assert.deepEqual(p.results.map((r: { status: string }) => r.status), ['pass', 'fail', 'error']);
  const { json: b } = await get(d, '/api/baseline');
  assert.deepEqual(b.verdicts, [{ name: 'violation', count: 3 }, { name: 'allowed', count: 2 }, { name: 'intra-zone', count: 1 }]);
  assert.equal(b.bucket, 'hour');
  // violations first seen at 08:00, 09:10 and 10:20
  assert.deepEqual(b.timeline.map((t: { violations: number }) => t.violations), [1, 1, 1]);
  assert.equal(b.timeline[0].start, '2026-02-23T08:00:00.000Z');

  const { status, json: bad } = await get(d, '/api/matrix/cell?from=Z5-ENT');
  assert.equal(status, 400);
  assert.match(bad.error, /`from` and `to`/);
  assert.equal((await get(d, '/api/nope')).status, 404);
});

test('flows: server-side filters and paging stay fast with 100,000 flows and 40 zones', async () => {
  const dir = tmp();
  writeFileSync(join(dir, 'many.yaml'), manyZonesModel(40));
  writeFileSync(join(dir, 'baseline.json'), manyFlowsBaseline(100_000, 40));
  const t0 = performance.now();
  const d = createDashboard({ model: 'many.yaml', cwd: dir, baseline: 'baseline.json' });
  const loadMs = performance.now() - t0;
  const { json: arch } = await get(d, '/api/architecture');
  assert.equal(arch.zones.length, 40);
  const t1 = performance.now();
  const { json: all } = await get(d, '/api/flows?limit=100&offset=99950');
  const pageMs = performance.now() - t1;
  assert.equal(all.total, 100_000);
  assert.equal(all.flows.length, 50);
  assert.equal(all.flows[0].index, 99_950);
  const { json: v } = await get(d, '/api/flows?verdict=violation&src_zone=Z01-AREA&limit=10');
  // Violations are every 7th flow; zone Z01 sources every 40th: i ≡ 0 (mod 280).
  assert.equal(v.total, Math.ceil(100_000 / 280));
  assert.ok(v.flows.every((f: { verdict: string; src_zone: string }) => f.verdict === 'violation' && f.src_zone === 'Z01-AREA'));
  const { json: q } = await get(d, '/api/flows?q=10.3.1.17&limit=500');
  assert.ok(q.total > 0 && q.flows.every((f: { src: string; dst: string }) => f.src.includes('10.3.1.17') || f.dst.includes('10.3.1.17')));
  const { json: capped } = await get(d, '/api/flows?limit=100000');
  assert.equal(capped.limit, 500);
  const { json: m } = await get(d, '/api/matrix');
  assert.equal(m.zones.length, 40);
  assert.equal(m.cells.reduce((n: number, c: { observed: number }) => n + c.observed, 0), 100_000);
  console.log(`# 100,000 flows: load ${loadMs.toFixed(0)} ms, one filtered page ${pageMs.toFixed(1)} ms`);
  assert.ok(pageMs < 1000, `a page took ${pageMs} ms`);
});

test('bad result files: one message naming the file and line:column; wrong command named', async () => {
  const { loadResultFile } = await import('../../src/web/results.ts');
  const dir = tmp();
  writeFileSync(join(dir, 'v.json'), '{\n  "findings": [\n    {"kind": "x",}\n  ]\n}\n');
  const r = loadResultFile('verify', join(dir, 'v.json'), 'v.json');
  assert.equal(r.ok, false);
  assert.match(!r.ok ? r.error : '', /^v\.json:3:18: not valid JSON/);
  writeFileSync(join(dir, 'p.json'), JSON.stringify({ tool: 'otzones', command: 'baseline', flows: [] }));
  const p = loadResultFile('probe', join(dir, 'p.json'), 'p.json');
  assert.match(!p.ok ? p.error : '', /p\.json: expected the output of `otzones probe --format json`, got "command": "baseline"/);
  const missing = loadResultFile('baseline', join(dir, 'none.json'), 'none.json');
  assert.match(!missing.ok ? missing.error : '', /none\.json: cannot read --baseline file: no such file/);
  writeFileSync(join(dir, 'e.json'), '');
  const empty = loadResultFile('baseline', join(dir, 'e.json'), 'e.json');
  assert.match(!empty.ok ? empty.error : '', /^e\.json:1:1: not valid JSON/);
});

test('diagnostics view: the validate diagnostics with the model line text', async () => {
  const dir = tmp();
  const src = readFileSync(EXAMPLE, 'utf8').replace('allowed_conduits: [C3-DMZ-ENT]', 'allowed_conduits: [C3-DMZ-ENT, C9-NOPE]');
  writeFileSync(join(dir, 'm.yaml'), src);
  const d = createDashboard({ model: 'm.yaml', cwd: dir });
  const { json } = await get(d, '/api/diagnostics');
  assert.ok(json.summary.errors + json.summary.warnings > 0);
  const diag = json.diagnostics.find((x: { ids: string[] }) => x.ids.includes('C9-NOPE'));
  assert.ok(diag, JSON.stringify(json.diagnostics));
  assert.equal(diag.file, 'm.yaml');
  assert.equal(diag.source, src.split('\n')[diag.line - 1]);
  const { json: s } = await get(d, `/api/source?from=${diag.line}&to=${diag.line}`);
  assert.deepEqual(s.lines, [diag.source]);
});

test('token on a non-loopback bind: every request checked (header, cookie, ?token=); Host checked on loopback', async () => {
  const token = 'a-long-test-token-123';
  const d = createDashboard({ model: EXAMPLE, cwd: ROOT }, { token });
  assert.equal((await get(d, '/api/meta')).status, 401);
  assert.equal((await get(d, '/')).status, 401);
  assert.equal((await get(d, '/ui/app.js')).status, 401);
  assert.equal((await get(d, '/api/meta', { headers: { authorization: 'Bearer wrong-token-000000' } })).status, 401);
  assert.equal((await get(d, '/api/meta', { headers: { authorization: `Bearer ${token}` } })).status, 200);
  const first = await get(d, `/?token=${token}`);
  assert.equal(first.status, 200);
  const cookie = first.headers.get('set-cookie') ?? '';
  assert.match(cookie, /^otzones_token=a-long-test-token-123; HttpOnly; SameSite=Strict/);
  assert.equal((await get(d, '/ui/app.js', { headers: { cookie: cookie.split(';')[0] } })).status, 200);

  const local = createDashboard({ model: EXAMPLE, cwd: ROOT }, { loopbackHostOnly: true });
  assert.equal((await get(local, '/api/meta', { headers: { host: 'attacker.example:8062' } })).status, 403);
  const ok = await get(local, '/api/meta', { headers: { host: 'localhost:8062' } });
  assert.equal(ok.status, 200);
  assert.match(ok.headers.get('content-security-policy') ?? '', /script-src 'self'/);
  assert.equal(ok.headers.get('x-content-type-options'), 'nosniff');
});

test('reload: editing the model on disk is picked up by the running server', async () => {
  const dir = tmp();
  copyFileSync(EXAMPLE, join(dir, 'plant.yaml'));
  let reloads = 0;
  const running = await startDashboard({ model: 'plant.yaml', cwd: dir }, { host: '127.0.0.1', port: 0, onReload: () => reloads++ });
  try {
    const meta = async () => (await fetch(`http://127.0.0.1:${running.port}/api/meta`)).json();
    assert.equal((await meta()).generation, 1);
    writeFileSync(join(dir, 'plant.yaml'), readFileSync(EXAMPLE, 'utf8').replace('facility: "Petrochemical Refinery - Unit 3"', 'facility: "Renamed Plant"'));
    const deadline = Date.now() + 5000;
    let m = await meta();
    while (m.facility !== 'Renamed Plant' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      m = await meta();
    }
    assert.equal(m.facility, 'Renamed Plant');
    assert.ok(m.generation >= 2 && reloads >= 1);
    // A broken edit is shown as diagnostics, not a crash.
    writeFileSync(join(dir, 'plant.yaml'), 'facility: x\nzones: [\n');
    const deadline2 = Date.now() + 5000;
    m = await meta();
    while (m.model_usable && Date.now() < deadline2) {
      await new Promise((r) => setTimeout(r, 50));
      m = await meta();
    }
    assert.equal(m.model_usable, false);
    assert.ok(m.diagnostics.errors >= 1);
    const diags = await (await fetch(`http://127.0.0.1:${running.port}/api/diagnostics`)).json();
    assert.equal(diags.diagnostics[0].code, 'ZC002');
  } finally {
    await running.close();
  }
});

test('UI sources never parse data as HTML', () => {
  const dir = join(ROOT, 'src/web/ui');
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.js') || x.endsWith('.html'))) {
    const text = readFileSync(join(dir, f), 'utf8').replace(/^\/\/.*$/gm, '');
    assert.doesNotMatch(text, /innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function/, f);
    assert.doesNotMatch(text, /https?:\/\/(?!www\.w3\.org\/2000\/svg)/, `${f} must not load anything from the network`);
  }
});

test('JSON error offsets agree with JSON.parse on valid and broken documents', async () => {
  const { jsonErrorOffset } = await import('../../src/web/results.ts');
  const fc = (await import('fast-check')).default;
  fc.assert(
    fc.property(fc.jsonValue(), fc.nat(), fc.constantFrom('', ',', ']', '}', '"', 'x', ':'), (v, at, junk) => {
      const good = JSON.stringify(v, null, 1);
      assert.equal(jsonErrorOffset(good), -1);
      const k = at % (good.length + 1);
      const bad = good.slice(0, k) + junk + good.slice(k);
      let parses = true;
      try {
        JSON.parse(bad);
      } catch {
        parses = false;
      }
      // Our scanner finds an error exactly when JSON.parse does.
      assert.equal(jsonErrorOffset(bad) === -1, parses, bad);
    }),
    { numRuns: 1000 },
  );
  assert.equal(jsonErrorOffset('{"a": [1, 2,]}'), 12);
  assert.equal(jsonErrorOffset('{"a": 1'), 7);
});

test('--config: the dashboard verifies a firewall configuration with the verify library and follows its edits', async () => {
  const { runCli } = await import('../helpers/cli.ts');
  const dir = tmp();
  const compiled = await runCli(['compile', 'examples/refinery-unit3.yaml', '--target', 'asa']);
  assert.equal(compiled.code, 0, compiled.stderr);
  writeFileSync(join(dir, 'fw.cfg'), compiled.stdout);
  const d = createDashboard({ model: EXAMPLE, cwd: dir, configs: ['fw.cfg'] });
  const { json: m } = await get(d, '/api/matrix');
  assert.equal(m.sources.permitted, 'loaded');
  // The generated configuration permits exactly the zone pairs the conduits allow.
  const permitted = m.cells.filter((c: { permitted: string | null }) => c.permitted !== null).map((c: { from: string; to: string }) => `${c.from}>${c.to}`);
  const allowed = m.cells.filter((c: { allowed: number }) => c.allowed > 0).map((c: { from: string; to: string }) => `${c.from}>${c.to}`);
  assert.deepEqual(permitted, allowed);
  const { json: v } = await get(d, '/api/verify');
  assert.equal(v.configs[0].file, 'fw.cfg');
  assert.equal(v.configs[0].vendor, 'asa');
  assert.ok(!v.findings.some((f: { severity: string }) => f.severity === 'error'), JSON.stringify(v.findings));

  // A permit-any line opens Z5-ENT to the control zone: the cell shows it, with the config line that does it.
  const lines = compiled.stdout.split('\n');
  const at = lines.findIndex((l) => l.startsWith('access-list ENT-to-DMZ'));
  lines.splice(at, 0, 'access-list ENT-to-DMZ extended permit ip any any');
  writeFileSync(join(dir, 'fw.cfg'), lines.join('\n'));
  await d.reload();
  const { json: c } = await get(d, '/api/matrix/cell?from=Z5-ENT&to=Z2-BPCS');
  assert.notEqual(c.permitted, 'nothing');
  const f = c.findings.find((x: { kind: string }) => x.kind === 'prohibited-flow-permitted');
  assert.deepEqual(f.rule, { file: 'fw.cfg', line: at + 1, text: 'access-list ENT-to-DMZ extended permit ip any any' });
  assert.equal(f.example.dst.startsWith('10.20.'), true);

  // Unusable configurations are reported with file and position.
  writeFileSync(join(dir, 'x.cfg'), 'hello\n');
  const bad = createDashboard({ model: EXAMPLE, cwd: dir, configs: ['x.cfg'] });
  const { json: meta } = await get(bad, '/api/meta');
  assert.equal(meta.results.verify.status, 'error');
  assert.match(meta.results.verify.error, /^x\.cfg:1:1: cannot tell which firewall/);
});

test('report download: md, html and pdf from src/report with the attached results', async () => {
  const { reportProvider } = await import('../../src/web/report.ts');
  const dir = tmp();
  const files = writeExampleResults(dir);
  const d = createDashboard({ model: 'examples/refinery-unit3.yaml', cwd: ROOT, ...files }, { report: reportProvider() });
  const { json: meta } = await get(d, '/api/meta');
  assert.deepEqual(meta.report.formats, existsSync('/usr/bin/chromium') ? ['md', 'html', 'pdf'] : ['md', 'html']);
  const md = await d.app.request('http://127.0.0.1/api/report?format=md');
  assert.equal(md.status, 200);
  assert.equal(md.headers.get('content-disposition'), 'attachment; filename="refinery-unit3-report.md"');
  const text = await md.text();
  assert.match(text, /^# IEC 62443 Zone Implementation Report/);
  assert.match(text, /asa-filters\.cfg/); // the verify finding's config file
  const html = await d.app.request('http://127.0.0.1/api/report?format=html');
  assert.match(await html.text(), /<svg[^>]*>/);
  assert.equal((await get(d, '/api/report?format=docx')).status, 400);
  if (existsSync('/usr/bin/chromium')) {
    const pdf = await d.app.request('http://127.0.0.1/api/report?format=pdf');
    assert.equal(pdf.status, 200);
    assert.equal(Buffer.from(await pdf.arrayBuffer()).subarray(0, 5).toString(), '%PDF-');
  }
  // A result the report cannot use is a 422 naming the file, not a crash.
  writeFileSync(files.probe, JSON.stringify({ tool: 'otzones', command: 'probe', results: [{ check: 'x', status: 'maybe' }] }));
  const bad = createDashboard({ model: 'examples/refinery-unit3.yaml', cwd: ROOT, probe: files.probe }, { report: reportProvider() });
  const r = await get(bad, '/api/report?format=md');
  assert.equal(r.status, 422);
  assert.match(r.json.error, /probe\.json: results\[0\]\.status/);
});

test('SL gaps come from the risk module: SL-T / SL-A per FR and conduits below their zones', async () => {
  const d = createDashboard({ model: 'examples/refinery-unit3.yaml', cwd: ROOT });
  const { json: g } = await get(d, '/api/sl-gaps');
  const { achievedLevels } = await import('../../src/risk/sl.ts');
  const expected = achievedLevels(loadModelFile(EXAMPLE).model!);
  assert.deepEqual(g.zones.map((z: { frs: { achieved: number | null }[] }) => z.frs.map((f) => f.achieved)), expected.map((z) => z.frs.map((f) => f.achieved)));
  const c3 = g.conduits.find((c: { id: string }) => c.id === 'C3-DMZ-ENT');
  assert.deepEqual(c3.below, [{ zone: 'Z4-DMZ', frs: ['IAC', 'UC', 'SI', 'DC', 'RDF', 'TRE', 'RA'] }]);
  assert.equal(c3.compensating_controls.length, 1);
});

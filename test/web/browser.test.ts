/**
 * End-to-end tests of the dashboard in a real browser: Debian's Chromium driven by playwright-core.
 * Screenshots go to test-artifacts/ (gitignored); docs/img/dashboard-*.png are copies of them, looked at first.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startDashboard, type RunningDashboard } from '../../src/web/server.ts';
import { reportProvider } from '../../src/web/report.ts';
import { EXAMPLE, ROOT } from '../helpers/paths.ts';
import { HOSTILE, corpusAsaLine, hostileBaseline, hostileModel, manyFlowsBaseline, manyZonesModel, writeExampleResults } from './fixtures.ts';

const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? false : `needs ${CHROMIUM} (Debian package chromium, installed by .ci/run)`;
if (skip) console.log(`# skipping browser tests: ${skip}`);
const ARTIFACTS = join(ROOT, 'test-artifacts');

describe('dashboard in Chromium', { skip }, () => {
  let browser: Browser;
  let example: RunningDashboard;
  const servers: RunningDashboard[] = [];

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    const dir = mkdtempSync(join(tmpdir(), 'otz-web-ui-'));
    example = await startDashboard({ model: 'examples/refinery-unit3.yaml', cwd: ROOT, ...writeExampleResults(dir) }, { host: '127.0.0.1', port: 0, report: reportProvider() });
    servers.push(example);
  });

  after(async () => {
    await browser?.close();
    for (const s of servers) await s.close();
  });

  async function open(url: string, viewport = { width: 1400, height: 900 }): Promise<{ page: Page; errors: string[]; requests: string[] }> {
    const page = await browser.newPage({ viewport, acceptDownloads: true });
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(url);
    await page.waitForSelector('body[data-ready=true]', { timeout: 10_000 });
    return { page, errors, requests };
  }

  test('first paint of the example under 1 s, nothing loaded from outside the server', async () => {
    // One warm-up load, so that the figure is the dashboard's and not Chromium's first renderer start-up.
    const warm = await browser.newPage();
    await warm.goto(example.url);
    await warm.waitForSelector('svg.graph g.zone', { timeout: 10_000 });
    await warm.close();
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    const t0 = Date.now();
    await page.goto(example.url);
    await page.waitForSelector('svg.graph g.zone', { timeout: 10_000 });
    const graphMs = Date.now() - t0;
    const fcp = await page.evaluate(() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? -1);
    console.log(`# example: first contentful paint ${fcp.toFixed(0)} ms, architecture graph drawn ${graphMs} ms after navigation`);
    assert.ok(fcp > 0 && fcp < 1000, `first contentful paint ${fcp} ms`);
    // Measured 0.3-0.8 s on this machine while other suites ran; the guard leaves room for a loaded CI runner.
    assert.ok(graphMs < 1500, `graph drawn after ${graphMs} ms`);
    const origin = new URL(example.url).origin;
    assert.deepEqual(requests.filter((u) => !u.startsWith(origin) && !u.startsWith('data:')), []);
    await page.close();
  });

  test('architecture: zones on Purdue levels; clicking a zone and a conduit shows their details and model lines', async () => {
    const { page, errors } = await open(example.url);
    assert.equal(await page.locator('svg.graph g.zone').count(), 5);
    assert.equal(await page.locator('svg.graph g.conduit').count(), 4);
    assert.deepEqual(await page.locator('svg.graph .lane-label').allTextContents(), ['L4 Enterprise', 'L3.5 DMZ', 'L3 Operations', 'L2 Supervisory', 'L1 Control']);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-architecture.png') });

    await page.locator('g.zone[data-id="Z2-BPCS"]').click();
    const details = page.locator('#details');
    await details.getByRole('heading', { name: 'Zone Z2-BPCS' }).waitFor();
    assert.match(await details.textContent() ?? '', /ControlLogix PLC 01.*10\.20\.1\.10/s);
    assert.match(await details.textContent() ?? '', /SL 2 \(IAC 2, UC 2/);
    await page.locator('g.zone[data-id="Z2-BPCS"].selected').waitFor();

    await page.locator('g.conduit[data-id="C1-BPCS-OPS"] path.hit').first().click({ force: true });
    await details.getByRole('heading', { name: 'Conduit C1-BPCS-OPS' }).waitFor();
    assert.match(await details.textContent() ?? '', /3 read-holding-registers, 4 read-input-registers/);
    // The model line link opens the source around the conduit, with its line highlighted.
    const line = readFileSync(EXAMPLE, 'utf8').split('\n').findIndex((l) => l.includes('conduit_id: C1-BPCS-OPS')) + 1;
    await details.getByRole('button', { name: `examples/refinery-unit3.yaml:${line}` }).click();
    assert.match(await details.locator('.src-line.hl').textContent() ?? '', /conduit_id: C1-BPCS-OPS/);
    // The excerpt shows consecutive lines, each on its own row.
    const rows = details.locator('pre.source .src-line');
    const nums = (await rows.locator('.ln').allTextContents()).map(Number);
    assert.deepEqual(nums, nums.map((_, i) => line - 3 + i));
    const ys = await rows.evaluateAll((els) => els.map((e) => e.getBoundingClientRect().top));
    assert.ok(ys.every((y, i) => i === 0 || y > ys[i - 1]), JSON.stringify(ys));
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-architecture-details.png') });

    // Zoom changes the viewport transform.
    const before = await page.locator('g.viewport').getAttribute('transform');
    await page.getByRole('button', { name: 'Zoom in' }).click();
    assert.notEqual(await page.locator('g.viewport').getAttribute('transform'), before);
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('matrix: a cell opens down to its rules, the firewall config line and an observed flow', async () => {
    const { page, errors } = await open(example.url);
    await page.getByRole('tab', { name: 'Zone matrix' }).click();
    await page.locator('table.matrix').waitFor();
    const cell = page.locator('button.cellbtn[data-from="Z5-ENT"][data-to="Z2-BPCS"]');
    assert.equal(await cell.textContent(), 'FO1!1⚑1');
    assert.match(await cell.getAttribute('aria-label') ?? '', /not allowed by any conduit; firewall permits any IP; 1 flow\(s\) observed, 1 violation\(s\)/);
    await cell.click();
    const details = page.locator('#details');
    await details.getByRole('heading', { name: 'Z5-ENT → Z2-BPCS' }).waitFor();
    const text = await details.textContent() ?? '';
    assert.match(text, /No conduit allows traffic in this direction/);
    assert.ok(text.includes(corpusAsaLine()), 'the ASA config line from the corpus is shown');
    assert.match(text, /asa-filters\.cfg:38/);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-matrix.png') });
    await details.locator('tr.flow').first().click();
    await details.getByRole('heading', { name: 'Flow 10.40.3.7 → 10.20.1.10' }).waitFor();
    assert.match(await details.textContent() ?? '', /no-conduit/);
    assert.match(await details.textContent() ?? '', /Function codes.*16/s);

    // A cell the conduits allow lists its rule with the model line.
    await page.locator('button.cellbtn[data-from="Z3-OPS"][data-to="Z2-BPCS"]').click();
    await details.getByRole('heading', { name: 'Z3-OPS → Z2-BPCS' }).waitFor();
    assert.match(await details.textContent() ?? '', /C1-BPCS-OPS.*modbus.*tcp\/502.*HIST-01 → Z2-BPCS/s);
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('keyboard: tabs with arrow keys, matrix cells with arrows and Enter, Escape returns focus', async () => {
    const { page } = await open(example.url);
    await page.keyboard.press('Tab'); // skip link
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'tab-architecture');
    await page.keyboard.press('ArrowRight');
    await page.locator('table.matrix').waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'tab-matrix');
    assert.equal(await page.getByRole('tab', { name: 'Zone matrix' }).getAttribute('aria-selected'), 'true');
    await page.keyboard.press('Tab');
    // Focus is on the first cell (Z1-SIS → Z2-BPCS); Down, Down, Down, Down moves to Z5-ENT → Z2-BPCS.
    const focused = () => page.evaluate(() => `${(document.activeElement as HTMLElement).dataset.from}>${(document.activeElement as HTMLElement).dataset.to}`);
    assert.equal(await focused(), 'Z1-SIS>Z2-BPCS');
    await page.keyboard.press('ArrowDown'); // Z2>Z2 is the diagonal: skipped
    assert.equal(await focused(), 'Z3-OPS>Z2-BPCS');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    assert.equal(await focused(), 'Z5-ENT>Z2-BPCS');
    await page.keyboard.press('Enter');
    await page.locator('#details').getByRole('heading', { name: 'Z5-ENT → Z2-BPCS' }).waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'details-title');
    await page.keyboard.press('Escape');
    assert.equal(await page.locator('#details').isHidden(), true);
    assert.equal(await focused(), 'Z5-ENT>Z2-BPCS');

    // Architecture: Tab reaches a zone, Enter opens it.
    await page.getByRole('tab', { name: 'Architecture' }).click();
    await page.locator('svg.graph').waitFor();
    await page.locator('svg.graph').focus();
    await page.keyboard.press('Tab');
    const id = await page.evaluate(() => (document.activeElement as Element).getAttribute('data-id'));
    assert.ok(id);
    await page.keyboard.press('Enter');
    await page.locator('#details h2').waitFor();
    assert.match(await page.locator('#details h2').textContent() ?? '', new RegExp(`${id}$`));
    await page.close();
  });

  test('colours: matrix states stay distinct for red-green colour blindness and always carry a glyph', async () => {
    const { page } = await open(`${example.url}#matrix`);
    await page.locator('table.matrix').waitFor();
    const bg = async (sel: string) => page.locator(sel).evaluate((el) => getComputedStyle(el).backgroundColor);
    const allowed = await bg('td.cell-allowed >> nth=0');
    const violation = await bg('td.cell-violation >> nth=0');
    const rgb = (s: string) => (s.match(/\d+/g) ?? []).slice(0, 3).map(Number);
    // Deuteranopia and protanopia simulation (Machado et al. 2009, severity 1.0) on linear RGB.
    const lin = (c: number) => ((c /= 255) <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
    const sim = (c: number[], m: number[][]) => m.map((row) => row.reduce((t, k, i) => t + k * lin(c[i]), 0));
    const DEUT = [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.01182, 0.04294, 0.968881]];
    const PROT = [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]];
    for (const m of [DEUT, PROT]) {
      const a = sim(rgb(allowed), m);
      const b = sim(rgb(violation), m);
      const dist = Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
      assert.ok(dist > 0.15, `allowed ${allowed} and violation ${violation} look alike to a colour-blind viewer (${dist.toFixed(3)})`);
    }
    // Never colour alone: every non-empty cell has a text glyph.
    const cells = await page.locator('td.cell:not(.cell-empty) button').allTextContents();
    assert.ok(cells.length >= 5 && cells.every((t) => t.trim().length > 0), JSON.stringify(cells));
    await page.close();
  });

  test('views: diagnostics, flows with paging, verify with config lines, probe, SL gaps, report', async () => {
    const { page, errors } = await open(example.url);
    await page.getByRole('tab', { name: 'Diagnostics' }).click();
    await page.getByText('No diagnostics.').waitFor();
    await page.getByRole('tab', { name: 'Flows' }).click();
    await page.locator('table.flows').waitFor();
    assert.equal(await page.locator('table.flows tbody tr').count(), 6);
    await page.getByLabel('Verdict').selectOption('violation');
    await page.getByText('Rows 1–3 of 3').waitFor();
    await page.getByRole('tab', { name: 'Verify' }).click();
    await page.locator('table.findings').waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-verify.png'), fullPage: true });
    assert.equal(await page.locator('code.cfg').first().textContent(), corpusAsaLine());
    await page.getByRole('tab', { name: 'Probe' }).click();
    await page.getByText('✗ 1 fail').waitFor();
    assert.match(await page.locator('#view').textContent() ?? '', /modbus-write-blocked.*10\.20\.1\.10:502.*blocked.*open/s);
    await page.getByRole('tab', { name: 'SL gaps' }).click();
    await page.getByText('Below the zone SL-T').waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-slgaps.png'), fullPage: true });
    // C3-DMZ-ENT is SL 1 against the SL 2 DMZ, with compensating controls recorded.
    assert.match(await page.locator('tr.gap-compensated').textContent() ?? '', /C3-DMZ-ENT.*Z4-DMZ: IAC, UC, SI, DC, RDF, TRE, RA.*MFA/s);
    await page.getByRole('tab', { name: 'Report' }).click();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'MD' }).click()]);
    assert.equal(download.suggestedFilename(), 'refinery-unit3-report.md');
    const md = readFileSync((await download.path())!, 'utf8');
    assert.match(md, /^# IEC 62443 Zone Implementation Report/);
    assert.match(md, /Petrochemical Refinery - Unit 3/);
    // The attached probe result is in the report.
    assert.match(md, /modbus-write-blocked/);
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('hostile names from the model and a capture render as text and never run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'otz-web-hostile-'));
    writeFileSync(join(dir, 'evil.yaml'), hostileModel());
    writeFileSync(join(dir, 'baseline.json'), hostileBaseline());
    const s = await startDashboard({ model: 'evil.yaml', cwd: dir, baseline: 'baseline.json' }, { host: '127.0.0.1', port: 0 });
    servers.push(s);
    const { page, errors } = await open(s.url);
    const pwned = () => page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned);
    assert.equal(await page.locator('#facility').textContent(), '<b onmouseover=window.__pwned=6>Plant</b>');
    assert.equal(await page.locator('g.zone[data-id="ZA"] title').textContent(), `ZA — ${HOSTILE.zoneName}`);
    await page.locator('g.zone[data-id="ZA"]').click();
    const details = page.locator('#details');
    await details.getByRole('heading', { name: 'Zone ZA' }).waitFor();
    const text = await details.textContent() ?? '';
    for (const s of [HOSTILE.zoneName, HOSTILE.assetName, HOSTILE.requirement]) assert.ok(text.includes(s), s);
    await page.locator('g.conduit[data-id="C1"] path.hit').first().click({ force: true });
    await details.getByRole('heading', { name: 'Conduit C1' }).waitFor();
    assert.ok((await details.textContent() ?? '').includes(HOSTILE.conduitName));
    assert.ok((await details.textContent() ?? '').includes(HOSTILE.control));
    await page.getByRole('tab', { name: 'Flows' }).click();
    await page.locator('table.flows').waitFor();
    assert.ok((await page.locator('table.flows').textContent() ?? '').includes('<script>window.__pwned=8</script>'));
    await page.locator('#facility').hover();
    assert.equal(await pwned(), undefined);
    // No element was created from the data: no img, no script besides the app, no anchors with javascript: URLs.
    assert.equal(await page.locator('img').count(), 0);
    assert.equal(await page.locator('script').count(), 1);
    assert.equal(await page.locator('b, a[href^="javascript"], svg[onload]').count(), 0);
    // This server was started without a report provider: the tab says so instead of offering a broken link.
    await page.getByRole('tab', { name: 'Report' }).click();
    await page.getByText('Report download is not available in this build').waitFor();
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('40 zones and 100,000 baseline flows stay usable: graph, matrix, paging and filters', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'otz-web-big-'));
    writeFileSync(join(dir, 'many.yaml'), manyZonesModel(40));
    writeFileSync(join(dir, 'baseline.json'), manyFlowsBaseline(100_000, 40));
    const s = await startDashboard({ model: 'many.yaml', cwd: dir, baseline: 'baseline.json' }, { host: '127.0.0.1', port: 0 });
    servers.push(s);
    const t0 = Date.now();
    const { page, errors } = await open(s.url);
    const readyMs = Date.now() - t0;
    assert.equal(await page.locator('svg.graph g.zone').count(), 40);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-40-zones.png') });
    let t = Date.now();
    await page.getByRole('tab', { name: 'Zone matrix' }).click();
    await page.locator('table.matrix').waitFor();
    const matrixMs = Date.now() - t;
    assert.equal(await page.locator('button.cellbtn').count(), 40 * 39);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-40-zones-matrix.png') });
    t = Date.now();
    await page.getByRole('tab', { name: 'Flows' }).click();
    await page.getByText('Rows 1–50 of 100,000 · page 1 of 2,000').waitFor();
    const flowsMs = Date.now() - t;
    t = Date.now();
    await page.getByRole('button', { name: 'Next page' }).click();
    await page.getByText('Rows 51–100 of 100,000 · page 2 of 2,000').waitFor();
    const pageMs = Date.now() - t;
    await page.getByRole('button', { name: 'Last page' }).click();
    await page.getByText('Rows 99,951–100,000 of 100,000').waitFor();
    await page.getByLabel('Verdict').selectOption('violation');
    await page.getByText('Rows 1–50 of 14,286').waitFor();
    await page.getByLabel('From zone').selectOption('Z01-AREA');
    await page.getByText(`of ${Math.ceil(100_000 / 280)} ·`).waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-100k-flows.png') });
    // This generated plant breaks design rules: each diagnostic is listed with its model line.
    const diags = s.dashboard.snapshot().validation.diagnostics;
    assert.ok(diags.length > 0);
    await page.getByRole('tab', { name: 'Diagnostics' }).click();
    await page.locator('table.diagnostics').waitFor();
    assert.equal(await page.locator('table.diagnostics tbody tr').count(), diags.length);
    const first = diags.find((x) => x.line)!;
    await page.getByRole('button', { name: `many.yaml:${first.line}` }).first().click();
    await page.locator('.src-line.hl').first().waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-diagnostics.png') });
    console.log(`# 40 zones, 100,000 flows: ready ${readyMs} ms, matrix ${matrixMs} ms, flows view ${flowsMs} ms, next page ${pageMs} ms`);
    // Guards with room for a loaded CI runner (measured 0.1-1.8 s here while other suites ran).
    for (const [what, ms] of [['ready', readyMs], ['matrix', matrixMs], ['flows', flowsMs], ['next page', pageMs]] as const) assert.ok(ms < 5000, `${what} took ${ms} ms`);
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('the page follows edits of the model file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'otz-web-reload-'));
    copyFileSync(EXAMPLE, join(dir, 'plant.yaml'));
    const s = await startDashboard({ model: 'plant.yaml', cwd: dir }, { host: '127.0.0.1', port: 0 });
    servers.push(s);
    const { page } = await open(s.url);
    assert.equal(await page.locator('#facility').textContent(), 'Petrochemical Refinery - Unit 3');
    writeFileSync(join(dir, 'plant.yaml'), readFileSync(EXAMPLE, 'utf8').replace('facility: "Petrochemical Refinery - Unit 3"', 'facility: "Unit 3 after the cutover"'));
    await page.locator('#facility', { hasText: 'Unit 3 after the cutover' }).waitFor({ timeout: 8000 }).catch(async (e) => {
      throw new Error(`${e.message}\nfacility: ${await page.locator('#facility').textContent()}; status: ${await page.locator('#status').textContent()}; generation ${s.dashboard.snapshot().generation}`);
    });
    assert.match(await page.locator('#status').textContent() ?? '', /Reloaded plant\.yaml/);
    await page.close();
  });
});

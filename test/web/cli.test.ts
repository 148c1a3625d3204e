/** `otzones serve` through the CLI: exit codes, messages, the printed URL, the generated token, stopping on abort. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.ts';
import { runCli } from '../helpers/cli.ts';
import { ROOT } from '../helpers/paths.ts';
import { writeExampleResults } from './fixtures.ts';

const EX = 'examples/refinery-unit3.yaml';

/** Starts `serve` in-process; resolves once the URL line is on stderr. */
async function startServe(args: string[]) {
  const ac = new AbortController();
  let stderr = '';
  let stdout = '';
  let urlSeen: (u: string) => void;
  const url = new Promise<string>((r) => (urlSeen = r));
  const done = main(['serve', ...args], {
    stdout: { write: (s: string | Uint8Array) => ((stdout += String(s)), true) },
    stderr: {
      write: (s: string | Uint8Array) => {
        stderr += String(s);
        const m = /at (http:\/\/\S+)/.exec(stderr);
        if (m) urlSeen(m[1]);
        return true;
      },
    },
    cwd: ROOT,
    env: process.env,
    signal: ac.signal,
  });
  const first = await Promise.race([url, done.then((code) => `exit ${code}: ${stderr}`)]);
  return { url: first, stop: async () => (ac.abort(), done), stderr: () => stderr, stdout: () => stdout };
}

test('serve prints its loopback URL on stderr, answers, and exits 0 when stopped', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'otz-web-cli-'));
  const files = writeExampleResults(dir);
  const s = await startServe([EX, '--port', '0', '--verify', files.verify, '--baseline', files.baseline, '--probe', files.probe]);
  assert.match(s.url, /^http:\/\/127\.0\.0\.1:\d+\/$/, s.url);
  const meta = await (await fetch(`${s.url}api/meta`)).json();
  assert.equal(meta.facility, 'Petrochemical Refinery - Unit 3');
  assert.equal(meta.results.baseline.status, 'loaded');
  const page = await (await fetch(s.url)).text();
  assert.match(page, /<script type="module" src="\/ui\/app.js">/);
  assert.equal(await s.stop(), 0);
  assert.equal(s.stdout(), '');
  assert.match(s.stderr(), /dashboard for examples\/refinery-unit3\.yaml at http:\/\/127\.0\.0\.1:\d+\//);
});

test('serve on a non-loopback address generates a token, prints it, and checks it', async () => {
  // Binds the wildcard address for a moment; the test only talks to it over loopback.
  const s = await startServe([EX, '--port', '0', '--host', '0.0.0.0']);
  try {
    const m = /token=([A-Za-z0-9_-]+)/.exec(s.url);
    assert.ok(m, s.url);
    assert.match(s.stderr(), new RegExp(`generated access token \\(required on every request\\): ${m[1]}`));
    const port = new URL(s.url).port;
    assert.equal((await fetch(`http://127.0.0.1:${port}/api/meta`)).status, 401);
    assert.equal((await fetch(`http://127.0.0.1:${port}/api/meta`, { headers: { authorization: `Bearer ${m[1]}` } })).status, 200);
  } finally {
    assert.equal(await s.stop(), 0);
  }
});

test('serve: usage errors exit 2 with one clear line, never a stack trace', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'otz-web-cli-'));
  writeFileSync(join(dir, 'bad.json'), '{"flows": [1, 2,]}');
  writeFileSync(join(dir, 'bad.yaml'), 'facility: x\nzones: [\n');
  const cases: [string[], RegExp][] = [
    [[EX, '--port', 'http'], /--port must be an integer 0-65535 \(got "http"\)/],
    [[EX, '--port', '70000'], /--port must be an integer/],
    [[EX, '--token', 'short'], /--token must be at least 12 characters/],
    [[EX, '--baseline', join(dir, 'bad.json')], /bad\.json:1:17: not valid JSON \(unexpected "]"\)/],
    [[EX, '--verify', join(dir, 'missing.json')], /missing\.json: cannot read --verify file: no such file/],
    [[EX, "--store", join(dir, "flows.duckdb")], /flows\.duckdb: cannot open the flow store: no such file/],
    [[EX, "--store", join(dir, "flows.duckdb"), "--baseline", join(dir, "bad.json")], /either --baseline FILE .* or --store FILE/],
    [[join(dir, 'bad.yaml'), '--port', '0'], /the model cannot be used/],
    [[join(dir, 'nope.yaml'), '--port', '0'], /the model cannot be used/],
  ];
  for (const [args, re] of cases) {
    const r = await runCli(['serve', ...args]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, re, args.join(' '));
    assert.doesNotMatch(r.stderr, /at .*\.ts:\d+/);
  }
});

test('serve: a port in use is a usage error naming the port', async () => {
  const s = await startServe([EX, '--port', '0']);
  try {
    const port = new URL(s.url).port;
    const r = await runCli(['serve', EX, '--port', port]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use`));
  } finally {
    await s.stop();
  }
});

test('serve --config: conflicting and bad configuration flags exit 2', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'otz-web-cli-'));
  writeFileSync(join(dir, 'x.cfg'), 'hello\n');
  writeFileSync(join(dir, 'v.json'), '{"findings": [], "matrix": []}');
  for (const [args, re] of [
    [['--config', join(dir, 'x.cfg')], /x\.cfg:1:1: cannot tell which firewall this configuration is for/],
    [['--config', join(dir, 'x.cfg'), '--verify', join(dir, 'v.json')], /either --verify FILE .* or --config FILE/],
    [['--config', join(dir, 'x.cfg'), '--vendor', 'cisco'], /--vendor must be one of asa, nftables, iptables \(got "cisco"\)/],
    [['--vendor', 'asa'], /--vendor applies to --config files/],
  ] as [string[], RegExp][]) {
    const r = await runCli(['serve', EX, '--port', '0', ...args]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, re);
  }
});

test('serve --store: a flow store written by the baseline is shown (corpus capture pcap/modbus_modbus-and-non-modbus-p502.pcap)', async () => {
  const { FlowStore } = await import('../../src/baseline/store.ts');
  const { readCaptures } = await import('../../src/capture/index.ts');
  const { CORPUS } = await import('../helpers/paths.ts');
  const dir = mkdtempSync(join(tmpdir(), 'otz-web-cli-'));
  const store = await FlowStore.open(join(dir, 'flows.duckdb'));
  await store.ingest((await readCaptures([join(CORPUS, 'pcap/modbus_modbus-and-non-modbus-p502.pcap')])).observations, 'corpus');
  store.close();
  const s = await startServe([EX, '--port', '0', '--store', join(dir, 'flows.duckdb')]);
  try {
    const meta = await (await fetch(`${s.url}api/meta`)).json();
    assert.equal(meta.results.baseline.status, 'loaded', meta.results.baseline.error);
    const flows = await (await fetch(`${s.url}api/flows`)).json();
    // None of the capture's addresses lies in the example's zones.
    assert.ok(flows.total >= 5 && flows.flows.every((f: { reasons: string[] }) => f.reasons.includes('unzoned-endpoint')));
  } finally {
    assert.equal(await s.stop(), 0);
  }
});

test('serve: a baseline JSON too big for one string is refused with what to do instead (a store)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'otz-serve-big-'));
  const big = join(dir, 'baseline.json');
  writeFileSync(big, '');
  truncateSync(big, 401e6); // sparse: nothing is written or read
  const r = await runCli(['serve', EX, '--baseline', big, '--port', '0']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /401 MB is more than the dashboard reads from one JSON file .*--store/);
  rmSync(dir, { recursive: true, force: true });
});

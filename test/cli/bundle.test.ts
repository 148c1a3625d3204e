/**
 * The prebuilt bundle (scripts/build.mjs → dist/) and bin/otzones.js's choice between it and the sources through tsx.
 * Everything runs in a temporary copy of the project (node_modules linked), whose files all carry one fixed
 * modification time, so edits can be made with or without changing what the staleness check sees, and the
 * checkout itself is never touched.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { CORPUS, ROOT } from '../helpers/paths.ts';
import { bundleIsFresh, STAMP } from '../../bin/bundle-check.js';

const FIXED = 1_700_000_000; // seconds: every file of the copy gets this mtime
let copy = '';

function setTimes(dir: string): void {
  for (const rel of readdirSync(dir, { recursive: true }) as string[]) utimesSync(join(dir, rel), FIXED, FIXED);
  utimesSync(dir, FIXED, FIXED);
}

function cli(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [join(copy, 'bin/otzones.js'), ...args], {
    cwd: copy,
    encoding: 'utf8',
    env: { ...process.env, OTZONES_NO_BUNDLE: '', ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

before(() => {
  copy = mkdtempSync(join(tmpdir(), 'otz-bundle-'));
  for (const p of ['src', 'bin', 'scripts', 'examples', 'package.json', 'tsconfig.json']) cpSync(join(ROOT, p), join(copy, p), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'));
  for (const p of ['src', 'bin', 'scripts', 'examples']) setTimes(join(copy, p));
  for (const p of ['package.json', 'tsconfig.json']) utimesSync(join(copy, p), FIXED, FIXED);
});

after(() => {
  if (copy) rmSync(copy, { recursive: true, force: true });
});

test('the bundle builds: CLI, its code cache, bundled worker entry and a stamp that matches the sources', () => {
  const r = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: copy, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '', 'no warning (a failed code-cache warm-up would say so)');
  for (const f of ['cli.cjs', 'cli.cjs.cache', 'worker.js', 'worker-entry.mjs', 'build-stamp.json']) assert.ok(existsSync(join(copy, 'dist', f)), f);
  // Pure ASCII, so the bundle is read as latin1 (bin/bundle-run.js).
  assert.equal(/[^\x00-\x7f]/.test(readFileSync(join(copy, 'dist/cli.cjs'), 'utf8')), false);
  assert.ok(existsSync(join(copy, STAMP)));
  assert.equal(bundleIsFresh(copy), true);
  assert.deepEqual(readdirSync(copy).filter((f) => f.startsWith('.')), [], 'no staging directory left behind');
});

test('V8 takes the code cache made at build time, and the code it holds is named after dist/, not the build directory', () => {
  const probe = `
    import { loadBundle } from ${JSON.stringify(join(copy, 'bin/bundle-run.js'))};
    const b = loadBundle(${JSON.stringify(join(copy, 'dist/cli.cjs'))}, ${JSON.stringify(join(copy, 'dist/cli.cjs.cache'))});
    let where = '';
    const sink = { write() { where ||= new Error().stack; return true; } };
    await b.exports.main(['validate', '/nonexistent/model.yaml'], { stdout: sink, stderr: sink, cwd: process.cwd(), env: process.env });
    process.stdout.write(JSON.stringify({ rejected: b.cacheRejected, where }));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', probe], { cwd: copy, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout.slice(r.stdout.indexOf('{')));
  assert.equal(out.rejected, false);
  assert.match(out.where, /dist\/cli\.cjs/);
  assert.doesNotMatch(out.where, /dist-build/);
});

test('validate: byte-identical stdout and the same exit code from the bundle and from the sources', () => {
  assert.equal(bundleIsFresh(copy), true);
  const bundled = cli(['validate', 'examples/refinery-unit3.yaml', '--format', 'json']);
  const tsx = cli(['validate', 'examples/refinery-unit3.yaml', '--format', 'json'], { OTZONES_NO_BUNDLE: '1' });
  assert.equal(bundled.code, 0, bundled.stderr);
  assert.equal(bundled.code, tsx.code);
  assert.equal(bundled.stdout, tsx.stdout);
  assert.ok(bundled.stdout.length > 100);
});

test('a fresh bundle is what runs; an edit, an added, removed or renamed src file, or OTZONES_NO_BUNDLE=1 runs the sources', () => {
  // The edit is invisible to the check while the file keeps its mtime: that tells which code ran.
  const format = join(copy, 'src/diagnostics/format.ts');
  const original = readFileSync(format, 'utf8');
  writeFileSync(format, original.replace(/TOOL_VERSION = '([^']*)'/, "TOOL_VERSION = '$1-edited'"));
  utimesSync(format, FIXED, FIXED);
  const version = (env: Record<string, string> = {}) => cli(['--version'], env).stdout.trim();
  assert.doesNotMatch(version(), /-edited$/, 'fresh stamp: the bundle runs');
  assert.match(version({ OTZONES_NO_BUNDLE: '1' }), /-edited$/, 'OTZONES_NO_BUNDLE=1: tsx');

  utimesSync(format, FIXED + 10, FIXED + 10);
  assert.equal(bundleIsFresh(copy), false);
  assert.match(version(), /-edited$/, 'a src file newer than the stamp: tsx');
  utimesSync(format, FIXED, FIXED);
  assert.equal(bundleIsFresh(copy), true);

  const extra = join(copy, 'src/cli/extra.ts');
  writeFileSync(extra, 'export {};\n');
  utimesSync(extra, FIXED, FIXED);
  assert.equal(bundleIsFresh(copy), false, 'file added');
  assert.match(version(), /-edited$/);
  const renamed = join(copy, 'src/cli/extra2.ts');
  renameSync(extra, renamed);
  assert.equal(bundleIsFresh(copy), false, 'file renamed');
  rmSync(renamed);
  setTimes(join(copy, 'src/cli'));
  assert.equal(bundleIsFresh(copy), true);
  const io = join(copy, 'src/cli/io.ts');
  renameSync(io, `${io}.bak`);
  assert.equal(bundleIsFresh(copy), false, 'file removed');
  renameSync(`${io}.bak`, io);
  assert.equal(bundleIsFresh(copy), true);

  utimesSync(join(copy, 'package.json'), FIXED + 10, FIXED + 10);
  assert.equal(bundleIsFresh(copy), false, 'package.json changed');
  utimesSync(join(copy, 'package.json'), FIXED, FIXED);

  rmSync(join(copy, STAMP));
  assert.equal(bundleIsFresh(copy), false, 'no stamp');
  writeFileSync(format, original);
  spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: copy });
});

const PCAPS = ['pcap/modbus_fuzz-72.pcap', 'pcap/dnp3_dnp3.pcap'].map((p) => join(CORPUS, p));
test('baseline --jobs 2 from the bundle: workers start from the bundled worker entry, same JSON as --jobs 1', { skip: !PCAPS.every(existsSync) && 'needs ../shared/corpus' }, () => {
  assert.equal(bundleIsFresh(copy), true);
  const dir = mkdtempSync(join(tmpdir(), 'otz-bundle-pcap-'));
  try {
    const files = PCAPS.map((p, i) => {
      const f = join(dir, `${'ab'[i]}.pcap`);
      cpSync(p, f);
      return f;
    });
    // dist/ is not part of the stamp: a marker in the bundled worker entry shows that the worker ran it.
    appendFileSync(join(copy, 'dist/worker-entry.mjs'), "process.stderr.write('bundled worker entry\\n');\n");
    const run = (jobs: string, env: Record<string, string> = {}) => cli(['baseline', 'examples/refinery-unit3.yaml', ...files, '--jobs', jobs, '--format', 'json'], env);
    const one = run('1');
    const two = run('2');
    assert.ok(one.code === 0 || one.code === 1, one.stderr);
    assert.equal(two.code, one.code);
    assert.equal(two.stdout, one.stdout);
    assert.match(two.stderr, /bundled worker entry/);
    assert.doesNotMatch(one.stderr, /bundled worker entry/, '--jobs 1 reads in the main thread');
    const tsx = run('2', { OTZONES_NO_BUNDLE: '1' });
    assert.equal(tsx.stdout, one.stdout);
    assert.doesNotMatch(tsx.stderr, /bundled worker entry/, 'from the sources the worker goes through tsx');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('from the bundle, paths derived from a module\'s own location still name the sources (dashboard UI files)', async () => {
  assert.equal(bundleIsFresh(copy), true);
  const child = spawn(process.execPath, [join(copy, 'bin/otzones.js'), 'serve', 'examples/refinery-unit3.yaml', '--port', '0'], { cwd: copy, env: { ...process.env, OTZONES_NO_BUNDLE: '' } });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let err = '';
      child.stderr.on('data', (d: Buffer) => {
        err += d.toString();
        const m = /http:\/\/127\.0\.0\.1:\d+\//.exec(err);
        if (m) resolve(m[0]);
      });
      child.on('exit', (code) => reject(new Error(`serve exited ${code}: ${err}`)));
    });
    const res = await fetch(`${url}ui/app.js`);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), readFileSync(join(copy, 'src/web/ui/app.js'), 'utf8'));
  } finally {
    child.kill();
  }
});

// Bundles the CLI and the capture worker into dist/ so `otzones` starts without compiling TypeScript (bin/otzones.js
// falls back to the sources through tsx when dist/ is missing or older than src/). Plain JS: it must run before tsx
// is of any use, from `npm ci` / `npm install` (the package's "prepare" script) and `npm run build`.
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import * as esbuild from 'esbuild';
import { STAMP, sourceState } from '../bin/bundle-check.js';

const EXTERNAL = ['@duckdb/node-api', 'playwright-core', 'tsx', 'tsx/*', 'esbuild'];
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(ROOT, dirname(STAMP));

/**
 * Chunks land in dist/, so `import.meta.url` in a bundled module would name dist/ instead of the module's own file,
 * and paths computed from it (the web UI's files, the lab and probe daemons' project root) would be wrong. Each
 * module gets its source file's URL instead, derived from the chunk's own URL so the project can move.
 * The one exception is the capture pool's worker URL: from a chunk it names the bundled worker entry in dist/.
 */
const KEEP = /new URL\((['"])\.\/worker-entry\.mjs\1, import\.meta\.url\)/g;
const sourceUrls = {
  name: 'source-import-meta-url',
  setup(build) {
    build.onLoad({ filter: /\.[cm]?[jt]s$/ }, (args) => {
      if (args.path.includes('/node_modules/')) return undefined;
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return undefined;
      const own = JSON.stringify(relative(outdir, args.path).split('\\').join('/'));
      const kept = [];
      const contents = text
        .replace(KEEP, (m) => `\0keep${kept.push(m) - 1}\0`)
        .replaceAll('import.meta.url', `new URL(${own}, import.meta.url).href`)
        .replace(/\0keep(\d+)\0/g, (_, i) => kept[Number(i)]);
      return { contents, loader: args.path.endsWith('.mjs') || args.path.endsWith('.js') ? 'js' : 'ts' };
    });
  },
};

/**
 * esbuild escapes non-ASCII characters in strings but leaves them in comments (js-yaml's “ ” quotes); one such
 * character makes V8 hold the whole 1.4 MB source as a two-byte string, slower to read, hash and scan at every
 * start. A \u escape means the same character in a string, regex, template or identifier, and is inert in a comment.
 */
function asciiOnly(file) {
  const text = readFileSync(file, 'utf8');
  const ascii = text.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (ascii !== text) writeFileSync(file, ascii);
}

/**
 * The bundle runs as a vm.Script with a code cache, where import() has no loader on Node 20 (code from a cache
 * loses the callback). esbuild turns import() of bundled modules into require; one of an external package or a
 * built-in would stay, and fail only when reached: refuse to build instead (use require or a static import).
 */
function noDynamicImport(file) {
  const text = readFileSync(file, 'utf8');
  const found = [...text.matchAll(/\bimport\(\s*["'`]([^"'`]*)/g)].map((m) => m[1]);
  if (found.length > 0) throw new Error(`${file}: import() of ${[...new Set(found)].join(', ')} would fail in the bundle; load it with require or a static import`);
}

// Built beside dist/ and swapped in whole, so a CLI running from the old dist/ meanwhile never sees half a build,
// and the stamp describes the sources as they were before bundling began (an edit during the build leaves it stale).
const source = sourceState(ROOT);
const staging = join(ROOT, `.${basename(outdir)}-build-${process.pid}`);
rmSync(staging, { recursive: true, force: true });
try {
  const common = {
    absWorkingDir: ROOT,
    bundle: true,
    platform: 'node',
    target: 'node20',
    // Pure-JS dependencies go into the bundle: loading zod, yaml, commander… module by module through Node's ESM
    // loader cost ~100 ms of every start (resolution, a stat and a compile per file). Native or huge packages, and
    // those only a few commands use, stay in node_modules.
    external: EXTERNAL,
    logLevel: 'warning',
    plugins: [sourceUrls],
  };
  // The CLI: one CommonJS file, so bin/bundle-run.js can load it through vm.Script with V8's code cache (an ES
  // module cannot take one on Node 20). Each command's code still runs only when that command does.
  await esbuild.build({
    ...common,
    entryPoints: { cli: 'src/cli/main.ts' },
    format: 'cjs',
    outdir: staging,
    outExtension: { '.js': '.cjs' },
    define: { 'import.meta.url': '__otzModuleUrl' },
    banner: { js: "var __otzModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
  });
  asciiOnly(join(staging, 'cli.cjs'));
  noDynamicImport(join(staging, 'cli.cjs'));
  // The capture pool's worker: an ES module, as worker threads start it.
  await esbuild.build({
    ...common,
    entryPoints: { worker: 'src/capture/worker.ts' },
    format: 'esm',
    outdir: staging,
    // Bundled CommonJS packages call require() for Node's built-ins; an ESM bundle has no require of its own.
    banner: { js: "import { createRequire as __otzRequire } from 'node:module'; const require = __otzRequire(import.meta.url);" },
  });
  // src/capture/pool.ts starts workers at new URL('./worker-entry.mjs', import.meta.url): from a chunk, this file.
  writeFileSync(join(staging, 'worker-entry.mjs'), "import { runWorker } from './worker.js';\nrunWorker();\n");
  // The code cache of the CLI bundle, made by running it (in a child: the same V8 flags as a normal start).
  const warm = spawnSync(process.execPath, [join(ROOT, 'scripts/warm-code-cache.mjs'), staging, ROOT], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  if (warm.status !== 0) {
    rmSync(join(staging, 'cli.cjs.cache'), { force: true });
    const lines = (warm.stderr ?? '').trim().split('\n');
    const why = warm.error?.message ?? lines.find((l) => /^\w*Error\b/.test(l)) ?? lines.at(-1);
    process.stderr.write(`otzones build: no code cache (the CLI starts ~45 ms slower): ${why}\n`);
  }
  const stamp = { source, esbuild: esbuild.version, node: process.version };
  writeFileSync(join(staging, basename(STAMP)), JSON.stringify(stamp, null, 2) + '\n');
  const old = `${staging}-old`;
  try {
    renameSync(outdir, old);
  } catch (e) {
    if (e.code !== 'ENOENT') throw e;
  }
  renameSync(staging, outdir);
  rmSync(old, { recursive: true, force: true });
} finally {
  rmSync(staging, { recursive: true, force: true });
}

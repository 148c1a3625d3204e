// Bundles the CLI and the capture worker into dist/ so `otzones` starts without compiling TypeScript (bin/otzones.js
// falls back to the sources through tsx when dist/ is missing or older than src/). Plain JS: it must run before tsx
// is of any use, from `npm ci` / `npm install` (the package's "prepare" script) and `npm run build`.
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
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

// Built beside dist/ and swapped in whole, so a CLI running from the old dist/ meanwhile never sees half a build,
// and the stamp describes the sources as they were before bundling began (an edit during the build leaves it stale).
const source = sourceState(ROOT);
const staging = join(ROOT, `.${basename(outdir)}-build-${process.pid}`);
rmSync(staging, { recursive: true, force: true });
try {
  await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: [
      { in: 'src/cli/main.ts', out: 'main' },
      { in: 'src/capture/worker.ts', out: 'worker' },
    ],
    bundle: true,
    splitting: true, // main.ts lazy-imports each command: only the invoked one's chunk is loaded
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // Pure-JS dependencies go into the bundle: loading zod, yaml, commander… module by module through Node's ESM
    // loader cost ~100 ms of every start (resolution, a stat and a compile per file). Native or huge packages, and
    // those only a few commands use, stay in node_modules.
    external: EXTERNAL,
    // Bundled CommonJS packages call require() for Node's built-ins; an ESM bundle has no require of its own.
    banner: { js: "import { createRequire as __otzRequire } from 'node:module'; const require = __otzRequire(import.meta.url);" },
    outdir: staging,
    chunkNames: '[name]-[hash]',
    logLevel: 'warning',
    plugins: [sourceUrls],
  });
  // src/capture/pool.ts starts workers at new URL('./worker-entry.mjs', import.meta.url): from a chunk, this file.
  writeFileSync(join(staging, 'worker-entry.mjs'), "import { runWorker } from './worker.js';\nrunWorker();\n");
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

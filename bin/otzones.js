#!/usr/bin/env node
// Runs the prebuilt bundle in dist/ (scripts/build.mjs; `npm ci` / `npm install` build it) when it was built from the
// sources as they are now. Otherwise — sources edited since, no build yet, or OTZONES_NO_BUNDLE=1 — it runs the
// TypeScript sources through tsx, so a checkout works with no build step and always runs the code as it stands.
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { bundleIsFresh } from './bundle-check.js';
import { BUNDLE, CODE_CACHE, loadBundle } from './bundle-run.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const noBundle = !!process.env.OTZONES_NO_BUNDLE && process.env.OTZONES_NO_BUNDLE !== '0';
const { main } =
  !noBundle && bundleIsFresh(root)
    ? loadBundle(join(root, BUNDLE), join(root, CODE_CACHE)).exports
    : await (await import('tsx/esm/api')).tsImport('../src/cli/main.ts', import.meta.url);
process.exitCode = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  cwd: process.cwd(),
  env: process.env,
  // A getter: process.stdin is made (and may keep the process waiting) only if a command reads it.
  get stdin() {
    return process.stdin;
  },
});

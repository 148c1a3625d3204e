// Loads the CLI bundle (dist/cli.cjs, one CommonJS file) with V8's code cache (dist/cli.cjs.cache). The cache is
// written at build time (scripts/build.mjs runs the main commands once and saves what V8 compiled), so a run
// skips parsing and compiling most of the code it needs: ~45 ms of every start on Node 20, which has no
// compile cache of its own (module.enableCompileCache came in Node 22). A cache V8 rejects (another Node or V8
// flags) only means compiling as usual. Plain JS, no dependencies.
import { readFileSync, writeFileSync, renameSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import vm from 'node:vm';

export const BUNDLE = 'dist/cli.cjs';
export const CODE_CACHE = 'dist/cli.cjs.cache';

/**
 * Evaluates the bundle at `file` and returns its exports (`main`) and a function that writes the code cache of
 * everything compiled so far to `cacheFile`. `scriptName` is the file name V8 records for the code (stack
 * traces); a cache keeps the name it was made under, so the build's warm-up passes the final path in dist/.
 */
export function loadBundle(file, cacheFile, scriptName = file) {
  // The build makes the bundle pure ASCII (scripts/build.mjs): latin1 reads it with no UTF-8 decoding.
  const source = readFileSync(file, 'latin1');
  let cachedData;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    cachedData = undefined; // no cache: compile as usual
  }
  // The CommonJS wrapper on the bundle's first line keeps its line numbers in stack traces.
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: scriptName,
    cachedData,
    // No import() callback: code from a cache loses it on Node 20, so the bundle holds none (scripts/build.mjs
    // checks) and loads external packages with require.
  });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file));
  return {
    exports: module.exports,
    cacheRejected: cachedData !== undefined && script.cachedDataRejected === true,
    writeCache() {
      const tmp = `${cacheFile}.${process.pid}`;
      writeFileSync(tmp, script.createCachedData());
      renameSync(tmp, cacheFile);
    },
  };
}

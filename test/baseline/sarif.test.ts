/**
 * SARIF for many violations is written one result at a time: a million violations made a log longer than one
 * string can hold, and `--format sarif` stopped with an internal error after building gigabytes of objects.
 * Here: 5,000 violating flows give 5,000 results through the CLI, parsed back, and the writer never holds
 * more than one result's text in a piece.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXAMPLE } from '../helpers/paths.ts';
import { runCli } from '../helpers/cli.ts';
import { generateCapture } from '../../bench/gen-capture.ts';
import { readCaptures } from '../../src/capture/index.ts';
import { runBaseline } from '../../src/baseline/index.ts';
import { baselineSarifChunks } from '../../src/baseline/format.ts';
import { loadModelFile } from '../../src/model/load.ts';

const dir = mkdtempSync(join(tmpdir(), 'otz-sarif-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const capture = join(dir, 'churn.pcap');
generateCapture({ out: capture, bytes: Infinity, format: 'pcap', scenario: 'churn', flows: 5000 });

test('5,000 violations: a SARIF log with 5,000 results, written in pieces of one result each', async () => {
  const r = await runCli(['baseline', EXAMPLE, capture, '--format', 'sarif']);
  assert.equal(r.code, 1, r.stderr);
  const log = JSON.parse(r.stdout) as { runs: { tool: { driver: { rules: { id: string }[] } }; results: { ruleId: string; ruleIndex: number; properties: { src: string } }[] }[] };
  const run = log.runs[0];
  assert.equal(run.results.length, 5000);
  assert.deepEqual(run.tool.driver.rules.map((x) => x.id), ['ZC881']);
  assert.ok(run.results.every((x) => x.ruleId === 'ZC881' && x.ruleIndex === 0));
  assert.equal(new Set(run.results.map((x) => x.properties.src)).size, 5000);

  const model = loadModelFile(EXAMPLE).model!;
  const result = runBaseline({ model, flows: (await readCaptures([capture])).flows });
  const pieces = [...baselineSarifChunks(result)];
  assert.equal(pieces.join(''), r.stdout);
  assert.ok(pieces.length > 5000, `${pieces.length} pieces`);
  const longest = Math.max(...pieces.slice(1, -1).map((p) => p.length));
  assert.ok(longest < 4000, `longest piece ${longest} characters`);
});

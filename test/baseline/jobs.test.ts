/**
 * Several capture files on two cores give the flows, verdicts and evidence that one core gives: results
 * are merged in the order the files were named, whichever worker finishes first.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXAMPLE } from '../helpers/paths.ts';
import { runCli } from '../helpers/cli.ts';
import { generateCapture } from '../../bench/gen-capture.ts';

const dir = mkdtempSync(join(tmpdir(), 'otz-jobs-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

type Flow = { src: string; dst: string; transport: string; dst_port: number; verdict: string; evidence: string; packets: number };

test('--jobs 2 on files of very different sizes: same flows, verdicts and first-file evidence as --jobs 1', async () => {
  // The first file is big and goes to the worker; the second is small and this thread finishes it long
  // before: merged in completion order, the shared flows would name the second file as their evidence.
  const big = join(dir, 'a-big.pcap');
  const small = join(dir, 'b-small.pcap');
  generateCapture({ out: big, bytes: 6e7, format: 'pcap', scenario: 'plant', seed: 2 });
  generateCapture({ out: small, bytes: 1e6, format: 'pcap', scenario: 'plant', seed: 3 });
  const run = async (jobs: string) => {
    const r = await runCli(['baseline', EXAMPLE, big, small, '--jobs', jobs, '--format', 'json']);
    assert.ok(r.code === 0 || r.code === 1, r.stderr);
    return (JSON.parse(r.stdout) as { flows: Flow[] }).flows;
  };
  const one = await run('1');
  const two = await run('2');
  const key = (f: Flow) => `${f.src}>${f.dst}/${f.transport}/${f.dst_port}`;
  assert.deepEqual(two.map(key), one.map(key));
  assert.deepEqual(two.map((f) => f.verdict), one.map((f) => f.verdict));
  assert.deepEqual(two.map((f) => f.packets), one.map((f) => f.packets));
  const shared = one.filter((f) => f.evidence === big).length;
  assert.ok(shared > 10, `${shared} flows first seen in the first file`);
  assert.deepEqual(two.map((f) => f.evidence), one.map((f) => f.evidence));
});

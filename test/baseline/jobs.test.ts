/**
 * Several capture files on two cores give the flows, verdicts and evidence that one core gives: results
 * are merged in the order the files were named, whichever worker finishes first.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CORPUS, EXAMPLE } from '../helpers/paths.ts';
import { runCli } from '../helpers/cli.ts';
import { generateCapture } from '../../bench/gen-capture.ts';
import { pcap, readPcapRecords } from '../capture/build.ts';

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

test('a capture cut into three files: --jobs 2 gives byte for byte the JSON of --jobs 1, and the flows of the uncut file', async () => {
  // Conversations run across the cuts (Modbus polling, OPC UA sessions): merged as conversations, each stays
  // one connection with its first file as evidence, as when one thread reads the files in a row.
  const whole = join(dir, 'whole.pcap');
  generateCapture({ out: whole, bytes: 8e6, format: 'pcap', scenario: 'plant', seed: 7 });
  const { linktype, recs } = readPcapRecords(whole);
  const cuts = [Math.floor(recs.length * 0.37), Math.floor(recs.length * 0.71)];
  const parts = [recs.slice(0, cuts[0]), recs.slice(cuts[0], cuts[1]), recs.slice(cuts[1])].map((rs, i) => {
    const f = join(dir, `part-${i}.pcap`);
    writeFileSync(f, pcap(rs, { linktype }));
    return f;
  });
  const run = async (files: string[], jobs: string) => {
    const r = await runCli(['baseline', EXAMPLE, ...files, '--jobs', jobs, '--format', 'json']);
    assert.ok(r.code === 0 || r.code === 1, r.stderr);
    return r.stdout;
  };
  const one = await run(parts, '1');
  const two = await run(parts, '2');
  const three = await run(parts, '3');
  assert.equal(two, one);
  assert.equal(three, one);
  const flowsOf = (json: string) => (JSON.parse(json) as { flows: (Flow & { connections: number })[] }).flows.map(({ evidence: _e, ...f }) => f);
  const uncut = flowsOf(await run([whole], '1'));
  assert.deepEqual(flowsOf(two), uncut);
  // The cuts do split conversations: files read apart count more connections than the whole.
  const connections = (fs: { connections: number }[]) => fs.reduce((n, f) => n + f.connections, 0);
  let apart = 0;
  for (const p of parts) apart += connections(flowsOf(await run([p], '1')));
  assert.ok(apart > connections(uncut) + 100, `${apart} connections in the parts read apart, ${connections(uncut)} in the whole`);
});

test('odd inputs on several threads: the same JSON, diagnostics included and in the same order, as on one', { skip: !existsSync(join(CORPUS, 'pcap')) && 'needs ../shared/corpus' }, async () => {
  // A truncated capture, captures with undecodable packets (counted as one decoder would count them: summed,
  // with the first occurrence), a fragmented one, a file that is not a capture, and plain Modbus traffic.
  const names = ['trunc_ip4-trunc.pcap', 'ip-bogus-header-len.pcap', 'trunc_trunc-hdr.pcap', 'ipv4_fragmented-1.pcap', 'empty.pcap', 'modbus_modbusSmall.pcap', 'trunc_ip6-trunc.pcap'];
  const files = names.map((n) => join(CORPUS, 'pcap', n));
  const cut = join(dir, 'cut.pcap');
  writeFileSync(cut, readFileSync(join(CORPUS, 'pcap/dnp3_dnp3.pcap')).subarray(0, 5000));
  files.splice(3, 0, cut);
  const run = async (jobs: string) => {
    const r = await runCli(['baseline', EXAMPLE, ...files, '--jobs', jobs, '--format', 'json']);
    assert.ok(r.code === 0 || r.code === 1, r.stderr);
    return r.stdout;
  };
  const one = await run('1');
  const parsed = JSON.parse(one) as { diagnostics: { code: string; message: string }[] };
  assert.ok(parsed.diagnostics.length >= 3, JSON.stringify(parsed.diagnostics));
  assert.equal(await run('2'), one);
  assert.equal(await run('4'), one);
});

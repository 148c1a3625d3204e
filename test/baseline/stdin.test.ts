/**
 * A capture on standard input (`-`): a live `tcpdump -w -` piped in, or a file through a pipe. Plain and gzip
 * give what the file gives; anything else is a clear error; Ctrl-C (SIGINT) while it is still being written
 * ends reading and reports what was read, in a real process fed through a real pipe.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { CORPUS, EXAMPLE, ROOT } from '../helpers/paths.ts';
import { runCli } from '../helpers/cli.ts';

const FILE = join(CORPUS, 'pcap/modbus_modbusSmall.pcap');

/** The JSON report with the input's name taken out of every string, so a file and standard input compare. */
function report(stdout: string, name: string): unknown {
  return JSON.parse(stdout, (_k, v: unknown) => (typeof v === 'string' && (v === name || v.startsWith(`${name}:`)) ? `<input>${v.slice(name.length)}` : v));
}

/** A stream that hands `bytes` over in small uneven pieces, as a pipe does. */
function piecemeal(bytes: Buffer): Readable {
  const parts: Buffer[] = [];
  for (let i = 0, k = 1; i < bytes.length; i += k, k = (k * 7 + 3) % 1500 || 1) parts.push(bytes.subarray(i, i + k));
  return Readable.from(parts);
}

test('a pcap on standard input, plain or gzip, in small pieces: the report the file gives', async () => {
  const bytes = readFileSync(FILE);
  const fromFile = await runCli(['baseline', EXAMPLE, FILE, '--format', 'json']);
  assert.ok(fromFile.code === 0 || fromFile.code === 1, fromFile.stderr);
  const want = report(fromFile.stdout, FILE);
  for (const input of [bytes, gzipSync(bytes)]) {
    const r = await runCli(['baseline', EXAMPLE, '-', '--format', 'json'], { stdin: piecemeal(input) });
    assert.equal(r.code, fromFile.code, r.stderr);
    assert.deepEqual(report(r.stdout, '-'), want);
  }
});

test('standard input that is not a capture, or empty: exit 2 and what was wrong; - given twice: usage error', async () => {
  const text = await runCli(['baseline', EXAMPLE, '-'], { stdin: Readable.from([Buffer.from('hello, this is not a capture\n')]) });
  assert.equal(text.code, 2);
  assert.match(text.stdout + text.stderr, /-: byte offset 0: not a pcap or pcapng file/);
  const empty = await runCli(['baseline', EXAMPLE, '-'], { stdin: Readable.from([]) });
  assert.equal(empty.code, 2);
  assert.match(empty.stdout + empty.stderr, /standard input is empty/);
  const twice = await runCli(['baseline', EXAMPLE, '-', '-'], { stdin: Readable.from([]) });
  assert.equal(twice.code, 2);
  assert.match(twice.stderr, /standard input \(-\) can be read once/);
});

test('Ctrl-C while the capture is still coming in and the pipe stays open: after a grace period the packets read so far are reported', async () => {
  const bytes = readFileSync(FILE);
  const child = spawn(process.execPath, [join(ROOT, 'bin/otzones.js'), 'baseline', EXAMPLE, '-', '--format', 'json', '--progress'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d));
  const reading = new Promise<void>((resolve) =>
    child.stderr.on('data', (d: Buffer) => {
      stderr += d;
      if (stderr.includes('reading the capture on standard input')) resolve();
    }),
  );
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  // The whole trace and half a record more, then nothing: the writer is still "capturing".
  child.stdin.write(bytes);
  child.stdin.write(bytes.subarray(24, 40));
  // Interrupt once it says it is reading, and has had a moment for the bytes already in the pipe.
  await Promise.race([reading, exited]);
  await new Promise((r) => setTimeout(r, 500));
  child.kill('SIGINT');
  let timer: NodeJS.Timeout | undefined;
  const code = await Promise.race([exited, new Promise<string>((r) => (timer = setTimeout(() => r('timeout'), 20000)))]);
  clearTimeout(timer);
  child.stdin.destroy();
  if (code === 'timeout') child.kill('SIGKILL');
  assert.ok(code === 0 || code === 1, `exit ${code}: ${stderr}`);
  const r = JSON.parse(stdout) as { summary: { packets: number }; diagnostics: { message: string }[] };
  const whole = JSON.parse((await runCli(['baseline', EXAMPLE, FILE, '--format', 'json'])).stdout) as { summary: { packets: number } };
  assert.equal(r.summary.packets, whole.summary.packets);
  const messages = r.diagnostics.map((d) => d.message).join('\n');
  assert.match(messages, /reading stopped on request \(interrupt\)/);
  assert.doesNotMatch(messages, /cut short/, 'a record cut by the interrupt is not damage');
});

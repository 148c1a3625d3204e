/**
 * Logs are read as a stream (two weeks of a firewall's syslog are gigabytes, more than one string can hold):
 * the streaming reader must give exactly what the whole-file reader gives on every corpus log, plain and gzip,
 * in pieces of any size; a corrupt or cut gzip stream gives an error with the byte offset and keeps the lines
 * before it; an overlong line (no newline for megabytes) is skipped, not held.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CORPUS } from '../helpers/paths.ts';
import { readLogFile, streamLogFile } from '../../src/logs/index.ts';
import type { Observation } from '../../src/capture/observation.ts';

const dir = mkdtempSync(join(tmpdir(), 'otz-logstream-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

const LOGS = ['zeek', 'syslog/asa', 'syslog/fortigate', 'syslog/netfilter'].flatMap((d) =>
  readdirSync(join(CORPUS, d))
    .filter((f) => !f.endsWith('.md'))
    .map((f) => join(CORPUS, d, f)),
);

async function streamed(path: string, name: string) {
  const obs: Observation[] = [];
  const r = await streamLogFile(path, name, undefined, (o) => obs.push(o));
  return { ...r, observations: obs };
}

test('streamed = whole-file reading on every corpus log, plain and gzip-compressed', async () => {
  assert.ok(LOGS.length >= 10);
  for (const path of LOGS) {
    const name = path.split('/').pop()!;
    const whole = readLogFile(path, name);
    const s = await streamed(path, name);
    assert.deepEqual(s, whole, name);
    const gz = join(dir, `${name}.gz`);
    writeFileSync(gz, gzipSync(readFileSync(path)));
    assert.deepEqual(await streamed(gz, name), whole, `${name}.gz`);
  }
});

test('a gzip stream cut short: an error with the byte offset, the lines before it kept', async () => {
  const path = LOGS.find((p) => p.includes('elastic-test-asa'))!;
  const text = readFileSync(path);
  const big = Buffer.concat(Array.from({ length: 200 }, () => text));
  const gz = gzipSync(big);
  const cut = join(dir, 'cut.log.gz');
  writeFileSync(cut, gz.subarray(0, Math.floor(gz.length * 0.6)));
  const r = await streamed(cut, 'cut.log.gz');
  const err = r.diagnostics.find((d) => d.code === 'ZC863');
  assert.ok(err, JSON.stringify(r.diagnostics));
  assert.match(err!.message, /^cut\.log\.gz: byte offset \d+: /);
  assert.ok(r.observations.length > 0, 'records before the cut are read');
});

test('an overlong line is skipped (counted), the records after it are read', async () => {
  const path = LOGS.find((p) => p.includes('elastic-test-asa'))!;
  const text = readFileSync(path, 'utf8');
  const file = join(dir, 'overlong.log');
  // One overlong line inside a read piece, one spanning several pieces (4 MiB each).
  writeFileSync(file, `${text}${'x'.repeat(3 << 20)}\n${text}${'y'.repeat(9 << 20)}\n${text}`);
  const r = await streamed(file, 'overlong.log');
  const whole = readLogFile(path, 'overlong.log');
  assert.equal(r.observations.length, 3 * whole.observations.length);
  assert.ok(r.diagnostics.some((d) => /2 line\(s\) skipped: lines longer than 1 MiB/.test(d.message)), JSON.stringify(r.diagnostics.map((d) => d.message)));
});

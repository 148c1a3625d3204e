/** Large outputs (baseline JSON of a million flows) respect a pipe's backpressure instead of queueing it all. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { writeChunks } from '../../src/cli/io.ts';

test('writeChunks: waits for drain each time the stream says its buffer is full', async () => {
  const written: string[] = [];
  let waiting = false;
  const out = Object.assign(new EventEmitter(), {
    write(s: string) {
      assert.ok(!waiting, 'wrote again before drain');
      written.push(s);
      waiting = true;
      setTimeout(() => {
        waiting = false;
        out.emit('drain');
      }, 1);
      return false;
    },
  });
  const chunks = Array.from({ length: 50 }, (_, i) => `${i}`.padEnd(1000, '.'));
  await writeChunks(out, chunks, 4000);
  assert.equal(written.join(''), chunks.join(''));
  assert.ok(written.length >= 10, `written in pieces (${written.length})`);
});

test('writeChunks: into a real pipe read slowly, the writer memory stays bounded and nothing is lost', async () => {
  // A child that writes 64 MiB through writeChunks into a pipe we read slowly; without backpressure its
  // stream would queue everything not yet read (writableLength grows to tens of MiB).
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', `
    const { writeChunks } = await import(${JSON.stringify(new URL('../../src/cli/io.ts', import.meta.url).href)});
    const piece = 'x'.repeat(65536);
    let peak = 0;
    function* gen() { for (let i = 0; i < 1024; i++) { peak = Math.max(peak, process.stdout.writableLength); yield piece; } }
    await writeChunks(process.stdout, gen());
    process.stderr.write(String(peak));
  `], { stdio: ['ignore', 'pipe', 'pipe'] });
  let got = 0;
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  for await (const d of child.stdout) {
    got += d.length;
    if (got < 8 << 20) await new Promise((r) => setTimeout(r, 1));
  }
  await new Promise((r) => child.on('close', r));
  assert.equal(got, 64 << 20);
  const peakMB = Number(err) / 2 ** 20;
  assert.ok(peakMB <= 3, `at most ${peakMB.toFixed(1)} MiB queued in the writer for 64 MiB written`);
});

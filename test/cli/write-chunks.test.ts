/** Large outputs (baseline JSON of a million flows) respect a pipe's backpressure instead of queueing it all. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { createHash } from 'node:crypto';
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
    const reused = Buffer.alloc(65536);
    let peak = 0;
    // Strings and one reused buffer refilled for every byte chunk (as the baseline JSON writer does).
    function* gen() { for (let i = 0; i < 1024; i++) { peak = Math.max(peak, process.stdout.writableLength); if (i % 2) yield piece; else { reused.fill(97 + (i % 26)); yield reused; } } }
    await writeChunks(process.stdout, gen());
    process.stderr.write(String(peak));
  `], { stdio: ['ignore', 'pipe', 'pipe'] });
  let got = 0;
  let err = '';
  const hash = createHash('sha256');
  child.stderr.on('data', (d) => (err += d));
  for await (const d of child.stdout) {
    got += d.length;
    hash.update(d);
    if (got < 8 << 20) await new Promise((r) => setTimeout(r, 1));
  }
  await new Promise((r) => child.on('close', r));
  assert.equal(got, 64 << 20);
  const expected = createHash('sha256');
  for (let i = 0; i < 1024; i++) expected.update(i % 2 ? 'x'.repeat(65536) : String.fromCharCode(97 + (i % 26)).repeat(65536));
  assert.equal(hash.digest('hex'), expected.digest('hex'), 'every chunk arrives as it was when yielded');
  const peakMB = Number(err) / 2 ** 20;
  assert.ok(peakMB <= 3, `at most ${peakMB.toFixed(1)} MiB queued in the writer for 64 MiB written`);
});

test('writeChunks: a producer that reuses one buffer for every byte chunk still gets each written intact', async () => {
  const { PassThrough } = await import('node:stream');
  const sink = new PassThrough({ highWaterMark: 1024 });
  const received: Buffer[] = [];
  // Read slowly so writes are queued, not written through at once.
  const done = (async () => {
    for await (const d of sink) {
      received.push(d as Buffer);
      await new Promise((r) => setTimeout(r, 0));
    }
  })();
  const buf = Buffer.alloc(3000);
  function* chunks() {
    for (let i = 0; i < 200; i++) {
      buf.fill(65 + (i % 26));
      yield buf.subarray(0, 1000 + i);
      if (i % 50 === 0) yield `<${i}>`;
    }
  }
  await writeChunks(sink, chunks());
  sink.end();
  await done;
  let expected = '';
  for (let i = 0; i < 200; i++) {
    expected += String.fromCharCode(65 + (i % 26)).repeat(1000 + i);
    if (i % 50 === 0) expected += `<${i}>`;
  }
  const got = Buffer.concat(received).toString();
  assert.equal(got.length, expected.length);
  assert.ok(got === expected, 'the bytes of each chunk as they were when it was yielded');
});

// Writes the V8 code cache of a freshly built CLI bundle: loads `<dir>/cli.cjs`, runs the everyday commands once on
// the bundled example (output discarded), and saves what V8 compiled to `<dir>/cli.cjs.cache`. Run by
// scripts/build.mjs in a child process, so the cache is made under the same Node and V8 flags as a normal run.
// Plain JS: it runs during `npm ci`, before tsx is of any use.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { BUNDLE, loadBundle } from '../bin/bundle-run.js';

const dir = resolve(process.argv[2]);
const root = resolve(process.argv[3] ?? '.');
const bundle = loadBundle(join(dir, 'cli.cjs'), join(dir, 'cli.cjs.cache'), join(root, BUNDLE));
const sink = () => new Writable({ write: (_chunk, _enc, done) => done() });
const work = mkdtempSync(join(tmpdir(), 'otz-warm-'));
try {
  const model = join(root, 'examples/refinery-unit3.yaml');
  const capture = join(work, 'warm.pcap');
  writeFileSync(capture, warmCapture());
  const nft = join(work, 'warm.nft');
  const runs = [
    ['--help'],
    ['validate', model],
    ['validate', model, '--format', 'json'],
    ['compile', model, '--target', 'nftables'],
    ['compile', model, '--target', 'all', '--out', join(work, 'out')],
    ['verify', model, '--config', nft],
    ['baseline', model, capture],
    ['baseline', model, capture, '--format', 'json'],
  ];
  for (const argv of runs) {
    let text = '';
    const stdout = new Writable({
      write: (chunk, _enc, done) => {
        if (argv[0] === 'compile' && argv.includes('nftables')) text += chunk;
        done();
      },
    });
    await bundle.exports.main(argv, { stdout, stderr: sink(), cwd: root, env: process.env });
    if (text) writeFileSync(nft, text);
  }
  process.exitCode = 0; // commands set exit codes for their findings; the warm-up itself succeeded
  bundle.writeCache();
} finally {
  rmSync(work, { recursive: true, force: true });
}

/**
 * A few packets for `baseline` to decode: a Modbus read and its answer between two of the example's
 * addresses, and a DNS query (UDP), as a classic pcap of Ethernet frames.
 */
function warmCapture() {
  const frames = [
    tcp([10, 30, 1, 10], 40001, [10, 20, 1, 10], 502, 1000, 0x02, []),
    tcp([10, 20, 1, 10], 502, [10, 30, 1, 10], 40001, 5000, 0x12, []),
    tcp([10, 30, 1, 10], 40001, [10, 20, 1, 10], 502, 1001, 0x18, [0, 1, 0, 0, 0, 6, 1, 3, 0, 0, 0, 2]),
    tcp([10, 20, 1, 10], 502, [10, 30, 1, 10], 40001, 5001, 0x18, [0, 1, 0, 0, 0, 7, 1, 3, 4, 0, 1, 0, 2]),
    udp([10, 30, 1, 20], 53001, [10, 40, 1, 5], 53, [0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0]),
  ];
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(65535, 16);
  header.writeUInt32LE(1, 20);
  const parts = [header];
  frames.forEach((f, i) => {
    const rec = Buffer.alloc(16);
    rec.writeUInt32LE(1_770_000_000 + i, 0);
    rec.writeUInt32LE(f.length, 8);
    rec.writeUInt32LE(f.length, 12);
    parts.push(rec, f);
  });
  return Buffer.concat(parts);
}

function ip(proto, src, dst, l4) {
  const h = Buffer.alloc(20);
  h[0] = 0x45;
  h.writeUInt16BE(20 + l4.length, 2);
  h[8] = 64;
  h[9] = proto;
  Buffer.from(src).copy(h, 12);
  Buffer.from(dst).copy(h, 16);
  const eth = Buffer.alloc(14);
  eth.writeUInt16BE(0x0800, 12);
  eth[5] = 1;
  eth[11] = 2;
  return Buffer.concat([eth, h, l4]);
}

function tcp(src, sport, dst, dport, seq, flags, payload) {
  const t = Buffer.alloc(20 + payload.length);
  t.writeUInt16BE(sport, 0);
  t.writeUInt16BE(dport, 2);
  t.writeUInt32BE(seq, 4);
  t[12] = 5 << 4;
  t[13] = flags;
  t.writeUInt16BE(8192, 14);
  Buffer.from(payload).copy(t, 20);
  return ip(6, src, dst, t);
}

function udp(src, sport, dst, dport, payload) {
  const u = Buffer.alloc(8 + payload.length);
  u.writeUInt16BE(sport, 0);
  u.writeUInt16BE(dport, 2);
  u.writeUInt16BE(8 + payload.length, 4);
  Buffer.from(payload).copy(u, 8);
  return ip(17, src, dst, u);
}

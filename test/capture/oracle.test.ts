/**
 * tshark as the oracle: on every capture of ../shared/corpus/pcap (Zeek's test traces, see SOURCES.md there),
 * per-conversation packet and byte counts (`-z conv,tcp`, `-z conv,udp`) and Modbus function-code counts
 * (`-Y modbus -T fields -e modbus.func_code`) must agree with ours. The few differences are explained below
 * and pinned, so a change in either direction fails.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CORPUS } from '../helpers/paths.ts';
import { readCaptures } from '../../src/capture/index.ts';
import { convKey, tsharkConversations, tsharkDnp3Codes, tsharkModbusCodes, tsharkSkipReason } from './tshark.ts';

const DIR = join(CORPUS, 'pcap');
const FILES = readdirSync(DIR).filter((f) => /\.pcap(ng)?$/.test(f)).sort();

/**
 * Known, explained differences (file → kind → conversation → [ours, tshark]): none left. The two fragmented
 * captures (ipv4_fragmented-1.pcap, ipv6-fragmented-dns.pcap) differed while fragments were only counted; with
 * reassembly, a datagram is attributed to the frame that completes it, as tshark does, and they agree.
 */
const EXPLAINED: Record<string, Record<string, [{ frames: number; bytes: number }, { frames: number; bytes: number }]>> = {};

/**
 * modbus_fuzz-72.pcap is Zeek's fuzzing trace: ADUs with garbage lengths. tshark keeps reassembling across the
 * garbage and decodes other codes than we do; we stop framing a direction at the first impossible MBAP header
 * (protocol id ≠ 0 or length outside 2..254) and resume at the next segment boundary, with a warning (ZC853).
 * Its sequence numbers are fuzzed too: 27 segments arrive "ahead of a gap" and are held and replayed in
 * sequence order (tshark's default does not reorder). Both results are pinned.
 */
const FUZZ_OURS = { 29: 1, 32: 1, 33: 1, 35: 1, 36: 1, 37: 1, 38: 1, 43: 1, 46: 1, 47: 2, 50: 1, 51: 1, 53: 1, 54: 1, 58: 1, 59: 1, 66: 1, 70: 1, 71: 1 };
const FUZZ_TSHARK = { 29: 1, 32: 1, 33: 1, 35: 1, 36: 1, 37: 1, 43: 1, 46: 1, 47: 1, 50: 1, 52: 1, 54: 1, 63: 1, 65: 1, 70: 1, 71: 2 };

const skip = tsharkSkipReason();

for (const f of FILES) {
  test(`conversations and Modbus codes agree with tshark: ${f}`, { skip }, async () => {
    const path = join(DIR, f);
    const r = await readCaptures([path], { perConversation: true });
    let compared = 0;
    // tshark cannot open a pcap with no packets at all ("unreadable by tshark", SOURCES.md); nothing to compare.
    const both = f === 'empty.pcap' ? { tcp: new Map(), udp: new Map() } : tsharkConversations(path);
    for (const kind of ['tcp', 'udp'] as const) {
      const ts = both[kind];
      const ours = new Map<string, { frames: number; bytes: number }>();
      for (const o of r.observations) if (o.transport === kind) ours.set(convKey(o.src, o.srcPort, o.dst, o.dstPort), { frames: o.packetsOut + o.packetsIn, bytes: o.bytesOut + o.bytesIn });
      assert.deepEqual([...ours.keys()].sort(), [...ts.keys()].sort(), `${kind} conversations`);
      for (const [k, t] of ts) {
        const mine = ours.get(k)!;
        const explained = EXPLAINED[f]?.[k];
        if (explained) {
          assert.deepEqual([mine, { frames: t.frames, bytes: t.bytes }], explained, `explained difference still as pinned: ${k}`);
          continue;
        }
        assert.equal(mine.frames, t.frames, `${k} frames`);
        if (t.bytes !== null) assert.equal(mine.bytes, t.bytes, `${k} bytes`);
        compared++;
      }
    }
    const tm = f === 'empty.pcap' ? new Map<number, number>() : tsharkModbusCodes(path);
    const mm = new Map<number, number>();
    for (const o of r.observations) {
      if (o.protocol !== 'modbus') continue;
      for (const m of [o.requestCodes, o.responseCodes]) for (const [c, n] of Object.entries(m)) mm.set(Number(c) & 0x7f, (mm.get(Number(c) & 0x7f) ?? 0) + n);
    }
    const obj = (m: Map<number, number>) => Object.fromEntries([...m].sort((a, b) => a[0] - b[0]));
    if (f === 'modbus_fuzz-72.pcap') {
      assert.deepEqual(obj(mm), FUZZ_OURS);
      assert.deepEqual(obj(tm), FUZZ_TSHARK);
    } else {
      assert.deepEqual(obj(mm), obj(tm), 'Modbus function codes (requests and responses, exception bit masked as tshark shows it)');
    }
    if (f.startsWith('modbus_modbusSmall')) assert.ok(compared >= 10 && mm.size > 0, 'the main Modbus trace is really compared');
  });
}

/**
 * DNP3 application function codes of every link frame (several per segment or datagram), per conversation and
 * direction: tshark `-e dnp3.al.func` with the frame's addresses and ports. tshark reports a code when it has
 * reassembled the application fragment (at the FIN frame), we at the FIR frame; the counts agree whenever the
 * fragment completes.
 */
function tsharkDnp3PerDirection(file: string): Record<string, Record<number, number>> {
  const r = spawnSync('timeout', ['15', 'tshark', '-n', '-r', file, '-Y', 'dnp3.al.func', '-T', 'fields', '-e', 'ip.src', '-e', 'ipv6.src', '-e', 'tcp.srcport', '-e', 'udp.srcport', '-e', 'ip.dst', '-e', 'ipv6.dst', '-e', 'tcp.dstport', '-e', 'udp.dstport', '-e', 'dnp3.al.func'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const out: Record<string, Record<number, number>> = {};
  for (const line of r.stdout.split('\n')) {
    if (!line.trim()) continue;
    const [s4, s6, st, su, d4, d6, dt, du, funcs] = line.split('\t');
    const k = `${s4 || s6}:${st || su} > ${d4 || d6}:${dt || du}`;
    const m = (out[k] ??= {});
    for (const v of funcs.split(',')) m[Number(v)] = (m[Number(v)] ?? 0) + 1;
  }
  return out;
}

for (const f of FILES.filter((x) => x.startsWith('dnp3_'))) {
  test(`DNP3 application function codes of every frame agree with tshark, per direction: ${f}`, { skip }, async () => {
    const path = join(DIR, f);
    const r = await readCaptures([path], { perConversation: true });
    const m: Record<string, Record<number, number>> = {};
    for (const o of r.observations) {
      if (o.protocol !== 'dnp3') continue;
      const fwd = `${o.src}:${o.srcPort} > ${o.dst}:${o.dstPort}`;
      const back = `${o.dst}:${o.dstPort} > ${o.src}:${o.srcPort}`;
      if (Object.keys(o.requestCodes).length) m[fwd] = Object.fromEntries(Object.entries(o.requestCodes).map(([k, n]) => [Number(k), n]));
      if (Object.keys(o.responseCodes).length) m[back] = Object.fromEntries(Object.entries(o.responseCodes).map(([k, n]) => [Number(k), n]));
    }
    const ts = tsharkDnp3PerDirection(path);
    if (f === 'dnp3_dnp3-flowbuffer-overflow-assert.pcap') {
      // Zeek's overflow trace: 17 link frames in 4 segments (5 in the first), one transport segment with FIR and
      // then never FIN. tshark reassembles the application fragment and decodes its function code only when the
      // fragment completes (never here); we read the code from the first segment (FIR), as a passive classifier
      // must, and the 16 frames without FIR carry none. Both pinned.
      assert.deepEqual([m, ts], [{ '192.0.2.2:20000 > 192.0.2.1:40000': { 0: 1 } }, {}]);
      assert.deepEqual(tsharkDnp3Codes(path), {});
      return;
    }
    assert.deepEqual(m, ts);
    assert.ok(Object.keys(ts).length > 0, 'the trace has DNP3 application codes');
  });
}

/**
 * S7comm, EtherNet/IP (CIP) and OPC UA: the corpus holds no capture that tshark dissects as any of them (nor
 * any COTP), so their codes are compared with tshark on a capture built by test/capture/pdus.test.ts instead.
 * This fails when a capture with them is added to the corpus, so that a comparison is written for it.
 */
test('the corpus has no S7comm, EtherNet/IP or OPC UA traffic (per tshark and per our classifier)', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'otz-corpus-'));
  try {
    const all = join(dir, 'all.pcapng');
    const files = FILES.filter((f) => f !== 'empty.pcap').map((f) => join(DIR, f));
    const mc = spawnSync('timeout', ['15', 'mergecap', '-w', all, ...files], { encoding: 'utf8' });
    assert.equal(mc.status, 0, mc.stderr);
    const r = spawnSync('timeout', ['15', 'tshark', '-n', '-r', all, '-Y', 's7comm || cotp || enip || cip || opcua', '-T', 'fields', '-e', 'frame.protocols'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), '', 'tshark finds S7comm/ENIP/OPC UA frames: compare their codes in this file');
    const ours = await readCaptures(files, { perConversation: true });
    assert.deepEqual(ours.observations.filter((o) => ['s7comm', 'enip', 'opcua'].includes(o.protocol)).map((o) => `${o.protocol} ${o.src}:${o.srcPort}`), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

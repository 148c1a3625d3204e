/**
 * Zeek logs and firewall syslog from ../shared/corpus (zeek/: Zeek's btest baselines; syslog/: Elastic and
 * logstash test lines, see the SOURCES.md files there): the connection facts read from them, line by line.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CORPUS, EXAMPLE } from '../helpers/paths.ts';
import { readLogFile, detectLogKind } from '../../src/logs/index.ts';
import { parseZeek } from '../../src/logs/zeek.ts';
import { readCaptures } from '../../src/capture/index.ts';
import { runCli } from '../helpers/cli.ts';

const Z = join(CORPUS, 'zeek');
const S = join(CORPUS, 'syslog');

test('every corpus log is detected by content and read without errors', () => {
  for (const d of [Z, join(S, 'asa'), join(S, 'fortigate'), join(S, 'netfilter')]) {
    for (const f of readdirSync(d).filter((x) => !x.endsWith('.md'))) {
      const r = readLogFile(join(d, f), f);
      assert.equal(r.kind, d === Z ? 'zeek' : 'syslog', f);
      assert.ok(r.records > 0, `${f}: records read`);
      assert.deepEqual(r.diagnostics.filter((x) => x.severity !== 'info'), [], f);
      for (const x of r.diagnostics) assert.ok(x.line! >= 1, `${f}: skipped lines carry a line number`);
    }
  }
});

test('Zeek conn.log: orientation, packets and IP bytes per direction, service', () => {
  const r = readLogFile(join(Z, 'modbus.modbus_and_non_modbus_on_port_502__conn.log'), 'conn.log');
  const o = r.observations[0];
  // 10.0.0.9 3082 → 10.0.0.3 502 tcp modbus … orig_pkts 16, orig_ip_bytes 720, resp_pkts 9, resp_ip_bytes 437
  assert.deepEqual(
    [o.src, o.srcPort, o.dst, o.dstPort, o.transport, o.protocol, o.packetsOut, o.bytesOut, o.packetsIn, o.bytesIn, o.line],
    ['10.0.0.9', 3082, '10.0.0.3', 502, 'tcp', 'modbus', 16, 720, 9, 437, 10],
  );
  assert.ok(Number.isNaN(o.first), 'masked timestamps (XXXXXXXXXX.XXXXXX) are unknown, not zero');
  assert.equal(r.observations[1].protocol, 'dce_rpc', 'Zeek says the second 502 connection is DCE/RPC, not Modbus');
});

test('Zeek modbus.log agrees with our decoding of the same trace', async () => {
  // modbus.log of Zeek's modbus_and_non_modbus_on_port_502 test = ../corpus/pcap/modbus_modbus-and-non-modbus-p502.pcap
  const log = readLogFile(join(Z, 'modbus.modbus_and_non_modbus_on_port_502__modbus.log'), 'modbus.log');
  const fromLog: Record<number, number> = {};
  for (const o of log.observations) for (const [k, n] of Object.entries(o.requestCodes)) fromLog[Number(k)] = (fromLog[Number(k)] ?? 0) + n;
  assert.deepEqual(fromLog, { 1: 2, 3: 1, 5: 2, 6: 1 });
  const cap = await readCaptures([join(CORPUS, 'pcap/modbus_modbus-and-non-modbus-p502.pcap')]);
  const flow = cap.observations.find((o) => o.src === '10.0.0.9' && o.dst === '10.0.0.3')!;
  assert.deepEqual(flow.requestCodes, fromLog);
  // And Zeek's DCE/RPC-on-502 connections are not Modbus for us either.
  assert.ok(cap.observations.filter((o) => o.dst === '192.168.10.111' && o.dstPort === 502).every((o) => o.protocol !== 'modbus'));
});

test('Zeek modbus.log exceptions and unknown function codes', () => {
  const r = readLogFile(join(Z, 'modbus.exception_handling__modbus.log'), 'm.log');
  assert.equal(r.records, 15);
  assert.ok(r.observations.some((o) => Object.keys(o.requestCodes).length || Object.keys(o.responseCodes).length));
});

test('Zeek JSON lines read like TSV', () => {
  const tsv = readFileSync(join(Z, 'opt.basic__conn.log'), 'utf8');
  const fromTsv = parseZeek(tsv, 'x').observations;
  const fields = tsv.split('\n').find((l) => l.startsWith('#fields'))!.split('\t').slice(1);
  const json = tsv
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const cols = l.split('\t');
      const o: Record<string, unknown> = {};
      fields.forEach((f, i) => {
        if (cols[i] === '-') return;
        o[f] = /^\d+$/.test(cols[i]) ? Number(cols[i]) : cols[i];
      });
      return JSON.stringify(o);
    })
    .join('\n');
  assert.equal(detectLogKind(json), 'zeek');
  // Real timestamps, as epoch seconds and as ISO 8601 (json_timestamps = JSON::TS_ISO8601).
  const row = { ts: 1771833600.25, uid: 'C1', 'id.orig_h': '10.30.1.50', 'id.orig_p': 40001, 'id.resp_h': '10.20.1.10', 'id.resp_p': 502, proto: 'tcp', duration: 2 };
  const epoch = parseZeek(JSON.stringify(row), 'x').observations[0];
  const iso = parseZeek(JSON.stringify({ ...row, ts: '2026-02-23T08:00:00.250000Z' }), 'x').observations[0];
  assert.deepEqual([epoch.first, epoch.last], [1771833600250000, 1771833602250000]);
  assert.deepEqual([iso.first, iso.last], [epoch.first, epoch.last]);
  const fromJson = parseZeek(json, 'x').observations;
  assert.equal(fromJson.length, 34);
  assert.deepEqual(
    fromJson.map(({ line: _l, ...o }) => o),
    fromTsv.map(({ line: _l, ...o }) => o),
  );
});

test('ASA: built/teardown orientation, 106023 denies, 106100 hit counts', () => {
  const r = readLogFile(join(S, 'asa/elastic-test-asa.log'), 'asa.log');
  // line 2: Built outbound TCP connection 11757 for outside:100.66.205.104/80 … to inside:172.31.98.44/1772:
  // outbound = the inside host opened it.
  const b = r.observations.find((o) => o.line === 2)!;
  assert.deepEqual([b.src, b.srcPort, b.dst, b.dstPort, b.action], ['172.31.98.44', 1772, '100.66.205.104', 80, 'allowed']);
  // line 3: Teardown without its Built: oriented to the server port, bytes 38110.
  const t = r.observations.find((o) => o.line === 3)!;
  assert.deepEqual([t.src, t.dst, t.dstPort, t.bytesOut], ['172.31.98.44', '100.66.211.242', 80, 38110]);
  const s = readLogFile(join(S, 'asa/elastic-test-sample.log'), 's.log');
  const denies = s.observations.filter((o) => o.action === 'denied');
  assert.ok(denies.length >= 3);
  // "Deny tcp src dmz:10.1.2.30/63016 dst outside:192.168.0.8/53 type 3, code 0, by access-group" (line 2)
  const d2 = denies.find((o) => o.line === 2)!;
  assert.deepEqual([d2.src, d2.dst, d2.dstPort], ['10.1.2.30', '192.168.0.8', 53]);
  // line 3: "%ASA-session-5-106100: access-list acl_in permitted tcp inside/10.1.2.16(2241) -> outside/192.168.0.89(2000) hit-cnt 1"
  const p3 = s.observations.find((o) => o.line === 3)!;
  assert.deepEqual([p3.src, p3.srcPort, p3.dst, p3.dstPort, p3.action, p3.connections], ['10.1.2.16', 2241, '192.168.0.89', 2000, 'allowed', 1]);
  const hits = readLogFile(join(S, 'asa/elastic-test-additional-messages.log'), 'a.log').observations.filter((o) => o.connections > 1);
  assert.ok(hits.length === 0 || hits.every((o) => o.action !== undefined));
});

test('FortiGate traffic logs and netfilter log-prefix lines', () => {
  const f = readLogFile(join(S, 'fortigate/elastic-test-fortinet.log'), 'f.log');
  // line 2: srcip=10.10.10.10 srcport=60899 dstip=67.43.156.13 dstport=161 proto=17 action="deny"
  const o = f.observations.find((x) => x.line === 2)!;
  assert.deepEqual([o.src, o.dst, o.transport, o.dstPort, o.action], ['10.10.10.10', '67.43.156.13', 'udp', 161, 'denied']);
  const n = readLogFile(join(S, 'netfilter/logstash-patterns-core-spec-lines.log'), 'n.log');
  // line 2: "SFW2-INext-ACC-TCP … SRC=192.168.0.101 DST=192.168.0.100 … PROTO=TCP SPT=59282 DPT=631 … SYN"
  const a = n.observations.find((x) => x.line === 2)!;
  assert.deepEqual([a.src, a.dst, a.dstPort, a.action, a.packetsOut, a.bytesOut], ['192.168.0.101', '192.168.0.100', 631, 'allowed', 1, 60]);
  const d = n.observations.find((x) => x.line === 1)!;
  assert.equal(d.action, 'denied');
  // iptables-raw line 1: an ACK from 67.43.156.15:38842 to 10.4.0.5:443 — a reply? No: the server port is 443, so
  // the logged packet already goes client → server.
  const raw = readLogFile(join(S, 'netfilter/elastic-test-iptables-raw.log'), 'r.log').observations[0];
  assert.deepEqual([raw.src, raw.dst, raw.dstPort, raw.action], ['67.43.156.15', '10.4.0.5', 443, 'denied']);
});

test('CLI: logs and captures together; firewall outcomes on the flows; unknown input exit 2', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'otz-logs-'));
  try {
    const fw = join(dir, 'isa.log');
    // Monitor-mode ISA-3000 lines about the example plant: the historian's legitimate poll, and a denied write path.
    writeFileSync(
      fw,
      [
        'Feb 23 2026 08:00:01 isa3000: %ASA-6-302013: Built inbound TCP connection 1 for zone-ops:10.30.1.50/40001 (10.30.1.50/40001) to zone-bpcs:10.20.1.10/502 (10.20.1.10/502)',
        'Feb 23 2026 08:00:02 isa3000: %ASA-4-106023: Deny tcp src zone-ent:10.40.3.25/51000 dst zone-bpcs:10.20.2.12/3389 by access-group "ent_in" [0x0, 0x0]',
        'Feb 23 2026 08:05:00 isa3000: %ASA-6-106100: access-list ent_in permitted tcp zone-ent/10.40.3.25(51001) -> zone-bpcs/10.20.2.12(3389) hit-cnt 3 first hit [0x0, 0x0]',
        '',
      ].join('\n'),
    );
    const r = await runCli(['baseline', EXAMPLE, fw, '--format', 'json']);
    assert.equal(r.code, 1, r.stderr);
    const j = JSON.parse(r.stdout) as { flows: { src: string; verdict: string; firewall?: unknown; evidence: string; reasons: string[] }[] };
    assert.deepEqual(
      j.flows.map((f) => [f.src, f.verdict, f.reasons, f.firewall, f.evidence]),
      [
        ['10.30.1.50', 'allowed', [], { allowed: 1, denied: 0 }, `${fw}:1`],
        ['10.40.3.25', 'violation', ['no-conduit'], { allowed: 3, denied: 1 }, `${fw}:2`],
      ],
    );
    const text = (await runCli(['baseline', EXAMPLE, fw])).stdout;
    assert.match(text, /Firewall logs against the conduits: 0 legitimate flow\(s\) the firewall denied or would deny \(enforcement breaks them\), 1 violation\(s\) the firewall let through\n {2}let through: 10\.40\.3\.25 \(ENT-USERS\) -> 10\.20\.2\.12 \(HMI-02\) {2}tcp\/3389 no-conduit \(3 allowed record\(s\), /);
    // The same log ingested twice into a store: firewall outcomes add up per flow.
    const store = join(dir, 'fw.duckdb');
    await runCli(['baseline', EXAMPLE, fw, '--store', store]);
    const twice = JSON.parse((await runCli(['baseline', EXAMPLE, fw, '--store', store, '--format', 'json'])).stdout) as typeof j;
    assert.deepEqual(
      twice.flows.map((f) => [f.src, f.verdict, f.firewall]),
      [
        ['10.30.1.50', 'allowed', { allowed: 2, denied: 0 }],
        ['10.40.3.25', 'violation', { allowed: 6, denied: 2 }],
      ],
    );
    const junk = join(dir, 'notes.txt');
    writeFileSync(junk, 'hello\nworld\n');
    const u = await runCli(['baseline', EXAMPLE, junk]);
    assert.equal(u.code, 2);
    assert.match(u.stdout + u.stderr, /notes\.txt: byte offset 0: not a pcap\/pcapng capture, a Zeek log or firewall syslog/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

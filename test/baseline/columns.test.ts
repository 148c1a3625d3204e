/**
 * The baseline result keeps its flows in columns: the record accessors, the lazily built arrays, the
 * record JSON made straight from the columns, the violation order and the summary must all tell the same
 * story. Checked on the planted plant capture plus real firewall syslog and Zeek logs (firewall counts,
 * several verdicts, unzoned addresses).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXAMPLE, CORPUS } from '../helpers/paths.ts';
import { loadModelFile } from '../../src/model/load.ts';
import { readCaptures } from '../../src/capture/index.ts';
import { readLogFile } from '../../src/logs/index.ts';
import { runBaseline, REASON_ORDER } from '../../src/baseline/index.ts';
import { formatBaselineJson } from '../../src/baseline/format.ts';
import { generateCapture } from '../../bench/gen-capture.ts';

const dir = mkdtempSync(join(tmpdir(), 'otz-columns-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

test('columnar baseline result: accessors, arrays, JSON, order and summary agree', async () => {
  const pcap = join(dir, 'planted.pcap');
  generateCapture({ out: pcap, bytes: 2e7, format: 'pcap', scenario: 'planted' });
  const model = loadModelFile(EXAMPLE).model!;
  const cap = await readCaptures([pcap]);
  const logs = ['syslog/asa/elastic-test-asa.log', 'syslog/fortigate/elastic-test-fortinet.log', 'zeek/modbus.modbus_and_non_modbus_on_port_502__conn.log'].flatMap((p) => readLogFile(join(CORPUS, p), p, p.startsWith('zeek') ? 'zeek' : 'syslog').observations);
  assert.ok(logs.some((o) => o.action), 'the syslog sample carries firewall outcomes');
  const r = runBaseline({ model, flows: cap.flows, observations: logs, inputs: 3 });

  assert.ok(r.flowCount > 40, `${r.flowCount} flows`);
  assert.equal(r.flows.length, r.flowCount);
  assert.equal(r.violations.length, r.violationCount);
  const verdicts = new Set<string>();
  let fw = 0;
  for (let i = 0; i < r.flowCount; i++) {
    const f = r.flowAt(i);
    assert.deepEqual(f, r.flows[i]);
    assert.equal(r.flowJsonAt(i), JSON.stringify(f), `record ${i} JSON`);
    assert.equal(r.verdictAt(i), f.verdict);
    assert.deepEqual(r.firewallAt(i), f.firewall);
    assert.equal(r.hasNotesAt(i), !!f.notes);
    verdicts.add(f.verdict);
    if (f.firewall) fw++;
  }
  assert.deepEqual([...verdicts].sort(), ['allowed', 'intra-zone', 'violation']);
  assert.ok(fw > 0, 'some flows carry firewall counts');
  // Output order: by initiator, responder (numerically), transport, port; violations worst reason first, then packets.
  for (let k = 0; k < r.violationCount; k++) {
    const v = r.violationAt(k);
    assert.deepEqual(v, r.flows[r.violationIndex(k)]);
    assert.equal(r.violationJsonAt(k), JSON.stringify(v));
    if (k === 0) continue;
    const p = r.violationAt(k - 1);
    const rank = (f: typeof v) => Math.min(...f.reasons.map((x) => REASON_ORDER.indexOf(x)));
    assert.ok(rank(p) < rank(v) || (rank(p) === rank(v) && (p.packets > v.packets || (p.packets === v.packets && r.violationIndex(k - 1) < r.violationIndex(k)))), `violation ${k} order`);
  }
  const count = (verdict: string) => r.flows.filter((f) => f.verdict === verdict).length;
  assert.equal(r.summary.flows, r.flowCount);
  assert.equal(r.summary.intra_zone, count('intra-zone'));
  assert.equal(r.summary.allowed, count('allowed'));
  assert.equal(r.summary.violations, count('violation'));
  assert.equal(r.summary.packets, r.flows.reduce((a, f) => a + f.packets, 0));
  for (const reason of REASON_ORDER) assert.equal(r.summary.by_reason[reason], r.violations.filter((f) => f.reasons.includes(reason)).length, reason);
  // The whole document parses and lists the same records.
  const doc = JSON.parse(formatBaselineJson(r)) as { flows: unknown[]; violations: unknown[] };
  assert.deepEqual(doc.flows, JSON.parse(JSON.stringify(r.flows)));
  assert.deepEqual(doc.violations, JSON.parse(JSON.stringify(r.violations)));
});

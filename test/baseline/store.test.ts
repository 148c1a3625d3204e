/**
 * The DuckDB flow store: what two ingests store and `loadAll` reads back is the aggregation of both inputs,
 * function codes, application codes and firewall counts included, as one flow table of both would give.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FlowStore } from '../../src/baseline/store.ts';
import { FlowTable, type AggregatedFlow } from '../../src/capture/flow-table.ts';
import { emptyObservation, type Observation } from '../../src/capture/observation.ts';

const dir = mkdtempSync(join(tmpdir(), 'otz-store-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

function obs(i: number, extra: Partial<Observation>): Observation {
  return Object.assign(
    emptyObservation({ family: i % 5 === 0 ? 6 : 4, src: i % 5 === 0 ? `fd00::${i % 7}` : `10.0.${i % 3}.${i % 11}`, dst: `10.9.0.${i % 4}`, transport: i % 6 === 0 ? 'udp' : 'tcp', ipProto: 6, srcPort: 1000 + i, dstPort: [502, 20000, 443][i % 3], file: `in-${i % 2}.pcap` }),
    { protocol: ['modbus', 'dnp3', 'unknown'][i % 3], packetsOut: i, bytesOut: 10 * i, packetsIn: i % 4, bytesIn: 7 * i, first: 1.7e15 + i * 1000, last: 1.7e15 + i * 2000 },
    extra,
  );
}

const canonical = (f: AggregatedFlow) => ({
  ...f,
  evidence: undefined,
  requestCodes: Object.entries(f.requestCodes).sort(),
  responseCodes: Object.entries(f.responseCodes).sort(),
  appCodes: Object.entries(f.appCodes).sort(),
});

test('store: two ingests read back as one aggregation (codes, app codes, firewall counts)', async () => {
  const day1 = Array.from({ length: 300 }, (_, i) => obs(i, { requestCodes: { [[3, 6, 16][i % 3]]: 1 + (i % 4) }, responseCodes: i % 9 === 0 ? { 131: 1 } : {} }));
  const day2 = Array.from({ length: 200 }, (_, i) =>
    obs(i * 3, { requestCodes: { 3: 2 }, appCodes: i % 5 === 0 ? { 'job:read-var': 1, 'security:none': 2 } : {}, action: i % 4 === 0 ? 'denied' : i % 4 === 1 ? 'allowed' : undefined }),
  );
  const path = join(dir, 's.duckdb');
  const store = await FlowStore.open(path);
  try {
    await store.ingest(FlowTable.fromObservations(day1), 'day1');
    await store.ingest(day2, 'day2');
    const { flows, ingests } = await store.loadAll();
    assert.equal(ingests, 2);
    const expected = FlowTable.fromObservations([...day1, ...day2]);
    assert.equal(flows.size, expected.size);
    const byKey = new Map([...expected.records()].map((f) => [`${f.src}|${f.dst}|${f.transport}|${f.dstPort}`, f]));
    let withCodes = 0;
    for (const f of flows.records()) {
      const e = byKey.get(`${f.src}|${f.dst}|${f.transport}|${f.dstPort}`);
      assert.ok(e, `unexpected flow ${f.src} -> ${f.dst}`);
      assert.deepEqual(canonical(f), canonical(e));
      if (Object.keys(f.requestCodes).length) withCodes++;
    }
    assert.ok(withCodes > 50, `${withCodes} flows with function codes`);
  } finally {
    store.close();
  }
});

/**
 * The dashboard on real output of the other stages: a third-party capture from the corpus
 * (pcap/modbus_modbus-and-non-modbus-p502.pcap, Zeek project test trace, BSD) read by src/capture, classified by
 * src/baseline and printed by its JSON formatter — the same document `otzones baseline --format json` writes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCaptures } from '../../src/capture/index.ts';
import { runBaseline } from '../../src/baseline/index.ts';
import { formatBaselineJson } from '../../src/baseline/format.ts';
import { loadModelFile } from '../../src/index.ts';
import { createDashboard } from '../../src/web/server.ts';
import { CORPUS } from '../helpers/paths.ts';

const PCAP = join(CORPUS, 'pcap/modbus_modbus-and-non-modbus-p502.pcap');

// The capture's Modbus master 10.0.0.9 polls 10.0.0.3; scanners from the internet knock on 192.168.10.x:502.
const MODEL = `facility: "Corpus capture plant"
zones:
  - zone_id: Z-HMI
    name: "Operator HMIs"
    purdue_level: 2
    security_level_target: "SL 2"
    subnets: ["10.0.0.8/29"]
    allowed_conduits: [C-HMI-PLC]
  - zone_id: Z-PLC
    name: "Controllers"
    purdue_level: 1
    security_level_target: "SL 2"
    subnets: ["10.0.0.0/29"]
    allowed_conduits: [C-HMI-PLC]
  - zone_id: Z-FIELD
    name: "Remote field site"
    purdue_level: 1
    security_level_target: "SL 2"
    subnets: ["192.168.10.0/24"]
    allowed_conduits: []
conduits:
  - conduit_id: C-HMI-PLC
    name: "HMI to controllers, read only"
    connects: [Z-HMI, Z-PLC]
    security_level: "SL 2"
    protocols_allowed:
      - { protocol: modbus, port: 502, from: Z-HMI, to: Z-PLC, function_codes: [1, 3] }
`;

test('a real baseline of a corpus capture: matrix cell, violation reasons and unzoned scanners', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'otz-web-int-'));
  writeFileSync(join(dir, 'plant.yaml'), MODEL);
  const model = loadModelFile(join(dir, 'plant.yaml')).model!;
  const cap = await readCaptures([PCAP]);
  const result = runBaseline({ model, observations: cap.observations, inputs: 1, decode: cap.stats as unknown as Record<string, number> });
  writeFileSync(join(dir, 'baseline.json'), formatBaselineJson(result));

  const d = createDashboard({ model: 'plant.yaml', cwd: dir, baseline: 'baseline.json' });
  const get = async (p: string) => (await d.app.request(`http://127.0.0.1${p}`)).json();
  const meta = await get('/api/meta');
  assert.equal(meta.results.baseline.status, 'loaded', meta.results.baseline.error);

  const m = await get('/api/matrix');
  const cell = m.cells.find((c: { from: string; to: string }) => c.from === 'Z-HMI' && c.to === 'Z-PLC');
  assert.deepEqual(cell, { from: 'Z-HMI', to: 'Z-PLC', allowed: 1, conduits: ['C-HMI-PLC'], permitted: null, observed: 1, violations: 1, findings: 0 });
  // Every flow of the capture is in the file; those that are not HMI → PLC touch unzoned internet addresses.
  assert.equal(m.unzoned_flows, result.flows.length - 1);

  const c = await get('/api/matrix/cell?from=Z-HMI&to=Z-PLC');
  const f = c.flows.flows[0];
  assert.equal(f.src, '10.0.0.9');
  assert.equal(f.dst, '10.0.0.3');
  assert.deepEqual(f.reasons, ['function-code-not-allowed']);
  // Write single coil (5) and write single register (6) are outside the read-only conduit.
  assert.deepEqual(f.disallowed_function_codes, [5, 6]);
  assert.deepEqual(Object.keys(f.function_codes), ['1', '3', '5', '6']);
  assert.equal(f.evidence, PCAP);

  const scanners = await get('/api/flows?dst_zone=Z-FIELD&src_zone=-');
  assert.equal(scanners.total, result.flows.filter((x) => x.dst_zone === 'Z-FIELD' && x.src_zone === null).length);
  assert.ok(scanners.total >= 4);
  assert.ok(scanners.flows.every((x: { reasons: string[] }) => x.reasons.includes('unzoned-endpoint')));
});

test('--store: flows stored by the baseline are judged against the current model, again after each edit', async () => {
  const { FlowStore } = await import('../../src/baseline/store.ts');
  const { readStore } = await import('../../src/web/store.ts');
  const dir = mkdtempSync(join(tmpdir(), 'otz-web-store-'));
  writeFileSync(join(dir, 'plant.yaml'), MODEL);
  const store = await FlowStore.open(join(dir, 'plant.duckdb'));
  await store.ingest((await readCaptures([PCAP])).observations, PCAP);
  store.close();

  const stored = await readStore(join(dir, 'plant.duckdb'), 'plant.duckdb');
  assert.ok(stored.ok, !stored.ok ? stored.error : '');
  const d = createDashboard({ model: 'plant.yaml', cwd: dir, store: 'plant.duckdb' }, {}, stored);
  const get = async (p: string) => (await d.app.request(`http://127.0.0.1${p}`)).json();
  const meta = await get('/api/meta');
  assert.deepEqual([meta.results.baseline.status, meta.results.baseline.file], ['loaded', 'plant.duckdb']);
  let c = await get('/api/matrix/cell?from=Z-HMI&to=Z-PLC');
  assert.equal(c.flows.flows[0].verdict, 'violation');
  assert.deepEqual(c.flows.flows[0].disallowed_function_codes, [5, 6]);

  // Allow the writes in the model: the same stored flow is now allowed, without touching the store.
  writeFileSync(join(dir, 'plant.yaml'), MODEL.replace('function_codes: [1, 3]', 'function_codes: [1, 3, 5, 6]'));
  await d.reload();
  c = await get('/api/matrix/cell?from=Z-HMI&to=Z-PLC');
  assert.equal(c.flows.flows[0].verdict, 'allowed');
  const m = await get('/api/matrix');
  assert.equal(m.cells.find((x: { from: string; to: string }) => x.from === 'Z-HMI' && x.to === 'Z-PLC').violations, 0);
});

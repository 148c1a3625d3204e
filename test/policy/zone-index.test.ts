import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadModelFile, loadModelText } from '../../src/model/load.ts';
import { ZoneIndex } from '../../src/policy/zone-index.ts';
import { EXAMPLE } from '../helpers/paths.ts';

test('longest-prefix match over zone subnets and asset addresses in the example', () => {
  const idx = new ZoneIndex(loadModelFile(EXAMPLE).model!);
  assert.deepEqual(idx.lookupText('10.30.1.50'), { zoneId: 'Z3-OPS', assetId: 'HIST-01' });
  assert.deepEqual(idx.lookupText('10.30.1.49'), { zoneId: 'Z3-OPS' });
  assert.deepEqual(idx.lookupText('10.20.255.255'), { zoneId: 'Z2-BPCS' });
  assert.deepEqual(idx.lookupText('10.40.3.7'), { zoneId: 'Z5-ENT', assetId: 'ENT-USERS' });
  assert.deepEqual(idx.lookupText('10.40.4.7'), { zoneId: 'Z5-ENT' });
  assert.equal(idx.lookupText('192.0.2.1'), undefined, 'unzoned');
  assert.equal(idx.lookupText('10.21.0.0'), undefined);
});

test('nested and adjacent prefixes flatten into correct disjoint segments', () => {
  const m = loadModelText(
    `facility: t
zones:
  - zone_id: A
    subnets: [10.0.0.0/8, "2001:db8::/32"]
    assets:
      - { id: A1, ip: [10.1.0.0/16, "2001:db8::5"] }
      - { id: A2, ip: 10.1.2.3 }
      - { id: A3, ip: 10.255.255.255 }
  - zone_id: B
    subnets: [11.0.0.0/8]
`,
    't.yaml',
  ).model!;
  const idx = new ZoneIndex(m);
  const at = (ip: string) => idx.lookupText(ip);
  assert.deepEqual(at('10.0.0.0'), { zoneId: 'A' });
  assert.deepEqual(at('10.1.2.2'), { zoneId: 'A', assetId: 'A1' });
  assert.deepEqual(at('10.1.2.3'), { zoneId: 'A', assetId: 'A2' });
  assert.deepEqual(at('10.1.2.4'), { zoneId: 'A', assetId: 'A1' });
  assert.deepEqual(at('10.2.0.0'), { zoneId: 'A' });
  assert.deepEqual(at('10.255.255.254'), { zoneId: 'A' });
  assert.deepEqual(at('10.255.255.255'), { zoneId: 'A', assetId: 'A3' });
  assert.deepEqual(at('11.0.0.0'), { zoneId: 'B' });
  assert.deepEqual(at('2001:db8::5'), { zoneId: 'A', assetId: 'A1' });
  assert.deepEqual(at('2001:db8::6'), { zoneId: 'A' });
  const segs = idx.segments(4);
  for (let i = 1; i < segs.length; i++) assert.ok(segs[i - 1].hi < segs[i].lo, 'segments are sorted and disjoint');
});

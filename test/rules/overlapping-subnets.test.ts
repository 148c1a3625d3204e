import { overlappingSubnets } from '../../src/rules/overlapping-subnets.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateText } from '../../src/index.ts';
import { BASE, table } from './table.ts';

table(overlappingSubnets, [
  { name: 'disjoint subnets (adjacent ranges do not overlap)', yaml: BASE.replace('10.3.0.0/16', '10.3.0.0/16, 10.4.0.0/16') },
  {
    name: 'nested and partly overlapping subnets of different zones; overlap inside one zone is not this rule',
    yaml: `facility: t
zones:
  - { zone_id: A, subnets: [10.0.0.0/8, 10.1.0.0/16] }
  - { zone_id: B, subnets: [192.168.0.0/24, ⟨10.20.0.0/16] }
  - { zone_id: C, subnets: [⟨192.168.0.128/25] }
  - { zone_id: D, subnets: ["2001:db8::/32"] }
  - { zone_id: E, subnets: [⟨"2001:db8:1::/48", 172.16.0.0/12] }
`,
    expect: [
      { ids: ['B', 'A'], message: /subnet 10\.20\.0\.0\/16 of zone B overlaps subnet 10\.0\.0\.0\/8 of zone A/ },
      { ids: ['C', 'B'] },
      { ids: ['E', 'D'] },
    ],
  },
]);

test('overlapping-subnets: an invalid subnet before the overlapping one (reported by the loader) does not shift the position', () => {
  const r = validateText('facility: t\nzones:\n  - { zone_id: A, subnets: [10.0.0.0/8] }\n  - { zone_id: B, subnets: [10.0.0.300/8, 10.20.0.0/16] }\n', 'm.yaml');
  assert.deepEqual(
    r.diagnostics.filter((d) => d.code === 'ZC301' || d.code === 'ZC302').map((d) => [d.code, d.path, d.line, d.column]),
    [['ZC301', 'zones[1].subnets[0]', 4, 29], ['ZC302', 'zones[1].subnets[1]', 4, 43]],
  );
});

import { purdueLevelSkip } from '../../src/rules/purdue-level-skip.ts';
import { PLANT_ZONES, table } from './table.ts';

const LEVEL0 = `  - { zone_id: Z0, purdue_level: 0, subnets: [10.0.0.0/16] }
  - { zone_id: Z5, purdue_level: 5, subnets: [10.50.0.0/16] }
`;

table(purdueLevelSkip, [
  {
    name: 'adjacent levels (1-2 to 3), DMZ-terminated conduits, enterprise to enterprise',
    yaml: PLANT_ZONES + LEVEL0 + `conduits:
  - { conduit_id: C23, connects: [Z2, Z3], protocols_allowed: [{ protocol: https, from: Z2, to: Z3 }] }
  - { conduit_id: C2D, connects: [Z2, DMZ], protocols_allowed: [{ protocol: https, from: Z2, to: DMZ }] }
  - { conduit_id: C45, connects: [ENT, Z5], protocols_allowed: [{ protocol: https, from: ENT, to: Z5 }] }
  - { conduit_id: C02, connects: [Z0, Z2], protocols_allowed: [{ protocol: https, from: Z2, to: Z0 }] }
`,
  },
  {
    name: 'level 1 to 3 and level 0 to 3 skip; enterprise to level 3 is ZC403, not this rule',
    yaml: PLANT_ZONES + LEVEL0 + `conduits:
  - { conduit_id: C13, connects: [Z1, ⟨Z3], protocols_allowed: [{ protocol: https, from: Z3, to: Z1 }] }
  - { conduit_id: C03, connects: [Z0, ⟨Z3], protocols_allowed: [{ protocol: https, from: Z3, to: Z0 }] }
  - { conduit_id: CE3, connects: [ENT, Z3], protocols_allowed: [{ protocol: https, from: ENT, to: Z3 }] }
`,
    expect: [
      { ids: ['C13', 'Z1', 'Z3'], message: /conduit C13 joins Z1 \(level 1\) and Z3 \(level 3\), skipping a Purdue level/ },
      { ids: ['C03', 'Z0', 'Z3'], message: /skipping 2 Purdue levels/ },
    ],
  },
]);

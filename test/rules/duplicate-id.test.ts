import { duplicateId } from '../../src/rules/duplicate-id.ts';
import { BASE, table } from './table.ts';

table(duplicateId, [
  { name: 'distinct ids', yaml: BASE },
  {
    name: 'a zone id twice, and an asset reusing a conduit id',
    yaml: `facility: t
zones:
  - { zone_id: Z2, subnets: [10.2.0.0/16], assets: [{ id: PLC1, ip: 10.2.0.10 }] }
  - ⟨{ zone_id: Z2, subnets: [10.3.0.0/16], assets: [⟨{ id: C23, ip: 10.3.0.5 }] }
conduits:
  - { conduit_id: C23, connects: [Z2, Z9] }
`,
    expect: [{ ids: ['Z2'], message: /zone id "Z2" is already used by the zone at zones\[0\]/ }, { ids: ['C23'], message: /asset id "C23".*conduit/ }],
  },
]);

import { conduitTooFewZones } from '../../src/rules/conduit-too-few-zones.ts';
import { BASE, table } from './table.ts';

table(conduitTooFewZones, [
  { name: 'two distinct zones', yaml: BASE },
  {
    name: 'one zone, and the same zone twice',
    yaml: BASE + `  - { conduit_id: C2, connects: ⟨[Z2], protocols_allowed: [{ protocol: https, from: Z2, to: Z2 }] }
  - { conduit_id: C3, connects: ⟨[Z3, Z3], protocols_allowed: [{ protocol: https, from: Z3, to: Z3 }] }
`,
    expect: [{ ids: ['C2', 'Z2'], message: /conduit C2 connects only zone Z2/ }, { ids: ['C3', 'Z3'] }],
  },
]);

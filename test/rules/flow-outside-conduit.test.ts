import { flowOutsideConduit } from '../../src/rules/flow-outside-conduit.ts';
import { PLANT_ZONES, table } from './table.ts';

table(flowOutsideConduit, [
  {
    name: 'endpoints (zones and assets) inside the connected zones',
    yaml: PLANT_ZONES + `conduits:
  - { conduit_id: C23, connects: [Z2, Z3], protocols_allowed: [{ protocol: modbus, from: HIST, to: [Z2, PLC1], function_codes: [3] }] }
`,
  },
  {
    name: 'an asset of an unconnected zone, a zone in a list, and a seed direction',
    yaml: PLANT_ZONES + `conduits:
  - conduit_id: C23
    connects: [Z2, Z3]
    protocols_allowed:
      - { protocol: https, from: ⟨DHIST, to: HIST }
      - { protocol: https, from: Z2, to: [HIST, ⟨ENT] }
      - { protocol: https, direction: ⟨"DMZ -> Z3" }
`,
    expect: [
      { ids: ['C23', 'DHIST', 'DMZ'], message: /flow https of conduit C23 names DHIST \(zone DMZ\), but the conduit connects only Z2, Z3/ },
      { ids: ['C23', 'ENT'], message: /names zone ENT/ },
      { ids: ['C23', 'DMZ'] },
    ],
  },
]);

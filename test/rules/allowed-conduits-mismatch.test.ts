import { allowedConduitsMismatch } from '../../src/rules/allowed-conduits-mismatch.ts';
import { table } from './table.ts';

const model = (z1: string, z2: string, z3: string) => `facility: t
zones:
  - { zone_id: Z1, subnets: [10.1.0.0/16], allowed_conduits: ${z1} }
  - { zone_id: Z2, subnets: [10.2.0.0/16], allowed_conduits: ${z2} }
  - { zone_id: Z3, subnets: [10.3.0.0/16], allowed_conduits: ${z3} }
conduits:
  - conduit_id: C12
    connects: [Z1, Z2]
    protocols_allowed: [{ protocol: https, from: Z1, to: Z2 }]
  - conduit_id: C23
    connects: [Z2, Z3]
    protocols_allowed: [{ protocol: https, from: Z2, to: Z3 }]
`;

table(allowedConduitsMismatch, [
  { name: 'allowed_conduits equal connects', yaml: model('[C12]', '[C12, C23]', '[C23]') },
  { name: 'allowed_conduits absent: nothing to compare', yaml: model('[C12]', '[C12, C23]', '[C23]').replace(/, allowed_conduits: \[[^\]]*\]/g, '') },
  {
    name: 'a zone lists a conduit that does not connect it, and a conduit connects a zone that does not list it',
    yaml: model('[C12, ⟨C23]', '[C12]', '[C23]').replace('connects: [Z2, Z3]', 'connects: [⟨Z2, Z3]'),
    expect: [
      { ids: ['Z1', 'C23'], message: /zone Z1 lists conduit C23 in allowed_conduits, but C23 connects Z2, Z3 only/ },
      { ids: ['C23', 'Z2'], message: /conduit C23 connects zone Z2, but Z2's allowed_conduits does not list C23/ },
    ],
  },
  {
    name: 'an air-gapped zone (allowed_conduits: []) named by a conduit',
    yaml: model('[]', '[C12, C23]', '[C23]').replace('connects: [Z1, Z2]', 'connects: [⟨Z1, Z2]'),
    expect: [{ ids: ['C12', 'Z1'] }],
  },
]);

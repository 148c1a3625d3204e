import { duplicateAddress } from '../../src/rules/duplicate-address.ts';
import { BASE, table } from './table.ts';

table(duplicateAddress, [
  { name: 'distinct addresses (a host inside a group prefix is not a duplicate)', yaml: BASE.replace('ip: 10.2.0.10 }', 'ip: 10.2.0.10 }, { id: GRP, ip: 10.2.0.0/24 }') },
  {
    name: 'the same host in two zones, twice in one asset, and an equal IPv6 address written differently',
    yaml: `facility: t
zones:
  - zone_id: A
    assets:
      - { id: H1, ip: 10.0.0.1 }
      - { id: H2, ip: [10.0.0.2, ⟨10.0.0.2] }
      - { id: V6, ip: "2001:db8::1" }
  - zone_id: B
    assets:
      - { id: H3, ip: ⟨10.0.0.1 }
      - { id: V6B, ip: ⟨"2001:0db8:0::1" }
`,
    expect: [
      { ids: ['H2'], message: /asset H2 lists address 10\.0\.0\.2 twice/ },
      { ids: ['H3', 'H1'], message: /address 10\.0\.0\.1 of asset H3 is already used by asset H1 \(zone A\)/ },
      { ids: ['V6B', 'V6'] },
    ],
  },
]);

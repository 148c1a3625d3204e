import { assetOutsideZone } from '../../src/rules/asset-outside-zone.ts';
import { BASE, table } from './table.ts';

table(assetOutsideZone, [
  { name: 'every address inside its zone', yaml: BASE },
  { name: 'a zone without subnets is not checked', yaml: BASE.replace('subnets: [10.2.0.0/16], gateway: 10.2.0.1, ', '') },
  {
    name: 'a host in another zone, a group prefix wider than the zone, one of a list',
    yaml: `facility: t
zones:
  - zone_id: Z2
    subnets: [10.2.0.0/16]
    assets:
      - { id: PLC1, ip: ⟨10.3.0.10 }
      - { id: USERS, ip: ⟨10.2.0.0/15 }
      - { id: DUAL, ip: [10.2.0.11, ⟨192.168.1.1] }
      - { id: OK, ip: 10.2.255.255 }
`,
    expect: [
      { ids: ['PLC1', 'Z2'], message: /address 10\.3\.0\.10 of asset PLC1 is outside zone Z2's subnets \(10\.2\.0\.0\/16\)/ },
      { ids: ['USERS', 'Z2'] },
      { ids: ['DUAL', 'Z2'] },
    ],
  },
]);

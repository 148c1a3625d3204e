import { gatewayOutsideZone } from '../../src/rules/gateway-outside-zone.ts';
import { BASE, table } from './table.ts';

table(gatewayOutsideZone, [
  { name: 'gateways inside their zones', yaml: BASE },
  {
    name: "a gateway in another zone's subnet",
    yaml: BASE.replace('gateway: 10.3.0.1', 'gateway: ⟨10.2.0.1'),
    expect: [{ ids: ['Z3'], message: /gateway 10\.2\.0\.1 of zone Z3 is outside its subnets \(10\.3\.0\.0\/16\)/ }],
  },
  {
    name: 'an IPv6 gateway outside its zone',
    yaml: `facility: t
zones:
  - { zone_id: V6, subnets: ["fd00:1::/64"], gateway: ⟨"fd00:2::1" }
  - { zone_id: V6OK, subnets: ["fd00:3::/64"], gateway: "fd00:3::1" }
`,
    expect: [{ ids: ['V6'] }],
  },
]);

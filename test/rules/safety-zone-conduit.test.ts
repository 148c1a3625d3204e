import { safetyZoneConduit } from '../../src/rules/safety-zone-conduit.ts';
import { PLANT_ZONES, table } from './table.ts';

table(safetyZoneConduit, [
  {
    name: 'the safety zone is air-gapped',
    yaml: PLANT_ZONES + `conduits:
  - { conduit_id: C23, connects: [Z2, Z3], protocols_allowed: [{ protocol: https, from: Z2, to: Z3 }] }
`,
  },
  {
    name: 'a data diode out of the safety zone',
    yaml: PLANT_ZONES + `conduits:
  - { conduit_id: C12, connects: [Z1, Z2], diode: { from: Z1, to: Z2 }, protocols_allowed: [{ protocol: modbus, from: SIS1, to: PLC1, function_codes: [3], one_way: true }] }
`,
  },
  {
    name: 'a data diode into the safety zone is still a path in',
    yaml: PLANT_ZONES + `conduits:
  - { conduit_id: C21, connects: [Z2, ⟨Z1], diode: { from: Z2, to: Z1 }, protocols_allowed: [{ protocol: syslog, from: PLC1, to: SIS1, one_way: true }] }
`,
    expect: [{ ids: ['C21', 'Z1'] }],
  },
  {
    name: 'a conduit to a declared safety zone, and one to a zone that is safety only because it holds an sis asset',
    yaml: PLANT_ZONES.replace('{ id: HMI1, role: hmi, ip: 10.2.0.20 }', '{ id: HMI1, role: ews, ip: 10.2.0.20 }').replace(
      "{ id: HIST, role: historian, ip: 10.3.0.50 }",
      '{ id: HIST, role: historian, ip: 10.3.0.50 }, { id: SIS3, role: sis, ip: 10.3.0.99 }',
    ) + `conduits:
  - { conduit_id: C12, connects: [⟨Z1, Z2], protocols_allowed: [{ protocol: modbus, from: Z2, to: SIS1, function_codes: [3] }] }
  - { conduit_id: CD3, connects: [DMZ, ⟨Z3], protocols_allowed: [{ protocol: https, from: Z3, to: DHIST }] }
`,
    expect: [
      { ids: ['C12', 'Z1'], message: /conduit C12 connects safety zone Z1 \(declared `safety: true`\) to Z2/ },
      { ids: ['CD3', 'Z3'], message: /safety zone Z3 \(holds the sis asset SIS3\)/ },
    ],
  },
]);

import { enterpriseBypassesDmz } from '../../src/rules/enterprise-bypasses-dmz.ts';
import { PLANT_ZONES, table } from './table.ts';

table(enterpriseBypassesDmz, [
  {
    name: 'enterprise reaches the plant through the DMZ only',
    yaml: PLANT_ZONES + `conduits:
  - { conduit_id: C3D, connects: [Z3, DMZ], protocols_allowed: [{ protocol: https, from: Z3, to: DHIST }] }
  - { conduit_id: CDE, connects: [DMZ, ENT], protocols_allowed: [{ protocol: https, from: ENT, to: DHIST }] }
`,
  },
  {
    name: 'enterprise joined straight to operations, and a three-zone conduit that includes the DMZ but also BPCS',
    yaml: PLANT_ZONES + `conduits:
  - { conduit_id: CE3, connects: [ENT, ⟨Z3], protocols_allowed: [{ protocol: https, from: ENT, to: HIST }] }
  - { conduit_id: CX, connects: [ENT, DMZ, ⟨Z2], protocols_allowed: [{ protocol: https, from: ENT, to: DHIST }] }
`,
    expect: [
      { ids: ['CE3', 'ENT', 'Z3'], message: /conduit CE3 joins enterprise zone ENT \(level 4\) directly to Z3 \(level 3\), bypassing the DMZ/ },
      { ids: ['CX', 'ENT', 'Z2'], message: /Z2 \(levels 1-2\)/ },
    ],
  },
]);

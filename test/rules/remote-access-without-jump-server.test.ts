import { remoteAccessWithoutJumpServer } from '../../src/rules/remote-access-without-jump-server.ts';
import { PLANT_ZONES, table } from './table.ts';

table(remoteAccessWithoutJumpServer, [
  {
    name: 'RDP and SSH from enterprise to the DMZ jump server; remote access from operations is not enterprise',
    yaml: PLANT_ZONES + `conduits:
  - conduit_id: CDE
    connects: [DMZ, ENT]
    protocols_allowed:
      - { protocol: rdp, from: ENT, to: JUMP }
      - { protocol: ssh, from: USERS, to: JUMP }
      - { protocol: https, from: ENT, to: DHIST }
  - conduit_id: C3D
    connects: [Z3, DMZ]
    protocols_allowed:
      - { protocol: rdp, from: JUMP, to: HIST }
`,
  },
  {
    name: 'RDP to a DMZ historian, VNC to the whole DMZ, SSH into operations, a seed direction to the DMZ zone',
    yaml: PLANT_ZONES + `conduits:
  - conduit_id: CDE
    connects: [DMZ, ENT]
    protocols_allowed:
      - { protocol: rdp, from: ENT, to: [JUMP, ⟨DHIST] }
      - { protocol: vnc, from: USERS, to: ⟨DMZ }
      - protocol: RDP
        direction: ⟨"ENT -> DMZ (jump server with MFA)"
  - conduit_id: CE3
    connects: [ENT, Z3]
    protocols_allowed:
      - { protocol: ssh, from: ENT, to: ⟨HIST }
`,
    expect: [
      { ids: ['CDE', 'ENT', 'DHIST'], message: /^rdp from enterprise zone ENT reaches DHIST \(historian, zone DMZ\), not a jump server in the DMZ$/ },
      { ids: ['CDE', 'ENT', 'DMZ'], message: /vnc from enterprise zone ENT reaches every host of zone DMZ/ },
      { ids: ['CDE', 'ENT', 'DMZ'] },
      { ids: ['CE3', 'ENT', 'HIST'] },
    ],
  },
]);

import { cleartextProtocol } from '../../src/rules/cleartext-protocol.ts';
import { PLANT_ZONES, table } from './table.ts';

table(cleartextProtocol, [
  {
    name: 'encrypted protocols at SL 2; cleartext allowed at SL 1; RDP to a jump server; RDP under an MFA control',
    yaml: PLANT_ZONES + `conduits:
  - conduit_id: C23
    connects: [Z2, Z3]
    security_level: 2
    protocols_allowed:
      - { protocol: opcua, from: Z2, to: HIST, security_mode: SignAndEncrypt }
      - { protocol: https, from: Z3, to: Z2 }
      - { protocol: ssh, from: EWS3, to: PLC1 }
  - conduit_id: CDE
    connects: [DMZ, ENT]
    security_level: 1
    protocols_allowed:
      - { protocol: http, from: ENT, to: DHIST }
      - { protocol: rdp, from: ENT, to: DHIST }
  - conduit_id: C3D
    connects: [Z3, DMZ]
    security_level: 2
    protocols_allowed:
      - { protocol: rdp, from: Z3, to: JUMP }
  - conduit_id: C3D2
    connects: [Z3, DMZ]
    security_level: 2
    controls: ["MFA required for all remote access sessions"]
    protocols_allowed:
      - { protocol: rdp, from: Z3, to: DHIST }
`,
  },
  {
    name: 'telnet, http, ftp, OPC UA without security (absent and None), RDP to a server without MFA, on SL 2-3 conduits',
    yaml: PLANT_ZONES + `conduits:
  - conduit_id: C23
    connects: [Z2, Z3]
    security_level: { IAC: 1, UC: 1, SI: 3, DC: 1, RDF: 1, TRE: 1, RA: 1 }
    protocols_allowed:
      - { protocol: ⟨telnet, from: EWS3, to: PLC1 }
      - { protocol: ⟨http, from: Z3, to: HMI1 }
      - { protocol: ⟨ftp, from: EWS3, to: PLC1 }
      - { protocol: ⟨opcua, from: Z2, to: HIST }
      - { protocol: ⟨"OPC UA", from: Z2, to: HIST, security_mode: None }
  - conduit_id: C3D
    connects: [Z3, DMZ]
    security_level: "SL 2"
    protocols_allowed:
      - { protocol: ⟨rdp, from: Z3, to: [JUMP, DHIST] }
`,
    expect: [
      { ids: ['C23', 'EWS3', 'PLC1'], message: /^telnet is cleartext, on conduit C23 with SL-T 3$/ },
      { ids: ['C23', 'Z3', 'HMI1'] },
      { ids: ['C23', 'EWS3', 'PLC1'] },
      { ids: ['C23', 'Z2', 'HIST'], message: /OPC UA with security mode unset/ },
      { ids: ['C23', 'Z2', 'HIST'], message: /OPC UA with security mode "None"/ },
      { ids: ['C3D', 'Z3', 'JUMP', 'DHIST'], message: /RDP neither terminates on a jump server nor is protected by an MFA control/ },
    ],
  },
]);

import { writeFromHigherLevel } from '../../src/rules/write-from-higher-level.ts';
import { PLANT_ZONES, table } from './table.ts';

table(writeFromHigherLevel, [
  {
    name: 'read-only Modbus and DNP3 from above; writes initiated from below or within a level; OPC UA is not write-capable here',
    yaml: PLANT_ZONES + `conduits:
  - conduit_id: C23
    connects: [Z2, Z3]
    protocols_allowed:
      - { protocol: modbus, from: HIST, to: Z2, function_codes: [1, 2, 3, 4] }
      - { protocol: dnp3, from: HIST, to: PLC1, dnp3_function_codes: [0, 1] }
      - { protocol: enip, from: PLC1, to: HIST }
      - { protocol: opcua, from: HIST, to: PLC1, security_mode: SignAndEncrypt }
      - { protocol: "Modbus/TCP", direction: "Z3 -> Z2 (read only)" }
`,
  },
  {
    name: 'Modbus without a list, Modbus with a write code, S7, EtherNet/IP, DNP3 and IEC 104 initiated from level 3 into levels 1-2',
    yaml: PLANT_ZONES + `conduits:
  - conduit_id: C23
    connects: [Z2, Z3]
    protocols_allowed:
      - ⟨{ protocol: modbus, from: HIST, to: Z2 }
      - ⟨{ protocol: modbus, from: EWS3, to: PLC1, function_codes: [3, 16] }
      - ⟨{ protocol: s7comm, from: EWS3, to: PLC1 }
      - ⟨{ protocol: enip, from: Z3, to: PLC1 }
      - ⟨{ protocol: dnp3, from: EWS3, to: PLC1, dnp3_function_codes: [1, 5] }
      - ⟨{ protocol: iec104, from: EWS3, to: PLC1 }
`,
    expect: [
      { ids: ['C23', 'Z3', 'Z2'], message: /^modbus is initiated from Z3 \(level 3\) to Z2 \(levels 1-2\) in conduit C23, and no `function_codes` list restricts it to reads$/ },
      { ids: ['C23', 'Z3', 'Z2'], message: /function codes include 16/ },
      { ids: ['C23', 'Z3', 'Z2'], message: /s7comm can write or download/ },
      { ids: ['C23', 'Z3', 'Z2'] },
      { ids: ['C23', 'Z3', 'Z2'], message: /DNP3 function codes include 5/ },
      { ids: ['C23', 'Z3', 'Z2'] },
    ],
  },
]);

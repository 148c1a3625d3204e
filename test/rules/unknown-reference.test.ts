import { unknownReference } from '../../src/rules/unknown-reference.ts';
import { BASE, table } from './table.ts';

table(unknownReference, [
  { name: 'every reference defined', yaml: BASE },
  {
    name: 'unknown ids in connects, flow from/to, allowed_conduits, diode and firewall interfaces, with suggestions',
    yaml: `facility: t
firewalls:
  - { id: FW1, interfaces: [{ zone: ⟨Z22, name: eth1 }] }
zones:
  - { zone_id: Z2-BPCS, subnets: [10.2.0.0/16], allowed_conduits: [⟨C1-BPCS-OP], assets: [{ id: PLC-01, ip: 10.2.0.10 }] }
  - { zone_id: Z3-OPS, subnets: [10.3.0.0/16], assets: [{ id: HIST-01, ip: 10.3.0.50 }] }
conduits:
  - conduit_id: C1-BPCS-OPS
    connects: [Z2-BPCS, ⟨Z3-OSP]
    diode: { from: Z2-BPCS, to: ⟨Z3-OP }
    protocols_allowed:
      - { protocol: modbus, from: ⟨HIST-1, to: [PLC-01, ⟨PLC-011], function_codes: [3], one_way: true }
      - { protocol: https, from: Z2-BPCS, to: ⟨QQQQQQQQ }
`,
    expect: [
      { ids: ['FW1', 'Z22'], message: /^zone "Z22" is not defined$/ },
      { ids: ['Z2-BPCS', 'C1-BPCS-OP'], message: /conduit "C1-BPCS-OP" is not defined; did you mean "C1-BPCS-OPS"\?/ },
      { ids: ['C1-BPCS-OPS', 'Z3-OSP'], message: /did you mean "Z3-OPS"/ },
      { ids: ['C1-BPCS-OPS', 'Z3-OP'], message: /did you mean "Z3-OPS"/ },
      { ids: ['C1-BPCS-OPS', 'HIST-1'], message: /zone or asset "HIST-1" is not defined; did you mean "HIST-01"\?/ },
      { ids: ['C1-BPCS-OPS', 'PLC-011'], message: /did you mean "PLC-01"/ },
      { ids: ['C1-BPCS-OPS', 'QQQQQQQQ'], message: /^zone or asset "QQQQQQQQ" is not defined$/ },
    ],
  },
  {
    name: 'a seed-dialect direction naming an unknown zone points at the direction text',
    yaml: `facility: t
zones:
  - { zone_id: Z2-BPCS, subnets: [10.2.0.0/16] }
  - { zone_id: Z3-OPS, subnets: [10.3.0.0/16] }
conduits:
  - conduit_id: C1
    connects: [Z2-BPCS, Z3-OPS]
    protocols_allowed:
      - protocol: HTTPS
        direction: ⟨"Z9 -> Z3 (patch downloads)"
`,
    expect: [{ ids: ['C1', 'Z9'] }],
  },
]);

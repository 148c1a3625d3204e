import { safetyMixedZone } from '../../src/rules/safety-mixed-zone.ts';
import { table } from './table.ts';

table(safetyMixedZone, [
  {
    name: 'a safety zone with its own engineering workstation; BPCS assets elsewhere',
    yaml: `facility: t
zones:
  - { zone_id: SIS, purdue_level: 1, assets: [{ id: SIS1, role: sis }, { id: SEWS, role: ews }] }
  - { zone_id: BPCS, purdue_level: 2, assets: [{ id: PLC1, role: plc }, { id: HMI1, role: hmi }] }
`,
  },
  {
    name: 'sis assets beside a PLC and an HMI; a declared safety zone with an RTU',
    yaml: `facility: t
zones:
  - zone_id: MIXED
    assets:
      - { id: SIS1, role: sis }
      - { id: EWS1, role: ews }
      - ⟨{ id: PLC1, role: plc }
      - { id: HMI1, role: hmi }
  - zone_id: DECL
    safety: true
    assets:
      - ⟨{ id: RTU1, role: rtu }
`,
    expect: [
      { ids: ['MIXED', 'SIS1', 'PLC1', 'HMI1'], message: /zone MIXED is a safety zone \(sis asset SIS1\) but also holds non-safety control assets: PLC1 \(plc\), HMI1 \(hmi\)/ },
      { ids: ['DECL', 'RTU1'], message: /declared `safety: true`/ },
    ],
  },
  {
    name: 'seed-dialect text assets: a Triconex controller beside ControlLogix PLCs',
    yaml: `facility: t
zones:
  - zone_id: Z1
    assets:
      - "Triconex 3008 Safety Controller (SIS-01)"
      - ⟨"Allen-Bradley ControlLogix PLCs (PLC-01 through PLC-12)"
`,
    expect: [{ ids: ['Z1', 'SIS-01', 'Allen-Bradley ControlLogix PLCs (PLC-01 through PLC-12)'] }],
  },
]);

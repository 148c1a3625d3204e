import { flowAgainstDiode } from '../../src/rules/flow-against-diode.ts';
import { PLANT_ZONES, table } from './table.ts';

table(flowAgainstDiode, [
  {
    name: 'one-way flows in the diode direction',
    yaml: PLANT_ZONES + `conduits:
  - conduit_id: CD
    connects: [Z3, DMZ]
    diode: { from: Z3, to: DMZ }
    protocols_allowed:
      - { protocol: pi, transport: udp, port: 5450, from: HIST, to: DHIST, one_way: true }
      - { protocol: syslog, from: Z3, to: DMZ, one_way: true }
`,
  },
  {
    name: 'a flow against the diode, a two-way flow, a seed bidirectional flow, a diode end outside connects',
    yaml: PLANT_ZONES + `conduits:
  - conduit_id: CD
    connects: [Z3, DMZ]
    diode: { from: Z3, to: DMZ }
    protocols_allowed:
      - ⟨{ protocol: https, from: DHIST, to: HIST, one_way: true }
      - { protocol: pi, from: HIST, to: DHIST, one_way: ⟨false }
  - conduit_id: CD2
    connects: [Z3, DMZ]
    diode: { from: Z3, to: DMZ }
    protocols_allowed:
      - ⟨protocol: pi
        direction: "Z3 <-> DMZ"
  - conduit_id: CD3
    connects: [Z3, DMZ]
    diode: { from: Z3, to: ⟨Z2 }
    protocols_allowed: [{ protocol: pi, from: HIST, to: DHIST, one_way: true }]
`,
    expect: [
      { ids: ['CD', 'DHIST', 'HIST'], message: /^flow https from DHIST \(DMZ\) to HIST \(Z3\) runs against the data diode of conduit CD/ },
      { ids: ['CD', 'HIST', 'DHIST'], message: /flow pi in data-diode conduit CD is not one-way/ },
      { ids: ['CD2', 'DMZ', 'Z3'], message: /runs against/ },
      { ids: ['CD3', 'Z2'], message: /diode to zone Z2 is not one of the zones conduit CD3 connects \(Z3, DMZ\)/ },
    ],
  },
]);

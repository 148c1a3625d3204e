import { conduitSlBelowZone } from '../../src/rules/conduit-sl-below-zone.ts';
import { PLANT_ZONES, table } from './table.ts';

table(conduitSlBelowZone, [
  {
    name: 'conduit SL-T at least every zone it serves; a lower one with compensating controls; none declared',
    yaml: PLANT_ZONES + `conduits:
  - { conduit_id: C23, connects: [Z2, Z3], security_level: "SL 2", protocols_allowed: [{ protocol: https, from: Z2, to: Z3 }] }
  - { conduit_id: CDE, connects: [DMZ, ENT], security_level: 1, compensating_controls: [MFA on the jump server], protocols_allowed: [{ protocol: https, from: ENT, to: DHIST }] }
  - { conduit_id: C3D, connects: [Z3, DMZ], protocols_allowed: [{ protocol: https, from: Z3, to: DHIST }] }
`,
  },
  {
    name: 'scalar below a zone; a vector below in some FRs only (max per FR over the zones)',
    yaml: PLANT_ZONES.replace('security_level_target: 2, subnets: [10.2.0.0/16]', 'security_level_target: { IAC: 2, UC: 2, SI: 3, DC: 1, RDF: 2, TRE: 2, RA: 2 }, subnets: [10.2.0.0/16]') + `conduits:
  - { conduit_id: CDE, connects: [DMZ, ENT], security_level: ⟨1, protocols_allowed: [{ protocol: https, from: ENT, to: DHIST }] }
  - { conduit_id: C23, connects: [Z2, Z3], security_level: ⟨{ IAC: 2, UC: 2, SI: 2, DC: 2, RDF: 2, TRE: 1, RA: 2 }, protocols_allowed: [{ protocol: https, from: Z2, to: Z3 }] }
`,
    expect: [
      { ids: ['CDE', 'DMZ'], message: /^conduit CDE has SL-T below the zones it serves in all FRs \(1 < 2 of DMZ\)$/ },
      { ids: ['C23', 'Z2'], message: /in FR 3 SI \(2 < 3 of Z2\); FR 6 TRE \(1 < 2 of Z2\)$/ },
    ],
  },
]);

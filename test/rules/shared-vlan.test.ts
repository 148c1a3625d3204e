import { sharedVlan } from '../../src/rules/shared-vlan.ts';
import { BASE, table } from './table.ts';

table(sharedVlan, [
  { name: 'one VLAN per zone', yaml: BASE },
  {
    name: 'a second zone on VLAN 20',
    yaml: BASE.replace('vlan: 30', 'vlan: ⟨20'),
    expect: [{ ids: ['Z3', 'Z2'], message: /zone Z3 uses VLAN 20, which zone Z2 already uses/ }],
  },
  {
    name: 'three zones on one VLAN report against the first',
    yaml: `facility: t
zones:
  - { zone_id: A, vlan: 7 }
  - { zone_id: B, vlan: ⟨7 }
  - { zone_id: C, vlan: 8 }
  - { zone_id: D, vlan: ⟨7 }
`,
    expect: [{ ids: ['B', 'A'] }, { ids: ['D', 'A'] }],
  },
]);

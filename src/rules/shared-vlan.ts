/** ZC304: each zone has its own VLAN. */
import type { Zone } from '../model/types.ts';
import { defineRule } from './rule.ts';

export const sharedVlan = defineRule(
  {
    code: 'ZC304', name: 'shared-vlan', severity: 'error', title: 'Two zones share one VLAN',
    clause: 'IEC 62443-3-2 ZCR 3.2 and IEC 62443-3-3 SR 5.1 (zones are segmented from each other)',
  },
  ({ model, report }) => {
    const byVlan = new Map<number, Zone>();
    for (const z of model.zones) {
      if (z.vlan === undefined) continue;
      const first = byVlan.get(z.vlan);
      if (!first) byVlan.set(z.vlan, z);
      else if (first.id !== z.id) {
        report({
          path: `${z.path}.vlan`,
          message: `zone ${z.id} uses VLAN ${z.vlan}, which zone ${first.id} already uses`,
          ids: [z.id, first.id],
          notes: ['hosts on one VLAN reach each other without crossing the zone boundary firewall; give each zone its own VLAN'],
        });
      }
    }
  },
);

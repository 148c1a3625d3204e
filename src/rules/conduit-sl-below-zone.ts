/** ZC405: a conduit's SL-T is at least that of every zone it serves, per foundational requirement, unless compensated. */
import { FRS, type FR, type Zone } from '../model/types.ts';
import { defineRule } from './rule.ts';
import { connectedZones, indexModel } from './model-helpers.ts';

export const FR_LABEL: Record<FR, string> = { IAC: 'FR 1 IAC', UC: 'FR 2 UC', SI: 'FR 3 SI', DC: 'FR 4 DC', RDF: 'FR 5 RDF', TRE: 'FR 6 TRE', RA: 'FR 7 RA' };

/** "all FRs (1 < 2 of Z4-DMZ)" or "FR 1 IAC, FR 6 TRE (1 < 3 of Z1); FR 3 SI (2 < 3 of Z2)". */
function describe(low: FR[], slT: Record<FR, number>, top: Map<FR, { level: number; zone: Zone }>): string {
  const groups = new Map<string, FR[]>();
  for (const fr of low) {
    const key = `${slT[fr]} < ${top.get(fr)!.level} of ${top.get(fr)!.zone.id}`;
    groups.set(key, [...(groups.get(key) ?? []), fr]);
  }
  return [...groups].map(([key, frs]) => `${frs.length === FRS.length ? 'all FRs' : frs.map((fr) => FR_LABEL[fr]).join(', ')} (${key})`).join('; ');
}

export const conduitSlBelowZone = defineRule(
  {
    code: 'ZC405', name: 'conduit-sl-below-zone', severity: 'warning', title: 'A conduit has a lower SL-T than a zone it serves, with no compensating control',
    clause: 'IEC 62443-3-2 ZCR 5.1 and ZCR 6 (SL-T per zone and conduit; compensating countermeasures documented)',
  },
  ({ model, report }) => {
    const idx = indexModel(model);
    for (const c of model.conduits) {
      if (!c.slT || c.compensatingControls.length) continue;
      // Per FR, the highest SL-T among the zones the conduit serves.
      const top = new Map<FR, { level: number; zone: Zone }>();
      for (const { zone } of connectedZones(idx, c)) {
        if (!zone.slT) continue;
        for (const fr of FRS) if (zone.slT[fr] > (top.get(fr)?.level ?? -1)) top.set(fr, { level: zone.slT[fr], zone });
      }
      const low = FRS.filter((fr) => top.has(fr) && c.slT![fr] < top.get(fr)!.level);
      if (!low.length) continue;
      const zones = [...new Set(low.map((fr) => top.get(fr)!.zone.id))];
      report({
        path: `${c.path}.security_level`,
        message: `conduit ${c.id} has SL-T below the zones it serves in ${describe(low, c.slT, top)}`,
        ids: [c.id, ...zones],
        notes: ['raise the conduit security_level, or list the countermeasures that make up for it under `compensating_controls`'],
      });
    }
  },
);

/** ZC404: a conduit that does not end in a DMZ joins zones whose Purdue levels are not adjacent. */
import { defineRule } from './rule.ts';
import { connectedZones, indexModel, isControlLevel, isDmz, isEnterprise, levelText } from './model-helpers.ts';

export const purdueLevelSkip = defineRule(
  {
    code: 'ZC404', name: 'purdue-level-skip', severity: 'warning', title: 'A conduit skips a Purdue level without terminating in a DMZ',
    clause: 'IEC 62443-3-2 ZCR 3.2 and ZCR 3.6 (zones by function and criticality; conduits between adjacent levels)',
  },
  ({ model, report }) => {
    const idx = indexModel(model);
    for (const c of model.conduits) {
      const zones = connectedZones(idx, c).filter((e) => e.zone.purdue && !isDmz(e.zone));
      for (let i = 0; i < zones.length; i++) {
        for (let j = i + 1; j < zones.length; j++) {
          const a = zones[i].zone;
          const b = zones[j].zone;
          // Enterprise to control level is the (stronger) ZC403.
          if ((isEnterprise(a) && isControlLevel(b)) || (isEnterprise(b) && isControlLevel(a))) continue;
          const gap = Math.max(a.purdue!.min, b.purdue!.min) - Math.min(a.purdue!.max, b.purdue!.max);
          if (gap <= 1) continue;
          report({
            path: `${c.path}.connects[${zones[j].k}]`,
            message: `conduit ${c.id} joins ${a.id} (${levelText(a)}) and ${b.id} (${levelText(b)}), skipping ${gap - 1 === 1 ? 'a Purdue level' : `${gap - 1} Purdue levels`}`,
            ids: [c.id, a.id, b.id],
            notes: ['route the traffic through the zone of the level between (or a DMZ), or explain the exception in the conduit controls'],
          });
        }
      }
    }
  },
);

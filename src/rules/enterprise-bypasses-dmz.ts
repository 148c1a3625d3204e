/** ZC403: no conduit joins an enterprise zone (Purdue 4-5) directly to a zone at levels 0-3. */
import { defineRule } from './rule.ts';
import { connectedZones, indexModel, isControlLevel, isEnterprise, levelText } from './model-helpers.ts';

export const enterpriseBypassesDmz = defineRule(
  {
    code: 'ZC403', name: 'enterprise-bypasses-dmz', severity: 'error', title: 'A conduit joins enterprise and control levels without a DMZ',
    clause: 'IEC 62443-3-2 ZCR 3.5 (devices connected to external networks are in separate zones; traffic terminates in a DMZ)',
  },
  ({ model, report }) => {
    const idx = indexModel(model);
    for (const c of model.conduits) {
      const zones = connectedZones(idx, c);
      for (const ent of zones.filter((e) => isEnterprise(e.zone))) {
        for (const low of zones.filter((e) => isControlLevel(e.zone))) {
          report({
            path: `${c.path}.connects[${low.k}]`,
            message: `conduit ${c.id} joins enterprise zone ${ent.zone.id} (${levelText(ent.zone)}) directly to ${low.zone.id} (${levelText(low.zone)}), bypassing the DMZ`,
            ids: [c.id, ent.zone.id, low.zone.id],
            notes: ['split it into two conduits that terminate on a host in an industrial DMZ (purdue_level 3.5), e.g. a replicated historian or a jump server'],
          });
        }
      }
    }
  },
);

/** ZC501: both ends of every flow lie in zones the conduit connects. */
import { defineRule } from './rule.ts';
import { endpointPath, indexModel, zoneOfEndpoint } from './model-helpers.ts';

export const flowOutsideConduit = defineRule(
  {
    code: 'ZC501', name: 'flow-outside-conduit', severity: 'error', title: "A flow endpoint lies outside the conduit's zones",
    clause: 'IEC 62443-3-2 ZCR 3.6 and IEC 62443-3-3 SR 5.1 (communication between zones only through the conduits that connect them)',
  },
  ({ model, report }) => {
    const idx = indexModel(model);
    for (const c of model.conduits) {
      const seen = new Set<string>();
      for (const f of c.flows) {
        for (const side of ['from', 'to'] as const) {
          f[side].forEach((id, k) => {
            const zone = zoneOfEndpoint(idx, id);
            if (!zone || c.connects.includes(zone.id)) return; // unknown ids are ZC202's
            const path = endpointPath(model, f, side, k);
            if (seen.has(`${path}\0${id}`)) return;
            seen.add(`${path}\0${id}`);
            report({
              path,
              message: `flow ${f.protocol} of conduit ${c.id} names ${id === zone.id ? `zone ${id}` : `${id} (zone ${zone.id})`}, but the conduit connects only ${c.connects.join(', ')}`,
              ids: [c.id, id, zone.id],
              notes: [`add ${zone.id} to the conduit's connects, or move the flow to a conduit that connects ${zone.id}`],
            });
          });
        }
      }
    }
  },
);

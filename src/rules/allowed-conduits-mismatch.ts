/** ZC203: a zone's `allowed_conduits` lists exactly the conduits whose `connects` names the zone. */
import { defineRule } from './rule.ts';
import { indexModel } from './model-helpers.ts';

export const allowedConduitsMismatch = defineRule(
  {
    code: 'ZC203', name: 'allowed-conduits-mismatch', severity: 'error', title: "A zone's allowed_conduits disagrees with the conduits' connects",
    clause: 'IEC 62443-3-2 ZCR 3.6 (conduits and the zones they connect are documented consistently)',
  },
  ({ model, report }) => {
    const idx = indexModel(model);
    for (const z of model.zones) {
      z.allowedConduits?.forEach((id, k) => {
        const c = idx.conduits.get(id);
        if (c && !c.connects.includes(z.id)) {
          report({
            path: `${z.path}.allowed_conduits[${k}]`,
            message: `zone ${z.id} lists conduit ${id} in allowed_conduits, but ${id} connects ${c.connects.join(', ')} only`,
            ids: [z.id, id],
            notes: [`add ${z.id} to ${id}'s connects, or remove ${id} from allowed_conduits`],
          });
        }
      });
    }
    for (const c of model.conduits) {
      c.connects.forEach((zid, k) => {
        const z = idx.zones.get(zid);
        if (z?.allowedConduits && !z.allowedConduits.includes(c.id) && c.connects.indexOf(zid) === k) {
          report({
            path: `${c.path}.connects[${k}]`,
            message: `conduit ${c.id} connects zone ${zid}, but ${zid}'s allowed_conduits does not list ${c.id}`,
            ids: [c.id, zid],
            notes: [
              z.allowedConduits.length
                ? `${zid} allows only ${z.allowedConduits.join(', ')}`
                : `${zid} declares no conduits at all (allowed_conduits: [])`,
              `add ${c.id} to ${zid}'s allowed_conduits, or remove ${zid} from the conduit`,
            ],
          });
        }
      });
    }
  },
);

/** ZC401: a safety zone (declared, or holding an `sis` asset) is joined to another zone by a conduit. */
import { defineRule } from './rule.ts';
import { connectedZones, indexModel } from './model-helpers.ts';

export const safetyZoneConduit = defineRule(
  {
    code: 'ZC401', name: 'safety-zone-conduit', severity: 'warning', title: 'A safety zone is connected by a conduit',
    clause: 'IEC 62443-3-2 ZCR 3.3 (safety-related assets are separated from other zones)',
  },
  ({ model, report }) => {
    const idx = indexModel(model);
    for (const c of model.conduits) {
      for (const { zone, k } of connectedZones(idx, c)) {
        // A hardware diode out of the safety zone is the recommended way to publish SIS data: nothing can come back.
        if (!zone.safety || c.diode?.from === zone.id) continue;
        const sis = zone.assets.find((a) => a.role === 'sis');
        const why = zone.safetyDeclared ? 'declared `safety: true`' : `holds the sis asset ${sis?.id ?? sis?.name}`;
        report({
          path: `${c.path}.connects[${k}]`,
          message: `conduit ${c.id} connects safety zone ${zone.id} (${why}) to ${c.connects.filter((id) => id !== zone.id).join(', ')}`,
          ids: [c.id, zone.id],
          notes: [
            'a safety instrumented system should be isolated; if a link is unavoidable, make it one-way or read-only (a diode, or function-code filtering) and document why',
          ],
        });
      }
    }
  },
);

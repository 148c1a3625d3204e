/** ZC505: interactive remote access from enterprise zones terminates on a jump server in the DMZ. */
import { protocolInfo } from '../model/protocols.ts';
import { defineRule } from './rule.ts';
import { endpointPath, endpointZones, indexModel, isDmz, isEnterprise, zoneOfEndpoint } from './model-helpers.ts';

export const remoteAccessWithoutJumpServer = defineRule(
  {
    code: 'ZC505', name: 'remote-access-without-jump-server', severity: 'warning', title: 'Remote access from enterprise does not terminate on a DMZ jump server',
    clause: 'IEC 62443-3-3 SR 1.13 and SR 5.1 (access via untrusted networks is monitored and controlled); IEC 62443-3-2 ZCR 3.5',
  },
  ({ model, report }) => {
    const idx = indexModel(model);
    for (const c of model.conduits) {
      const seen = new Set<string>();
      for (const f of c.flows) {
        if (!protocolInfo(f.protocol)?.remoteAccess) continue;
        const ent = endpointZones(idx, f.from).filter(isEnterprise);
        if (!ent.length) continue;
        f.to.forEach((id, k) => {
          const zone = zoneOfEndpoint(idx, id);
          if (!zone) return;
          if (idx.assets.get(id)?.role === 'jump-server' && isDmz(zone)) return;
          const path = endpointPath(model, f, 'to', k);
          if (seen.has(`${path}\0${id}`)) return;
          seen.add(`${path}\0${id}`);
          const what = idx.zones.get(id) === zone ? `every host of zone ${id}` : `${id} (${idx.assets.get(id)?.role ?? 'no role'}, zone ${zone.id})`;
          report({
            path,
            message: `${f.protocol} from enterprise zone ${ent.map((z) => z.id).join(', ')} reaches ${what}, not a jump server in the DMZ`,
            ids: [c.id, ...ent.map((z) => z.id), id],
            notes: ['terminate remote sessions on an asset with `role: jump-server` in a purdue_level 3.5 zone, and go on from there'],
          });
        });
      }
    }
  },
);

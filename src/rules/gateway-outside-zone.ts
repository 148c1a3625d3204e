/** ZC306: a zone's gateway lies inside the zone's subnets. */
import { parseIp } from '../net/ip.ts';
import { defineRule } from './rule.ts';

export const gatewayOutsideZone = defineRule(
  {
    code: 'ZC306', name: 'gateway-outside-zone', severity: 'error', title: "A zone's gateway lies outside its subnets",
    clause: 'IEC 62443-3-2 ZCR 3.2 and IEC 62443-3-3 SR 5.2 (the zone boundary device faces the zone)',
  },
  ({ model, report }) => {
    for (const z of model.zones) {
      if (z.gateway === undefined || !z.prefixes.length) continue;
      const gw = parseIp(z.gateway);
      if (!gw.ok) continue; // reported by the loader as ZC301
      const { family, value } = gw.value;
      if (z.prefixes.some((p) => p.family === family && p.lo <= value && value <= p.hi)) continue;
      report({
        path: `${z.path}.gateway`,
        message: `gateway ${z.gateway} of zone ${z.id} is outside its subnets (${z.subnets.join(', ')})`,
        ids: [z.id],
        notes: ["the gateway is the boundary firewall's zone-facing address; hosts of the zone could not reach it"],
      });
    }
  },
);

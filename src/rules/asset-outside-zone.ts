/** ZC303: every asset address lies inside one of its zone's subnets. */
import type { Prefix } from '../net/ip.ts';
import { defineRule } from './rule.ts';
import { assetIpPath, assetPrefixes } from './model-helpers.ts';

const inside = (p: Prefix, outer: readonly Prefix[]) => outer.some((o) => o.family === p.family && o.lo <= p.lo && p.hi <= o.hi);

export const assetOutsideZone = defineRule(
  {
    code: 'ZC303', name: 'asset-outside-zone', severity: 'error', title: "An asset address lies outside its zone's subnets",
    clause: 'IEC 62443-3-2 ZCR 3.2 (assets are grouped into the zone whose boundary they sit behind)',
  },
  ({ model, report }) => {
    for (const z of model.zones) {
      if (!z.prefixes.length) continue;
      for (const a of z.assets) {
        for (const { p, i } of assetPrefixes(a)) {
          if (inside(p, z.prefixes)) continue;
          report({
            path: assetIpPath(model, a, i),
            message: `address ${a.ips[i]} of asset ${a.id ?? a.name} is outside zone ${z.id}'s subnets (${z.subnets.join(', ')})`,
            ids: [a.id ?? a.name, z.id],
            notes: ['move the asset to the zone that owns this address, or correct the address or the subnets'],
          });
        }
      }
    }
  },
);

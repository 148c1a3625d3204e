/** ZC302: no address belongs to two zones. A sort-and-sweep over subnet intervals: O(n log n) in subnets. */
import type { Prefix } from '../net/ip.ts';
import type { Zone } from '../model/types.ts';
import { defineRule } from './rule.ts';
import { alignedPrefixes, comparePrefixes } from './model-helpers.ts';

interface Entry {
  zone: Zone;
  /** Index in the zone's `subnets`. */
  k: number;
  p: Prefix;
}

export const overlappingSubnets = defineRule(
  {
    code: 'ZC302', name: 'overlapping-subnets', severity: 'error', title: 'Subnets of two zones overlap',
    clause: 'IEC 62443-3-2 ZCR 3.2 (every asset is assigned to exactly one zone)',
  },
  ({ model, report }) => {
    const entries: Entry[] = [];
    for (const zone of model.zones) for (const { p, i } of alignedPrefixes(zone.subnets, zone.prefixes)) entries.push({ zone, k: i, p });
    entries.sort((a, b) => comparePrefixes(a.p, b.p, true));
    // `widest` is the entry reaching furthest so far; anything starting before its end overlaps it.
    let widest: Entry | undefined;
    const reported = new Set<string>();
    for (const e of entries) {
      if (widest && widest.p.family === e.p.family && e.p.lo <= widest.p.hi && widest.zone !== e.zone) {
        // Report at whichever of the two comes later in the file.
        const [first, later] = widest.zone.index < e.zone.index ? [widest, e] : [e, widest];
        const key = `${later.zone.index}:${later.k}:${first.zone.id}`;
        if (!reported.has(key)) {
          reported.add(key);
          report({
            path: `${later.zone.path}.subnets[${later.k}]`,
            message: `subnet ${later.p.text} of zone ${later.zone.id} overlaps subnet ${first.p.text} of zone ${first.zone.id}`,
            ids: [later.zone.id, first.zone.id],
            notes: ['an address in both would belong to two zones, so no firewall rule could say which conduit applies; split the address space'],
          });
        }
      }
      if (!widest || widest.p.family !== e.p.family || e.p.hi > widest.p.hi) widest = e;
    }
  },
);

/** ZC305: no two assets (or two entries of one asset) have the same address. Sorted, so O(n log n) in addresses. */
import type { Prefix } from '../net/ip.ts';
import type { Asset } from '../model/types.ts';
import { defineRule } from './rule.ts';
import { assetIpPath, assetPrefixes, comparePrefixes } from './model-helpers.ts';

interface Entry {
  asset: Asset;
  i: number;
  p: Prefix;
  order: number;
}

export const duplicateAddress = defineRule(
  {
    code: 'ZC305', name: 'duplicate-address', severity: 'error', title: 'Two assets have the same address',
    clause: 'IEC 62443-3-2 ZCR 3.1 (the inventory identifies each asset unambiguously)',
  },
  ({ model, report }) => {
    const entries: Entry[] = [];
    let order = 0;
    for (const z of model.zones) for (const asset of z.assets) for (const { p, i } of assetPrefixes(asset)) entries.push({ asset, i, p, order: order++ });
    entries.sort((a, b) => comparePrefixes(a.p, b.p) || a.order - b.order);
    let first: Entry | undefined;
    for (const e of entries) {
      if (!first || comparePrefixes(first.p, e.p) !== 0) {
        first = e;
        continue;
      }
      const name = (a: Asset) => a.id ?? a.name;
      report({
        path: assetIpPath(model, e.asset, e.i),
        message:
          e.asset === first.asset
            ? `asset ${name(e.asset)} lists address ${e.p.text.replace(/\/(32|128)$/, '')} twice`
            : `address ${e.p.text.replace(/\/(32|128)$/, '')} of asset ${name(e.asset)} is already used by asset ${name(first.asset)} (zone ${first.asset.zoneId})`,
        ids: [name(e.asset), name(first.asset)],
        notes: ['generated rules and traffic classification need one asset per address'],
      });
    }
  },
);

/** ZC204: a conduit connects at least two distinct zones. */
import { defineRule } from './rule.ts';

export const conduitTooFewZones = defineRule(
  {
    code: 'ZC204', name: 'conduit-too-few-zones', severity: 'error', title: 'A conduit connects fewer than two distinct zones',
    clause: 'IEC 62443-3-2 ZCR 3.6 (a conduit is the communication path between two or more zones)',
  },
  ({ model, report }) => {
    for (const c of model.conduits) {
      const distinct = [...new Set(c.connects)];
      if (distinct.length < 2) {
        report({
          path: `${c.path}.connects`,
          message: `conduit ${c.id} connects ${distinct.length ? `only zone ${distinct[0]}` : 'no zone'}; a conduit joins at least two distinct zones`,
          ids: [c.id, ...distinct],
          notes: ['traffic inside one zone needs no conduit; name both zones the conduit joins'],
        });
      }
    }
  },
);

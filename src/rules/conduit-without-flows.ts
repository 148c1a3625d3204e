/** ZC506: a conduit allows at least one flow. */
import { defineRule } from './rule.ts';
import { rawAt } from './model-helpers.ts';

export const conduitWithoutFlows = defineRule(
  {
    code: 'ZC506', name: 'conduit-without-flows', severity: 'warning', title: 'A conduit allows no flows',
    clause: 'IEC 62443-3-2 ZCR 3.6 (a conduit documents the communication it carries); IEC 62443-3-3 SR 5.2 (deny by default)',
  },
  ({ model, report }) => {
    for (const c of model.conduits) {
      if (c.flows.length) continue;
      const raw = rawAt(model, `${c.path}.protocols_allowed`);
      if (Array.isArray(raw) && raw.length) continue; // flows that failed to load are already reported
      report({
        path: c.path,
        message: `conduit ${c.id} allows no flows: it carries nothing under deny-by-default`,
        ids: [c.id],
        notes: ['list the flows under `protocols_allowed`, or remove the conduit (and it from the zones\' allowed_conduits)'],
      });
    }
  },
);

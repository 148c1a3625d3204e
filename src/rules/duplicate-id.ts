/** ZC201: every zone, conduit and asset id is unique across the model (ids become config object names). */
import { defineRule } from './rule.ts';

export const duplicateId = defineRule(
  { code: 'ZC201', name: 'duplicate-id', severity: 'error', title: 'An id is defined more than once', clause: 'IEC 62443-3-2 ZCR 3.1 (zones and conduits are uniquely identified)' },
  ({ model, report }) => {
    const seen = new Map<string, { kind: string; path: string }>();
    const check = (id: string | undefined, kind: string, path: string) => {
      if (!id) return;
      const first = seen.get(id);
      if (first) {
        report({
          path: `${path}`,
          message: `${kind} id "${id}" is already used by the ${first.kind} at ${first.path}`,
          ids: [id],
          notes: ['ids name objects in generated device configs and must be unique across zones, conduits and assets'],
        });
      } else seen.set(id, { kind, path });
    };
    for (const z of model.zones) check(z.id, 'zone', z.path);
    for (const c of model.conduits) check(c.id, 'conduit', c.path);
    for (const z of model.zones) for (const a of z.assets) check(a.id, 'asset', a.path);
  },
);

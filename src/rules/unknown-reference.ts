/** ZC202: every zone, asset and conduit a model names is defined; suggests the closest id when not. */
import { closest, defineRule } from './rule.ts';
import { endpointPath, indexModel } from './model-helpers.ts';

/** Distinct unknown ids that get a "did you mean" search. */
const MAX_SEARCHES = 100;

export const unknownReference = defineRule(
  {
    code: 'ZC202', name: 'unknown-reference', severity: 'error', title: 'A reference names no defined zone, asset or conduit',
    clause: 'IEC 62443-3-2 ZCR 3.1 and ZCR 3.6 (conduits connect identified zones; assets are assigned to identified zones)',
  },
  ({ model, report }) => {
    const idx = indexModel(model);
    let zoneIds: string[] | undefined;
    let endpointIds: string[] | undefined;
    let conduitIds: string[] | undefined;
    const seen = new Set<string>();
    // One search per distinct unknown id, and at most MAX_SEARCHES of them: a model with thousands of dangling
    // references (a renamed zone) must not spend minutes on suggestions.
    const hints = new Map<string, string | undefined>();
    const hintFor = (id: string, kind: string, candidates: string[]) => {
      const key = `${kind}\0${id}`;
      if (!hints.has(key)) hints.set(key, hints.size < MAX_SEARCHES ? closest(id, candidates) : undefined);
      return hints.get(key);
    };
    const missing = (kind: string, id: string, candidates: () => string[], path: string, owner: string) => {
      if (seen.has(`${path}\0${id}`)) return;
      seen.add(`${path}\0${id}`);
      const hint = hintFor(id, kind, candidates());
      report({
        path,
        message: `${kind} "${id}" is not defined${hint ? `; did you mean "${hint}"?` : ''}`,
        ids: [owner, id],
        notes: hint ? undefined : [`defined ${kind.replace(' or ', ' and ')} ids: ${candidates().slice(0, 10).join(', ')}${candidates().length > 10 ? ', …' : ''}`],
      });
    };
    const zones = () => (zoneIds ??= [...idx.zones.keys()]);
    const endpoints = () => (endpointIds ??= [...idx.zones.keys(), ...idx.assets.keys()]);
    const conduits = () => (conduitIds ??= [...idx.conduits.keys()]);

    for (const z of model.zones) {
      z.allowedConduits?.forEach((id, k) => {
        if (!idx.conduits.has(id)) missing('conduit', id, conduits, `${z.path}.allowed_conduits[${k}]`, z.id);
      });
    }
    for (const c of model.conduits) {
      c.connects.forEach((id, k) => {
        if (!idx.zones.has(id)) missing('zone', id, zones, `${c.path}.connects[${k}]`, c.id);
      });
      if (c.diode) {
        for (const side of ['from', 'to'] as const) {
          if (!idx.zones.has(c.diode[side])) missing('zone', c.diode[side], zones, `${c.path}.diode.${side}`, c.id);
        }
      }
      for (const f of c.flows) {
        for (const side of ['from', 'to'] as const) {
          f[side].forEach((id, k) => {
            if (!idx.zones.has(id) && !idx.assets.has(id)) missing('zone or asset', id, endpoints, endpointPath(model, f, side, k), c.id);
          });
        }
      }
    }
    for (const fw of model.firewalls) {
      fw.interfaces.forEach((itf, k) => {
        if (!idx.zones.has(itf.zone)) missing('zone', itf.zone, zones, `${fw.path}.interfaces[${k}].zone`, fw.id);
      });
    }
  },
);

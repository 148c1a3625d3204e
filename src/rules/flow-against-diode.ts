/** ZC502: flows in a data-diode conduit run one way, in the diode's direction. */
import { defineRule } from './rule.ts';
import { endpointZones, indexModel, rawAt } from './model-helpers.ts';

export const flowAgainstDiode = defineRule(
  {
    code: 'ZC502', name: 'flow-against-diode', severity: 'error', title: 'A flow contradicts a declared data diode',
    clause: 'IEC 62443-3-3 SR 5.1 RE 3 and SR 5.2 RE 3 (unidirectional communication enforced by the conduit)',
  },
  ({ model, report }) => {
    const idx = indexModel(model);
    for (const c of model.conduits) {
      const d = c.diode;
      if (!d) continue;
      for (const side of ['from', 'to'] as const) {
        if (idx.zones.has(d[side]) && !c.connects.includes(d[side])) {
          report({
            path: `${c.path}.diode.${side}`,
            message: `diode ${side} zone ${d[side]} is not one of the zones conduit ${c.id} connects (${c.connects.join(', ')})`,
            ids: [c.id, d[side]],
          });
        }
      }
      // One finding per flow entry (a seed "A <-> B" entry yields two flows): running against the diode wins.
      const against = new Set<string>();
      for (const f of c.flows) {
        const from = endpointZones(idx, f.from).map((z) => z.id);
        const to = endpointZones(idx, f.to).map((z) => z.id);
        if (!from.includes(d.to) || !to.includes(d.from) || against.has(f.path)) continue;
        against.add(f.path);
        report({
          path: f.path,
          message: `flow ${f.protocol} from ${f.from.join(', ')} (${d.to}) to ${f.to.join(', ')} (${d.from}) runs against the data diode of conduit ${c.id}, which carries traffic from ${d.from} to ${d.to} only`,
          ids: [c.id, ...f.from, ...f.to],
          notes: ['a diode cannot carry it; move the flow to a firewalled conduit, or turn it around'],
        });
      }
      const twoWay = new Set<string>();
      for (const f of c.flows) {
        if (f.oneWay || against.has(f.path) || twoWay.has(f.path)) continue;
        twoWay.add(f.path);
        report({
          path: rawAt(model, `${f.path}.one_way`) !== undefined ? `${f.path}.one_way` : f.path,
          message: `flow ${f.protocol} in data-diode conduit ${c.id} is not one-way; a diode carries no replies`,
          ids: [c.id, ...f.from, ...f.to],
          notes: ['set `one_way: true` (the diode proxies the protocol on each side), or move the flow to a firewalled conduit'],
        });
      }
    }
  },
);

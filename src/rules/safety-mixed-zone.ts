/** ZC402: a zone holding safety (`sis`) assets, or declared a safety zone, holds no non-safety control assets. */
import type { AssetRole } from '../model/types.ts';
import { defineRule } from './rule.ts';

/** Basic process control roles; an engineering workstation dedicated to the SIS may sit in the safety zone. */
const NON_SAFETY_CONTROL: ReadonlySet<AssetRole> = new Set(['plc', 'rtu', 'ied', 'hmi', 'scada-server']);

export const safetyMixedZone = defineRule(
  {
    code: 'ZC402', name: 'safety-mixed-zone', severity: 'error', title: 'A zone mixes safety (SIS) and non-safety control assets',
    clause: 'IEC 62443-3-2 ZCR 3.3 (safety-related IACS assets are in zones separate from non-safety assets)',
  },
  ({ model, report }) => {
    for (const z of model.zones) {
      if (!z.safety) continue;
      const sis = z.assets.find((a) => a.role === 'sis');
      const control = z.assets.filter((a) => a.role && NON_SAFETY_CONTROL.has(a.role));
      if (!control.length) continue;
      const name = (a: { id?: string; name: string }) => a.id ?? a.name;
      const shown = control.slice(0, 5).map((a) => `${name(a)} (${a.role})`).join(', ') + (control.length > 5 ? `, and ${control.length - 5} more` : '');
      report({
        path: control[0].path,
        message: `zone ${z.id} is a safety zone (${sis ? `sis asset ${name(sis)}` : 'declared `safety: true`'}) but also holds non-safety control assets: ${shown}`,
        ids: [z.id, ...(sis ? [name(sis)] : []), ...control.map(name)],
        notes: ['move the basic process control assets into their own zone, joined to the safety zone (if at all) by a documented conduit'],
      });
    }
  },
);

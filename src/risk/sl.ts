/**
 * Achieved security levels: a zone's SL-A per FR is the lowest SL-C of its assets (IEC 62443-4-2 capability),
 * raised only by a compensation declared explicitly in `risk.compensations`. The gap table compares it with SL-T.
 */
import { FRS, type FR, type Model, type SLVector } from '../model/types.ts';
import type { Compensation } from '../model/risk-schema.ts';
import { riskSection } from './method.ts';

export interface FRAchieved {
  fr: FR;
  /** SL-T of the zone for this FR, when declared. */
  target: number | null;
  /** Lowest SL-C over the zone's assets; null when some asset declares no SL-C (or the zone has none). */
  fromAssets: number | null;
  /** The asset(s) that set the minimum. */
  limitedBy: string[];
  /** The compensation applied, when one raises the level. */
  compensation?: { level: number; control: string; conduit?: string };
  /** Achieved level after compensation; null when unknown. */
  achieved: number | null;
  /** target - achieved when positive; 0 when met; null when either side is unknown. */
  gap: number | null;
}

export interface ZoneAchieved {
  zoneId: string;
  assets: number;
  /** Assets (entries) without a declared SL-C. */
  assetsWithoutSlC: string[];
  frs: FRAchieved[];
}

export function compensationFrs(c: Compensation): FR[] {
  const list = Array.isArray(c.fr) ? c.fr : [c.fr];
  return FRS.filter((fr) => list.includes(fr));
}

/** SL-A and gap per zone and FR, in model order. */
export function achievedLevels(model: Model): ZoneAchieved[] {
  const comps = riskSection(model)?.compensations ?? [];
  return model.zones.map((z) => {
    const declared = z.assets.filter((a) => a.slC);
    const missing = z.assets.filter((a) => !a.slC).map((a) => a.id ?? a.name);
    const frs = FRS.map((fr): FRAchieved => {
      const target = z.slT ? z.slT[fr] : null;
      let fromAssets: number | null = null;
      let limitedBy: string[] = [];
      if (declared.length && !missing.length) {
        fromAssets = Math.min(...declared.map((a) => a.slC![fr]));
        limitedBy = declared.filter((a) => a.slC![fr] === fromAssets).map((a) => a.id ?? a.name);
      }
      let achieved = fromAssets;
      let compensation: FRAchieved['compensation'];
      for (const c of comps) {
        if (c.zone !== z.id || !compensationFrs(c).includes(fr)) continue;
        if (achieved === null || c.level > achieved) {
          achieved = c.level;
          compensation = { level: c.level, control: c.control, conduit: c.conduit };
        }
      }
      const gap = target === null || achieved === null ? null : Math.max(0, target - achieved);
      return { fr, target, fromAssets, limitedBy, compensation, achieved, gap };
    });
    return { zoneId: z.id, assets: z.assets.reduce((n, a) => n + a.count, 0), assetsWithoutSlC: missing, frs };
  });
}

export function vectorOf(frs: FRAchieved[], key: 'achieved' | 'target'): Partial<SLVector> {
  return Object.fromEntries(frs.filter((f) => f[key] !== null).map((f) => [f.fr, f[key]])) as Partial<SLVector>;
}

/**
 * Risk and security-level checks (ZC600-ZC649) as diagnostics: recommended SL-T against the declared one
 * (IEC 62443-3-2 ZCR 5.6), unknown references in the `risk` section, and SL-A below SL-T (ZCR 5.8/6).
 * Entry point: `checkRisk(model, locate)`.
 */
import type { Diagnostic, Severity } from '../diagnostics/diagnostic.ts';
import { defineCode, type CodeInfo } from '../diagnostics/codes.ts';
import { FRS, type FR, type Locator, type Model } from '../model/types.ts';
import { assessRisk, riskSection } from './method.ts';
import { achievedLevels } from './sl.ts';
import { diagnosticAt } from '../rules/rule.ts';

export const FR_LABEL: Record<FR, string> = { IAC: 'FR 1 IAC', UC: 'FR 2 UC', SI: 'FR 3 SI', DC: 'FR 4 DC', RDF: 'FR 5 RDF', TRE: 'FR 6 TRE', RA: 'FR 7 RA' };

export const SLT_BELOW_RECOMMENDED = defineCode({ code: 'ZC601', name: 'sl-t-below-recommended', severity: 'error', title: 'A zone declares an SL-T below the one its risk assessment recommends (ZCR 5.6)' });
export const SLT_FAR_ABOVE = defineCode({ code: 'ZC602', name: 'sl-t-far-above-recommended', severity: 'warning', title: 'A zone declares an SL-T two or more levels above the one its risk assessment recommends' });
export const RISK_UNKNOWN_TARGET = defineCode({ code: 'ZC603', name: 'risk-unknown-target', severity: 'error', title: 'A threat scenario targets no zone or conduit of the model' });
export const RISK_UNKNOWN_ZONE = defineCode({ code: 'ZC604', name: 'compensation-unknown-reference', severity: 'error', title: 'A compensation names no zone, or a conduit that does not join that zone' });
export const RISK_NOT_REDUCIBLE = defineCode({ code: 'ZC605', name: 'risk-not-reducible', severity: 'warning', title: 'Even SL 4 leaves a scenario above the tolerable risk' });
export const ZONE_WITHOUT_SCENARIO = defineCode({ code: 'ZC606', name: 'zone-without-scenario', severity: 'info', title: 'A zone has no threat scenario, so no recommended SL-T' });
export const SLT_MISSING = defineCode({ code: 'ZC607', name: 'sl-t-missing', severity: 'warning', title: 'A zone with threat scenarios declares no SL-T' });
export const DUPLICATE_SCENARIO = defineCode({ code: 'ZC608', name: 'duplicate-scenario-id', severity: 'error', title: 'Two threat scenarios share an id' });
export const CONDUIT_SLT_BELOW = defineCode({ code: 'ZC609', name: 'conduit-sl-t-below-recommended', severity: 'warning', title: 'A conduit declares an SL-T below the one the scenarios against it recommend' });
export const SL_GAP = defineCode({ code: 'ZC610', name: 'sl-a-below-sl-t', severity: 'warning', title: 'A zone achieves a lower SL than its SL-T in some FR (SL-A from asset SL-C)' });
export const SLC_INCOMPLETE = defineCode({ code: 'ZC611', name: 'sl-c-incomplete', severity: 'info', title: 'Some assets of a zone declare SL-C and others do not, so SL-A is unknown' });

function frList(frs: FR[]): string {
  return frs.length === FRS.length ? 'all FRs' : frs.map((fr) => FR_LABEL[fr]).join(', ');
}

/** The ZCR 5 checks of the `risk` section and the SL-A gap checks. Returns nothing for a model without either. */
export function checkRisk(model: Model, locate: Locator = () => undefined): Diagnostic[] {
  const out: Diagnostic[] = [];
  const add = (info: CodeInfo, path: string, message: string, ids: string[], notes?: string[], severity?: Severity) => {
    out.push(diagnosticAt(locate, model.file, { code: info.code, severity: severity ?? info.severity, path, message, ids, notes }));
  };
  const zones = new Map(model.zones.map((z) => [z.id, z]));
  const risk = riskSection(model);
  const assessment = assessRisk(model);
  if (risk && assessment) {
    const seen = new Map<string, number>();
    risk.scenarios.forEach((s, i) => {
      const prev = seen.get(s.id);
      if (prev !== undefined) add(DUPLICATE_SCENARIO, `risk.scenarios[${i}].id`, `threat scenario id "${s.id}" is also used by risk.scenarios[${prev}]`, [s.id]);
      else seen.set(s.id, i);
    });
    for (const s of assessment.scenarios) {
      if (!s.zones.length) {
        add(RISK_UNKNOWN_TARGET, `${s.path}.target`, `threat scenario ${s.id} targets "${s.target}", which is neither a zone nor a conduit of the model`, [s.id]);
      } else if (!s.reachable) {
        add(RISK_NOT_REDUCIBLE, s.path, `threat scenario ${s.id}: risk ${s.risk} stays at ${s.residualRisk} even at SL 4, above the tolerable risk ${assessment.method.tolerable}`, [s.id, ...s.zones], [
          'lower the consequence with non-network measures (e.g. a safety system, physical isolation) and record them, or accept the risk explicitly',
        ]);
      }
    }
    for (const z of model.zones) {
      const rec = assessment.zones.find((r) => r.zoneId === z.id);
      if (!rec) {
        add(ZONE_WITHOUT_SCENARIO, z.path, `zone ${z.id} has no threat scenario; its SL-T ${z.slT ? 'is declared but not derived from risk' : 'is not assessed'}`, [z.id]);
        continue;
      }
      if (!z.slT) {
        add(SLT_MISSING, z.path, `zone ${z.id} declares no security_level_target; its threat scenarios (${rec.scenarios.join(', ')}) recommend ${describeVector(rec.recommended)}`, [z.id, ...rec.scenarios]);
        continue;
      }
      const below = FRS.filter((fr) => z.slT![fr] < rec.recommended[fr]);
      if (below.length) {
        add(SLT_BELOW_RECOMMENDED, `${z.path}.security_level_target`,
          `zone ${z.id} declares SL-T ${describeVector(z.slT)} but its risk assessment recommends ${describeVector(rec.recommended)} (below in ${frList(below)})`,
          [z.id, ...rec.scenarios], [`driven by ${rec.scenarios.join(', ')}; raise the SL-T or revisit the scenarios' likelihood and consequences (docs/risk.md)`]);
      }
      const far = FRS.filter((fr) => rec.recommended[fr] > 0 && z.slT![fr] >= rec.recommended[fr] + 2);
      if (far.length) {
        add(SLT_FAR_ABOVE, `${z.path}.security_level_target`,
          `zone ${z.id} declares SL-T ${describeVector(z.slT)}, two or more levels above the recommended ${describeVector(rec.recommended)} in ${frList(far)}`,
          [z.id, ...rec.scenarios], ['an SL-T well above the risk costs countermeasures the risk does not call for; document why, or lower it']);
      }
    }
    for (const rec of assessment.conduits) {
      const c = model.conduits.find((x) => x.id === rec.conduitId)!;
      const below = c.slT ? FRS.filter((fr) => c.slT![fr] < rec.recommended[fr]) : FRS.filter((fr) => rec.recommended[fr] > 0);
      if (!below.length) continue;
      add(CONDUIT_SLT_BELOW, c.slT ? `${c.path}.security_level` : c.path,
        `conduit ${c.id} ${c.slT ? `declares SL-T ${describeVector(c.slT)}` : 'declares no security_level'} but the scenarios against it (${rec.scenarios.join(', ')}) recommend ${describeVector(rec.recommended)} (below in ${frList(below)})`,
        [c.id, ...rec.scenarios], ['raise the conduit security_level, or declare the countermeasure under risk.compensations for the zones it joins']);
    }
    risk.compensations.forEach((c, i) => {
      const path = `risk.compensations[${i}]`;
      if (!zones.has(c.zone)) add(RISK_UNKNOWN_ZONE, `${path}.zone`, `compensation names zone "${c.zone}", which the model does not define`, [c.zone]);
      else if (c.conduit !== undefined) {
        const conduit = model.conduits.find((x) => x.id === c.conduit);
        if (!conduit) add(RISK_UNKNOWN_ZONE, `${path}.conduit`, `compensation names conduit "${c.conduit}", which the model does not define`, [c.zone, c.conduit]);
        else if (!conduit.connects.includes(c.zone)) add(RISK_UNKNOWN_ZONE, `${path}.conduit`, `compensation for zone ${c.zone} names conduit ${c.conduit}, which does not join that zone`, [c.zone, c.conduit]);
      }
    });
  }
  for (const za of achievedLevels(model)) {
    const z = zones.get(za.zoneId)!;
    const withSlC = z.assets.length - za.assetsWithoutSlC.length;
    if (withSlC > 0 && za.assetsWithoutSlC.length) {
      add(SLC_INCOMPLETE, z.path, `zone ${z.id}: ${withSlC} asset(s) declare sl_c and ${za.assetsWithoutSlC.length} do not (${za.assetsWithoutSlC.slice(0, 5).join(', ')}${za.assetsWithoutSlC.length > 5 ? ', …' : ''}); SL-A is unknown`, [z.id]);
    }
    const gaps = za.frs.filter((f) => f.gap !== null && f.gap > 0);
    if (gaps.length) {
      const detail = gaps.map((f) => `${FR_LABEL[f.fr]} ${f.achieved} < ${f.target}${f.limitedBy.length && !f.compensation ? ` (${f.limitedBy.slice(0, 3).join(', ')}${f.limitedBy.length > 3 ? ', …' : ''})` : ''}`).join('; ');
      add(SL_GAP, `${z.path}.security_level_target`, `zone ${z.id} achieves less than its SL-T: ${detail}`, [z.id, ...gaps.flatMap((f) => f.limitedBy.slice(0, 3))], [
        'use components with a higher SL-C (IEC 62443-4-2), or declare the conduit or zone countermeasure that compensates under risk.compensations',
      ]);
    }
  }
  return out;
}

/** "SL 2" for a uniform vector, "IAC 2, UC 2, SI 3, …" otherwise. */
export function describeVector(v: Record<FR, number>): string {
  const first = v[FRS[0]];
  if (FRS.every((fr) => v[fr] === first)) return `SL ${first}`;
  return FRS.map((fr) => `${fr} ${v[fr]}`).join(', ');
}

/**
 * The risk method (docs/risk.md): risk = matrix[likelihood][worst consequence]; each security level of
 * countermeasures lowers the likelihood by one step; the recommended SL-T of a zone is the lowest SL that
 * brings every scenario against it (or against a conduit it joins) to the tolerable risk, raised to the
 * attacker-capability floor of the SL definitions. Pure functions: no printing, no I/O.
 */
import { FRS, type FR, type Model, type SLVector } from '../model/types.ts';
import type { RiskSection, ThreatScenario } from '../model/risk-schema.ts';

export const CONSEQUENCE_CATEGORIES = ['health_safety', 'environment', 'production', 'financial', 'reputation'] as const;
export type ConsequenceCategory = (typeof CONSEQUENCE_CATEGORIES)[number];

export const DEFAULT_TOLERABLE_RISK = 6;
/** Default matrix: likelihood x consequence. matrix[l-1][c-1]. */
export const DEFAULT_MATRIX: number[][] = [1, 2, 3, 4, 5].map((l) => [1, 2, 3, 4, 5].map((c) => l * c));
/** SL floor by attacker means (IEC 62443-3-3 SL definitions: casual, simple, moderate, extended). */
export const CAPABILITY_FLOOR: Record<string, number> = { casual: 1, simple: 2, moderate: 3, extended: 4 };

export interface RiskMethod {
  matrix: number[][];
  tolerable: number;
  /** True when the model overrides the default matrix / threshold. */
  customMatrix: boolean;
  customTolerable: boolean;
}

export function riskSection(model: Model): RiskSection | undefined {
  return model.risk as RiskSection | undefined;
}

export function riskMethod(risk: RiskSection | undefined): RiskMethod {
  return {
    matrix: risk?.matrix ?? DEFAULT_MATRIX,
    tolerable: risk?.tolerable_risk ?? DEFAULT_TOLERABLE_RISK,
    customMatrix: !!risk?.matrix,
    customTolerable: risk?.tolerable_risk !== undefined,
  };
}

export function riskScore(method: RiskMethod, likelihood: number, consequence: number): number {
  const l = Math.min(5, Math.max(1, Math.round(likelihood)));
  const c = Math.min(5, Math.max(1, Math.round(consequence)));
  return method.matrix[l - 1]![c - 1]!;
}

export interface ScenarioAssessment {
  id: string;
  target: string;
  /** Zones the scenario bears on: the target zone, or every zone a target conduit connects. */
  zones: string[];
  threatSource?: string;
  capability?: string;
  vector?: string;
  likelihood: number;
  /** The worst consequence category and its level. */
  worstCategory: ConsequenceCategory | null;
  consequence: number;
  /** Unmitigated risk score. */
  risk: number;
  tolerable: boolean;
  /** Lowest SL (0-4) whose likelihood reduction makes the risk tolerable, before the capability floor. */
  riskSL: number;
  /** Recommended SL for the FRs the scenario attacks (riskSL raised to the capability floor). */
  recommendedSL: number;
  /** Risk that remains at the recommended SL. */
  residualRisk: number;
  /** False when even SL 4 leaves the risk above the threshold. */
  reachable: boolean;
  frs: FR[];
  /** Model path of the scenario, e.g. `risk.scenarios[2]`. */
  path: string;
}

export function assessScenario(model: Model, method: RiskMethod, s: ThreatScenario, index: number): ScenarioAssessment {
  let worstCategory: ConsequenceCategory | null = null;
  let consequence = 0;
  for (const cat of CONSEQUENCE_CATEGORIES) {
    const v = s.consequences[cat];
    if (v !== undefined && v > consequence) {
      consequence = v;
      worstCategory = cat;
    }
  }
  const c = Math.max(1, consequence);
  const risk = riskScore(method, s.likelihood, c);
  let riskSL = 0;
  while (riskSL < 4 && riskScore(method, Math.max(1, s.likelihood - riskSL), c) > method.tolerable) riskSL++;
  const reachable = riskScore(method, Math.max(1, s.likelihood - riskSL), c) <= method.tolerable;
  const floor = s.capability ? CAPABILITY_FLOOR[s.capability] ?? 0 : 0;
  const recommendedSL = Math.max(riskSL, floor);
  const conduit = model.conduits.find((x) => x.id === s.target);
  const zones = conduit ? [...new Set(conduit.connects)] : model.zones.some((z) => z.id === s.target) ? [s.target] : [];
  return {
    id: s.id,
    target: s.target,
    zones,
    threatSource: s.threat_source,
    capability: s.capability,
    vector: s.vector,
    likelihood: s.likelihood,
    worstCategory,
    consequence,
    risk,
    tolerable: risk <= method.tolerable,
    riskSL,
    recommendedSL,
    residualRisk: riskScore(method, Math.max(1, s.likelihood - recommendedSL), c),
    reachable,
    frs: s.frs ? FRS.filter((fr) => s.frs!.includes(fr)) : [...FRS],
    path: `risk.scenarios[${index}]`,
  };
}

export interface ZoneRecommendation {
  zoneId: string;
  /** Per FR, the highest SL any scenario against the zone asks for (0 where none does). */
  recommended: SLVector;
  /** The scenarios that drive it. */
  scenarios: string[];
  declared?: SLVector;
}

export interface ConduitRecommendation {
  conduitId: string;
  /** Per FR, the highest SL the scenarios that target the conduit itself ask for. */
  recommended: SLVector;
  scenarios: string[];
  declared?: SLVector;
}

export interface RiskAssessment {
  method: RiskMethod;
  scenarios: ScenarioAssessment[];
  zones: ZoneRecommendation[];
  conduits: ConduitRecommendation[];
}

function recommend(scenarios: ScenarioAssessment[]): SLVector {
  return Object.fromEntries(FRS.map((fr) => [fr, Math.max(0, ...scenarios.filter((s) => s.frs.includes(fr)).map((s) => s.recommendedSL))])) as SLVector;
}

/** Assesses every scenario of the model's `risk` section; undefined when the model has none. */
export function assessRisk(model: Model): RiskAssessment | undefined {
  const risk = riskSection(model);
  if (!risk) return undefined;
  const method = riskMethod(risk);
  const scenarios = risk.scenarios.map((s, i) => assessScenario(model, method, s, i));
  const zones: ZoneRecommendation[] = [];
  for (const z of model.zones) {
    const mine = scenarios.filter((s) => s.zones.includes(z.id));
    if (!mine.length) continue;
    zones.push({ zoneId: z.id, recommended: recommend(mine), scenarios: mine.map((s) => s.id), declared: z.slT });
  }
  const conduits: ConduitRecommendation[] = [];
  for (const c of model.conduits) {
    const mine = scenarios.filter((s) => s.target === c.id);
    if (mine.length) conduits.push({ conduitId: c.id, recommended: recommend(mine), scenarios: mine.map((s) => s.id), declared: c.slT });
  }
  return { method, scenarios, zones, conduits };
}

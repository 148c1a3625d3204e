/** The optional `risk` section of a model (IEC 62443-3-2 ZCR 2, 4, 5). Interpreted by src/risk; documented in docs/risk.md. */
import * as z from 'zod';
import { FRS } from './types.ts';

const level = z.number().int().min(1).max(5);
const frName = z.enum(FRS);

export const consequenceSchema = z.strictObject({
  health_safety: level.optional(),
  environment: level.optional(),
  production: level.optional(),
  financial: level.optional(),
  reputation: level.optional(),
});

/** The means an attacker brings, as in the IEC 62443 SL definitions: SL 1 casual … SL 4 extended resources. */
export const ATTACKER_CAPABILITIES = ['casual', 'simple', 'moderate', 'extended'] as const;

export const threatScenarioSchema = z.strictObject({
  id: z.string().min(1),
  /** The zone or conduit the scenario targets (a conduit's scenario applies to every zone it connects). */
  target: z.string().min(1),
  threat_source: z.string().optional(),
  /** How the threat source's means compare with the SL definitions; sets a floor on the recommended SL. */
  capability: z.enum(ATTACKER_CAPABILITIES).optional(),
  vector: z.string().optional(),
  description: z.string().optional(),
  /** Unmitigated likelihood, 1 (rare) to 5 (almost certain). */
  likelihood: level,
  consequences: consequenceSchema,
  /** The foundational requirements the scenario attacks; all seven when absent. */
  frs: z.array(frName).min(1).optional(),
});

/** A countermeasure that raises a zone's achieved SL for some FRs above what its assets' SL-C give. */
export const compensationSchema = z.strictObject({
  zone: z.string().min(1),
  fr: z.union([frName, z.array(frName).min(1)]),
  level: z.number().int().min(0).max(4),
  /** The conduit whose control compensates, when there is one. */
  conduit: z.string().optional(),
  control: z.string().min(1),
});

export const riskSchema = z.strictObject({
  /**
   * Risk matrix: row = likelihood 1-5, column = consequence 1-5, value = risk score.
   * Default: likelihood x consequence (1-25).
   */
  matrix: z.array(z.array(z.number().min(0)).length(5)).length(5).optional(),
  /** Highest risk score that is tolerable without further countermeasures. Default 6. */
  tolerable_risk: z.number().min(0).optional(),
  scenarios: z.array(threatScenarioSchema).default([]),
  compensations: z.array(compensationSchema).default([]),
});

export type RiskSection = z.infer<typeof riskSchema>;
export type ThreatScenario = z.infer<typeof threatScenarioSchema>;
export type Compensation = z.infer<typeof compensationSchema>;

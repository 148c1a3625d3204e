/** The optional `risk` section of a model (ZCR 5). Interpreted by src/risk; documented in docs/risk.md. */
import { z } from 'zod';

const level = z.number().int().min(1).max(5);

export const consequenceSchema = z.object({
  health_safety: level.optional(),
  environment: level.optional(),
  production: level.optional(),
  financial: level.optional(),
  reputation: level.optional(),
});

export const threatScenarioSchema = z.object({
  id: z.string().min(1),
  /** The zone or conduit the scenario targets. */
  target: z.string().min(1),
  threat_source: z.string().optional(),
  vector: z.string().optional(),
  description: z.string().optional(),
  likelihood: level,
  consequences: consequenceSchema,
});

export const riskSchema = z.object({
  /** Risk = likelihood x worst consequence, compared against this threshold (1-25). */
  tolerable_risk: z.number().int().min(1).max(25).optional(),
  scenarios: z.array(threatScenarioSchema).default([]),
});

export type RiskSection = z.infer<typeof riskSchema>;

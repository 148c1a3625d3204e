/** The public library API: a small façade over the internals. Nothing here prints or exits. */
import { resolve } from 'node:path';
import { sortDiagnostics, type Diagnostic } from './diagnostics/diagnostic.ts';
import { loadModelFile, loadModelText, type LoadResult } from './model/load.ts';
import { runRules } from './rules/index.ts';
import { checkRisk } from './risk/check.ts';
import type { Model } from './model/types.ts';

export type { Diagnostic } from './diagnostics/diagnostic.ts';
export type { Model, Zone, Conduit, Flow, Asset } from './model/types.ts';
export { loadModelFile, loadModelText } from './model/load.ts';
export { compilePolicy, type PolicyIR, type PolicyRule } from './policy/ir.ts';
export { ZoneIndex } from './policy/zone-index.ts';
export { checkRisk } from './risk/check.ts';
export { TARGETS, getTarget } from './targets/index.ts';
export { parseConfig } from './parsers/index.ts';
export { verifyConfigs, createVerifier } from './analysis/verify.ts';
export { runBaseline } from './baseline/index.ts';
export { buildReport } from './report/build.ts';
export { renderDiagram } from './report/diagram.ts';
export { diffModels, renderDiff } from './report/diff.ts';

export interface ValidateResult {
  model?: Model;
  diagnostics: Diagnostic[];
  source: string;
  /** False when the input could not be loaded as a model at all. */
  usable: boolean;
}

function validateLoaded(r: LoadResult): ValidateResult {
  const usable = !!r.model && !r.diagnostics.some((d) => d.severity === 'error' && /^ZC0|^ZC10[0-9]$/.test(d.code));
  const diagnostics = [...r.diagnostics];
  if (r.model) diagnostics.push(...runRules(r.model, r.locate), ...checkRisk(r.model, r.locate));
  return { model: r.model, diagnostics: sortDiagnostics(diagnostics), source: r.source, usable };
}

/** Loads a model file and runs every design rule and the risk/SL checks (docs/rules.md, docs/risk.md). `file` is reported as given. */
export function validateFile(file: string, cwd = process.cwd()): ValidateResult {
  const r = loadModelFile(resolve(cwd, file));
  for (const d of r.diagnostics) if (d.file) d.file = file;
  if (r.model) r.model.file = file;
  return validateLoaded(r);
}

export function validateText(text: string, file = '<model>'): ValidateResult {
  return validateLoaded(loadModelText(text, file));
}

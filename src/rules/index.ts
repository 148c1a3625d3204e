/** The registry of design rules. Each rule lives in its own file; docs/rules.md documents each code. */
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import type { Locator, Model } from '../model/types.ts';
import { runRule, type Rule } from './rule.ts';
import { duplicateId } from './duplicate-id.ts';

export const RULES: readonly Rule[] = [
  duplicateId,
];

export function runRules(model: Model, locate: Locator, rules: readonly Rule[] = RULES): Diagnostic[] {
  return rules.flatMap((r) => runRule(r, model, locate));
}

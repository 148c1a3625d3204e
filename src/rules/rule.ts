/** What a design rule is: metadata plus a pure check over the loaded model. */
import type { Diagnostic, Severity } from '../diagnostics/diagnostic.ts';
import { defineCode } from '../diagnostics/codes.ts';
import type { Locator, Model } from '../model/types.ts';

export interface RuleMeta {
  code: string;
  /** kebab-case name; equals the file name. */
  name: string;
  severity: Severity;
  title: string;
  /** The IEC 62443 requirement the rule serves, e.g. "IEC 62443-3-2 ZCR 3.3". */
  clause: string;
}

export interface RuleContext {
  model: Model;
  locate: Locator;
  report(d: { path: string; message: string; ids: string[]; notes?: string[]; severity?: Severity; key?: boolean }): void;
}

export interface Rule {
  meta: RuleMeta;
  check(ctx: RuleContext): void;
}

export function defineRule(meta: RuleMeta, check: (ctx: RuleContext) => void): Rule {
  defineCode({ code: meta.code, name: meta.name, severity: meta.severity, title: meta.title });
  return { meta, check };
}

export function runRule(rule: Rule, model: Model, locate: Locator): Diagnostic[] {
  const out: Diagnostic[] = [];
  const ctx: RuleContext = {
    model,
    locate,
    report({ path, message, ids, notes, severity, key }) {
      const pos = locate(path, { key });
      out.push({
        code: rule.meta.code,
        severity: severity ?? rule.meta.severity,
        message,
        file: model.file,
        line: pos?.line,
        column: pos?.column,
        endLine: pos?.endLine,
        endColumn: pos?.endColumn,
        path,
        ids: [...new Set(ids)],
        ...(notes?.length ? { notes } : {}),
      });
    },
  };
  rule.check(ctx);
  return out;
}

/** Levenshtein distance, for "did you mean" suggestions. */
export function editDistance(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0];
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j];
      dp[j] = Math.min(dp[j] + 1, dp[j - 1] + 1, prev + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1));
      prev = tmp;
    }
  }
  return dp[b.length];
}

export function closest(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(name, c);
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(name.length / 2)) ? best : undefined;
}

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
      out.push(diagnosticAt(locate, model.file, { code: rule.meta.code, severity: severity ?? rule.meta.severity, path, message, ids, notes, key }));
    },
  };
  rule.check(ctx);
  return out;
}

/** A diagnostic placed at a model path (design rules and the risk checks share this). */
export function diagnosticAt(
  locate: Locator,
  file: string,
  d: { code: string; severity: Severity; path: string; message: string; ids: string[]; notes?: string[]; key?: boolean },
): Diagnostic {
  const pos = locate(d.path, { key: d.key });
  return {
    code: d.code,
    severity: d.severity,
    message: d.message,
    file,
    line: pos?.line,
    column: pos?.column,
    endLine: pos?.endLine,
    endColumn: pos?.endColumn,
    path: d.path,
    ids: [...new Set(d.ids)],
    ...(d.notes?.length ? { notes: d.notes } : {}),
  };
}

/** Levenshtein distance (case-insensitive), for "did you mean" suggestions. */
export function editDistance(a: string, b: string): number {
  return editDistanceWithin(a.toLowerCase(), b.toLowerCase(), Math.max(a.length, b.length));
}

let row = new Int32Array(64);

/**
 * Levenshtein distance of two (already lower-cased) strings when it is at most `max`, else `max + 1`. Stops as
 * soon as a whole row exceeds `max`, so a far-off candidate costs a row or two, not the full table.
 */
function editDistanceWithin(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  if (row.length <= b.length) row = new Int32Array(b.length * 2 + 1);
  const dp = row;
  for (let j = 0; j <= b.length; j++) dp[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0];
    dp[0] = i;
    let rowMin = i;
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j];
      const v = Math.min(tmp + 1, dp[j - 1] + 1, prev + (ca === b.charCodeAt(j - 1) ? 0 : 1));
      dp[j] = v;
      prev = tmp;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
  }
  return Math.min(dp[b.length], max + 1);
}

const lowered = new WeakMap<readonly string[], string[]>();

/** The candidate nearest to `name` within max(2, half its length) edits (case-insensitive); the first one on ties. */
export function closest(name: string, candidates: readonly string[]): string | undefined {
  let lower = lowered.get(candidates);
  if (!lower) lowered.set(candidates, (lower = candidates.map((c) => c.toLowerCase())));
  const n = name.toLowerCase();
  const limit = Math.max(2, Math.floor(name.length / 2));
  let best = -1;
  let bestD = limit + 1;
  for (let k = 0; k < lower.length && bestD > 0; k++) {
    if (bestD === 1) {
      // Only an exact (case-insensitive) match is nearer now.
      const exact = lower.indexOf(n, k);
      if (exact >= 0) best = exact;
      break;
    }
    // Only a strictly nearer candidate can replace the current best.
    const d = editDistanceWithin(n, lower[k], bestD - 1);
    if (d < bestD) {
      best = k;
      bestD = d;
    }
  }
  return best < 0 ? undefined : candidates[best];
}

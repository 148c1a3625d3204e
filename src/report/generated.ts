/**
 * Allow/deny rule counts of the configuration otzones generates for each boundary firewall of the model:
 * the vendor's target is run (check, then emit) and its permit/deny entries are counted. Counting is
 * implemented for the ASA, iptables and nftables targets; other vendors say so instead of guessing.
 */
import type { Locator, Model } from '../model/types.ts';
import type { PolicyIR } from '../policy/ir.ts';
import { compileTargets, getTarget } from '../targets/index.ts';

export interface GeneratedCount {
  firewall: string;
  vendor: string | null;
  target: string | null;
  allow: number | null;
  deny: number | null;
  /** Why there is no count (no matching target, target errors, counting not implemented). */
  reason?: string;
}

/** What counts as an allow (a conduit permit: new connections accepted) and a deny (drop rules and drop policies). */
const COUNTERS: Record<string, { allow: RegExp[]; deny: RegExp[]; what: string }> = {
  asa: { allow: [/^access-list \S+ extended permit\b/gm], deny: [/^access-list \S+ extended deny\b/gm], what: 'access-list entries' },
  iptables: { allow: [/^-A \S+ .*--ctstate NEW\b.*-j ACCEPT\b/gm], deny: [/^-A \S+ .*-j (DROP|REJECT)\b/gm, /^:\S+ DROP\b/gm], what: 'rules and chain policies' },
  nftables: { allow: [/^[ \t]+[^#\n]*\bct state new accept\b/gm], deny: [/^[ \t]+[^#\n]*\b(drop|reject)\s*;?[ \t]*$/gm], what: 'rules and chain policies' },
};

export function countUnit(target: string): string {
  return COUNTERS[target]?.what ?? 'rules';
}

/** The compile target for a firewall vendor string (e.g. "cisco-isa3000" → asa). */
export function targetForVendor(vendor: string | undefined): string | null {
  const v = (vendor ?? '').toLowerCase();
  if (/asa|isa|cisco|ftd|firepower/.test(v)) return 'asa';
  if (/iptables/.test(v)) return 'iptables';
  if (/nft|linux/.test(v)) return 'nftables';
  if (/forti/.test(v)) return 'fortigate';
  if (/palo|pan-?os/.test(v)) return 'panos';
  return null;
}

export function generatedRuleCounts(model: Model, ir: PolicyIR, locate?: Locator): GeneratedCount[] {
  return model.firewalls.map((fw): GeneratedCount => {
    const name = targetForVendor(fw.vendor);
    const base = { firewall: fw.id, vendor: fw.vendor ?? null, target: name, allow: null, deny: null };
    const target = name ? getTarget(name) : undefined;
    if (!target) return { ...base, reason: `no compile target for vendor "${fw.vendor ?? ''}"` };
    const counter = COUNTERS[target.name];
    if (!counter) return { ...base, reason: `counting is not implemented for the ${target.name} target` };
    const r = compileTargets({ model, ir, modelHash: 'report', locate }, [target]);
    const errors = r.diagnostics.filter((d) => d.severity === 'error').length;
    if (errors) return { ...base, reason: `not generated: ${errors} compile error(s) (run otzones compile --target ${target.name})` };
    const files = r.files.filter((f) => f.path.includes(fw.id));
    const text = (files.length ? files : r.files).map((f) => f.content).join('\n');
    const count = (res: RegExp[]) => res.reduce((n, re) => n + (text.match(re)?.length ?? 0), 0);
    return { ...base, allow: count(counter.allow), deny: count(counter.deny) };
  });
}

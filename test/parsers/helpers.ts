/** Compact text for ACL terms, so parser tests compare whole rule lists at a glance. */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddrRange, FirewallConfig, NumRange, Term, Vendor } from '../../src/parsers/acl.ts';
import { detectVendor } from '../../src/parsers/index.ts';
import { formatIp } from '../../src/net/ip.ts';
import { CORPUS } from '../helpers/paths.ts';

export const addr = (r: AddrRange[] | null) =>
  r === null ? 'any' : r.map((a) => (a.lo === a.hi ? formatIp(a.family, a.lo) : `${formatIp(a.family, a.lo)}-${formatIp(a.family, a.hi)}`)).join(',');

export const nums = (r: NumRange[] | null) => (r === null ? 'any' : r.map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join(','));

export const term = (t: Term) =>
  `${t.family ? `v${t.family} ` : ''}${t.inIf ? `in=${t.inIf} ` : ''}${t.outIf ? `out=${t.outIf} ` : ''}${addr(t.src)} > ${addr(t.dst)} p=${nums(t.protos)} sp=${nums(t.sports)} dp=${nums(t.dports)}`;

/** The flattened forward ACL of a Linux ruleset, one line per rule, then its default. */
export const forward = (cfg: FirewallConfig) => {
  const acl = cfg.acls.get(cfg.forward!)!;
  return [...acl.rules.map((r) => `${r.action}: ${r.terms.map(term).join(' | ')}`), `default ${acl.defaultAction}`];
};

/**
 * Parses every file of one vendor's folder of the third-party corpus (../shared/corpus/fwconfig/<vendor>/):
 * the vendor is detected, each file parses within a second, every line is accounted for, every unparsed line
 * has a line number and a reason. Returns the share of lines understood (parsed or without effect on filtering).
 */
export function corpusShare(vendor: Vendor, parse: (text: string, file: string) => FirewallConfig): { lines: number; understood: number; share: number } {
  const dir = join(CORPUS, 'fwconfig', vendor);
  let lines = 0;
  let understood = 0;
  for (const f of readdirSync(dir).sort()) {
    const text = readFileSync(join(dir, f), 'utf8');
    assert.equal(detectVendor(text), vendor, f);
    const t0 = performance.now();
    const cfg = parse(text, f);
    assert.ok(performance.now() - t0 < 1000, `${f} parses fast`);
    assert.equal(cfg.stats.parsed + cfg.stats.ignored + cfg.stats.unparsed, cfg.stats.lines, f);
    for (const u of cfg.unparsed) assert.ok(u.line >= 1 && u.reason.length > 0, `${f}: ${JSON.stringify(u)}`);
    lines += cfg.stats.lines;
    understood += cfg.stats.parsed + cfg.stats.ignored;
  }
  return { lines, understood, share: understood / lines };
}

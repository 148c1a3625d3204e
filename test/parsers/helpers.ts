/** Compact text for ACL terms, so parser tests compare whole rule lists at a glance. */
import type { AddrRange, FirewallConfig, NumRange, Term } from '../../src/parsers/acl.ts';
import { formatIp } from '../../src/net/ip.ts';

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

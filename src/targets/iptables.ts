/**
 * iptables: the nftables ruleset's twin for `iptables-restore` (and `ip6tables-restore` when the model has
 * IPv6 flows): same interface names, stateful, default drop, one-way flows without a reply direction.
 * Modbus function codes are left to the userspace Modbus filter, as for nftables.
 */
import type { Family } from '../net/ip.ts';
import type { PolicyRule } from '../policy/ir.ts';
import { comment, endpointPrefixes, families, headerLines, portText, ruleSummary, text, zonesInRules } from './common.ts';
import { linuxCheck, linuxInterfaceNames } from './nftables.ts';
import type { Target, TargetContext, TargetFile } from './target.ts';

/** multiport takes at most 15 ports, a range counting as two. */
function portChunks(r: PolicyRule): string[] {
  const out: string[] = [];
  let cur: string[] = [];
  let weight = 0;
  for (const p of r.ports) {
    const w = p.lo === p.hi ? 1 : 2;
    if (weight + w > 15) {
      out.push(cur.join(','));
      cur = [];
      weight = 0;
    }
    cur.push(portText(p, ':'));
    weight += w;
  }
  if (cur.length) out.push(cur.join(','));
  return out;
}

function proto(r: PolicyRule, fam: Family): string {
  if (r.transport === 'icmp') return fam === 4 ? '-p icmp' : '-p ipv6-icmp';
  return `-p ${r.transport}`;
}

function ruleset(ctx: TargetContext, fam: Family): string[] {
  const names = linuxInterfaceNames(ctx.model);
  const rules = ctx.ir.rules.filter((r) => families(r).includes(fam));
  const zones = zonesInRules(ctx.model, ctx.ir.rules);
  const restore = fam === 4 ? 'iptables-restore' : 'ip6tables-restore';
  const lines = comment('#', [
    ...headerLines(ctx, 'iptables'),
    `Linux boundary firewall for ${restore}: one interface per zone, stateful, default drop on FORWARD and INPUT.`,
    'Interfaces:',
    ...zones.map((z) => `  ${names.get(z.id)!.padEnd(15)} ${z.id} ${z.prefixes.filter((p) => p.family === fam).map((p) => p.text).join(' ')}`),
  ]);
  const addrs = (r: PolicyRule, side: 'src' | 'dst') => endpointPrefixes(r[side], fam).map((p) => p.text).join(',');
  lines.push('*filter', ':INPUT DROP [0:0]', ':FORWARD DROP [0:0]', ':OUTPUT ACCEPT [0:0]', '-A INPUT -i lo -j ACCEPT', '-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT', '-A FORWARD -m conntrack --ctstate INVALID -j DROP');
  const oneWay = rules.filter((r) => r.oneWay);
  if (oneWay.length) lines.push('# One-way (diode) flows: the reply direction is dropped before the stateful accept');
  for (const r of oneWay) {
    lines.push(`# ${ruleSummary(r)}`);
    const head = `-A FORWARD -i ${names.get(r.toZone)} -o ${names.get(r.fromZone)} -s ${addrs(r, 'dst')} -d ${addrs(r, 'src')} -m conntrack --ctdir REPLY`;
    const tail = `-m comment --comment "${r.conduitId} one-way" -j DROP`;
    if (r.transport === 'icmp') lines.push(`${head} --ctproto ${fam === 4 ? 'icmp' : 'ipv6-icmp'} ${tail}`);
    else if (r.ports.length === 0) lines.push(`${head} --ctproto ${r.transport} ${tail}`);
    else for (const p of r.ports) lines.push(`${head} --ctproto ${r.transport} --ctorigdstport ${portText(p, ':')} ${tail}`);
  }
  lines.push('-A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT');
  for (const r of rules) {
    lines.push(`# ${ruleSummary(r)}`);
    if (r.app.modbusFunctionCodes) {
      lines.push(`# Modbus function codes ${r.app.modbusFunctionCodes.join(',')} are NOT enforced by iptables (no correct TCP stream parsing); otzones modbus-filter enforces them.`);
    }
    const head = `-A FORWARD -i ${names.get(r.fromZone)} -o ${names.get(r.toZone)} -s ${addrs(r, 'src')} -d ${addrs(r, 'dst')} ${proto(r, fam)}`;
    const tail = `-m conntrack --ctstate NEW -m comment --comment "${r.conduitId} ${r.fromZone} to ${r.toZone}" -j ACCEPT`;
    if (r.transport === 'icmp' || r.ports.length === 0) lines.push(`${head} ${tail}`);
    else if (r.ports.length === 1) lines.push(`${head} -m ${r.transport} --dport ${portText(r.ports[0], ':')} ${tail}`);
    else for (const c of portChunks(r)) lines.push(`${head} -m multiport --dports ${c} ${tail}`);
  }
  lines.push('# Everything else is denied (policy DROP); log a sample', '-A FORWARD -m limit --limit 10/sec -j LOG --log-prefix "otzones-drop " --log-level 6', 'COMMIT');
  return lines;
}

function emit(ctx: TargetContext): TargetFile[] {
  const files: TargetFile[] = [{ path: 'iptables/otzones.rules', content: text(ruleset(ctx, 4)) }];
  if (ctx.ir.rules.some((r) => families(r).includes(6))) files.push({ path: 'iptables/otzones6.rules', content: text(ruleset(ctx, 6)) });
  return files;
}

export const iptablesTarget: Target = {
  name: 'iptables',
  description: 'iptables-restore ruleset for a Linux boundary firewall (same design as nftables)',
  check: (ctx) => linuxCheck(ctx, 'iptables'),
  emit,
  howToApply: [
    'On the Linux firewall: check with `iptables-restore --test < otzones.rules`, load with `iptables-restore < otzones.rules`',
    '(and `ip6tables-restore < otzones6.rules` when present). It replaces the whole filter table.',
    'Modbus function codes are enforced by `otzones modbus-filter`, not by this ruleset.',
  ].join('\n'),
};

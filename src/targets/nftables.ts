/**
 * nftables: a complete ruleset for a Linux boundary firewall with one interface per zone. Stateful, default
 * drop, conduit flows as rules over named sets. Loadable with plain `nft -f` (it replaces only `inet otzones`).
 *
 * Modbus function codes are NOT filtered here: nftables payload matching sees single packets, while Modbus/TCP
 * ADUs may be split across segments, pipelined several to a segment, or follow segments without payload, so a
 * byte match at a fixed offset is not correct on real streams. The lab's userspace filter (`otzones
 * modbus-filter`) enforces them; the output says so next to each such flow.
 */
import { createHash } from 'node:crypto';
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import type { Family, Prefix } from '../net/ip.ts';
import type { Model, Zone } from '../model/types.ts';
import type { PolicyRule } from '../policy/ir.ts';
import {
  TARGET_CANNOT_EXPRESS, TARGET_INCONSISTENT, TARGET_UNSAFE_VALUE, comment, endpointPrefixes, families, headerLines,
  portText, ruleSummary, targetDiag, text, zonesInRules,
} from './common.ts';
import type { Target, TargetContext, TargetFile } from './target.ts';

/** Linux interface names: at most 15 characters (IFNAMSIZ - 1), no `/`, `:` or whitespace. */
export const LINUX_IFNAME = /^[A-Za-z0-9_.-]{1,15}$/;
const LINUX_VENDOR = /linux|nftables|iptables|netfilter/i;

/** The Linux firewall of the model (vendor linux/nftables/iptables/netfilter), if any. */
export function linuxFirewall(model: Model) {
  return model.firewalls.find((f) => LINUX_VENDOR.test(f.vendor ?? ''));
}

/**
 * Interface name per zone id, for every zone of the model: the Linux firewall's interface when the model has
 * one (`firewalls[]` with vendor linux), else `z-<zone id in lower case>` cut to 15 characters; names that
 * would collide after the cut end in 4 hex digits of the zone id's SHA-256 instead. Deterministic.
 */
export function linuxInterfaceNames(model: Model): Map<string, string> {
  const fw = linuxFirewall(model);
  const out = new Map<string, string>();
  const generated = (z: Zone) => `z-${z.id.toLowerCase().replace(/[^a-z0-9_.-]/g, '-')}`;
  const counts = new Map<string, number>();
  for (const z of model.zones) {
    const n = generated(z).slice(0, 15);
    counts.set(n, (counts.get(n) ?? 0) + 1);
  }
  for (const z of model.zones) {
    const own = fw?.interfaces.find((i) => i.zone === z.id);
    if (own) {
      out.set(z.id, own.name);
      continue;
    }
    const full = generated(z);
    const cut = full.slice(0, 15);
    out.set(z.id, full.length <= 15 || counts.get(cut) === 1 ? cut : `${full.slice(0, 10)}-${createHash('sha256').update(z.id).digest('hex').slice(0, 4)}`);
  }
  return out;
}

/** The interface name the nftables/iptables rulesets use for a zone (see `linuxInterfaceNames`). */
export function nftInterfaceName(model: Model, zoneId: string): string | undefined {
  return linuxInterfaceNames(model).get(zoneId);
}

/** Checks shared by nftables and iptables: interface names, and what netfilter leaves to other devices. */
export function linuxCheck(ctx: TargetContext, target: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  const fw = linuxFirewall(ctx.model);
  if (fw) {
    fw.interfaces.forEach((i, k) => {
      if (!LINUX_IFNAME.test(i.name)) {
        out.push(targetDiag(ctx, TARGET_UNSAFE_VALUE, `${fw.path}.interfaces[${k}].name`, `${target}: "${i.name}" is not a Linux interface name (1-15 of letters, digits, "_", ".", "-")`, [fw.id, i.zone]));
      }
    });
  }
  const names = linuxInterfaceNames(ctx.model);
  const seen = new Map<string, string>();
  for (const z of zonesInRules(ctx.model, ctx.ir.rules)) {
    const n = names.get(z.id)!;
    const other = seen.get(n);
    if (other) out.push(targetDiag(ctx, TARGET_INCONSISTENT, fw?.path ?? z.path, `${target}: zones ${other} and ${z.id} would share interface ${n}`, [other, z.id]));
    seen.set(n, z.id);
  }
  for (const r of ctx.ir.rules) {
    if (r.app.s7Functions || r.app.dnp3FunctionCodes) {
      out.push(targetDiag(ctx, TARGET_CANNOT_EXPRESS, r.modelPath, `${target}: ${r.app.s7Functions ? 'S7' : 'DNP3'} function restrictions of ${r.conduitId} are not enforced by netfilter; use the suricata or ftd-snort rules`, [r.conduitId]));
    }
    if (r.oneWay && r.transport === 'tcp') {
      out.push(targetDiag(ctx, TARGET_CANNOT_EXPRESS, r.modelPath, `${target}: one-way flow ${r.protocol} of ${r.conduitId} is TCP, which cannot work without replies; only its initiating packets pass`, [r.conduitId]));
    }
  }
  return out;
}

/** nft set name: lower-case letters, digits and `_`, unique within the table. */
function setName(r: PolicyRule, side: 'src' | 'dst', family: Family, used: Set<string>): string {
  const base = `${r.conduitId}_${r.id.split('/')[1]}_${r.fromZone}_${r.toZone}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  let name = `${base}_${side}${family === 6 ? '6' : ''}`;
  if (name.length > 60 || used.has(name)) name = `s_${createHash('sha256').update(`${r.id}/${side}/${family}`).digest('hex').slice(0, 12)}_${side}`;
  used.add(name);
  return name;
}

function elements(ps: Prefix[]): string {
  return ps.map((p) => (p.len === (p.family === 4 ? 32 : 128) ? p.text.replace(/\/\d+$/, '') : p.text)).join(', ');
}

function l4(r: PolicyRule, family: Family): string {
  if (r.transport === 'icmp') return family === 4 ? 'meta l4proto icmp' : 'meta l4proto ipv6-icmp';
  if (r.ports.length === 0) return `meta l4proto ${r.transport}`;
  const ps = r.ports.map((p) => portText(p));
  return `${r.transport} dport ${ps.length === 1 ? ps[0] : `{ ${ps.join(', ')} }`}`;
}

/** Narrows a reply-direction match to the one-way flow's own connections (its protocol and port). */
function ctOriginal(r: PolicyRule): string {
  if (r.transport === 'icmp') return '';
  const proto = ` ct protocol ${r.transport}`;
  if (r.ports.length === 0) return proto;
  const ps = r.ports.map((p) => portText(p));
  return `${proto} ct original proto-dst ${ps.length === 1 ? ps[0] : `{ ${ps.join(', ')} }`}`;
}

function emit(ctx: TargetContext): TargetFile[] {
  const names = linuxInterfaceNames(ctx.model);
  const zones = zonesInRules(ctx.model, ctx.ir.rules);
  const lines = comment('#', [
    ...headerLines(ctx, 'nftables'),
    'Linux boundary firewall: one interface per zone, stateful, default drop on forward and input.',
    'Load with `nft -f <file>`; it replaces only table inet otzones.',
    'Interfaces:',
    ...zones.map((z) => `  ${names.get(z.id)!.padEnd(15)} ${z.id} ${z.prefixes.map((p) => p.text).join(' ')}`),
  ]);
  lines.unshift('#!/usr/sbin/nft -f');
  const used = new Set<string>();
  const sets: string[] = [];
  const oneWay: string[] = [];
  const flows: string[] = [];
  for (const r of ctx.ir.rules) {
    const iif = names.get(r.fromZone)!;
    const oif = names.get(r.toZone)!;
    flows.push('', `\t\t# ${ruleSummary(r)}`);
    if (r.app.modbusFunctionCodes) {
      flows.push(`\t\t# Modbus function codes ${r.app.modbusFunctionCodes.join(',')} are NOT enforced by nftables (no correct TCP stream parsing);`);
      flows.push('\t\t# the userspace Modbus filter (otzones modbus-filter) enforces them on this flow.');
    }
    for (const fam of families(r)) {
      const s = setName(r, 'src', fam, used);
      const d = setName(r, 'dst', fam, used);
      const type = fam === 4 ? 'ipv4_addr' : 'ipv6_addr';
      for (const [n, side] of [[s, 'src'], [d, 'dst']] as const) {
        sets.push(`\tset ${n} {`, `\t\ttype ${type}`, '\t\tflags interval', `\t\telements = { ${elements(endpointPrefixes(r[side], fam))} }`, '\t}', '');
      }
      const ip = fam === 4 ? 'ip' : 'ip6';
      flows.push(`\t\tiifname "${iif}" oifname "${oif}" ${ip} saddr @${s} ${ip} daddr @${d} ${l4(r, fam)} ct state new accept`);
      if (r.oneWay) {
        oneWay.push(`\t\t# ${ruleSummary(r)}: nothing travels back, not even replies or ICMP errors`);
        oneWay.push(`\t\tiifname "${oif}" oifname "${iif}" ${ip} saddr @${d} ${ip} daddr @${s} ct direction reply${ctOriginal(r)} drop`);
      }
    }
  }
  lines.push(
    '',
    'table inet otzones',
    'delete table inet otzones',
    '',
    'table inet otzones {',
    ...sets,
    '\tchain input {',
    '\t\ttype filter hook input priority filter; policy drop;',
    '\t\tiif "lo" accept',
    '\t\tct state established,related accept',
    '\t}',
    '',
    '\tchain forward {',
    '\t\ttype filter hook forward priority filter; policy drop;',
    '\t\tct state invalid drop',
  );
  if (oneWay.length) lines.push('', '\t\t# One-way (diode) flows: the reply direction is dropped before the stateful accept', ...oneWay);
  lines.push('', '\t\tct state established,related accept', ...flows, '', '\t\t# Everything else is denied (policy drop); log a sample', '\t\tlimit rate 10/second log prefix "otzones-drop " level info', '\t}', '', '\tchain output {', '\t\ttype filter hook output priority filter; policy accept;', '\t}', '}');
  return [{ path: 'nftables/otzones.nft', content: text(lines) }];
}

export const nftablesTarget: Target = {
  name: 'nftables',
  description: 'nftables ruleset for a Linux boundary firewall (one interface per zone, stateful, default drop)',
  check: (ctx) => linuxCheck(ctx, 'nftables'),
  emit,
  howToApply: [
    'On the Linux firewall: rename or create the interfaces listed in the header, check with `nft -c -f otzones.nft`,',
    'load with `nft -f otzones.nft` (replaces only table inet otzones), persist via /etc/nftables.conf `include`.',
    'Modbus function codes are enforced by `otzones modbus-filter`, not by this ruleset.',
  ].join('\n'),
};

/**
 * Cisco ASA / ISA-3000 (ASA mode): zone interfaces, object-groups, one inbound ACL per interface ending in
 * `deny ip any any log`, access-group bindings and syslog. Standard ASA syntax (the verify parser reads it back).
 * L3/L4 only: ASA does not filter Modbus function codes; the ftd-snort target carries those.
 */
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import { lengthToMask, parseIp, type Family, type Prefix } from '../net/ip.ts';
import type { Firewall, Zone } from '../model/types.ts';
import type { IREndpoint, PolicyRule } from '../policy/ir.ts';
import {
  TARGET_CANNOT_EXPRESS, TARGET_INCONSISTENT, TARGET_MISSING_KEY, boundedName, checkFirewallCoverage, comment, endpointPrefixes, families, firewallsFor,
  headerLines, isHost, portText, prefixAddress, ruleSummary, rulesOnFirewall, safeText, targetDiag, text, trustLevel,
  zoneById, zoneOfAddress,
} from './common.ts';
import type { Target, TargetContext, TargetFile } from './target.ts';

const VENDOR = /asa|isa|cisco|ftd|firepower/i;

/** `zone-bpcs` → `BPCS`: the short tag ACL names are built from. */
function tag(nameif: string): string {
  return nameif.replace(/^zone[-_]/i, '').toUpperCase();
}

function gatewayPrefix(zone: Zone): Prefix | undefined {
  if (!zone.gateway) return undefined;
  const ip = parseIp(zone.gateway);
  if (!ip.ok) return undefined;
  return zone.prefixes.find((p) => p.family === ip.value.family && p.lo <= ip.value.value && ip.value.value <= p.hi);
}

function check(ctx: TargetContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  const fws = firewallsFor(ctx.model, VENDOR);
  out.push(...checkFirewallCoverage(ctx, fws, 'asa'));
  const zones = zoneById(ctx.model);
  for (const fw of fws) {
    for (const itf of fw.interfaces) {
      const z = zones.get(itf.zone);
      const ifPath = `${fw.path}.interfaces`;
      if (!z) {
        out.push(targetDiag(ctx, TARGET_MISSING_KEY, ifPath, `asa: ${fw.id} interface ${itf.name} faces "${itf.zone}", which is not a zone id`, [fw.id, itf.zone]));
        continue;
      }
      if (z.prefixes.length === 0) out.push(targetDiag(ctx, TARGET_MISSING_KEY, z.path, `asa: zone ${z.id} has no \`subnets\` (needed for the address of ${itf.name})`, [z.id, fw.id]));
      if (!z.gateway) out.push(targetDiag(ctx, TARGET_MISSING_KEY, z.path, `asa: zone ${z.id} has no \`gateway\` (the address of ${fw.id} ${itf.name})`, [z.id, fw.id]));
      else if (z.prefixes.length && !gatewayPrefix(z)) {
        out.push(targetDiag(ctx, TARGET_INCONSISTENT, `${z.path}.gateway`, `asa: gateway ${safeText(z.gateway, 45)} of zone ${z.id} is in none of its \`subnets\``, [z.id]));
      }
      if (!z.purdue) out.push(targetDiag(ctx, TARGET_MISSING_KEY, z.path, `asa: zone ${z.id} has no \`purdue_level\` (the security-level of ${itf.name} derives from it)`, [z.id, fw.id]));
    }
    for (const [i, h] of ctx.model.loggingHosts.entries()) {
      const z = zoneOfAddress(ctx.model, h);
      if (!z) {
        out.push(targetDiag(ctx, TARGET_MISSING_KEY, `logging_hosts[${i}]`, `asa: logging host ${safeText(h, 45)} is in no zone of the model, so no interface of ${fw.id} can be named for it`, [fw.id]));
      } else if (!fw.interfaces.some((x) => x.zone === z.id)) {
        out.push(targetDiag(ctx, TARGET_CANNOT_EXPRESS, `logging_hosts[${i}]`, `asa: logging host ${safeText(h, 45)} (zone ${z.id}) is not behind an interface of ${fw.id}; add its \`logging host\` line by hand with the interface that routes to it`, [fw.id, z.id]));
      }
    }
  }
  return out;
}

interface AddrRef {
  /** ACE operand: `host a`, `a mask`, `a/len` or `object-group NAME`. */
  operand: string;
  group?: { name: string; prefixes: Prefix[] };
}

function inlineOperand(p: Prefix): string {
  if (isHost(p)) return `host ${prefixAddress(p)}`;
  return p.family === 4 ? `${prefixAddress(p)} ${lengthToMask(p.len)}` : `${prefixAddress(p)}/${p.len}`;
}

/**
 * A single prefix stays inline (as in the source document's step 2); sets become object-groups. One family
 * per ACE, so an ACE never pairs an IPv4 source with an IPv6 destination; IPv6 groups end in `-v6`.
 */
function addrRef(eps: IREndpoint[], family: Family): AddrRef {
  const prefixes = endpointPrefixes(eps, family);
  if (prefixes.length === 1) return { operand: inlineOperand(prefixes[0]) };
  const name = family === 6 ? `${boundedName(eps.map((e) => e.ref), 61, '_')}-v6` : boundedName(eps.map((e) => e.ref), 64, '_');
  return { operand: `object-group ${name}`, group: { name, prefixes } };
}

function aces(acl: string, r: PolicyRule, src: AddrRef, dst: AddrRef): string[] {
  const head = `access-list ${acl} extended permit ${r.transport} ${src.operand} ${dst.operand}`;
  if (r.transport === 'icmp' || r.ports.length === 0) return [head];
  return r.ports.map((p) => (p.lo === p.hi ? `${head} eq ${p.lo}` : `${head} range ${p.lo} ${p.hi}`));
}

function emitFirewall(ctx: TargetContext, fw: Firewall): TargetFile {
  const zones = zoneById(ctx.model);
  const rules = rulesOnFirewall(fw, ctx.ir.rules);
  const ifByZone = new Map(fw.interfaces.map((i) => [i.zone, i]));
  const lines: string[] = comment('!', [
    ...headerLines(ctx, 'asa', `${fw.id}${fw.vendor ? ` ${fw.vendor}` : ''}`),
    'Standard ASA syntax. L3/L4 only: ASA does not filter Modbus function codes; load the ftd-snort rules for them.',
  ]);
  lines.push('!', '! Zone interfaces (security-level = 100 - 10 x lowest Purdue level)');
  const levels = new Map<number, number>();
  for (const itf of fw.interfaces) {
    const z = zones.get(itf.zone)!;
    const gp = gatewayPrefix(z)!;
    const lvl = trustLevel(z)!;
    levels.set(lvl, (levels.get(lvl) ?? 0) + 1);
    const addr = gp.family === 4 ? `ip address ${z.gateway} ${lengthToMask(gp.len)}` : `ipv6 address ${z.gateway}/${gp.len}`;
    lines.push(`interface ${itf.name}`, ` nameif ${itf.nameif}`, ` security-level ${lvl}`, ` ${addr}`, ' no shutdown', '!');
  }
  if ([...levels.values()].some((n) => n > 1)) {
    lines.push('! Interfaces share a security-level: let the ACLs decide between them', 'same-security-traffic permit inter-interface', '!');
  }
  // Object-groups for endpoint sets with more than one prefix.
  const groups = new Map<string, Prefix[]>();
  const refs = new Map<PolicyRule, { src: AddrRef; dst: AddrRef }[]>();
  for (const r of rules) {
    const pairs = families(r).map((f) => ({ src: addrRef(r.src, f), dst: addrRef(r.dst, f) }));
    for (const { src, dst } of pairs) for (const g of [src.group, dst.group]) if (g) groups.set(g.name, g.prefixes);
    refs.set(r, pairs);
  }
  if (groups.size) {
    lines.push('! Address sets named by the zones and assets they hold');
    for (const name of [...groups.keys()].sort()) {
      lines.push(`object-group network ${name}`);
      for (const p of groups.get(name)!) lines.push(` network-object ${isHost(p) ? `host ${prefixAddress(p)}` : p.family === 4 ? `${prefixAddress(p)} ${lengthToMask(p.len)}` : `${prefixAddress(p)}/${p.len}`}`);
    }
    lines.push('!');
  }
  // One inbound ACL per interface: ASA binds one `in` access-group per interface, so an interface whose
  // zone initiates to several zones gets one ACL naming them all.
  const bindings: string[] = [];
  lines.push('! Conduit flows, one inbound access list per zone interface; everything else is denied and logged');
  for (const itf of fw.interfaces) {
    const own = rules.filter((r) => r.fromZone === itf.zone);
    const dstZones = fw.interfaces.filter((x) => own.some((r) => r.toZone === x.zone));
    const acl = dstZones.length ? boundedName([tag(itf.nameif), 'to', ...dstZones.map((x) => tag(x.nameif))], 64) : boundedName([tag(itf.nameif), 'deny-all'], 64);
    for (const dz of dstZones) {
      for (const r of own.filter((x) => x.toZone === dz.zone)) {
        lines.push(`access-list ${acl} remark ${safeText(ruleSummary(r), 100)}`);
        if (r.app.modbusFunctionCodes) lines.push(`access-list ${acl} remark Modbus function codes enforced by the ftd-snort rules, not by this ACE`);
        if (r.oneWay) lines.push(`access-list ${acl} remark one-way: no reply data expected${r.diode ? ' (hardware data diode)' : ''}`);
        for (const ref of refs.get(r)!) lines.push(...aces(acl, r, ref.src, ref.dst));
      }
    }
    lines.push(`access-list ${acl} extended deny ip any any log`);
    bindings.push(`access-group ${acl} in interface ${itf.nameif}`);
  }
  lines.push('!', '! Bindings', ...bindings);
  const hosts = ctx.model.loggingHosts.map((h) => ({ h, z: zoneOfAddress(ctx.model, h)! })).filter((x) => ifByZone.has(x.z.id));
  if (hosts.length) {
    lines.push('!', '! Logging to the syslog host(s) of the model');
    for (const { h, z } of hosts) lines.push(`logging host ${ifByZone.get(z.id)!.nameif} ${h}`);
    lines.push('logging trap informational', 'logging enable');
  }
  return { path: `asa/${fw.id}.cfg`, content: text(lines) };
}

export const asaTarget: Target = {
  name: 'asa',
  description: 'Cisco ASA / ISA-3000 (ASA mode): interfaces, object-groups, ACLs per interface, logging',
  check,
  emit: (ctx) => firewallsFor(ctx.model, VENDOR).map((fw) => emitFirewall(ctx, fw)),
  howToApply: [
    'Paste `<firewall id>.cfg` in configuration mode (`configure terminal`) on the ASA / ISA-3000 named in its header,',
    'or merge it with `copy <file> running-config`. Review interface names first: they come from `firewalls[].interfaces`.',
    'The ACLs are L3/L4; load ../ftd-snort/ into the Firepower/Snort 3 intrusion policy for Modbus/DNP3 function codes.',
  ].join('\n'),
};

/**
 * FortiGate (FortiOS CLI): zones bound to the firewall's interfaces, address objects and groups, custom
 * services and one firewall policy per conduit flow and zone pair, ending with an explicit logged deny.
 * Modbus function codes: FortiOS selects its industrial application-control signatures by FortiGuard
 * numeric ids, which are not available offline; the output names the signatures to allow next to the
 * policy and the compile reports it (ZC712) instead of pretending to enforce them.
 */
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import { MODBUS_FUNCTIONS } from '../modbus/codes.ts';
import { lengthToMask } from '../net/ip.ts';
import {
  TARGET_CANNOT_EXPRESS, addressBook, boundedName, checkFirewallCoverage, comment, families, headerLines, isHost, oneWayWarnings,
  pickFirewall, prefixAddress, ruleSummary, rulesOnFirewall, safeText, serviceName, targetDiag, text, vendorWarning, zoneById,
} from './common.ts';
import type { Target, TargetContext, TargetFile } from './target.ts';

const VENDOR = /forti/i;

/** FortiGuard industrial signature name for a Modbus function code, e.g. `Modbus_Read.Holding.Registers`. */
export function fortiguardModbusName(code: number): string {
  const n = MODBUS_FUNCTIONS[code]?.name ?? `function-${code}`;
  return `Modbus_${n.split('-').map((w) => w[0].toUpperCase() + w.slice(1)).join('.')}`;
}

function check(ctx: TargetContext): Diagnostic[] {
  const fw = pickFirewall(ctx.model, VENDOR);
  const out = checkFirewallCoverage(ctx, fw ? [fw] : [], 'fortigate');
  for (const r of ctx.ir.rules) {
    if (r.app.modbusFunctionCodes) {
      out.push(
        targetDiag(ctx, TARGET_CANNOT_EXPRESS, r.modelPath, `fortigate: Modbus function codes ${r.app.modbusFunctionCodes.join(',')} of ${r.conduitId} are not enforced by the generated policy; select the FortiGuard signatures named in its comment in an application sensor`, [r.conduitId]),
      );
    }
    if (r.app.dnp3FunctionCodes || r.app.s7Functions) {
      out.push(targetDiag(ctx, TARGET_CANNOT_EXPRESS, r.modelPath, `fortigate: ${r.app.dnp3FunctionCodes ? 'DNP3' : 'S7'} function restrictions of ${r.conduitId} are not written; use the suricata rules`, [r.conduitId]));
    }
  }
  out.push(...oneWayWarnings(ctx, 'fortigate', ctx.ir.rules), ...vendorWarning(ctx, fw, VENDOR, 'fortigate'));
  return out;
}

const q = (s: string) => `"${s}"`;

function emit(ctx: TargetContext): TargetFile[] {
  const fw = pickFirewall(ctx.model, VENDOR)!;
  const rules = rulesOnFirewall(fw, ctx.ir.rules);
  const zones = zoneById(ctx.model);
  const book4 = addressBook(rules, 79, 4);
  const book6 = addressBook(rules, 79, 6);
  const zoneName = (id: string) => boundedName([id], 35);
  const lines = comment('#', [...headerLines(ctx, 'fortigate', `${fw.id}${fw.vendor ? ` ${fw.vendor}` : ''}`), 'FortiOS CLI: paste into the CLI console or upload as a script.']);
  lines.push('config system zone');
  for (const itf of fw.interfaces) {
    if (!zones.has(itf.zone)) continue;
    lines.push(`    edit ${q(zoneName(itf.zone))}`, `        set interface ${q(itf.name)}`, '        set intrazone deny', '    next');
  }
  lines.push('end');
  for (const [fam, table, group] of [[4, 'address', 'addrgrp'], [6, 'address6', 'addrgrp6']] as const) {
    const b = fam === 4 ? book4 : book6;
    if (b.objects.size === 0) continue;
    lines.push(`config firewall ${table}`);
    for (const name of [...b.objects.keys()].sort()) {
      const p = b.objects.get(name)!;
      lines.push(`    edit ${q(name)}`, fam === 4 ? `        set subnet ${prefixAddress(p)} ${isHost(p) ? '255.255.255.255' : lengthToMask(p.len)}` : `        set ip6 ${p.text}`, '    next');
    }
    lines.push('end');
    if (b.groups.size) {
      lines.push(`config firewall ${group}`);
      for (const name of [...b.groups.keys()].sort()) lines.push(`    edit ${q(name)}`, `        set member ${b.groups.get(name)!.map(q).join(' ')}`, '    next');
      lines.push('end');
    }
  }
  const services = new Map<string, string>();
  for (const r of rules) {
    if (r.transport === 'icmp') continue;
    const range = r.ports.length ? r.ports.map((p) => (p.lo === p.hi ? `${p.lo}` : `${p.lo}-${p.hi}`)).join(' ') : '1-65535';
    services.set(serviceName(r, 79), `set ${r.transport}-portrange ${range}`);
  }
  if (services.size) {
    lines.push('config firewall service custom');
    for (const name of [...services.keys()].sort()) lines.push(`    edit ${q(name)}`, `        ${services.get(name)}`, '    next');
    lines.push('end');
  }
  lines.push('config firewall policy');
  let id = 1;
  for (const r of rules) {
    lines.push(`    # ${ruleSummary(r)}`);
    if (r.app.modbusFunctionCodes) {
      lines.push(`    # Modbus: allow only ${r.app.modbusFunctionCodes.map(fortiguardModbusName).join(', ')} in an application sensor (FortiGuard OT signatures) on this policy`);
    }
    const fams = families(r);
    const addrs = [
      ...(fams.includes(4) ? [`        set srcaddr ${q(book4.side(r.src))}`, `        set dstaddr ${q(book4.side(r.dst))}`] : []),
      ...(fams.includes(6) ? [`        set srcaddr6 ${q(book6.side(r.src))}`, `        set dstaddr6 ${q(book6.side(r.dst))}`] : []),
    ];
    lines.push(
      `    edit ${id++}`,
      `        set name ${q(boundedName([r.conduitId, r.id.split('/')[1], r.fromZone, r.toZone], 35))}`,
      `        set srcintf ${q(zoneName(r.fromZone))}`,
      `        set dstintf ${q(zoneName(r.toZone))}`,
      ...addrs,
      '        set action accept',
      '        set schedule "always"',
      `        set service ${q(r.transport === 'icmp' ? 'ALL_ICMP' : serviceName(r, 79))}`,
      '        set logtraffic all',
      `        set comments ${q(safeText(`${r.conduitId} ${r.fromZone} to ${r.toZone}`, 255))}`,
      '    next',
    );
  }
  lines.push(
    '    # Everything else is denied; the explicit rule logs it',
    `    edit ${id}`,
    '        set name "otzones-deny-all"',
    '        set srcintf "any"',
    '        set dstintf "any"',
    '        set srcaddr "all"',
    '        set dstaddr "all"',
    ...(book6.objects.size ? ['        set srcaddr6 "all"', '        set dstaddr6 "all"'] : []),
    '        set action deny',
    '        set schedule "always"',
    '        set service "ALL"',
    '        set logtraffic all',
    '    next',
    'end',
  );
  return [{ path: `fortigate/${fw.id}.conf`, content: text(lines) }];
}

export const fortigateTarget: Target = {
  name: 'fortigate',
  description: 'FortiGate FortiOS CLI: zones, addresses, groups, services, one policy per conduit flow',
  check,
  emit,
  howToApply: [
    'Paste `<firewall id>.conf` into the FortiGate CLI console (or System > Config > Scripts). Interface names come from',
    '`firewalls[].interfaces`. For Modbus function codes, create an application sensor allowing the FortiGuard signatures',
    'named in the comments (enable OT signatures: `config ips global` / `set exclude-signatures none`) and set it on those policies.',
  ].join('\n'),
};

/**
 * PAN-OS `set` commands: zones on the firewall's interfaces, address objects and groups, services, and one
 * security rule per conduit flow and zone pair, ending with a logged deny-all. Flows that restrict Modbus
 * function codes allow only the matching Modbus App-IDs (read vs write functions are separate App-IDs).
 */
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import type { PolicyRule } from '../policy/ir.ts';
import {
  TARGET_CANNOT_EXPRESS, addressBook, boundedName, checkFirewallCoverage, comment, headerLines, oneWayWarnings,
  pickFirewall, portText, ruleSummary, rulesOnFirewall, safeText, serviceName, targetDiag, text, vendorWarning, zoneById,
} from './common.ts';
import type { Target, TargetContext, TargetFile } from './target.ts';

const VENDOR = /palo|pan-?os/i;

/** Modbus function code → PAN-OS App-ID (Applipedia, "modbus-<function>"). Codes without one stay blocked. */
export const PANOS_MODBUS_APPS: Readonly<Record<number, string>> = {
  1: 'modbus-read-coils',
  2: 'modbus-read-discrete-inputs',
  3: 'modbus-read-holding-registers',
  4: 'modbus-read-input-registers',
  5: 'modbus-write-single-coil',
  6: 'modbus-write-single-register',
  15: 'modbus-write-multiple-coils',
  16: 'modbus-write-multiple-registers',
};

function check(ctx: TargetContext): Diagnostic[] {
  const fw = pickFirewall(ctx.model, VENDOR);
  const out = checkFirewallCoverage(ctx, fw ? [fw] : [], 'panos');
  for (const r of ctx.ir.rules) {
    const missing = (r.app.modbusFunctionCodes ?? []).filter((c) => !PANOS_MODBUS_APPS[c]);
    if (missing.length) {
      out.push(targetDiag(ctx, TARGET_CANNOT_EXPRESS, r.modelPath, `panos: Modbus function codes ${missing.join(',')} of ${r.conduitId} have no App-ID here and stay blocked`, [r.conduitId]));
    }
    if (r.app.dnp3FunctionCodes || r.app.s7Functions) {
      out.push(targetDiag(ctx, TARGET_CANNOT_EXPRESS, r.modelPath, `panos: ${r.app.dnp3FunctionCodes ? 'DNP3' : 'S7'} function restrictions of ${r.conduitId} are not written; use the suricata rules`, [r.conduitId]));
    }
  }
  out.push(...oneWayWarnings(ctx, 'panos', ctx.ir.rules), ...vendorWarning(ctx, fw, VENDOR, 'panos'));
  return out;
}

function applications(r: PolicyRule): string {
  if (r.transport === 'icmp') return '[ icmp ping ]';
  const fc = r.app.modbusFunctionCodes;
  if (!fc) return 'any';
  const apps = [...new Set(fc.map((c) => PANOS_MODBUS_APPS[c]).filter((a): a is string => !!a))].sort();
  return apps.length === 1 ? apps[0] : apps.length ? `[ ${apps.join(' ')} ]` : 'modbus-base';
}

function emit(ctx: TargetContext): TargetFile[] {
  const fw = pickFirewall(ctx.model, VENDOR)!;
  const rules = rulesOnFirewall(fw, ctx.ir.rules);
  const zones = zoneById(ctx.model);
  const book = addressBook(rules, 63);
  const zoneName = (id: string) => boundedName([id], 31);
  const lines = comment('#', [...headerLines(ctx, 'panos', `${fw.id}${fw.vendor ? ` ${fw.vendor}` : ''}`), 'PAN-OS configure-mode set commands; commit afterwards.']);
  lines.push('', '# Zones');
  for (const itf of fw.interfaces) if (zones.has(itf.zone)) lines.push(`set zone ${zoneName(itf.zone)} network layer3 ${itf.name}`);
  lines.push('', '# Address objects');
  for (const name of [...book.objects.keys()].sort()) lines.push(`set address ${name} ip-netmask ${book.objects.get(name)!.text}`);
  if (book.groups.size) {
    lines.push('', '# Address groups');
    for (const name of [...book.groups.keys()].sort()) lines.push(`set address-group ${name} static [ ${book.groups.get(name)!.join(' ')} ]`);
  }
  const services = new Map<string, string>();
  for (const r of rules) {
    if (r.transport === 'icmp') continue;
    services.set(serviceName(r, 63), `protocol ${r.transport} port ${r.ports.length ? r.ports.map((p) => portText(p)).join(',') : '1-65535'}`);
  }
  if (services.size) {
    lines.push('', '# Services');
    for (const name of [...services.keys()].sort()) lines.push(`set service ${name} ${services.get(name)}`);
  }
  lines.push('', '# Security rules, one per conduit flow and zone pair');
  for (const r of rules) {
    const name = boundedName([r.conduitId, r.id.split('/')[1], r.fromZone, r.toZone], 63);
    const p = `set rulebase security rules ${name}`;
    lines.push('', `# ${ruleSummary(r)}`);
    if (r.app.modbusFunctionCodes) lines.push(`# Modbus function codes ${r.app.modbusFunctionCodes.join(',')} only: the rule allows just their App-IDs`);
    lines.push(
      `${p} from ${zoneName(r.fromZone)}`,
      `${p} to ${zoneName(r.toZone)}`,
      `${p} source ${book.side(r.src)}`,
      `${p} destination ${book.side(r.dst)}`,
      `${p} application ${applications(r)}`,
      `${p} service ${r.transport === 'icmp' ? 'application-default' : serviceName(r, 63)}`,
      `${p} action allow`,
      `${p} log-end yes`,
      `${p} description "${safeText(`${r.conduitId} ${r.fromZone} to ${r.toZone}`, 255)}"`,
    );
  }
  const d = 'set rulebase security rules otzones-deny-all';
  lines.push('', '# Everything else is denied and logged');
  lines.push(`${d} from any`, `${d} to any`, `${d} source any`, `${d} destination any`, `${d} application any`, `${d} service any`, `${d} action deny`, `${d} log-end yes`);
  return [{ path: `panos/${fw.id}.set`, content: text(lines) }];
}

export const panosTarget: Target = {
  name: 'panos',
  description: 'PAN-OS set commands: zones, addresses, services, security rules with Modbus App-IDs',
  check,
  emit,
  howToApply: [
    'In the PAN-OS CLI: `set cli config-output-format set`, `configure`, paste `<firewall id>.set`, review, `commit`.',
    'Interface names come from `firewalls[].interfaces`; Modbus App-IDs need a current App-ID content version.',
  ].join('\n'),
};

/**
 * What every target shares: the header, safe text for comments, endpoint address lists, device names and
 * the compile diagnostics (ZC710-ZC749). Targets only print the IR; nothing here re-derives policy.
 */
import { createHash } from 'node:crypto';
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import { defineCode, type CodeInfo } from '../diagnostics/codes.ts';
import { formatIp, parseIp, type Family, type Prefix } from '../net/ip.ts';
import type { Firewall, Model, Zone } from '../model/types.ts';
import type { IREndpoint, PolicyRule } from '../policy/ir.ts';
import type { TargetContext } from './target.ts';

export const TARGET_MISSING_KEY = defineCode({ code: 'ZC710', name: 'target-missing-key', severity: 'error', title: 'The model lacks a key this target needs' });
export const TARGET_UNSAFE_VALUE = defineCode({ code: 'ZC711', name: 'target-unsafe-value', severity: 'error', title: 'A model value cannot be written into this target\'s configuration safely' });
export const TARGET_CANNOT_EXPRESS = defineCode({ code: 'ZC712', name: 'target-cannot-express', severity: 'warning', title: 'The target cannot enforce a constraint of a flow; another device must' });
export const TARGET_OTHER_VENDOR = defineCode({ code: 'ZC714', name: 'target-other-vendor', severity: 'warning', title: 'The firewall the target writes for is declared as another vendor\'s device' });
export const TARGET_INCONSISTENT = defineCode({ code: 'ZC713', name: 'target-inconsistent', severity: 'error', title: 'Model values contradict each other for this target' });

/** Builds a target diagnostic with the model position of `path`. */
export function targetDiag(ctx: TargetContext, code: CodeInfo, path: string | undefined, message: string, ids: string[], notes?: string[]): Diagnostic {
  const pos = path !== undefined ? ctx.locate?.(path) : undefined;
  return {
    code: code.code,
    severity: code.severity,
    message,
    file: ctx.model.file,
    line: pos?.line,
    column: pos?.column,
    path,
    ids,
    ...(notes?.length ? { notes } : {}),
  };
}

/**
 * Free text made safe for any target's comment or quoted string: printable ASCII letters, digits, space and
 * `-_.,:/()+=@`; everything else (quotes, newlines, `;`, `#`, `}`, `\`, `!`, `$`, `|`…) becomes `_`.
 */
export function safeText(text: string, max = 120): string {
  const t = text.replace(/[^A-Za-z0-9 \-_.,:/()+=@]/g, '_').replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 3)}...` : t;
}

/** Header lines (without the comment prefix): model file, its SHA-256, the target and the device. */
export function headerLines(ctx: TargetContext, target: string, device?: string): string[] {
  return [
    `otzones compile --target ${target}${device ? ` (device ${safeText(device, 63)})` : ''}`,
    `model: ${safeText(ctx.model.file, 200)}`,
    `model sha256: ${ctx.modelHash}`,
    `facility: ${safeText(ctx.model.facility)}`,
    'Generated from the policy IR: everything not permitted below is denied (IEC 62443-3-3 SR 5.2 RE1).',
    'Deterministic output; regenerate with otzones compile instead of editing by hand.',
  ];
}

export function comment(prefix: string, lines: string[]): string[] {
  return lines.map((l) => (l ? `${prefix} ${l}` : prefix));
}

/** Every prefix of a set of endpoints, deduplicated and sorted (family, address, length). */
export function endpointPrefixes(eps: readonly IREndpoint[], family?: Family): Prefix[] {
  const seen = new Map<string, Prefix>();
  for (const e of eps) for (const p of e.prefixes) if (family === undefined || p.family === family) seen.set(p.text, p);
  return [...seen.values()].sort(comparePrefix);
}

export function comparePrefix(a: Prefix, b: Prefix): number {
  return a.family - b.family || (a.lo < b.lo ? -1 : a.lo > b.lo ? 1 : 0) || a.len - b.len;
}

export function families(rule: PolicyRule): Family[] {
  const out: Family[] = [];
  for (const f of [4, 6] as Family[]) {
    if (endpointPrefixes(rule.src, f).length && endpointPrefixes(rule.dst, f).length) out.push(f);
  }
  return out;
}

/** `Z2-BPCS`, `HIST-01`, or `DMZ-HIST-01, DMZ-JUMP-01` — the refs a side of a rule names. */
export function refsText(eps: readonly IREndpoint[]): string {
  return eps.map((e) => e.ref).join(', ');
}

/** One line saying what a rule allows, for comments (ids only: they are validated by the schema). */
export function ruleSummary(r: PolicyRule): string {
  const ports = r.ports.length ? ` ${r.ports.map((p) => (p.lo === p.hi ? `${p.lo}` : `${p.lo}-${p.hi}`)).join(',')}` : '';
  const fc = r.app.modbusFunctionCodes ? ` function codes ${r.app.modbusFunctionCodes.join(',')}` : '';
  const dnp = r.app.dnp3FunctionCodes ? ` DNP3 function codes ${r.app.dnp3FunctionCodes.join(',')}` : '';
  const one = r.diode ? ' one-way (data diode)' : r.oneWay ? ' one-way' : '';
  return `${r.conduitId}: ${r.protocol} ${r.transport}${ports} from ${refsText(r.src)} to ${refsText(r.dst)} (zone ${r.fromZone} to ${r.toZone})${fc}${dnp}${one}`;
}

/** A name within `max` characters: the parts joined by `sep`, or a stable hash-suffixed cut when too long. */
export function boundedName(parts: string[], max: number, sep = '-'): string {
  const full = parts.join(sep);
  if (full.length <= max) return full;
  const h = createHash('sha256').update(full).digest('hex').slice(0, 8);
  return `${full.slice(0, max - 9)}${sep === '' ? '-' : sep}${h}`.slice(0, max);
}

export function zoneById(model: Model): Map<string, Zone> {
  return new Map(model.zones.map((z) => [z.id, z]));
}

/**
 * The firewall whose interfaces a target uses: the first whose `vendor` matches, else the first firewall.
 * Returns the zone → interface mapping of that firewall.
 */
export function pickFirewall(model: Model, vendor: RegExp): Firewall | undefined {
  return model.firewalls.find((f) => vendor.test(f.vendor ?? '')) ?? model.firewalls[0];
}

/** The zone a host address belongs to, by the zones' subnets (longest prefix). */
export function zoneOfAddress(model: Model, text: string): Zone | undefined {
  const ip = parseIp(text);
  if (!ip.ok) return undefined;
  let best: Zone | undefined;
  let bestLen = -1;
  for (const z of model.zones) {
    for (const p of z.prefixes) {
      if (p.family === ip.value.family && p.lo <= ip.value.value && ip.value.value <= p.hi && p.len > bestLen) {
        best = z;
        bestLen = p.len;
      }
    }
  }
  return best;
}

export function prefixAddress(p: Prefix): string {
  return formatIp(p.family, p.lo);
}

export function isHost(p: Prefix): boolean {
  return p.len === (p.family === 4 ? 32 : 128);
}

export function portText(p: { lo: number; hi: number }, rangeSep = '-'): string {
  return p.lo === p.hi ? String(p.lo) : `${p.lo}${rangeSep}${p.hi}`;
}

/** The zones a rule set touches, in model order. */
export function zonesInRules(model: Model, rules: readonly PolicyRule[]): Zone[] {
  const used = new Set<string>();
  for (const r of rules) {
    used.add(r.fromZone);
    used.add(r.toZone);
  }
  return model.zones.filter((z) => used.has(z.id));
}

/** Purdue level → ASA-style trust (0-100): 100 - 10 × the lowest level (1-2 → 90, 3 → 70, 3.5 → 65, 4 → 60). */
export function trustLevel(zone: Zone): number | undefined {
  if (!zone.purdue) return undefined;
  return Math.max(0, Math.min(100, Math.round(100 - 10 * zone.purdue.min)));
}

/** Joins output lines with a final newline. */
export function text(lines: string[]): string {
  return lines.join('\n') + '\n';
}

/** Firewalls a vendor target writes a config for: those whose `vendor` matches, else every firewall. */
export function firewallsFor(model: Model, vendor: RegExp): Firewall[] {
  const m = model.firewalls.filter((f) => vendor.test(f.vendor ?? ''));
  return m.length ? m : model.firewalls;
}

/** The rules a firewall enforces: both zones of the pair face one of its interfaces. */
export function rulesOnFirewall(fw: Firewall, rules: readonly PolicyRule[]): PolicyRule[] {
  const zones = new Set(fw.interfaces.map((i) => i.zone));
  return rules.filter((r) => zones.has(r.fromZone) && zones.has(r.toZone));
}

/**
 * Every rule must cross some firewall of the target, else the config would silently not carry it:
 * ZC710 naming the zone that has no interface (or the missing `firewalls` section).
 */
export function checkFirewallCoverage(ctx: TargetContext, fws: Firewall[], target: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  if (fws.length === 0) {
    out.push(targetDiag(ctx, TARGET_MISSING_KEY, undefined, `${target}: the model has no \`firewalls\` (with \`interfaces\` naming which interface faces which zone)`, []));
    return out;
  }
  const reported = new Set<string>();
  for (const r of ctx.ir.rules) {
    if (fws.some((f) => rulesOnFirewall(f, [r]).length)) continue;
    for (const z of [r.fromZone, r.toZone]) {
      if (fws.some((f) => f.interfaces.some((i) => i.zone === z)) || reported.has(z)) continue;
      reported.add(z);
      out.push(
        targetDiag(ctx, TARGET_MISSING_KEY, `${fws[0].path}.interfaces`, `${target}: zone ${z} has no interface in \`firewalls[].interfaces\` (needed for ${r.conduitId})`, [z, r.conduitId, fws[0].id]),
      );
    }
    if (!reported.has(`${r.fromZone}>${r.toZone}`) && [r.fromZone, r.toZone].every((z) => fws.some((f) => f.interfaces.some((i) => i.zone === z)))) {
      reported.add(`${r.fromZone}>${r.toZone}`);
      out.push(
        targetDiag(ctx, TARGET_MISSING_KEY, `${fws[0].path}.interfaces`, `${target}: no single firewall has interfaces on both ${r.fromZone} and ${r.toZone} (needed for ${r.conduitId})`, [r.fromZone, r.toZone, r.conduitId]),
      );
    }
  }
  return out;
}

/** DNP3 application function codes (IEEE 1815) by the names Snort 3 and Suricata accept for `dnp3_func`. */
export const DNP3_FUNCTIONS: Readonly<Record<number, string>> = {
  0: 'confirm', 1: 'read', 2: 'write', 3: 'select', 4: 'operate', 5: 'direct_operate', 6: 'direct_operate_nr',
  7: 'immed_freeze', 8: 'immed_freeze_nr', 9: 'freeze_clear', 10: 'freeze_clear_nr', 11: 'freeze_at_time',
  12: 'freeze_at_time_nr', 13: 'cold_restart', 14: 'warm_restart', 15: 'initialize_data', 16: 'initialize_appl',
  17: 'start_appl', 18: 'stop_appl', 19: 'save_config', 20: 'enable_unsolicited', 21: 'disable_unsolicited',
  22: 'assign_class', 23: 'delay_measure', 24: 'record_current_time', 25: 'open_file', 26: 'close_file',
  27: 'delete_file', 28: 'get_file_info', 29: 'authenticate_file', 30: 'abort_file', 31: 'activate_config',
  32: 'authenticate_req', 33: 'authenticate_err', 129: 'response', 130: 'unsolicited_response', 131: 'authenticate_resp',
};

/** Request codes a rule does not allow, among the assigned ones of `table` (ascending). */
export function disallowed(table: Readonly<Record<number, unknown>>, allowed: readonly number[]): number[] {
  const ok = new Set(allowed);
  return Object.keys(table).map(Number).filter((c) => !ok.has(c)).sort((a, b) => a - b);
}

/** Every one-byte function code 0-255 a rule does not allow (ascending): fail closed on unknown codes. */
export function disallowedByte(allowed: readonly number[]): number[] {
  const ok = new Set(allowed);
  const out: number[] = [];
  for (let c = 0; c <= 255; c++) if (!ok.has(c)) out.push(c);
  return out;
}

/** Named address objects for vendors that need them (FortiGate, PAN-OS): one per prefix, groups for sets. */
export interface AddressBook {
  /** Object name → prefix. */
  objects: Map<string, Prefix>;
  /** Group name → member object names. */
  groups: Map<string, string[]>;
  /** The object or group naming one side of a rule. */
  side(eps: readonly IREndpoint[]): string;
}

/**
 * An endpoint with one prefix is an object named by its id; with several, objects `<id>-1…` and a group
 * `<id>`; a side naming several endpoints is a group `grp-<id>_<id>…`. Names are cut to `max` characters.
 * With `family`, only that family's prefixes count and IPv6 names end in `-v6` (vendors keep v4/v6 apart).
 */
export function addressBook(rules: readonly PolicyRule[], max: number, family?: Family): AddressBook {
  const objects = new Map<string, Prefix>();
  const groups = new Map<string, string[]>();
  const suffix = family === 6 ? '-v6' : '';
  const name = (parts: string[]) => `${boundedName(parts, max - suffix.length)}${suffix}`;
  const endpointName = (e: IREndpoint): string | undefined => {
    const ps = endpointPrefixes([e], family);
    if (ps.length === 0) return undefined;
    const base = name([e.ref]);
    if (ps.length === 1) {
      objects.set(base, ps[0]);
      return base;
    }
    const members = ps.map((p, i) => {
      const n = name([e.ref, String(i + 1)]);
      objects.set(n, p);
      return n;
    });
    groups.set(base, members);
    return base;
  };
  const side = (eps: readonly IREndpoint[]): string => {
    const names = [...new Set(eps.map(endpointName).filter((n): n is string => !!n))].sort();
    if (names.length === 1) return names[0];
    const g = name(['grp', names.join('_')]);
    groups.set(g, names);
    return g;
  };
  for (const r of rules) {
    if (family !== undefined && !families(r).includes(family)) continue;
    side(r.src);
    side(r.dst);
  }
  return { objects, groups, side };
}

/** `tcp-502`, `udp-5450`, `tcp-1000-2000_3000`: a service name for a rule's transport and ports. */
export function serviceName(r: PolicyRule, max: number): string {
  return boundedName(['otz', r.transport, r.ports.length ? r.ports.map((p) => portText(p)).join('_') : 'any'], max);
}

/** Warns about one-way flows a stateful vendor firewall cannot keep one-way (no hardware diode). */
export function oneWayWarnings(ctx: TargetContext, target: string, rules: readonly PolicyRule[]): Diagnostic[] {
  return rules
    .filter((r) => r.oneWay && !r.diode)
    .map((r) =>
      targetDiag(ctx, TARGET_CANNOT_EXPRESS, r.modelPath, `${target}: one-way flow ${r.protocol} of ${r.conduitId} is permitted statefully, so replies pass; only a diode or the nftables/iptables target keeps it one-way`, [r.conduitId]),
    );
}

/** Warns when a vendor target has to use a firewall declared as another vendor's (interface names may not fit). */
export function vendorWarning(ctx: TargetContext, fw: Firewall | undefined, vendor: RegExp, target: string): Diagnostic[] {
  if (!fw || vendor.test(fw.vendor ?? '')) return [];
  return [
    targetDiag(ctx, TARGET_OTHER_VENDOR, fw.path, `${target}: no firewall of this vendor in the model; writing for ${fw.id}${fw.vendor ? ` (vendor ${safeText(fw.vendor, 40)})` : ''} with its interface names as they are`, [fw.id]),
  ];
}

/** Responders of a Modbus rule grouped by the unit id their assets declare (`modbus.unit_id`), ascending. */
export interface UnitGroup {
  unit: number;
  assetIds: string[];
  prefixes: Prefix[];
}

export function modbusUnitGroups(model: Model, r: PolicyRule): UnitGroup[] {
  if (r.protocol !== 'modbus') return [];
  const byUnit = new Map<number, { ids: Set<string>; prefixes: Prefix[] }>();
  for (const ep of r.dst) {
    const zone = model.zones.find((z) => z.id === ep.zoneId);
    const assets = ep.kind === 'asset' ? zone?.assets.filter((a) => a.id === ep.ref) : zone?.assets;
    for (const a of assets ?? []) {
      const unit = a.modbus?.unitId;
      if (unit === undefined || !a.id || a.prefixes.length === 0) continue;
      const g = byUnit.get(unit) ?? { ids: new Set<string>(), prefixes: [] };
      g.ids.add(a.id);
      g.prefixes.push(...a.prefixes);
      byUnit.set(unit, g);
    }
  }
  return [...byUnit.entries()]
    .sort(([a], [b]) => a - b)
    .map(([unit, g]) => ({ unit, assetIds: [...g.ids].sort(), prefixes: endpointPrefixes([{ ref: '', kind: 'asset', zoneId: '', prefixes: g.prefixes }]) }));
}

/** `10.20.1.10` or `[10.20.1.10,10.20.1.11]` for IDS rule headers. */
export function idsAddressList(ps: readonly Prefix[]): string {
  const t = ps.map((p) => (isHost(p) ? prefixAddress(p) : p.text));
  return t.length === 1 ? t[0] : `[${t.join(',')}]`;
}

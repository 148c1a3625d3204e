/**
 * Cisco industrial switch (IOS): a VLAN per zone, access ports from assets' `switch_port` with port security,
 * the trunk to the boundary firewall carrying only the zones that have a firewall interface, and every other
 * front port shut and parked — as in step 3 of the source document. Contiguous ports of one zone and role
 * become `interface range` blocks.
 */
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import type { Asset, Model, Switch, Zone } from '../model/types.ts';
import { TARGET_INCONSISTENT, TARGET_MISSING_KEY, TARGET_UNSAFE_VALUE, comment, headerLines, safeText, targetDiag, text } from './common.ts';
import type { Target, TargetContext, TargetFile } from './target.ts';

/** Roles whose port violation shuts the port and that get no CDP/LLDP (controllers). */
const CONTROLLERS = new Set(['plc', 'sis', 'rtu', 'ied']);
const IF_TYPES = ['GigabitEthernet', 'FastEthernet', 'TenGigabitEthernet', 'TwoGigabitEthernet', 'TwentyFiveGigE', 'FortyGigabitEthernet', 'HundredGigE', 'AppGigabitEthernet', 'Ethernet'];
const PORT_RE = /^([A-Za-z][A-Za-z-]*?)(\d+(?:\/\d+){0,3}\/)?(\d+)(?:-(\d+))?$/;

interface PortKey {
  type: string;
  /** `1/0/` */
  slot: string;
  n: number;
}

function fullType(abbrev: string, known: readonly string[]): string | undefined {
  const a = abbrev.toLowerCase();
  return known.find((t) => t.toLowerCase() === a) ?? known.find((t) => t.toLowerCase().startsWith(a)) ?? IF_TYPES.find((t) => t.toLowerCase().startsWith(a));
}

/** `Gi1/0/1` → GigabitEthernet 1/0/ 1; `GigabitEthernet1/0/1-24` → 24 keys. Undefined when not a port. */
function parsePorts(spec: string, known: readonly string[]): PortKey[] | undefined {
  const m = PORT_RE.exec(spec.trim());
  if (!m) return undefined;
  const type = fullType(m[1], known);
  if (!type) return undefined;
  const lo = Number(m[3]);
  const hi = m[4] !== undefined ? Number(m[4]) : lo;
  if (hi < lo || hi - lo > 1024) return undefined;
  const out: PortKey[] = [];
  for (let n = lo; n <= hi; n++) out.push({ type, slot: m[2] ?? '', n });
  return out;
}

const keyText = (k: PortKey) => `${k.type}${k.slot}${k.n}`;
const cmp = (a: PortKey, b: PortKey) => a.type.localeCompare(b.type) || a.slot.localeCompare(b.slot) || a.n - b.n;

function switchTypes(sw: Switch): string[] {
  return sw.ports.map((p) => PORT_RE.exec(p)?.[1]).filter((t): t is string => !!t);
}

function assetsOn(model: Model, sw: Switch): { asset: Asset; zone: Zone }[] {
  const out: { asset: Asset; zone: Zone }[] = [];
  for (const zone of model.zones) {
    for (const asset of zone.assets) {
      if (!asset.switchPort) continue;
      if (asset.switchId ? asset.switchId === sw.id : model.switches.length === 1 || model.switches[0] === sw) out.push({ asset, zone });
    }
  }
  return out;
}

/** VLANs the trunk to the firewall carries: zones with a firewall interface, except enterprise (Purdue 4+). */
function trunkZones(model: Model): Zone[] {
  const fwZones = new Set(model.firewalls.flatMap((f) => f.interfaces.map((i) => i.zone)));
  return model.zones.filter((z) => fwZones.has(z.id) && z.vlan !== undefined && !(z.purdue && z.purdue.min >= 4));
}

function check(ctx: TargetContext): Diagnostic[] {
  const { model } = ctx;
  const out: Diagnostic[] = [];
  if (model.switches.length === 0) {
    out.push(targetDiag(ctx, TARGET_MISSING_KEY, undefined, 'ios-switch: the model has no `switches` (ports, trunk_port, parking_vlan)', []));
    return out;
  }
  const vlans = new Map<number, string>();
  for (const z of model.zones) {
    if (z.vlan === undefined) continue;
    const other = vlans.get(z.vlan);
    if (other) out.push(targetDiag(ctx, TARGET_INCONSISTENT, `${z.path}.vlan`, `ios-switch: zones ${other} and ${z.id} share VLAN ${z.vlan}`, [other, z.id]));
    vlans.set(z.vlan, z.id);
  }
  let anyPort = false;
  model.switches.forEach((sw) => {
    const types = switchTypes(sw);
    const front = new Set(sw.ports.flatMap((p) => parsePorts(p, types) ?? []).map(keyText));
    if (vlans.has(sw.parkingVlan)) out.push(targetDiag(ctx, TARGET_INCONSISTENT, sw.path, `ios-switch: parking VLAN ${sw.parkingVlan} of ${sw.id} is zone ${vlans.get(sw.parkingVlan)}'s VLAN`, [sw.id, vlans.get(sw.parkingVlan)!]));
    if (sw.trunkPort !== undefined) {
      const t = parsePorts(sw.trunkPort, types);
      if (!t || t.length !== 1) out.push(targetDiag(ctx, TARGET_UNSAFE_VALUE, `${sw.path}.trunk_port`, `ios-switch: trunk_port "${safeText(sw.trunkPort, 40)}" of ${sw.id} is not an interface name such as GigabitEthernet1/0/24`, [sw.id]));
      else if (!front.has(keyText(t[0]))) out.push(targetDiag(ctx, TARGET_INCONSISTENT, `${sw.path}.trunk_port`, `ios-switch: trunk_port ${keyText(t[0])} is not among the \`ports\` of ${sw.id}`, [sw.id]));
    } else {
      out.push(targetDiag(ctx, TARGET_MISSING_KEY, sw.path, `ios-switch: switch ${sw.id} has no \`trunk_port\` (the uplink to the zone firewall)`, [sw.id]));
    }
    const used = new Map<string, string>();
    for (const { asset, zone } of assetsOn(model, sw)) {
      anyPort = true;
      const label = asset.id ?? asset.name;
      const k = parsePorts(asset.switchPort!, types);
      const path = `${asset.path}.switch_port`;
      if (!k || k.length !== 1) {
        out.push(targetDiag(ctx, TARGET_UNSAFE_VALUE, path, `ios-switch: switch_port "${safeText(asset.switchPort!, 40)}" of ${safeText(label, 63)} is not one interface`, [zone.id]));
        continue;
      }
      const kt = keyText(k[0]);
      if (!front.has(kt)) out.push(targetDiag(ctx, TARGET_INCONSISTENT, path, `ios-switch: ${kt} (asset ${safeText(label, 63)}) is not among the \`ports\` of ${sw.id}`, [zone.id, sw.id]));
      if (used.has(kt)) out.push(targetDiag(ctx, TARGET_INCONSISTENT, path, `ios-switch: ${kt} is the switch_port of both ${used.get(kt)} and ${safeText(label, 63)}`, [zone.id, sw.id]));
      used.set(kt, safeText(label, 63));
      if (zone.vlan === undefined) out.push(targetDiag(ctx, TARGET_MISSING_KEY, zone.path, `ios-switch: zone ${zone.id} has no \`vlan\` (asset ${safeText(label, 63)} is on ${kt})`, [zone.id]));
      if (sw.trunkPort && parsePorts(sw.trunkPort, types)?.map(keyText).includes(kt)) {
        out.push(targetDiag(ctx, TARGET_INCONSISTENT, path, `ios-switch: ${kt} is both the trunk and asset ${safeText(label, 63)}'s port`, [zone.id, sw.id]));
      }
    }
  });
  if (!anyPort) out.push(targetDiag(ctx, TARGET_MISSING_KEY, 'zones', 'ios-switch: no asset has a `switch_port`, so there are no access ports to configure', []));
  return out;
}

/** Groups sorted keys into runs of consecutive numbers on one slot; `same` decides what may share a run. */
function runs<T extends { key: PortKey }>(items: T[], same: (a: T, b: T) => boolean): T[][] {
  const out: T[][] = [];
  for (const it of items) {
    const last = out[out.length - 1];
    const prev = last?.[last.length - 1];
    if (prev && prev.key.type === it.key.type && prev.key.slot === it.key.slot && prev.key.n + 1 === it.key.n && same(prev, it)) last.push(it);
    else out.push([it]);
  }
  return out;
}

function interfaceLine(run: { key: PortKey }[]): string {
  const a = run[0].key;
  const b = run[run.length - 1].key;
  return run.length === 1 ? `interface ${keyText(a)}` : `interface range ${keyText(a)}-${b.n}`;
}

/** `00:1d:9c:20:01:10` → `001d.9c20.0110` (the schema validated the MAC). */
function iosMac(mac: string): string {
  const h = mac.replace(/[^0-9A-Fa-f]/g, '').toLowerCase();
  return `${h.slice(0, 4)}.${h.slice(4, 8)}.${h.slice(8, 12)}`;
}

function emitSwitch(ctx: TargetContext, sw: Switch): TargetFile {
  const { model } = ctx;
  const types = switchTypes(sw);
  const lines = comment('!', [...headerLines(ctx, 'ios-switch', sw.id), 'Cisco IOS industrial Ethernet switch: zone VLANs, port security, trunk to the zone firewall, unused ports parked.']);
  lines.push('!', '! VLANs, one per zone');
  for (const z of model.zones.filter((x) => x.vlan !== undefined).sort((a, b) => a.vlan! - b.vlan!)) lines.push(`vlan ${z.vlan}`, ` name ${z.id.slice(0, 32)}`);
  lines.push(`vlan ${sw.parkingVlan}`, ' name PARKING');
  const access = assetsOn(model, sw)
    .map((x) => ({ ...x, key: parsePorts(x.asset.switchPort!, types)![0] }))
    .sort((a, b) => cmp(a.key, b.key));
  const roleOf = (x: { asset: Asset }) => x.asset.role ?? 'other';
  for (const run of runs(access, (a, b) => a.zone.id === b.zone.id && roleOf(a) === roleOf(b))) {
    const { zone } = run[0];
    const role = roleOf(run[0]);
    const controller = CONTROLLERS.has(role);
    const who = run.length === 1 ? (run[0].asset.id ?? role.toUpperCase()) : `${role.toUpperCase()} connections`;
    lines.push('!', `! ${zone.id}: ${run.map((x) => x.asset.id ?? safeText(x.asset.name, 40)).join(', ')}`);
    lines.push(interfaceLine(run), ` description ${who} - ${zone.id}`, ' switchport mode access', ` switchport access vlan ${zone.vlan}`);
    lines.push(' switchport port-security', ' switchport port-security maximum 1', ' switchport port-security mac-address sticky');
    lines.push(` switchport port-security violation ${controller ? 'shutdown' : 'restrict'}`, ' spanning-tree portfast');
    if (controller) lines.push(' spanning-tree bpduguard enable', ' no cdp enable', ' no lldp transmit');
  }
  const pinned = access.filter((x) => x.asset.mac);
  if (pinned.length) {
    lines.push('!', '! MAC addresses the model declares, pinned on their ports (sticky learning takes no other device first)');
    for (const x of pinned) lines.push(`interface ${keyText(x.key)}`, ` switchport port-security mac-address sticky ${iosMac(x.asset.mac!)}`);
  }
  const trunk = sw.trunkPort ? parsePorts(sw.trunkPort, types)![0] : undefined;
  if (trunk) {
    const tz = trunkZones(model);
    lines.push("!", `! Trunk to the zone firewall: zones with a firewall interface, enterprise (Purdue 4+) left off (${tz.map((z) => z.id).join(", ") || "none"})`);
    lines.push(`interface ${keyText(trunk)}`, ` description ${safeText(sw.trunkDescription ?? 'Trunk to zone firewall', 80)}`, ' switchport mode trunk');
    lines.push(` switchport trunk allowed vlan ${tz.length ? tz.map((z) => z.vlan).sort((a, b) => a! - b!).join(',') : 'none'}`, ` switchport trunk native vlan ${sw.parkingVlan}`);
  }
  const usedKeys = new Set([...access.map((x) => keyText(x.key)), ...(trunk ? [keyText(trunk)] : [])]);
  const unused = sw.ports
    .flatMap((p) => parsePorts(p, types) ?? [])
    .filter((k) => !usedKeys.has(keyText(k)))
    .sort(cmp)
    .map((key) => ({ key }));
  const dedup = unused.filter((x, i) => i === 0 || keyText(unused[i - 1].key) !== keyText(x.key));
  if (dedup.length) {
    lines.push('!', '! Unused ports: shut and parked');
    for (const run of runs(dedup, () => true)) lines.push(interfaceLine(run), ' shutdown', ` switchport access vlan ${sw.parkingVlan}`);
  }
  lines.push('!', 'end');
  return { path: `ios-switch/${sw.id}.cfg`, content: text(lines) };
}

export const iosSwitchTarget: Target = {
  name: 'ios-switch',
  description: 'Cisco industrial switch: zone VLANs, access ports with port security, trunk, unused ports parked',
  check,
  emit: (ctx) => ctx.model.switches.map((sw) => emitSwitch(ctx, sw)),
  howToApply: [
    'Paste `<switch id>.cfg` in configuration mode (`configure terminal`) on the switch named in its header, then',
    '`copy running-config startup-config`. Connect each device to the port its asset declares before enabling sticky MACs.',
  ].join('\n'),
};

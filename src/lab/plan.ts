/**
 * The lab plan: what `lab up` builds for a model, computed without touching the system, so it can be
 * printed, tested and recorded. One network namespace per zone holding the lab hosts of its assets, one
 * firewall namespace joined to every zone by a veth pair on the zone's gateway address, simulated devices
 * where the policy IR has responders, and a Modbus filter in front of every device a flow with function codes
 * reaches. Names are deterministic and within kernel limits (interface names ≤ 15 characters).
 *
 * Only IPv4 is built; IPv6 subnets and assets are listed in `skipped`.
 */
import { createHash } from 'node:crypto';
import { formatIp, parseIp, type Prefix } from '../net/ip.ts';
import type { Asset, Model, Zone } from '../model/types.ts';
import type { PolicyIR, PolicyRule } from '../policy/ir.ts';
import { linuxInterfaceNames } from '../targets/nftables.ts';

/** A host of the lab: one address standing for an asset (the first usable address of a wider asset prefix). */
export interface LabHost {
  ip: string;
  zoneId: string;
  assetId?: string;
  role?: string;
  /** Set for PLCs and assets with a `modbus` key: a Modbus/TCP server answers on 502. */
  modbusUnit?: number;
  safeTestRegister?: number;
}

export interface ZoneNet {
  zoneId: string;
  netns: string;
  /** Interface in the firewall namespace (the name the nftables ruleset uses). */
  fwIf: string;
  /** Interface in the zone namespace. */
  zoneIf: string;
  gateway: string;
  /** True when the model gives no gateway (e.g. an air-gapped zone): the lab connects it anyway, so the
   * firewall must prove it blocks everything. */
  gatewaySynthesized: boolean;
  /** Zone subnets (IPv4) with their prefix length, the first one holding the gateway. */
  subnets: { text: string; len: number }[];
  gatewayLen: number;
  hosts: LabHost[];
}

export interface TcpListenerSpec { ip: string; port: number; label: string }
export interface UdpSpec { ip: string; port: number; label: string; mode: 'sink' | 'echo' }
export interface FilterSpec {
  listenPort: number;
  upstreamIp: string;
  upstreamPort: number;
  allow: number[];
  /** Initiator prefixes whose traffic is redirected to this filter. */
  sources: string[];
  ruleId: string;
}

export interface ZoneDevices {
  zoneId: string;
  modbus: { ip: string; port: number; unitId: number; assetId?: string }[];
  tcp: TcpListenerSpec[];
  udp: UdpSpec[];
  filters: FilterSpec[];
}

export interface LabPlan {
  prefix: string;
  fwNetns: string;
  zones: ZoneNet[];
  devices: ZoneDevices[];
  /** What the lab cannot build (IPv6, zones without IPv4 subnets), one line each. */
  skipped: string[];
}

export const LAB_PREFIX = /^[a-z][a-z0-9]{0,7}$/;
const FILTER_PORT_BASE = 15020;
const MAX_LISTEN_PORTS_PER_RANGE = 8;

export function netnsName(prefix: string, zoneId: string): string {
  const slug = zoneId.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
  const name = `${prefix}-${slug}`;
  return name.length <= 32 ? name : `${prefix}-${slug.slice(0, 18)}-${createHash('sha256').update(zoneId).digest('hex').slice(0, 6)}`;
}

function v4(value: bigint): string {
  return formatIp(4, value);
}

/** The address that stands for a prefix in the lab: itself for a host, else the first usable address not in `avoid`. */
export function hostAddress(p: Prefix, avoid: ReadonlySet<string> = new Set()): string | undefined {
  if (p.family !== 4) return undefined;
  if (p.len === 32) return v4(p.lo);
  for (let a = p.lo + 1n; a < p.hi && a < p.lo + 64n; a++) if (!avoid.has(v4(a))) return v4(a);
  return undefined;
}

const MODBUS_ROLES = new Set(['plc', 'rtu', 'sis']);

function zoneHosts(z: Zone, gateway: string | undefined): LabHost[] {
  const avoid = new Set(gateway ? [gateway] : []);
  const out: LabHost[] = [];
  for (const a of z.assets) {
    for (const p of a.prefixes) {
      const ip = hostAddress(p, avoid);
      if (!ip || out.some((h) => h.ip === ip)) continue;
      avoid.add(ip);
      out.push(hostFor(z, a, ip));
    }
  }
  return out;
}

function hostFor(z: Zone, a: Asset, ip: string): LabHost {
  const h: LabHost = { ip, zoneId: z.id };
  if (a.id) h.assetId = a.id;
  if (a.role) h.role = a.role;
  if (a.modbus || (a.role && MODBUS_ROLES.has(a.role))) {
    h.modbusUnit = a.modbus?.unitId ?? 1;
    if (a.modbus?.safeTestRegister !== undefined) h.safeTestRegister = a.modbus.safeTestRegister;
  }
  return h;
}

export function contains(p: Prefix, ip: string): boolean {
  const r = parseIp(ip);
  return r.ok && r.value.family === p.family && r.value.value >= p.lo && r.value.value <= p.hi;
}

/** Lab hosts inside any of the endpoint's prefixes (for a zone endpoint: every host of the zone). */
export function hostsOfEndpoints(hosts: readonly LabHost[], eps: PolicyRule['dst']): LabHost[] {
  return hosts.filter((h) => eps.some((e) => (e.kind === 'asset' ? h.assetId === e.ref || e.prefixes.some((p) => contains(p, h.ip)) : h.zoneId === e.zoneId && e.prefixes.some((p) => contains(p, h.ip)))));
}

/** Responders of a rule that the lab (and the prober) use: Modbus devices only for Modbus flows to a whole zone. */
export function ruleResponders(rule: PolicyRule, hosts: readonly LabHost[]): LabHost[] {
  const all = hostsOfEndpoints(hosts.filter((h) => h.zoneId === rule.toZone), rule.dst);
  if (rule.protocol === 'modbus') {
    const dev = all.filter((h) => h.modbusUnit !== undefined || rule.dst.some((e) => e.kind === 'asset' && e.ref === h.assetId));
    return dev.length ? dev : all;
  }
  return all;
}

/** Ports the lab listens on / the prober tries for a rule: every port of small ranges, the ends of large ones. */
export function rulePorts(rule: PolicyRule): number[] {
  const out: number[] = [];
  for (const r of rule.ports) {
    if (r.hi - r.lo < MAX_LISTEN_PORTS_PER_RANGE) for (let p = r.lo; p <= r.hi; p++) out.push(p);
    else out.push(r.lo, r.hi);
  }
  return [...new Set(out)].sort((a, b) => a - b);
}

export function planLab(model: Model, ir: PolicyIR, prefix: string): LabPlan {
  if (!LAB_PREFIX.test(prefix)) throw new RangeError(`lab prefix "${prefix}" must be 1-8 lower-case letters and digits, starting with a letter`);
  const names = linuxInterfaceNames(model);
  const skipped: string[] = [];
  const zones: ZoneNet[] = [];
  for (const z of model.zones) {
    const subnets = z.prefixes.filter((p) => p.family === 4);
    for (const p of z.prefixes) if (p.family === 6) skipped.push(`${z.id}: IPv6 subnet ${p.text} (the lab builds IPv4 only)`);
    if (subnets.length === 0) {
      skipped.push(`${z.id}: no IPv4 subnet, zone not built`);
      continue;
    }
    let gateway = z.gateway && parseIp(z.gateway).ok && !z.gateway.includes(':') ? z.gateway : undefined;
    const synthesized = !gateway;
    if (!gateway) {
      const used = new Set(z.assets.flatMap((a) => a.prefixes.filter((p) => p.len === 32).map((p) => v4(p.lo))));
      gateway = hostAddress(subnets[0], used);
      if (!gateway) {
        skipped.push(`${z.id}: no free address for a gateway in ${subnets[0].text}, zone not built`);
        continue;
      }
    }
    const gwSubnet = subnets.find((p) => contains(p, gateway!));
    const ordered = gwSubnet ? [gwSubnet, ...subnets.filter((p) => p !== gwSubnet)] : subnets;
    zones.push({
      zoneId: z.id,
      netns: netnsName(prefix, z.id),
      fwIf: names.get(z.id)!,
      zoneIf: 'eth0',
      gateway,
      gatewaySynthesized: synthesized,
      subnets: ordered.map((p) => ({ text: p.text, len: p.len })),
      gatewayLen: gwSubnet ? gwSubnet.len : 32,
      hosts: zoneHosts(z, gateway),
    });
    for (const a of z.assets) for (const p of a.prefixes) if (p.family === 6) skipped.push(`${z.id}/${a.id ?? a.name}: IPv6 address ${p.text}`);
  }
  const hosts = zones.flatMap((z) => z.hosts);
  const devices: ZoneDevices[] = zones.map((z) => ({
    zoneId: z.zoneId,
    modbus: z.hosts.filter((h) => h.modbusUnit !== undefined).map((h) => ({ ip: h.ip, port: 502, unitId: h.modbusUnit!, ...(h.assetId ? { assetId: h.assetId } : {}) })),
    tcp: [],
    udp: [],
    filters: [],
  }));
  const devOf = new Map(devices.map((d) => [d.zoneId, d]));
  let filterPort = FILTER_PORT_BASE;
  for (const r of ir.rules) {
    const d = devOf.get(r.toZone);
    if (!d || r.transport === 'icmp') continue;
    const ports = rulePorts(r);
    for (const h of ruleResponders(r, hosts)) {
      for (const port of ports) {
        const label = `${r.conduitId} ${r.protocol}`;
        if (r.transport === 'udp') {
          if (!d.udp.some((u) => u.ip === h.ip && u.port === port)) d.udp.push({ ip: h.ip, port, label, mode: r.oneWay ? 'sink' : 'echo' });
          continue;
        }
        const isModbus = d.modbus.some((m) => m.ip === h.ip && m.port === port);
        if (!isModbus && !d.tcp.some((t) => t.ip === h.ip && t.port === port)) d.tcp.push({ ip: h.ip, port, label });
        if (r.app.modbusFunctionCodes) {
          const sources = r.src.flatMap((e) => e.prefixes.filter((p) => p.family === 4).map((p) => p.text));
          if (sources.length === 0) continue; // IPv6-only initiators: not built
          d.filters.push({ listenPort: filterPort++, upstreamIp: h.ip, upstreamPort: port, allow: r.app.modbusFunctionCodes, sources, ruleId: r.id });
        }
      }
    }
  }
  return { prefix, fwNetns: `${prefix}-fw`, zones, devices, skipped };
}

/** nftables text for a zone namespace: redirects flows with function codes to their Modbus filters. */
export function zoneFilterRuleset(d: ZoneDevices, zoneIf: string): string | undefined {
  if (d.filters.length === 0) return undefined;
  const lines = [
    `# otzones lab: Modbus function-code enforcement at the ingress of zone ${d.zoneId}.`,
    '# Traffic has already passed the firewall namespace (the ruleset under test); flows whose conduit limits',
    '# function codes are redirected to the filter that proxies to the device.',
    'table ip otzones_lab',
    'delete table ip otzones_lab',
    'table ip otzones_lab {',
    '\tchain prerouting {',
    '\t\ttype nat hook prerouting priority dstnat; policy accept;',
  ];
  for (const f of d.filters) {
    lines.push(`\t\t# ${f.ruleId}: function codes ${f.allow.join(',')}`);
    lines.push(`\t\tiifname "${zoneIf}" ip saddr { ${f.sources.join(', ')} } ip daddr ${f.upstreamIp} tcp dport ${f.upstreamPort} redirect to :${f.listenPort}`);
  }
  lines.push('\t}', '}', '');
  return lines.join('\n');
}

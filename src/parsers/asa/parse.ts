/**
 * Cisco ASA / ISA-3000 running-config → vendor-neutral ACL model, with line numbers.
 * Models interfaces (nameif, security-level, addresses), `name`, `object network|service`,
 * `object-group network|service|protocol|icmp-type` (nested), `access-list … extended` in every address and
 * port form, `inactive`, `remark`, `access-group … in|out interface|global`, `same-security-traffic`.
 * Commands with no effect on which traffic passes are `ignored`; anything else is kept as `unparsed`.
 */
import { maskToLength, parseIp, parsePrefix } from '../../net/ip.ts';
import {
  emptyConfig,
  IANA_PROTOCOLS,
  prefixRange,
  V4_ALL,
  V6_ALL,
  type AclRule,
  type AddrRange,
  type FirewallConfig,
  type FwInterface,
  type NumRange,
  type Term,
} from '../acl.ts';
import { ICMP_TYPES, portNumber } from './names.ts';

/** A service alternative: protocol set and port sets (`null` = any). */
interface Svc {
  protos: NumRange[] | null;
  sports: NumRange[] | null;
  dports: NumRange[] | null;
}

type PortProto = 'tcp' | 'udp' | 'tcp-udp';

class ParseFail extends Error {}

/** Top-level commands that do not change which traffic the firewall's ACLs permit. */
const IGNORED = new Set([
  'asa', 'hostname', 'domain-name', 'enable', 'passwd', 'names', 'logging', 'ntp', 'snmp-server', 'route', 'nat', 'mtu',
  'ftp', 'pager', 'icmp', 'icmpv6', 'arp', 'timeout', 'aaa', 'aaa-server', 'http', 'ssh', 'telnet', 'console', 'dhcpd',
  'dhcprelay', 'threat-detection', 'class-map', 'policy-map', 'service-policy', 'prompt', 'crypto', 'failover',
  'monitor-interface', 'user-identity', 'dns', 'description', 'cryptochecksum:', 'asdm', 'username', 'license', 'boot',
  'clock', 'terminal', 'mac-address', 'call-home', 'dynamic-access-policy-record', 'webvpn', 'group-policy',
  'tunnel-group', 'router', 'end', 'firewall', 'xlate', 'no', 'global', 'static', 'flow-export', 'service', 'sysopt',
  'privilege', 'jumbo-frame', 'dns-guard', 'tls-proxy', 'ipsec', 'vpn-addr-assign', 'management-access', 'fragment',
  'ip', 'ipv6', 'mac-learn', 'snmp-map', 'regex', 'ssl', 'quit', 'dhcp', 'ips', 'context', 'object-group-search',
  'vpdn', 'sla', 'track', 'auth-prompt', 'banner', 'virtual', 'scansafe', 'resource', 'memory', 'interface-speed',
  'wccp', 'multicast-routing', 'redundant-interface', 'username', 'tftp-server', 'archive', 'password', 'phone-proxy',
  'smtp-server', 'vpn', 'packet-tracer', 'zonelabs-integrity', 'eigrp', 'bgp', 'ospf', 'rip', 'prefix-list', 'route-map',
]);

interface NetGroup {
  kind: 'network';
  members: AddrRange[];
  refs: string[];
  fqdn?: boolean;
}
interface SvcGroup {
  kind: 'service';
  /** `object-group service NAME tcp|udp|tcp-udp`: a port group. */
  portProto?: PortProto;
  ports: NumRange[];
  svcs: Svc[];
  refs: string[];
}
interface ProtoGroup {
  kind: 'protocol';
  protos: NumRange[];
  refs: string[];
}
interface IcmpGroup {
  kind: 'icmp-type';
  types: NumRange[];
  refs: string[];
}
type Group = NetGroup | SvcGroup | ProtoGroup | IcmpGroup;

function splitTokens(line: string): string[] {
  const toks = line.trim().split(/\s+/).filter((t) => t.length > 0);
  // A trailing ` ! comment` (seen in annotated configs) is not part of the command.
  const bang = toks.indexOf('!', 1);
  return bang > 0 ? toks.slice(0, bang) : toks;
}

function portOp(op: string, toks: string[], i: number, pp: PortProto): { ranges: NumRange[]; next: number } {
  const num = (t: string | undefined) => {
    if (t === undefined) throw new ParseFail(`"${op}" needs a port`);
    const n = portNumber(t, pp);
    if (n === undefined) throw new ParseFail(`unknown port "${t}" for ${pp}`);
    return n;
  };
  switch (op) {
    case 'eq': {
      const p = num(toks[i]);
      return { ranges: [[p, p]], next: i + 1 };
    }
    case 'neq': {
      const p = num(toks[i]);
      const r: NumRange[] = [];
      if (p > 0) r.push([0, p - 1]);
      if (p < 65535) r.push([p + 1, 65535]);
      return { ranges: r, next: i + 1 };
    }
    case 'lt': {
      const p = num(toks[i]);
      return { ranges: p > 0 ? [[0, p - 1]] : [], next: i + 1 };
    }
    case 'gt': {
      const p = num(toks[i]);
      return { ranges: p < 65535 ? [[p + 1, 65535]] : [], next: i + 1 };
    }
    case 'range': {
      const a = num(toks[i]);
      const b = num(toks[i + 1]);
      return { ranges: a <= b ? [[a, b]] : [], next: i + 2 };
    }
  }
  throw new ParseFail(`unknown port operator "${op}"`);
}

const PORT_OPS = new Set(['eq', 'neq', 'lt', 'gt', 'range']);

function protoNumber(t: string): number | undefined {
  if (/^\d+$/.test(t)) {
    const n = Number(t);
    return n <= 255 ? n : undefined;
  }
  return IANA_PROTOCOLS[t.toLowerCase()];
}

export function parseAsa(text: string, file: string): FirewallConfig {
  const cfg = emptyConfig('asa', file);
  const lines = text.split(/\r?\n/);
  const names = new Map<string, bigint>();
  const netObjects = new Map<string, { ranges: AddrRange[]; fqdn?: boolean }>();
  const svcObjects = new Map<string, Svc[]>();
  const groups = new Map<string, Group>();
  const aces: { no: number; text: string; toks: string[] }[] = [];
  const states: ('parsed' | 'ignored' | 'unparsed' | 'blank')[] = new Array(lines.length).fill('blank');
  const unparsed = (no: number, reason: string) => {
    states[no - 1] = 'unparsed';
    cfg.unparsed.push({ line: no, text: lines[no - 1].trim(), reason });
  };

  const addr = (t: string, mask?: string): AddrRange => {
    // An address token (literal or `name`), with an optional dotted mask, or an IPv6 prefix.
    if (t.includes('/')) {
      const p = parsePrefix(t, { allowHostBits: true });
      if (!p.ok) throw new ParseFail(p.error);
      return { family: p.value.family, lo: p.value.lo, hi: p.value.hi };
    }
    let value: bigint;
    let family: 4 | 6;
    const ip = parseIp(t);
    if (ip.ok) {
      value = ip.value.value;
      family = ip.value.family;
    } else if (names.has(t)) {
      value = names.get(t)!;
      family = 4;
    } else throw new ParseFail(`"${t}" is neither an address nor a defined name`);
    if (mask === undefined) return { family, lo: value, hi: value };
    const len = maskToLength(mask);
    if (len === null) throw new ParseFail(`"${mask}" is not a contiguous netmask`);
    return prefixRange(family, value, len);
  };

  // ---- pass over the lines: blocks, objects, groups, interfaces; ACEs are resolved at the end
  let block: { kind: string; name: string; start: number } | null = null;
  let curIf: FwInterface | null = null;
  for (let idx = 0; idx < lines.length; idx++) {
    const no = idx + 1;
    const raw = lines[idx];
    const trimmed = raw.trim();
    if (trimmed === '' ) continue;
    if (trimmed.startsWith('!') || trimmed.startsWith(':')) {
      states[idx] = 'ignored';
      continue;
    }
    const indented = /^\s/.test(raw);
    const toks = splitTokens(raw);
    const kw = toks[0].toLowerCase();
    try {
      if (indented && block) {
        states[idx] = parseBlockLine(block, toks, no) ? 'parsed' : 'ignored';
        continue;
      }
      if (indented) {
        states[idx] = 'ignored'; // child line of an ignored block (class-map, crypto, …)
        continue;
      }
      block = null;
      curIf = null;
      switch (kw) {
        case 'interface': {
          curIf = { name: toks[1] ?? '', addresses: [], hosts: [], source: { file, line: no, text: trimmed } };
          cfg.interfaces.push(curIf);
          block = { kind: 'interface', name: toks[1] ?? '', start: no };
          states[idx] = 'parsed';
          break;
        }
        case 'name': {
          const ip = parseIp(toks[1] ?? '');
          if (!ip.ok || !toks[2]) throw new ParseFail('expected `name ADDRESS NAME`');
          names.set(toks[2], ip.value.value);
          states[idx] = 'parsed';
          break;
        }
        case 'object': {
          const kind = toks[1];
          const name = toks[2];
          if (!name || (kind !== 'network' && kind !== 'service')) throw new ParseFail('expected `object network|service NAME`');
          if (kind === 'network') netObjects.set(name, { ranges: [] });
          else svcObjects.set(name, []);
          block = { kind: `object-${kind}`, name, start: no };
          states[idx] = 'parsed';
          break;
        }
        case 'object-group': {
          const kind = toks[1];
          const name = toks[2];
          if (!name) throw new ParseFail('expected `object-group TYPE NAME`');
          if (kind === 'network') groups.set(name, { kind: 'network', members: [], refs: [] });
          else if (kind === 'service') {
            const pp = toks[3]?.toLowerCase();
            groups.set(name, { kind: 'service', portProto: pp === 'tcp' || pp === 'udp' || pp === 'tcp-udp' ? pp : undefined, ports: [], svcs: [], refs: [] });
          } else if (kind === 'protocol') groups.set(name, { kind: 'protocol', protos: [], refs: [] });
          else if (kind === 'icmp-type') groups.set(name, { kind: 'icmp-type', types: [], refs: [] });
          else if (kind === 'user' || kind === 'security') {
            // Identity and security-group groups: ACEs that use them are reported as not modelled.
            states[idx] = 'ignored';
            block = { kind: 'ignored-group', name, start: no };
            break;
          } else {
            block = { kind: 'ignored-group', name, start: no };
            throw new ParseFail(`unknown object-group type "${kind}"`);
          }
          block = { kind: `group-${kind}`, name, start: no };
          states[idx] = 'parsed';
          break;
        }
        case 'access-list': {
          const name = toks[1];
          const k2 = toks[2]?.toLowerCase();
          if (!name || !k2) throw new ParseFail('expected `access-list NAME …`');
          if (k2 === 'remark') {
            states[idx] = 'ignored';
          } else if (k2 === 'extended' || k2 === 'line') {
            aces.push({ no, text: trimmed, toks });
            states[idx] = 'parsed';
          } else if (k2 === 'standard' || k2 === 'webtype' || k2 === 'ethertype') {
            // Standard ACLs select routes (route-maps, split tunnels), not transit traffic.
            states[idx] = 'ignored';
          } else throw new ParseFail(`unknown access-list type "${toks[2]}"`);
          break;
        }
        case 'access-group': {
          const acl = toks[1];
          const dir = toks[2]?.toLowerCase();
          if (!acl || !dir) throw new ParseFail('expected `access-group ACL in|out interface IF` or `access-group ACL global`');
          if (dir === 'global') cfg.global = acl;
          else if ((dir === 'in' || dir === 'out') && toks[3] === 'interface' && toks[4]) {
            (dir === 'in' ? cfg.ingress : cfg.egress).set(toks[4], acl);
          } else throw new ParseFail('expected `access-group ACL in|out interface IF`');
          states[idx] = 'parsed';
          break;
        }
        case 'same-security-traffic': {
          if (toks[1] === 'permit' && toks[2] === 'inter-interface') cfg.sameSecurityInter = true;
          else if (!(toks[1] === 'permit' && toks[2] === 'intra-interface')) throw new ParseFail('expected `same-security-traffic permit inter-interface|intra-interface`');
          states[idx] = 'parsed';
          break;
        }
        default: {
          if (kw === 'hostname' && toks[1]) cfg.hostname = toks[1];
          if (IGNORED.has(kw)) {
            states[idx] = 'ignored';
            block = { kind: 'ignored', name: kw, start: no };
          } else {
            unparsed(no, `unknown command "${toks[0]}"`);
            block = { kind: 'ignored', name: kw, start: no };
          }
        }
      }
    } catch (e) {
      if (e instanceof ParseFail) unparsed(no, e.message);
      else throw e;
    }
  }

  function parseBlockLine(b: { kind: string; name: string }, toks: string[], no: number): boolean {
    const kw = toks[0].toLowerCase();
    if (kw === 'description') return false;
    switch (b.kind) {
      case 'interface': {
        const itf = curIf!;
        if (kw === 'nameif' && toks[1]) {
          itf.nameif = toks[1];
          return true;
        }
        if (kw === 'security-level' && /^\d+$/.test(toks[1] ?? '')) {
          itf.securityLevel = Number(toks[1]);
          return true;
        }
        if (kw === 'ip' && toks[1] === 'address' && toks[2]) {
          if (toks[2] === 'dhcp' || toks[2] === 'pppoe') return false;
          const host = addr(toks[2]);
          const net = toks[3] && toks[3] !== 'standby' ? addr(toks[2], toks[3]) : host;
          itf.hosts.push(host);
          itf.addresses.push(net);
          if (toks[4] === 'standby' && toks[5]) itf.hosts.push(addr(toks[5]));
          return true;
        }
        if (kw === 'ipv6' && toks[1] === 'address' && toks[2] && toks[2].includes('/')) {
          const p = parsePrefix(toks[2], { allowHostBits: true });
          if (!p.ok) throw new ParseFail(p.error);
          const ip = parseIp(toks[2].split('/')[0]);
          if (ip.ok) itf.hosts.push({ family: 6, lo: ip.value.value, hi: ip.value.value });
          itf.addresses.push({ family: 6, lo: p.value.lo, hi: p.value.hi });
          return true;
        }
        if (kw === 'shutdown') {
          itf.shutdown = true;
          return true;
        }
        return false; // speed, duplex, vlan, channel-group, management-only, …
      }
      case 'object-network': {
        const obj = netObjects.get(b.name)!;
        if (kw === 'host' && toks[1]) obj.ranges.push(addr(toks[1]));
        else if (kw === 'subnet' && toks[1]) obj.ranges.push(toks[1].includes('/') ? addr(toks[1]) : addr(toks[1], toks[2]));
        else if (kw === 'range' && toks[1] && toks[2]) {
          const a = addr(toks[1]);
          const z = addr(toks[2]);
          if (a.family !== z.family || a.lo > z.lo) throw new ParseFail('range end before start');
          obj.ranges.push({ family: a.family, lo: a.lo, hi: z.lo });
        } else if (kw === 'fqdn') obj.fqdn = true;
        else if (kw === 'nat') return false;
        else throw new ParseFail(`unknown object network line "${toks.join(' ')}"`);
        return true;
      }
      case 'object-service': {
        if (kw !== 'service') throw new ParseFail(`unknown object service line "${toks.join(' ')}"`);
        svcObjects.get(b.name)!.push(...serviceSpec(toks, 1));
        return true;
      }
      case 'group-network': {
        const g = groups.get(b.name) as NetGroup;
        if (kw === 'network-object') {
          if (toks[1] === 'host') g.members.push(addr(toks[2]));
          else if (toks[1] === 'object') g.refs.push(`object:${toks[2]}`);
          else if (toks[1]?.includes('/')) g.members.push(addr(toks[1]));
          else g.members.push(addr(toks[1], toks[2]));
        } else if (kw === 'group-object') g.refs.push(toks[1]);
        else throw new ParseFail(`unknown network group line "${toks.join(' ')}"`);
        return true;
      }
      case 'group-service': {
        const g = groups.get(b.name) as SvcGroup;
        if (kw === 'port-object') {
          // In a group without a protocol, a port-object means the port for TCP and UDP.
          g.ports.push(...portOp(toks[1], toks, 2, g.portProto ?? 'tcp-udp').ranges);
        } else if (kw === 'service-object') {
          if (toks[1] === 'object') g.refs.push(`object:${toks[2]}`);
          else g.svcs.push(...serviceSpec(toks, 1));
        } else if (kw === 'group-object') g.refs.push(toks[1]);
        else throw new ParseFail(`unknown service group line "${toks.join(' ')}"`);
        return true;
      }
      case 'group-protocol': {
        const g = groups.get(b.name) as ProtoGroup;
        if (kw === 'protocol-object') {
          if (toks[1] === 'ip') g.protos.push([0, 255]);
          else {
            const p = protoNumber(toks[1] ?? '');
            if (p === undefined) throw new ParseFail(`unknown protocol "${toks[1]}"`);
            g.protos.push([p, p]);
          }
        } else if (kw === 'group-object') g.refs.push(toks[1]);
        else throw new ParseFail(`unknown protocol group line "${toks.join(' ')}"`);
        return true;
      }
      case 'group-icmp-type': {
        const g = groups.get(b.name) as IcmpGroup;
        if (kw === 'icmp-object') {
          const t = icmpType(toks[1]);
          g.types.push([t, t]);
        } else if (kw === 'group-object') g.refs.push(toks[1]);
        else throw new ParseFail(`unknown icmp-type group line "${toks.join(' ')}"`);
        return true;
      }
      default:
        return false;
    }
  }

  function icmpType(t: string | undefined): number {
    if (t === undefined) throw new ParseFail('expected an ICMP type');
    if (/^\d+$/.test(t) && Number(t) <= 255) return Number(t);
    const n = ICMP_TYPES[t.toLowerCase()];
    if (n === undefined) throw new ParseFail(`unknown ICMP type "${t}"`);
    return n;
  }

  /** `service` / `service-object` body: `tcp [source OP…] [destination OP…]`, `tcp eq 80`, `icmp [type]`, `PROTO`. */
  function serviceSpec(toks: string[], i: number): Svc[] {
    const p = toks[i]?.toLowerCase();
    if (!p) throw new ParseFail('expected a protocol');
    if (p === 'tcp' || p === 'udp' || p === 'tcp-udp') {
      let sports: NumRange[] | null = null;
      let dports: NumRange[] | null = null;
      let j = i + 1;
      while (j < toks.length) {
        const t = toks[j].toLowerCase();
        if (t === 'source' || t === 'destination') {
          const r = portOp(toks[j + 1], toks, j + 2, p);
          if (t === 'source') sports = r.ranges;
          else dports = r.ranges;
          j = r.next;
        } else if (PORT_OPS.has(t)) {
          const r = portOp(t, toks, j + 1, p);
          dports = r.ranges;
          j = r.next;
        } else throw new ParseFail(`unexpected "${toks[j]}" in service`);
      }
      const protos: NumRange[] = p === 'tcp' ? [[6, 6]] : p === 'udp' ? [[17, 17]] : [[6, 6], [17, 17]];
      return [{ protos, sports, dports }];
    }
    if (p === 'icmp' || p === 'icmp6') {
      const n = p === 'icmp' ? 1 : 58;
      const t = toks[i + 1] !== undefined ? icmpType(toks[i + 1]) : undefined;
      return [{ protos: [[n, n]], sports: null, dports: t === undefined ? null : [[t, t]] }];
    }
    if (p === 'ip') return [{ protos: null, sports: null, dports: null }];
    const n = protoNumber(p);
    if (n === undefined) throw new ParseFail(`unknown protocol "${toks[i]}"`);
    return [{ protos: [[n, n]], sports: null, dports: null }];
  }

  // ---- group resolution (nested, cycle-safe)
  const resolveNet = (name: string, seen = new Set<string>()): AddrRange[] => {
    if (name.startsWith('object:')) {
      const o = netObjects.get(name.slice(7));
      if (!o) throw new ParseFail(`network object "${name.slice(7)}" is not defined`);
      if (o.fqdn) throw new ParseFail(`network object "${name.slice(7)}" is an FQDN, which cannot be resolved offline`);
      return o.ranges;
    }
    const g = groups.get(name);
    if (!g || g.kind !== 'network') throw new ParseFail(`network object-group "${name}" is not defined`);
    if (seen.has(name)) throw new ParseFail(`object-group "${name}" contains itself`);
    seen.add(name);
    const out = [...g.members];
    for (const r of g.refs) out.push(...resolveNet(r, seen));
    seen.delete(name);
    return out;
  };
  const resolveSvcGroup = (name: string, seen = new Set<string>()): { svcs: Svc[]; ports: NumRange[]; portProto?: PortProto } => {
    if (name.startsWith('object:')) {
      const o = svcObjects.get(name.slice(7));
      if (!o) throw new ParseFail(`service object "${name.slice(7)}" is not defined`);
      return { svcs: o, ports: [] };
    }
    const g = groups.get(name);
    if (!g || g.kind !== 'service') throw new ParseFail(`service object-group "${name}" is not defined`);
    if (seen.has(name)) throw new ParseFail(`object-group "${name}" contains itself`);
    seen.add(name);
    const svcs = [...g.svcs];
    const ports = [...g.ports];
    for (const r of g.refs) {
      const sub = resolveSvcGroup(r, seen);
      svcs.push(...sub.svcs);
      if (sub.ports.length === 0) continue;
      if (sub.portProto === g.portProto || g.portProto === undefined && sub.portProto === undefined) ports.push(...sub.ports);
      else {
        // A nested port group of another protocol keeps its own protocol.
        const pp = sub.portProto ?? 'tcp-udp';
        svcs.push({ protos: pp === 'tcp' ? [[6, 6]] : pp === 'udp' ? [[17, 17]] : [[6, 6], [17, 17]], sports: null, dports: sub.ports });
      }
    }
    seen.delete(name);
    return { svcs, ports, portProto: g.portProto };
  };
  const resolveList = (name: string, kind: 'protocol' | 'icmp-type', seen = new Set<string>()): NumRange[] => {
    const g = groups.get(name);
    if (!g || g.kind !== kind) throw new ParseFail(`${kind} object-group "${name}" is not defined`);
    if (seen.has(name)) throw new ParseFail(`object-group "${name}" contains itself`);
    seen.add(name);
    const out = g.kind === 'protocol' ? [...g.protos] : [...(g as IcmpGroup).types];
    for (const r of g.refs) out.push(...resolveList(r, kind, seen));
    seen.delete(name);
    return out;
  };
  const ifHosts = (nameif: string): AddrRange[] => {
    const itf = cfg.interfaces.find((i) => i.nameif === nameif);
    if (!itf) throw new ParseFail(`interface "${nameif}" is not defined`);
    return itf.hosts;
  };

  // An address operand: returns ranges (null = any) and the next token index.
  const addrOperand = (toks: string[], i: number): { ranges: AddrRange[] | null; next: number } => {
    const t = toks[i];
    if (t === undefined) throw new ParseFail('expected an address');
    switch (t.toLowerCase()) {
      case 'any':
        return { ranges: null, next: i + 1 };
      case 'any4':
        return { ranges: [V4_ALL], next: i + 1 };
      case 'any6':
        return { ranges: [V6_ALL], next: i + 1 };
      case 'host':
        return { ranges: [addr(toks[i + 1])], next: i + 2 };
      case 'object':
        return { ranges: resolveNet(`object:${toks[i + 1]}`), next: i + 2 };
      case 'object-group':
        return { ranges: resolveNet(toks[i + 1]), next: i + 2 };
      case 'interface':
        return { ranges: ifHosts(toks[i + 1]), next: i + 2 };
    }
    if (t.includes('/')) return { ranges: [addr(t)], next: i + 1 };
    return { ranges: [addr(t, toks[i + 1])], next: i + 2 };
  };

  const isPortGroup = (name: string | undefined) => {
    const g = name ? groups.get(name) : undefined;
    return g?.kind === 'service';
  };

  // ---- ACEs
  for (const ace of aces) {
    const { no, text: line, toks } = ace;
    try {
      const name = toks[1];
      let i = 2;
      if (toks[i] === 'line') i += 2;
      if (toks[i] !== 'extended') throw new ParseFail('expected `extended`');
      i++;
      const action = toks[i]?.toLowerCase();
      if (action !== 'permit' && action !== 'deny') throw new ParseFail('expected permit or deny');
      i++;
      // Protocol / service.
      let svcs: Svc[];
      let portProto: PortProto | undefined;
      let icmpProto: number | undefined;
      const pt = toks[i]?.toLowerCase();
      if (pt === 'object-group') {
        const g = groups.get(toks[i + 1]);
        if (g?.kind === 'protocol') {
          const protos = resolveList(toks[i + 1], 'protocol');
          svcs = [{ protos, sports: null, dports: null }];
          // A group of only TCP and/or UDP may be followed by port operands, as `tcp`/`udp` may.
          const tcp = protos.some(([a, b]) => a === 6 && b === 6);
          const udp = protos.some(([a, b]) => a === 17 && b === 17);
          if (protos.every(([a, b]) => a === b && (a === 6 || a === 17))) portProto = tcp && udp ? 'tcp-udp' : tcp ? 'tcp' : 'udp';
        } else if (g?.kind === 'service') {
          const r = resolveSvcGroup(toks[i + 1]);
          svcs = [...r.svcs];
          if (r.ports.length) {
            const pp = r.portProto ?? 'tcp-udp';
            svcs.push({ protos: pp === 'tcp' ? [[6, 6]] : pp === 'udp' ? [[17, 17]] : [[6, 6], [17, 17]], sports: null, dports: r.ports });
          }
        } else throw new ParseFail(`object-group "${toks[i + 1]}" is not a protocol or service group`);
        i += 2;
      } else if (pt === 'object') {
        const o = svcObjects.get(toks[i + 1]);
        if (o) svcs = o;
        else if (toks[i + 1]?.startsWith('icmp-') || protoNumber(toks[i + 1] ?? '') !== undefined) {
          // Inline predefined service objects such as `object icmp-echo` or `object ospf`.
          const n = toks[i + 1].toLowerCase();
          if (n.startsWith('icmp-')) svcs = [{ protos: [[1, 1]], sports: null, dports: [[icmpType(n.slice(5)), icmpType(n.slice(5))]] }];
          else svcs = [{ protos: [[protoNumber(n)!, protoNumber(n)!]], sports: null, dports: null }];
        } else throw new ParseFail(`service object "${toks[i + 1]}" is not defined`);
        i += 2;
      } else if (pt === 'ip') {
        svcs = [{ protos: null, sports: null, dports: null }];
        i++;
      } else if (pt === 'tcp' || pt === 'udp') {
        svcs = [{ protos: [[pt === 'tcp' ? 6 : 17, pt === 'tcp' ? 6 : 17]], sports: null, dports: null }];
        portProto = pt;
        i++;
      } else if (pt === 'icmp' || pt === 'icmp6') {
        icmpProto = pt === 'icmp' ? 1 : 58;
        svcs = [{ protos: [[icmpProto, icmpProto]], sports: null, dports: null }];
        i++;
      } else {
        const n = protoNumber(pt ?? '');
        if (n === undefined) throw new ParseFail(`unknown protocol "${toks[i]}"`);
        svcs = [{ protos: [[n, n]], sports: null, dports: null }];
        if (n === 6 || n === 17) portProto = n === 6 ? 'tcp' : 'udp';
        i++;
      }
      // Source (user/security-group operands are not modelled).
      if (['user', 'user-group', 'object-group-user', 'security-group', 'object-group-security'].includes(toks[i] ?? '')) {
        throw new ParseFail(`identity or security-group match "${toks[i]}" is not modelled`);
      }
      /** An optional port operand after an address: an operator or a port object-group. */
      const portOperand = (): NumRange[] | null => {
        if (portProto && toks[i] && PORT_OPS.has(toks[i])) {
          const r = portOp(toks[i], toks, i + 1, portProto);
          i = r.next;
          return r.ranges;
        }
        if (portProto && toks[i] === 'object-group' && isPortGroup(toks[i + 1])) {
          i += 2;
          return resolveSvcGroup(toks[i - 1]).ports;
        }
        return null;
      };
      const src = addrOperand(toks, i);
      i = src.next;
      const sports = portOperand();
      const dst = addrOperand(toks, i);
      i = dst.next;
      let dports = portOperand();
      // For ICMP the destination "port" is the ICMP type.
      if (icmpProto !== undefined && toks[i] === 'object-group') {
        dports = resolveList(toks[i + 1], 'icmp-type');
        i += 2;
      } else if (icmpProto !== undefined && toks[i] && (ICMP_TYPES[toks[i].toLowerCase()] !== undefined || /^\d+$/.test(toks[i]))) {
        const t = icmpType(toks[i]);
        dports = [[t, t]];
        i++;
        if (toks[i] && /^\d+$/.test(toks[i])) i++; // ICMP code: finer than we model; the type still bounds it
      }
      let inactive = false;
      while (i < toks.length) {
        const t = toks[i].toLowerCase();
        if (t === 'inactive') {
          inactive = true;
          i++;
        } else if (t === 'log') {
          i++;
          while (i < toks.length && /^(\d+|interval|disable|default|emergencies|alerts|critical|errors|warnings|notifications|informational|debugging)$/.test(toks[i])) i++;
        } else if (t === 'time-range') {
          throw new ParseFail('time-range rules are active only part of the time; not modelled');
        } else throw new ParseFail(`unexpected "${toks[i]}" at the end of the access-list entry`);
      }
      const terms: Term[] = svcs.map((s) => ({
        src: src.ranges,
        dst: dst.ranges,
        protos: s.protos,
        sports: sports ?? s.sports,
        dports: dports ?? s.dports,
      }));
      // An ACE whose ports came from the ACE itself applies them to every protocol of the service.
      let acl = cfg.acls.get(name);
      if (!acl) {
        acl = { name, rules: [], defaultAction: 'deny', source: { file, line: no, text: line } };
        cfg.acls.set(name, acl);
      }
      const rule: AclRule = { action, terms, source: { file, line: no, text: line } };
      if (inactive) {
        rule.inactive = true;
        rule.note = 'inactive';
      }
      acl.rules.push(rule);
    } catch (e) {
      if (e instanceof ParseFail) unparsed(no, e.message);
      else throw e;
    }
  }

  // ASA defaults: `inside` gets security level 100, other named interfaces 0.
  for (const itf of cfg.interfaces) {
    if (itf.nameif && itf.securityLevel === undefined) itf.securityLevel = itf.nameif === 'inside' ? 100 : 0;
  }
  for (const s of states) {
    if (s === 'blank') continue;
    cfg.stats.lines++;
    cfg.stats[s]++;
  }
  cfg.unparsed.sort((a, b) => a.line - b.line);
  return cfg;
}

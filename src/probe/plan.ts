/**
 * The probe plan: every packet `otzones probe` will send, derived from the policy IR (what is allowed) and
 * the lab hosts of the model (whom to address). Pure, so `--dry-run` prints exactly what a real run sends.
 *
 * Checks per ordered zone pair (A, B):
 *  - prohibited-path: from representative sources of A (the first host of A and the first host of every asset
 *    that initiates a flow) to representative targets of B (the first host of each role and every responder of
 *    a flow) on the TCP and UDP ports of the industrial and common protocols, and ICMP echo — every tuple the
 *    IR does not allow must be blocked;
 *  - conduit-open: every flow of the IR, from its first initiator host to each responder on each port;
 *  - modbus-read / modbus-write-blocked: Modbus flows with function codes: FC 3 must pass; FC 6 (writing back
 *    the value just read, only to the asset's safe_test_register, only with --allow-write-test) must be refused;
 *  - diode-forward / diode-latency / diode-reverse-blocked for diode conduits.
 */
import { PROTOCOLS } from '../model/protocols.ts';
import { parseIp, type Prefix } from '../net/ip.ts';
import type { PolicyIR, PolicyRule } from '../policy/ir.ts';
import { contains, hostsOfEndpoints, ruleResponders, rulePorts, type LabHost } from '../lab/plan.ts';

export type CheckKind = 'prohibited-path' | 'conduit-open' | 'modbus-read' | 'modbus-write-blocked' | 'diode-forward' | 'diode-reverse-blocked' | 'diode-latency';
export type Expect = 'blocked' | 'open';

export interface ProbeTask {
  /** Position in the plan; results come back in this order. */
  id: number;
  check: CheckKind;
  fromZone: string;
  toZone: string;
  src: string;
  dst: string;
  transport: 'tcp' | 'udp' | 'icmp';
  port?: number;
  expected: Expect;
  conduit?: string;
  rule?: string;
  /** Modbus unit and register for modbus-read / modbus-write-blocked. */
  modbus?: { unitId: number; register: number };
  /** Packets this task sends at most (for the rate limit and the dry-run count). */
  packets: number;
  /** What is sent, for --dry-run. */
  what: string;
}

/** Ports of the industrial and common protocols every prohibited path is tried on. */
export function probePorts(ir: PolicyIR): { tcp: number[]; udp: number[] } {
  const tcp = new Set<number>();
  const udp = new Set<number>();
  for (const p of PROTOCOLS) for (const port of p.ports) (p.transport === 'tcp' ? tcp : udp).add(port);
  for (const r of ir.rules) for (const port of rulePorts(r)) if (r.transport !== 'icmp') (r.transport === 'tcp' ? tcp : udp).add(port);
  const sort = (s: Set<number>) => [...s].sort((a, b) => a - b);
  return { tcp: sort(tcp), udp: sort(udp) };
}

function inPrefixes(ps: readonly Prefix[], ip: string): boolean {
  return ps.some((p) => contains(p, ip));
}

/** True when the IR allows src → dst on transport/port (the prober's notion of "allowed"). */
export function allowedBy(ir: PolicyIR, src: string, dst: string, transport: string, port?: number): PolicyRule | undefined {
  return ir.rules.find(
    (r) =>
      r.transport === transport &&
      r.src.some((e) => inPrefixes(e.prefixes, src)) &&
      r.dst.some((e) => inPrefixes(e.prefixes, dst)) &&
      (transport === 'icmp' || r.ports.length === 0 || (port !== undefined && r.ports.some((p) => port >= p.lo && port <= p.hi))),
  );
}

export interface PlanInput {
  ir: PolicyIR;
  /** Every lab host of the model (all zones). */
  hosts: LabHost[];
  /** Source addresses per zone the prober may send from; zones absent here are not probed from. */
  sources: Map<string, string[]>;
  allowWriteTest: boolean;
  /** Whether delivery of one-way datagrams can be observed (in the lab, by the receiving device's log). */
  observeDelivery: boolean;
}

/** Representative sources of a zone: its first host and the first host of every asset that initiates a flow. */
export function representativeSources(ir: PolicyIR, hosts: readonly LabHost[], zoneId: string): string[] {
  const mine = hosts.filter((h) => h.zoneId === zoneId);
  const out: string[] = [];
  if (mine[0]) out.push(mine[0].ip);
  for (const r of ir.rules) {
    if (r.fromZone !== zoneId) continue;
    for (const e of r.src) {
      if (e.kind !== 'asset') continue;
      const h = hostsOfEndpoints(mine, [e])[0];
      if (h && !out.includes(h.ip)) out.push(h.ip);
    }
  }
  return out;
}

/** Representative targets of a zone: the first host of each role, and every responder of a flow into it. */
export function representativeTargets(ir: PolicyIR, hosts: readonly LabHost[], zoneId: string): LabHost[] {
  const mine = hosts.filter((h) => h.zoneId === zoneId);
  const out: LabHost[] = [];
  const roles = new Set<string>();
  for (const h of mine) {
    const role = h.role ?? 'other';
    if (roles.has(role)) continue;
    roles.add(role);
    out.push(h);
  }
  for (const r of ir.rules) {
    if (r.toZone !== zoneId) continue;
    for (const e of r.dst) {
      if (e.kind !== 'asset') continue;
      for (const h of hostsOfEndpoints(mine, [e])) if (!out.includes(h)) out.push(h);
    }
  }
  return out;
}

export function planProbe(input: PlanInput): ProbeTask[] {
  const { ir, hosts, sources } = input;
  const tasks: ProbeTask[] = [];
  const add = (t: Omit<ProbeTask, 'id'>) => tasks.push({ id: tasks.length, ...t });
  const zones = [...new Set(hosts.map((h) => h.zoneId))];
  const ports = probePorts(ir);
  const zoneOfHost = new Map(hosts.map((h) => [h.ip, h.zoneId]));

  // Conduit flows first: they are what the plant needs to work.
  for (const r of ir.rules) {
    const srcs = sources.get(r.fromZone);
    if (!srcs) continue;
    const src = srcs.find((s) => r.src.some((e) => inPrefixes(e.prefixes, s)));
    if (!src) continue;
    const base = { fromZone: r.fromZone, toZone: r.toZone, src, conduit: r.conduitId, rule: r.id };
    for (const h of ruleResponders(r, hosts)) {
      if (r.transport === 'icmp') {
        add({ ...base, check: 'conduit-open', dst: h.ip, transport: 'icmp', expected: 'open', packets: 1, what: 'ICMP echo request' });
        continue;
      }
      for (const port of rulePorts(r)) {
        if (r.diode || (r.oneWay && r.transport === 'udp')) {
          if (input.observeDelivery) add({ ...base, check: 'diode-forward', dst: h.ip, transport: 'udp', port, expected: 'open', packets: 3, what: '3 UDP datagrams carrying a nonce and the send time' });
          const back = { ...base, fromZone: r.toZone, toZone: r.fromZone, src: h.ip, dst: src };
          if (sources.has(r.toZone)) {
            add({ ...back, check: 'diode-reverse-blocked', transport: 'tcp', port, expected: 'blocked', packets: 1, what: 'TCP SYN against the diode direction' });
            add({ ...back, check: 'diode-reverse-blocked', transport: 'udp', port, expected: 'blocked', packets: 1, what: 'UDP datagram against the diode direction' });
            add({ ...back, check: 'diode-reverse-blocked', transport: 'icmp', expected: 'blocked', packets: 1, what: 'ICMP echo request against the diode direction' });
          }
          continue;
        }
        if (r.protocol === 'modbus' && r.transport === 'tcp' && h.modbusUnit !== undefined) {
          const register = h.safeTestRegister ?? 0;
          add({ ...base, check: 'modbus-read', dst: h.ip, transport: 'tcp', port, expected: 'open', modbus: { unitId: h.modbusUnit, register }, packets: 2, what: `TCP connect, Modbus FC 3 read of holding register ${register} (unit ${h.modbusUnit})` });
          const codes = r.app.modbusFunctionCodes;
          if (input.allowWriteTest && h.safeTestRegister !== undefined && codes && !codes.includes(6)) {
            add({ ...base, check: 'modbus-write-blocked', dst: h.ip, transport: 'tcp', port, expected: 'blocked', modbus: { unitId: h.modbusUnit, register: h.safeTestRegister }, packets: 3, what: `TCP connect, FC 3 read of safe_test_register ${h.safeTestRegister}, FC 6 writing the value just read back to it` });
          }
          continue;
        }
        add({ ...base, check: 'conduit-open', dst: h.ip, transport: r.transport, port, expected: 'open', packets: 1, what: r.transport === 'tcp' ? 'TCP connect' : 'UDP datagram (expects an echo)' });
      }
    }
  }

  // Prohibited paths: everything the IR does not allow between different zones.
  for (const a of zones) {
    const srcs = sources.get(a);
    if (!srcs) continue;
    for (const b of zones) {
      if (a === b) continue;
      const targets = representativeTargets(ir, hosts, b);
      for (const src of srcs) {
        for (const t of targets) {
          const base = { check: 'prohibited-path' as const, fromZone: a, toZone: b, src, dst: t.ip, expected: 'blocked' as const, packets: 1 };
          if (!allowedBy(ir, src, t.ip, 'icmp')) add({ ...base, transport: 'icmp', what: 'ICMP echo request' });
          for (const port of ports.tcp) if (!allowedBy(ir, src, t.ip, 'tcp', port)) add({ ...base, transport: 'tcp', port, what: 'TCP SYN (connect)' });
          for (const port of ports.udp) if (!allowedBy(ir, src, t.ip, 'udp', port)) add({ ...base, transport: 'udp', port, what: 'UDP datagram' });
        }
      }
    }
  }
  // Every target lies in the model's zones: the prober never addresses anything else.
  for (const t of tasks) if (!zoneOfHost.has(t.dst)) throw new RangeError(`internal: probe target ${t.dst} is not a host of the model`);
  return tasks;
}

/** The host's own IPv4 addresses (from `addrs`) inside a zone's subnets. */
export function addressesInZone(ir: PolicyIR, zoneId: string, addrs: readonly string[]): string[] {
  const z = ir.zones.find((x) => x.id === zoneId);
  if (!z) return [];
  return addrs.filter((a) => parseIp(a).ok && !a.includes(':') && z.prefixes.some((p) => contains(p, a)));
}


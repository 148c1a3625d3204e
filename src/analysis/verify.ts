/**
 * `verify`: what parsed firewall configurations permit between zones, compared exactly with the policy IR.
 * Per ordered zone pair joined by a firewall: permitted ∖ allowed → prohibited-flow-permitted,
 * allowed ∖ permitted → conduit-flow-blocked; per ACL: shadowed and unused rules; plus unzoned addresses,
 * unparsed lines and application-layer constraints an L3/L4 config cannot enforce (needs-dpi).
 * Findings follow the JSON shape of shared/spec/CLI.md; output is deterministic.
 */
import { defineCode } from '../diagnostics/codes.ts';
import type { Model } from '../model/types.ts';
import type { PolicyIR, PolicyRule } from '../policy/ir.ts';
import { ZoneIndex } from '../policy/zone-index.ts';
import {
  ADDR_MAX,
  AddressCoder,
  PORT_MAX,
  PROTO_MAX,
  V4_MAX,
  boxIntersect,
  boxIntersects,
  boxSubtract,
  describeSet,
  examplePacket,
  mergeBoxes,
  type Box,
  type ExamplePacket,
  type MatchRule,
} from '../net/space.ts';
import type { Acl, AclRule, AddrRange, FirewallConfig, FwInterface, NumRange, SourceRef, Term } from '../parsers/acl.ts';
import { AclEngine, cellsFrom, type Cell } from './engine.ts';

export type FindingKind =
  | 'prohibited-flow-permitted'
  | 'conduit-flow-blocked'
  | 'shadowed-rule'
  | 'unused-rule'
  | 'unzoned-address'
  | 'unparsed-line'
  | 'needs-dpi';

export const FINDING_CODES: Record<FindingKind, ReturnType<typeof defineCode>> = {
  'prohibited-flow-permitted': defineCode({ code: 'ZC801', name: 'prohibited-flow-permitted', severity: 'error', title: 'The configuration permits traffic between zones that no conduit allows' }),
  'conduit-flow-blocked': defineCode({ code: 'ZC802', name: 'conduit-flow-blocked', severity: 'error', title: 'The configuration blocks traffic a conduit allows' }),
  'shadowed-rule': defineCode({ code: 'ZC803', name: 'shadowed-rule', severity: 'warning', title: 'A rule can never match: earlier rules cover all of it' }),
  'unused-rule': defineCode({ code: 'ZC804', name: 'unused-rule', severity: 'warning', title: 'A rule never applies to traffic between zones' }),
  'unzoned-address': defineCode({ code: 'ZC805', name: 'unzoned-address', severity: 'warning', title: 'A rule names addresses that lie in no zone' }),
  'unparsed-line': defineCode({ code: 'ZC806', name: 'unparsed-line', severity: 'warning', title: 'A configuration line was not understood (its effect is not modelled)' }),
  'needs-dpi': defineCode({ code: 'ZC807', name: 'needs-dpi', severity: 'info', title: 'An application-layer constraint of a conduit needs a DPI rule' }),
};

export interface VerifyFinding {
  kind: FindingKind;
  code: string;
  severity: 'error' | 'warning' | 'info';
  message: string;
  from_zone: string | null;
  to_zone: string | null;
  conduit: string | null;
  example: ExamplePacket | null;
  space: string;
  rule: SourceRef | null;
}

export interface MatrixEntry {
  from_zone: string;
  to_zone: string;
  permitted: string;
  /** Firewall configs (files) that join the two zones. */
  firewalls: string[];
}

export interface Coverage {
  file: string;
  vendor: string;
  lines: number;
  parsed: number;
  ignored: number;
  unparsed: number;
}

export interface VerifyResult {
  findings: VerifyFinding[];
  matrix: MatrixEntry[];
  coverage: Coverage[];
}

const FULL_PROTO: NumRange = [0, PROTO_MAX];
const FULL_PORT: NumRange = [0, PORT_MAX];

/** A piece of a zone pair decided by one firewall's ACLs. */
interface PairLeaf {
  box: Box;
  permit: boolean;
  source: SourceRef | null;
}

interface Route {
  cfg: FirewallConfig;
  inKey: string | null; // engine key, or null = implicit
  implicitPermit: boolean;
  implicitSource: SourceRef | null;
  outKey: string | null;
}

interface EngineInfo {
  engine: AclEngine;
  /** Source of each match rule. */
  sources: SourceRef[];
  /** Config rule per match rule. */
  owners: AclRule[];
  cfg: FirewallConfig;
  usedKeys: Set<number>;
  /** Per match rule: does it decide packets of a zone pair this firewall joins (-1 = not computed yet). */
  used: Int8Array;
  /** Position among the engines (the order a full verify walks them in). */
  ord: number;
}

/** A finding in the sorted list; `g, a, b` place it among findings that sort alike (see `createVerifier`). */
interface Entry {
  f: VerifyFinding;
  g: number;
  a: number;
  b: number;
}

const cmpFinding = (x: VerifyFinding, y: VerifyFinding): number =>
  (x.rule?.file ?? '').localeCompare(y.rule?.file ?? '') ||
  (x.rule?.line ?? 0) - (y.rule?.line ?? 0) ||
  x.kind.localeCompare(y.kind) ||
  (x.from_zone ?? '').localeCompare(y.from_zone ?? '') ||
  (x.to_zone ?? '').localeCompare(y.to_zone ?? '') ||
  (x.conduit ?? '').localeCompare(y.conduit ?? '') ||
  x.message.localeCompare(y.message);

const cmpEntry = (x: Entry, y: Entry): number => cmpFinding(x.f, y.f) || x.g - y.g || x.a - y.a || x.b - y.b;

const sameRef = (x: SourceRef | null, y: SourceRef | null) => x === y || (x !== null && y !== null && x.file === y.file && x.line === y.line && x.text === y.text);
const sameExample = (x: ExamplePacket | null, y: ExamplePacket | null) =>
  x === y || (x !== null && y !== null && x.src === y.src && x.dst === y.dst && x.protocol === y.protocol && x.src_port === y.src_port && x.dst_port === y.dst_port);
const sameFinding = (x: VerifyFinding, y: VerifyFinding) =>
  x.kind === y.kind && x.message === y.message && x.from_zone === y.from_zone && x.to_zone === y.to_zone && x.conduit === y.conduit && x.space === y.space && sameRef(x.rule, y.rule) && sameExample(x.example, y.example);

/** IPv6 interval bounds a rule registers with the address coder. */
function v6Bounds(rule: AclRule): bigint[] {
  const out: bigint[] = [];
  for (const t of rule.terms) for (const a of [...(t.src ?? []), ...(t.dst ?? [])]) if (a.family === 6) out.push(a.lo, a.hi + 1n);
  return out;
}
const V6_END = 1n << 128n;

function isAll(r: AddrRange): boolean {
  return (r.family === 4 && r.lo === 0n && r.hi === (1n << 32n) - 1n) || (r.family === 6 && r.lo === 0n && r.hi === (1n << 128n) - 1n);
}

const srcKey = (s: SourceRef | null) => (s ? `${s.file}\u0000${String(s.line).padStart(9, '0')}` : '');

export function verifyConfigs(model: Model, ir: PolicyIR, configs: FirewallConfig[]): VerifyResult {
  return createVerifier(model, ir, configs).result();
}

/** A verification that can be re-run after editing one rule, recomputing only what the edit touches. */
export interface Verifier {
  result(): VerifyResult;
  /**
   * Replaces rule `index` of ACL `acl` in config `file` (with a new rule object) and re-verifies what the
   * edit touches: the rules whose decided packets change, the zone pairs of the cells it changes. Returns how
   * many zone pairs were compared again, or null — nothing changed — when the edit reaches beyond the rule:
   * it expands to another number of boxes, the rule object also sits elsewhere, it names an interface whose
   * zones come from the rules or that is tied to no zone, or it adds or removes an IPv6 bound of the address
   * coder (then edit the config and build a new verifier). `result()` then equals a fresh `verifyConfigs`.
   */
  editRule(file: string, acl: string, index: number, rule: AclRule): { pairs: number } | null;
}

export function createVerifier(model: Model, ir: PolicyIR, configs: FirewallConfig[]): Verifier {
  /** Where `add` writes: each section (setup, one zone pair, per-rule checks) collects its own findings. */
  let sink: VerifyFinding[] = [];
  const add = (f: Omit<VerifyFinding, 'code' | 'severity'>) => {
    const { kind, ...rest } = f;
    sink.push({ kind, code: FINDING_CODES[kind].code, severity: FINDING_CODES[kind].severity, ...rest } as VerifyFinding);
  };

  // ---- address coder: every IPv6 interval the analysis touches
  const coder = new AddressCoder();
  const zi = new ZoneIndex(model);
  for (const s of zi.segments(6)) coder.addV6(s.lo, s.hi);
  for (const r of ir.rules) for (const e of [...r.src, ...r.dst]) for (const p of e.prefixes) if (p.family === 6) coder.addV6(p.lo, p.hi);
  /** How many rules register each IPv6 bound, and how many times each rule object sits in an ACL: an edit
   * that would change the coder's bounds, or a rule object shared by several places, needs a new verifier. */
  const v6Count = new Map<bigint, number>();
  const occurrences = new Map<AclRule, number>();
  for (const cfg of configs) {
    for (const itf of cfg.interfaces) for (const a of [...itf.addresses, ...itf.hosts]) if (a.family === 6) coder.addV6(a.lo, a.hi);
    for (const acl of cfg.acls.values())
      for (const rule of acl.rules) {
        occurrences.set(rule, (occurrences.get(rule) ?? 0) + 1);
        for (const t of rule.terms) for (const a of [...(t.src ?? []), ...(t.dst ?? [])]) if (a.family === 6) coder.addV6(a.lo, a.hi);
      }
  }
  for (const s of zi.segments(6)) for (const x of [s.lo, s.hi + 1n]) v6Count.set(x, (v6Count.get(x) ?? 0) + 1);
  for (const r of ir.rules) for (const e of [...r.src, ...r.dst]) for (const p of e.prefixes) if (p.family === 6) for (const x of [p.lo, p.hi + 1n]) v6Count.set(x, (v6Count.get(x) ?? 0) + 1);
  for (const cfg of configs) {
    for (const itf of cfg.interfaces) for (const a of [...itf.addresses, ...itf.hosts]) if (a.family === 6) for (const x of [a.lo, a.hi + 1n]) v6Count.set(x, (v6Count.get(x) ?? 0) + 1);
    for (const acl of cfg.acls.values()) for (const rule of acl.rules) for (const x of v6Bounds(rule)) v6Count.set(x, (v6Count.get(x) ?? 0) + 1);
  }
  coder.freeze();
  const enc = (a: AddrRange): [number, number] => coder.encode(a.family, a.lo, a.hi);
  // Asset addresses make readable example packets.
  const hints = model.zones
    .flatMap((z) => z.assets.flatMap((a) => a.prefixes.map((p) => coder.encode(p.family, p.lo, p.hi)[0] + (p.hi > p.lo ? 1 : 0))))
    .sort((x, y) => x - y);

  // ---- cells: zones and the gaps between them
  const intervals: { lo: number; hi: number; zone: string }[] = [];
  for (const fam of [4, 6] as const)
    for (const s of zi.segments(fam)) {
      const [lo, hi] = coder.encode(fam, s.lo, s.hi);
      intervals.push({ lo, hi, zone: s.owner.zoneId });
    }
  const cells: Cell[] = cellsFrom(intervals);
  const zoneIds = model.zones.map((z) => z.id);
  const cellsOfZone = new Map<string, number[]>(zoneIds.map((z) => [z, []]));
  cells.forEach((c, i) => {
    if (c.zone) cellsOfZone.get(c.zone)?.push(i);
  });
  const zoneIntervals = (zones: string[]): [number, number][] =>
    zones.flatMap((z) => (cellsOfZone.get(z) ?? []).map((i) => [cells[i].lo, cells[i].hi] as [number, number])).sort((a, b) => a[0] - b[0]);

  // ---- interfaces → zones
  const modelFwFor = (cfg: FirewallConfig) => model.firewalls.find((f) => f.id === cfg.hostname) ?? (model.firewalls.length === 1 ? model.firewalls[0] : undefined);
  const zonesOfInterface = (cfg: FirewallConfig, itf: FwInterface | undefined, name: string): string[] => {
    const out = new Set<string>();
    for (const a of itf?.hosts ?? []) {
      const o = zi.lookup(a.family, a.lo);
      if (o) out.add(o.zoneId);
    }
    const fws = modelFwFor(cfg) ? [modelFwFor(cfg)!] : model.firewalls;
    // `eth+` (iptables) and `eth*` (nftables) match every interface with that prefix.
    const wild = /[+*]$/.test(name) ? name.slice(0, -1) : null;
    const matches = (x: string | undefined) => x !== undefined && (wild !== null ? x.startsWith(wild) : x === name);
    for (const fw of fws) for (const mi of fw.interfaces) if (matches(mi.nameif) || matches(mi.name) || (itf && (mi.nameif === itf.nameif || mi.name === itf.name))) out.add(mi.zone);
    if (wild !== null) {
      for (const z of zoneIds) if (`z-${z.toLowerCase()}`.startsWith(wild.toLowerCase())) out.add(z);
      return [...out].filter((z) => cellsOfZone.has(z)).sort();
    }
    if (out.size === 0) for (const z of inferredZones(cfg, name)) out.add(z);
    return [...out].filter((z) => cellsOfZone.has(z)).sort();
  };
  /**
   * A Linux interface with no address in the config: the one zone whose id its name spells (`z-z2-bpcs` for
   * Z2-BPCS), else the one zone that every explicit address matched with it lies in (`-i X -s 10.20.0.0/16`).
   */
  const inferCache = new Map<string, string[]>();
  /** Interfaces whose zones come from the addresses rules pair with them (an edit may change them). */
  const inferredFromRules = new Set<string>();
  const inferredZones = (cfg: FirewallConfig, name: string): string[] => {
    const key = `${cfg.file}\u0000${name}`;
    const hit = inferCache.get(key);
    if (hit) return hit;
    const norm = (x: string) => x.toLowerCase().replace(/[^a-z0-9]/g, '');
    const n = norm(name);
    let zones = zoneIds.filter((z) => norm(z).length > 0 && (n === norm(z) || n.endsWith(norm(z)) || norm(z).startsWith(n)));
    if (zones.length !== 1) {
      inferredFromRules.add(key);
      const seen = new Set<string>();
      for (const acl of cfg.acls.values())
        for (const rule of acl.rules)
          for (const t of rule.terms)
            for (const [ifs, ranges] of [[t.inIf, t.src], [t.outIf, t.dst]] as const) {
              if (!ifs?.includes(name) || !ranges) continue;
              for (const r of ranges) {
                if (isAll(r)) continue;
                const a = zi.lookup(r.family, r.lo);
                const b = zi.lookup(r.family, r.hi);
                seen.add(a && b && a.zoneId === b.zoneId ? a.zoneId : '\u0000');
              }
            }
      zones = seen.size === 1 && !seen.has('\u0000') ? [...seen] : [];
    }
    inferCache.set(key, zones);
    return zones;
  };

  // ---- match rules from config rules
  /** Interfaces tied to no zone, with the first line that matches on them. */
  const unknownIfs = new Map<string, SourceRef>();
  const toMatchRules = (cfg: FirewallConfig, rules: AclRule[]): { match: MatchRule[]; sources: SourceRef[]; owners: AclRule[] } => {
    const match: MatchRule[] = [];
    const sources: SourceRef[] = [];
    const owners: AclRule[] = [];
    rules.forEach((rule, origin) => {
      if (rule.inactive) return;
      for (const t of rule.terms) {
        for (const box of termBoxes(cfg, t, rule.source)) {
          match.push({ box, permit: rule.action === 'permit', origin });
          sources.push(rule.source);
          owners.push(rule);
        }
      }
    });
    return { match, sources, owners };
  };
  /** Addresses behind the interfaces a term matches (null = any); a negation removes the zones behind those. */
  const ifRestrict = (cfg: FirewallConfig, names: string[] | null | undefined, notNames: string[] | null | undefined, source: SourceRef): [number, number][] | null => {
    if (!names && !notNames) return null;
    const zonesOf = (list: string[], report: boolean) => {
      const zones = new Set<string>();
      for (const n of list) {
        const z = zonesOfInterface(cfg, cfg.interfaces.find((i) => i.name === n || i.nameif === n), n);
        if (report && z.length === 0 && !unknownIfs.has(`${cfg.file}\u0000${n}`)) unknownIfs.set(`${cfg.file}\u0000${n}`, source);
        for (const x of z) zones.add(x);
      }
      return [...zones];
    };
    let out: [number, number][] = names ? zoneIntervals(zonesOf(names, true)) : [[0, ADDR_MAX]];
    if (notNames) {
      // An interface tied to no zone (lo, a VPN) removes nothing the model knows.
      const excluded = zoneIntervals(zonesOf(notNames, false));
      const next: [number, number][] = [];
      for (const [lo, hi] of out) {
        let cur = lo;
        for (const [a, b] of excluded) {
          if (b < cur || a > hi) continue;
          if (a > cur) next.push([cur, a - 1]);
          cur = Math.max(cur, b + 1);
        }
        if (cur <= hi) next.push([cur, hi]);
      }
      out = next;
    }
    return out;
  };
  const addrIntervals = (ranges: AddrRange[] | null, fam: 4 | 6 | null | undefined): [number, number][] => {
    let out: [number, number][];
    if (ranges === null) out = fam === 4 ? [[0, V4_MAX]] : fam === 6 ? [coder.v6All()] : [[0, ADDR_MAX]];
    else out = ranges.filter((r) => !fam || r.family === fam).map(enc);
    return out;
  };
  const clip = (a: [number, number][], b: [number, number][] | null): [number, number][] => {
    if (b === null) return a;
    const out: [number, number][] = [];
    for (const x of a) for (const y of b) {
      const lo = Math.max(x[0], y[0]);
      const hi = Math.min(x[1], y[1]);
      if (lo <= hi) out.push([lo, hi]);
    }
    return out;
  };
  function termBoxes(cfg: FirewallConfig, t: Term, source: SourceRef): Box[] {
    const src = clip(addrIntervals(t.src, t.family), ifRestrict(cfg, t.inIf, t.inIfNot, source));
    const dst = clip(addrIntervals(t.dst, t.family), ifRestrict(cfg, t.outIf, t.outIfNot, source));
    const protos = t.protos ?? [FULL_PROTO];
    const sports = t.sports ?? [FULL_PORT];
    const dports = t.dports ?? [FULL_PORT];
    const out: Box[] = [];
    for (const s of src) for (const d of dst) for (const p of protos) for (const sp of sports) for (const dp of dports)
      out.push([s[0], s[1], d[0], d[1], p[0], p[1], sp[0], sp[1], dp[0], dp[1]]);
    return out;
  }

  // ---- engines per ACL attachment, and routes per zone pair
  const engines = new Map<string, EngineInfo>();
  /** ACLs whose rules some engine evaluates. */
  const feeding = new Set<Acl>();
  const engineFor = (cfg: FirewallConfig, key: string, acls: (Acl | undefined)[], defaultPermit = false): string => {
    const k = `${cfg.file}\u0000${key}`;
    if (!engines.has(k)) {
      const rules: AclRule[] = [];
      for (const acl of acls) {
        if (!acl) continue;
        feeding.add(acl);
        for (const r of acl.rules) rules.push(r);
      }
      const { match, sources, owners } = toMatchRules(cfg, rules);
      const engine = new AclEngine(cells, match, defaultPermit);
      engine.evaluate();
      engines.set(k, { engine, sources, owners, cfg, usedKeys: new Set(), used: new Int8Array(match.length).fill(-1), ord: engines.size });
    }
    return k;
  };
  const routes = new Map<string, Route[]>();
  const addRoute = (a: string, b: string, r: Route) => {
    const k = `${a}\u0000${b}`;
    const l = routes.get(k) ?? [];
    l.push(r);
    routes.set(k, l);
  };
  const attached = new Set<string>();
  for (const cfg of configs) {
    if (cfg.vendor === 'asa') {
      const itfs = cfg.interfaces.filter((i) => i.nameif && !i.shutdown);
      const globalAcl = cfg.global ? cfg.acls.get(cfg.global) : undefined;
      if (cfg.global) attached.add(`${cfg.file}\u0000${cfg.global}`);
      for (const ia of itfs) {
        const za = zonesOfInterface(cfg, ia, ia.nameif!);
        const inName = cfg.ingress.get(ia.nameif!);
        if (inName) attached.add(`${cfg.file}\u0000${inName}`);
        for (const ib of itfs) {
          if (ib === ia) continue;
          const zb = zonesOfInterface(cfg, ib, ib.nameif!);
          const outName = cfg.egress.get(ib.nameif!);
          if (outName) attached.add(`${cfg.file}\u0000${outName}`);
          let inKey: string | null = null;
          let implicitPermit = false;
          let implicitSource: SourceRef | null = null;
          if (inName || cfg.global) {
            inKey = engineFor(cfg, `in:${ia.nameif}`, [inName ? cfg.acls.get(inName) : undefined, globalAcl]);
          } else {
            const la = ia.securityLevel ?? 0;
            const lb = ib.securityLevel ?? 0;
            implicitPermit = la > lb || (la === lb && cfg.sameSecurityInter);
            implicitSource = ia.source ?? null;
          }
          const outKey = outName ? engineFor(cfg, `out:${ib.nameif}`, [cfg.acls.get(outName)]) : null;
          for (const a of za) for (const b of zb) if (a !== b) addRoute(a, b, { cfg, inKey, implicitPermit, implicitSource, outKey });
        }
      }
    } else {
      const names = cfg.forwardChain ?? (cfg.forward ? [cfg.forward] : []);
      const keys: string[] = [];
      for (const name of names.slice(0, 2)) {
        const fwd = cfg.acls.get(name);
        if (!fwd) continue;
        attached.add(`${cfg.file}\u0000${name}`);
        keys.push(engineFor(cfg, `fwd:${name}`, [fwd], fwd.defaultAction === 'permit'));
      }
      // A Linux router forwards between every pair of zones it reaches; with no forward filter, everything passes.
      for (const a of zoneIds) for (const b of zoneIds) if (a !== b) addRoute(a, b, { cfg, inKey: keys[0] ?? null, implicitPermit: keys.length === 0, implicitSource: null, outKey: keys[1] ?? null });
    }
  }
  for (const [k, source] of unknownIfs) {
    const name = k.split('\u0000')[1];
    add({ kind: 'unparsed-line', message: `interface "${name}" is tied to no zone (no address in a zone, not in the model's firewalls, no zone id in its name): rules matching it are taken to match nothing`, from_zone: null, to_zone: null, conduit: null, example: null, space: `interface ${name}`, rule: source });
  }


  // ---- policy: allowed boxes per pair
  const allowedByPair = new Map<string, { rule: PolicyRule; box: Box }[]>();
  for (const r of ir.rules) {
    const k = `${r.fromZone}\u0000${r.toZone}`;
    const l = allowedByPair.get(k) ?? [];
    for (const s of r.src) for (const sp of s.prefixes) for (const d of r.dst) for (const dp of d.prefixes) {
      if (sp.family !== dp.family) continue;
      const proto = r.transport === 'tcp' ? 6 : r.transport === 'udp' ? 17 : sp.family === 6 ? 58 : 1;
      const ports: NumRange[] = r.transport === 'icmp' || r.ports.length === 0 ? [FULL_PORT] : r.ports.map((p) => [p.lo, p.hi]);
      const [slo, shi] = coder.encode(sp.family, sp.lo, sp.hi);
      const [dlo, dhi] = coder.encode(dp.family, dp.lo, dp.hi);
      for (const p of ports) l.push({ rule: r, box: [slo, shi, dlo, dhi, proto, proto, 0, PORT_MAX, p[0], p[1]] });
    }
    allowedByPair.set(k, l);
  }

  // ---- per zone pair
  const regionBoxes = (a: string, b: string) => {
    const out: { key: number; box: Box }[] = [];
    for (const i of cellsOfZone.get(a) ?? []) for (const j of cellsOfZone.get(b) ?? []) out.push({ key: i * cells.length + j, box: [cells[i].lo, cells[i].hi, cells[j].lo, cells[j].hi, 0, PROTO_MAX, 0, PORT_MAX, 0, PORT_MAX] });
    return out;
  };
  /** What one route permits inside one cell pair, with the line that permits it. */
  const permitsFor = (route: Route, key: number, region: Box): PairLeaf[] => {
    let inPermits: PairLeaf[];
    if (route.inKey) {
      const info = engines.get(route.inKey)!;
      info.usedKeys.add(key);
      inPermits = info.engine.permitsIn(key).map((l) => ({ box: l.box, permit: true, source: l.rule >= 0 ? info.sources[l.rule] : null }));
    } else inPermits = route.implicitPermit ? [{ box: region, permit: true, source: route.implicitSource }] : [];
    if (!route.outKey) return inPermits;
    const out = engines.get(route.outKey)!;
    out.usedKeys.add(key);
    const outPermits = out.engine.permitsIn(key);
    const res: PairLeaf[] = [];
    for (const l of inPermits) for (const o of outPermits) {
      const c = boxIntersect(l.box, o.box);
      if (c) res.push({ box: c, permit: true, source: l.source });
    }
    return res;
  };
  /** The line that denies a packet on a route (ingress first, then egress); null = implicit deny. */
  const denyingLine = (route: Route, point: number[]): SourceRef | null => {
    if (route.inKey) {
      const info = engines.get(route.inKey)!;
      const k = info.engine.ruleAt(point);
      if (k >= 0 && !info.engine.rules[k].permit) return info.sources[k];
      if (k < 0 && !info.engine.defaultPermit) return null;
    } else if (!route.implicitPermit) return route.implicitSource;
    if (route.outKey) {
      const out = engines.get(route.outKey)!;
      const k = out.engine.ruleAt(point);
      if (k >= 0 && !out.engine.rules[k].permit) return out.sources[k];
    }
    return null;
  };

  /** Findings and matrix entry of one ordered zone pair. */
  const comparePair = (a: string, b: string): { findings: VerifyFinding[]; matrix: MatrixEntry } => {
    sink = [];
    const pk = `${a}\u0000${b}`;
    const rs = routes.get(pk) ?? [];
    const allowed = allowedByPair.get(pk) ?? [];
    if (rs.length === 0) {
      return { findings: sink, matrix: { from_zone: a, to_zone: b, permitted: 'not joined by any of the given configurations', firewalls: [] } };
    }
    const permitted: PairLeaf[] = [];
    for (const route of rs) for (const { key, box } of regionBoxes(a, b)) for (const l of permitsFor(route, key, box)) permitted.push(l);
    // allowed ∖ permitted: subtract the permitted boxes that overlap each allowed box; blame the denying line.
    const blocked: { box: Box; rule: PolicyRule; source: SourceRef | null }[] = [];
    for (const al of allowed) {
      let pieces = [al.box];
      for (const p of permitted) {
        if (!boxIntersects(p.box, al.box)) continue;
        const next: Box[] = [];
        for (const x of pieces) for (const y of boxSubtract(x, p.box)) next.push(y);
        pieces = next;
        if (pieces.length === 0) break;
      }
      for (const x of pieces) {
        const pt = [x[0], x[2], x[4], x[6], x[8]];
        blocked.push({ box: x, rule: al.rule, source: denyingLine(rs[0], pt) });
      }
    }
    const entry: MatrixEntry = { from_zone: a, to_zone: b, permitted: describeSet(coder, permitted.map((p) => p.box)), firewalls: [...new Set(rs.map((r) => r.cfg.file))].sort() };

    // permitted ∖ allowed, grouped by the deciding line
    const byLine = new Map<string, { source: SourceRef | null; boxes: Box[] }>();
    for (const p of permitted) {
      let pieces = [p.box];
      for (const al of allowed) {
        const next: Box[] = [];
        for (const x of pieces) for (const y of boxSubtract(x, al.box)) next.push(y);
        pieces = next;
        if (pieces.length === 0) break;
      }
      if (pieces.length === 0) continue;
      const k = srcKey(p.source);
      const g = byLine.get(k) ?? { source: p.source, boxes: [] };
      g.boxes.push(...pieces);
      byLine.set(k, g);
    }
    for (const [, g] of [...byLine].sort((x, y) => (x[0] < y[0] ? -1 : 1))) {
      const boxes = mergeBoxes(g.boxes);
      const implicit = g.source !== null && rs.some((r) => r.inKey === null && r.implicitSource === g.source);
      add({
        kind: 'prohibited-flow-permitted',
        message: `${a} → ${b}: ${implicit ? 'permitted without an access-list (ASA: higher to lower security level)' : 'permitted'} but no conduit allows it`,
        from_zone: a,
        to_zone: b,
        conduit: null,
        example: examplePacket(coder, boxes[0], hints),
        space: describeSet(coder, boxes),
        rule: g.source,
      });
    }
    // allowed ∖ permitted, grouped by policy rule and deciding line
    const byRule = new Map<string, { rule: PolicyRule; source: SourceRef | null; boxes: Box[] }>();
    for (const x of blocked) {
      const k = `${x.rule.id}\u0000${srcKey(x.source)}`;
      const g = byRule.get(k) ?? { rule: x.rule, source: x.source, boxes: [] };
      g.boxes.push(x.box);
      byRule.set(k, g);
    }
    for (const [, g] of [...byRule].sort((x, y) => (x[0] < y[0] ? -1 : 1))) {
      const boxes = mergeBoxes(g.boxes);
      add({
        kind: 'conduit-flow-blocked',
        message: `${a} → ${b}: conduit ${g.rule.conduitId} allows ${g.rule.protocol} but the configuration ${g.source ? 'denies it' : 'denies it (no rule permits it: implicit deny)'}`,
        from_zone: a,
        to_zone: b,
        conduit: g.rule.conduitId,
        example: examplePacket(coder, boxes[0], hints),
        space: describeSet(coder, boxes),
        rule: g.source,
      });
    }
    // needs-dpi: application constraints on flows the config lets through
    for (const al of allowed) {
      const app = al.rule.app;
      const what = app.modbusFunctionCodes
        ? `Modbus function codes ${app.modbusFunctionCodes.join(', ')}`
        : app.dnp3FunctionCodes
          ? `DNP3 function codes ${app.dnp3FunctionCodes.join(', ')}`
          : app.s7Functions
            ? `S7 functions ${app.s7Functions.join(', ')}`
            : null;
      if (!what) continue;
      const hits: { box: Box; source: SourceRef | null }[] = [];
      for (const p of permitted) {
        const c = boxIntersect(p.box, al.box);
        if (c) hits.push({ box: c, source: p.source });
      }
      if (hits.length === 0) continue;
      const boxes = mergeBoxes(hits.map((h) => h.box));
      add({
        kind: 'needs-dpi',
        message: `${a} → ${b}: conduit ${al.rule.conduitId} allows only ${what}; an L3/L4 configuration cannot enforce that — generate the DPI rules (e.g. \`otzones compile --target ftd-snort\` or \`modbus-filter\`)`,
        from_zone: a,
        to_zone: b,
        conduit: al.rule.conduitId,
        example: examplePacket(coder, boxes[0], hints),
        space: describeSet(coder, boxes),
        rule: hits[0].source,
      });
    }
    return { findings: sink, matrix: entry };
  };
  // ---- findings, kept sorted. Each belongs to one slot that an edit recomputes on its own: the setup, a zone
  // pair, a rule (shadowed/unused), an ACL (not applied), a rule of an applied ACL (unzoned addresses), the
  // unparsed lines. Findings that sort alike keep the order a full verify produces them in, which `g, a, b`
  // spell: g the section (0 setup, 1 zone pairs, 2 rules, 3 unapplied ACLs, 4 unzoned, 5 unparsed), a and b
  // the place within it (zone pair and position; engine and first match rule; ACL and rule index; ...).
  let sorted: Entry[] = [];
  /** Entries an edit added or dropped since the sorted list was last assembled. */
  const pendingAdd = new Set<Entry>();
  const pendingDel = new Set<Entry>();
  /** The findings of `sorted`, in its order. */
  let listed: VerifyFinding[] = [];
  const drop = (e: Entry) => {
    if (!pendingAdd.delete(e)) pendingDel.add(e);
  };
  /** A slot's new findings: entries whose finding did not change are kept, the others dropped and added. */
  const replaceSlot = (old: Entry[] | undefined, fs: VerifyFinding[], g: number, a: number, b0: number): Entry[] => {
    const out: Entry[] = [];
    for (let i = 0; i < fs.length; i++) {
      const o = old?.[i];
      if (o && o.a === a && o.b === b0 + i && sameFinding(o.f, fs[i])) out.push(o);
      else {
        const e = { f: fs[i], g, a, b: b0 + i };
        out.push(e);
        pendingAdd.add(e);
      }
    }
    if (old) for (let i = 0; i < old.length; i++) if (out[i] !== old[i]) drop(old[i]);
    return out;
  };
  const initial: Entry[] = [];
  const entriesOf = (fs: VerifyFinding[], g: number, a: number, b0: number): Entry[] => {
    const out = fs.map((f, i) => ({ f, g, a, b: b0 + i }));
    for (const e of out) initial.push(e);
    return out;
  };

  entriesOf(sink, 0, 0, 0);
  const pairSlots = new Map<string, { ord: number; entries: Entry[]; matrix: MatrixEntry }>();
  for (const a of zoneIds)
    for (const b of zoneIds) {
      if (a === b) continue;
      const { findings, matrix } = comparePair(a, b);
      const ord = pairSlots.size;
      pairSlots.set(`${a}\u0000${b}`, { ord, entries: entriesOf(findings, 1, ord, 0), matrix });
    }

  // ---- per rule: shadowed and unused (a rule may sit in several engines, e.g. an ASA global ACL)
  /** Where each config rule sits in the engines: engine order, then match rule order. */
  const placesOf = new Map<AclRule, { info: EngineInfo; idx: number }[]>();
  for (const info of engines.values())
    info.owners.forEach((owner, idx) => {
      const l = placesOf.get(owner);
      if (l) l.push({ info, idx });
      else placesOf.set(owner, [{ info, idx }]);
    });
  const usedPiece = (info: EngineInfo, idx: number) => {
    if (info.used[idx] < 0) info.used[idx] = info.engine.pieces[idx].some((p) => info.engine.pairsOf(p).some((key) => info.usedKeys.has(key))) ? 1 : 0;
    return info.used[idx] === 1;
  };
  const ruleFindings = (rule: AclRule): VerifyFinding[] => {
    sink = [];
    const places = placesOf.get(rule) ?? [];
    if (places.length === 0) return sink;
    const { info, idx: firstIdx } = places[0];
    let decided = false;
    let decidedUsed = false;
    for (const p of places)
      if (p.info.engine.decides(p.idx)) {
        decided = true;
        if (!decidedUsed && usedPiece(p.info, p.idx)) decidedUsed = true;
      }
    const idxs = places.filter((p) => p.info === info).map((p) => p.idx);
    if (!decided) {
      // Which earlier lines decide the rule's packets?
      const box = info.engine.rules[firstIdx].box;
      const by = new Set<string>();
      const byLines: number[] = [];
      for (const j of info.engine.overlapping(box, firstIdx)) {
        if (!info.engine.decides(j)) continue;
        const s = info.sources[j];
        if (!by.has(srcKey(s))) {
          by.add(srcKey(s));
          byLines.push(s.line);
        }
      }
      byLines.sort((x, y) => x - y);
      add({
        kind: 'shadowed-rule',
        message: `this rule never matches: ${byLines.length ? `line${byLines.length > 1 ? 's' : ''} ${byLines.slice(0, 6).join(', ')} above match${byLines.length > 1 ? '' : 'es'} all of its packets first` : 'earlier rules match all of its packets first'}`,
        from_zone: null,
        to_zone: null,
        conduit: null,
        example: examplePacket(coder, box, hints),
        space: describeSet(coder, idxs.map((i) => info.engine.rules[i].box)),
        rule: rule.source,
      });
    } else if (!decidedUsed) {
      add({
        kind: 'unused-rule',
        message: 'this rule only matches traffic that does not cross between zones through this firewall (within one zone, or to addresses in no zone)',
        from_zone: null,
        to_zone: null,
        conduit: null,
        example: examplePacket(coder, info.engine.rules[firstIdx].box, hints),
        space: describeSet(coder, idxs.map((i) => info.engine.rules[i].box)),
        rule: rule.source,
      });
    }
    return sink;
  };
  const ruleSlots = new Map<AclRule, Entry[]>();
  for (const [rule, places] of placesOf) {
    const fs = ruleFindings(rule);
    if (fs.length) ruleSlots.set(rule, entriesOf(fs, 2, places[0].info.ord, places[0].idx));
  }

  // ---- ACLs that nothing applies
  const aclOrd = new Map<Acl, number>();
  for (const cfg of configs) for (const acl of cfg.acls.values()) aclOrd.set(acl, aclOrd.size);
  const isAttached = (cfg: FirewallConfig, acl: Acl) => attached.has(`${cfg.file}\u0000${acl.name}`);
  const unappliedFindings = (cfg: FirewallConfig, acl: Acl): VerifyFinding[] => {
    sink = [];
    if (isAttached(cfg, acl) || acl.rules.length === 0) return sink;
    add({
      kind: 'unused-rule',
      message: `access-list ${acl.name} (${acl.rules.length} rule(s)) is not applied to any interface (no access-group)`,
      from_zone: null,
      to_zone: null,
      conduit: null,
      example: null,
      space: `access-list ${acl.name}`,
      rule: acl.rules[0].source,
    });
    return sink;
  };
  const aclSlots = new Map<Acl, Entry[]>();
  for (const cfg of configs) for (const acl of cfg.acls.values()) aclSlots.set(acl, entriesOf(unappliedFindings(cfg, acl), 3, aclOrd.get(acl)!, 0));

  // ---- unzoned addresses named explicitly by permit rules
  const unzonedCache = new Map<AclRule, VerifyFinding[]>();
  const unzonedFindings = (cfg: FirewallConfig, rule: AclRule): VerifyFinding[] => {
    if (rule.inactive || rule.action !== 'permit') return [];
    const cached = unzonedCache.get(rule);
    if (cached) return cached;
    sink = [];
    const outside: Box[] = [];
    for (const t of rule.terms) {
      // Only addresses the rule names itself: `any` is not a mistake of this kind.
      const named = (r: AddrRange[] | null) => r !== null && r.some((x) => !isAll(x));
      for (const box of termBoxes(cfg, t, rule.source)) {
        for (const side of [0, 2]) {
          if (!named(side === 0 ? t.src : t.dst)) continue;
          for (const c of cells) {
            if (c.zone !== null || c.hi < box[side] || c.lo > box[side + 1]) continue;
            const b = box.slice();
            b[side] = Math.max(box[side], c.lo);
            b[side + 1] = Math.min(box[side + 1], c.hi);
            outside.push(b);
          }
        }
      }
    }
    if (outside.length > 0)
      add({
        kind: 'unzoned-address',
        message: `this rule permits addresses that lie in no zone of the model`,
        from_zone: null,
        to_zone: null,
        conduit: null,
        example: examplePacket(coder, outside[0], hints),
        space: describeSet(coder, outside, 4),
        rule: rule.source,
      });
    unzonedCache.set(rule, sink);
    return sink;
  };
  /** Per applied ACL: the unzoned-address findings by rule index. */
  const unzonedSlots = new Map<Acl, Map<number, Entry[]>>();
  for (const cfg of configs)
    for (const acl of cfg.acls.values()) {
      if (!isAttached(cfg, acl)) continue;
      const slots = new Map<number, Entry[]>();
      acl.rules.forEach((rule, i) => {
        const fs = unzonedFindings(cfg, rule);
        if (fs.length) slots.set(i, entriesOf(fs, 4, aclOrd.get(acl)!, i));
      });
      unzonedSlots.set(acl, slots);
    }

  // ---- unparsed lines
  configs.forEach((cfg, ci) => {
    sink = [];
    for (const u of cfg.unparsed) {
      add({ kind: 'unparsed-line', message: `line not understood: ${u.reason}`, from_zone: null, to_zone: null, conduit: null, example: null, space: u.reason, rule: { file: cfg.file, line: u.line, text: u.text } });
    }
    entriesOf(sink, 5, ci, 0);
  });
  sorted = initial.sort(cmpEntry);
  listed = sorted.map((e) => e.f);

  /**
   * The document. Assembling it is the one step proportional to the number of findings: after edits, the
   * sorted list is merged with the entries they added (without those they dropped), then listed.
   */
  const result = (): VerifyResult => {
    if (pendingAdd.size > 0 || pendingDel.size > 0) {
      // Binary searches place the added entries and find the dropped ones; one pass copies the rest.
      const position = (e: Entry) => {
        let lo = 0;
        let hi = sorted.length;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (cmpEntry(sorted[mid], e) < 0) lo = mid + 1;
          else hi = mid;
        }
        return lo;
      };
      const added = [...pendingAdd].sort(cmpEntry);
      const at = added.map(position);
      const dropped = [...pendingDel].map((e) => {
        const p = position(e);
        if (sorted[p] !== e) throw new Error('verify: findings list out of order (internal error)');
        return p;
      });
      dropped.sort((x, y) => x - y);
      const n = sorted.length;
      const merged: Entry[] = new Array(n - dropped.length + added.length);
      const list: VerifyFinding[] = new Array(merged.length);
      let i = 0;
      let o = 0;
      let a = 0;
      let d = 0;
      while (i < n || a < added.length) {
        const stop = Math.min(a < added.length ? at[a] : n, d < dropped.length ? dropped[d] : n, n);
        for (; i < stop; i++, o++) {
          merged[o] = sorted[i];
          list[o] = listed[i];
        }
        if (a < added.length && at[a] === i) {
          list[o] = added[a].f;
          merged[o++] = added[a++];
        } else if (d < dropped.length && dropped[d] === i) {
          i++;
          d++;
        }
      }
      if (o !== merged.length) throw new Error('verify: findings list out of order (internal error)');
      sorted = merged;
      listed = list;
      pendingAdd.clear();
      pendingDel.clear();
    }
    const coverage = configs.map((c) => ({ file: c.file, vendor: c.vendor, ...c.stats }));
    return { findings: listed.slice(), matrix: [...pairSlots.values()].map((p) => p.matrix), coverage };
  };

  /**
   * Can replacing `old` by `rule` change more than the rule's own boxes? When the address coder's IPv6
   * bounds would differ, a rule object sits in several places, or the rule names an interface whose zones
   * come from the rules themselves or that is tied to no zone (a setup finding names the first such line).
   */
  const editIsLocal = (cfg: FirewallConfig, old: AclRule, rule: AclRule): boolean => {
    if (occurrences.get(old) !== 1 || (rule !== old && occurrences.has(rule))) return false;
    for (const r of [old, rule])
      for (const t of r.terms)
        for (const [names, report] of [[t.inIf, true], [t.outIf, true], [t.inIfNot, false], [t.outIfNot, false]] as const)
          for (const n of names ?? []) {
            const z = zonesOfInterface(cfg, cfg.interfaces.find((i) => i.name === n || i.nameif === n), n);
            if (inferredFromRules.has(`${cfg.file}\u0000${n}`) || (report && z.length === 0)) return false;
          }
    const count = new Map<bigint, number>();
    for (const x of v6Bounds(old)) count.set(x, (count.get(x) ?? v6Count.get(x) ?? 0) - 1);
    for (const x of v6Bounds(rule)) count.set(x, (count.get(x) ?? v6Count.get(x) ?? 0) + 1);
    for (const [x, c] of count) if (x !== 0n && x < V6_END && c > 0 !== (v6Count.get(x) ?? 0) > 0) return false;
    return true;
  };
  const commitV6 = (old: AclRule, rule: AclRule) => {
    for (const x of v6Bounds(old)) v6Count.set(x, v6Count.get(x)! - 1);
    for (const x of v6Bounds(rule)) v6Count.set(x, (v6Count.get(x) ?? 0) + 1);
  };

  const editRule = (file: string, aclName: string, index: number, rule: AclRule): { pairs: number } | null => {
    const cfg = configs.find((c) => c.file === file);
    const acl = cfg?.acls.get(aclName);
    if (!cfg || !acl || index < 0 || index >= acl.rules.length) throw new Error(`editRule: no rule ${index} in ${aclName} of ${file}`);
    const old = acl.rules[index];
    if (!editIsLocal(cfg, old, rule)) return null;
    const fresh = toMatchRules(cfg, [rule]);
    // Every engine that evaluates the old rule must get as many boxes from the new one.
    const places = placesOf.get(old) ?? [];
    if (places.length === 0 && fresh.match.length > 0 && feeding.has(acl)) return null;
    const perEngine = new Map<EngineInfo, number[]>();
    for (const p of places) perEngine.set(p.info, [...(perEngine.get(p.info) ?? []), p.idx]);
    for (const idxs of perEngine.values()) if (idxs.length !== fresh.match.length) return null;

    commitV6(old, rule);
    acl.rules[index] = rule;
    occurrences.delete(old);
    occurrences.set(rule, 1);
    placesOf.delete(old);
    if (places.length) placesOf.set(rule, places);
    // Recompute the engines; the rules whose decided packets they recomputed get their findings again, and so
    // do shadowed rules whose message lists a line that starts or stops deciding packets.
    const dirty = new Set<AclRule>();
    const keys = new Set<number>();
    for (const [info, idxs] of perEngine) {
      for (const idx of idxs) {
        info.owners[idx] = rule;
        info.sources[idx] = rule.source;
      }
      const eng = info.engine;
      idxs.forEach((idx, m) => {
        const nr = fresh.match[m];
        for (const key of eng.replaceRule(idx, { box: nr.box, permit: nr.permit, origin: eng.rules[idx].origin })) keys.add(key);
        eng.lastAffected.forEach((j, t) => {
          info.used[j] = -1;
          dirty.add(info.owners[j]);
          if (eng.lastOldPieces[t].length > 0 !== eng.decides(j))
            for (const s of eng.overlapping(eng.rules[j].box, Infinity, j)) if (!eng.decides(s)) dirty.add(info.owners[s]);
        });
      });
    }
    const oldSlot = ruleSlots.get(old);
    ruleSlots.delete(old);
    dirty.add(rule);
    for (const r of dirty) {
      const prev = r === rule ? oldSlot : ruleSlots.get(r);
      const pl = placesOf.get(r);
      const next = pl ? replaceSlot(prev, ruleFindings(r), 2, pl[0].info.ord, pl[0].idx) : replaceSlot(prev, [], 2, 0, 0);
      if (next.length) ruleSlots.set(r, next);
      else ruleSlots.delete(r);
    }
    // This rule's unzoned addresses; the ACL's own finding when it is not applied (it names its first line).
    const ord = aclOrd.get(acl)!;
    const uz = unzonedSlots.get(acl);
    if (uz) {
      const next = replaceSlot(uz.get(index), unzonedFindings(cfg, rule), 4, ord, index);
      if (next.length) uz.set(index, next);
      else uz.delete(index);
    }
    if (index === 0) aclSlots.set(acl, replaceSlot(aclSlots.get(acl), unappliedFindings(cfg, acl), 3, ord, 0));
    // The zone pairs whose cells the edit changed.
    const pairs = new Set<string>();
    for (const key of keys) {
      const za = cells[Math.floor(key / cells.length)].zone;
      const zb = cells[key % cells.length].zone;
      if (za && zb && za !== zb) pairs.add(`${za}\u0000${zb}`);
    }
    for (const pk of pairs) {
      const slot = pairSlots.get(pk)!;
      const [a, b] = pk.split('\u0000');
      const r = comparePair(a, b);
      slot.entries = replaceSlot(slot.entries, r.findings, 1, slot.ord, 0);
      slot.matrix = r.matrix;
    }
    return { pairs: pairs.size };
  };
  return { result, editRule };
}

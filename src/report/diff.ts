/**
 * Change review between two models: added/removed/changed zones, conduits and flows, SL changes, and — from
 * the two policy IRs — the ordered zone pairs whose permitted traffic changes. Deterministic, sorted output.
 */
import type { Asset, Conduit, Flow, Model, Zone } from '../model/types.ts';
import { compilePolicy, portsText, type PolicyIR, type PolicyRule } from '../policy/ir.ts';
import { describeVector } from '../risk/check.ts';
import type { RiskSection } from '../model/risk-schema.ts';
import { mdEscape } from './markdown.ts';
import { plain } from './text.ts';

export interface FieldChange {
  field: string;
  old: string;
  new: string;
}

export interface ItemChange {
  id: string;
  changes: FieldChange[];
}

export interface SLChange {
  kind: 'zone' | 'conduit' | 'asset SL-C';
  id: string;
  old: string;
  new: string;
}

export interface PairChange {
  from: string;
  to: string;
  /** Permitted traffic only in the new model. */
  added: string[];
  /** Permitted traffic only in the old model. */
  removed: string[];
}

export interface ModelDiff {
  old: string;
  new: string;
  zones: { added: string[]; removed: string[]; changed: ItemChange[] };
  conduits: { added: string[]; removed: string[]; changed: ItemChange[] };
  flows: { added: string[]; removed: string[] };
  sl: SLChange[];
  /** Threat scenarios and compensations of the risk section, by id (compensations by zone and FRs). */
  risk: { added: string[]; removed: string[]; changed: ItemChange[] };
  zonePairs: PairChange[];
  /** True when nothing differs. */
  same: boolean;
}

const list = (xs: readonly string[] | undefined) => (xs && xs.length ? [...xs].join(', ') : '-');
const sl = (v: Zone['slT']) => (v ? describeVector(v) : 'not declared');
const purdue = (z: Zone) => (z.purdue ? (z.purdue.min === z.purdue.max ? `${z.purdue.min}` : `${z.purdue.min}-${z.purdue.max}`) : '-');

function cmp(out: FieldChange[], field: string, a: string, b: string): void {
  if (a !== b) out.push({ field, old: a, new: b });
}

function setDiff(out: FieldChange[], field: string, a: readonly string[], b: readonly string[]): void {
  const A = new Set(a);
  const B = new Set(b);
  const added = [...B].filter((x) => !A.has(x)).sort();
  const removed = [...A].filter((x) => !B.has(x)).sort();
  if (added.length || removed.length) out.push({ field, old: removed.length ? `- ${removed.join(', ')}` : '', new: added.length ? `+ ${added.join(', ')}` : '' });
}

const assetKey = (a: Asset) => a.id ?? a.name;
const assetText = (a: Asset) => `${a.role ?? 'asset'} ${a.ips.join(',') || 'no address'}${a.count > 1 ? ` x${a.count}` : ''}${a.mac ? ` ${a.mac}` : ''}${a.switchPort ? ` ${a.switchPort}` : ''}`;

function zoneChanges(a: Zone, b: Zone): FieldChange[] {
  const out: FieldChange[] = [];
  cmp(out, 'name', a.name, b.name);
  cmp(out, 'purdue_level', purdue(a), purdue(b));
  cmp(out, 'criticality', a.criticality ?? '-', b.criticality ?? '-');
  cmp(out, 'safety', String(a.safety), String(b.safety));
  cmp(out, 'vlan', String(a.vlan ?? '-'), String(b.vlan ?? '-'));
  cmp(out, 'gateway', a.gateway ?? '-', b.gateway ?? '-');
  setDiff(out, 'subnets', a.subnets, b.subnets);
  setDiff(out, 'assets', a.assets.map(assetKey), b.assets.map(assetKey));
  const bAssets = new Map(b.assets.map((x) => [assetKey(x), x]));
  for (const x of a.assets) {
    const y = bAssets.get(assetKey(x));
    if (y) cmp(out, `asset ${assetKey(x)}`, assetText(x), assetText(y));
  }
  setDiff(out, 'security_requirements', a.securityRequirements, b.securityRequirements);
  cmp(out, 'allowed_conduits', a.allowedConduits === null ? '(not given)' : list(a.allowedConduits), b.allowedConduits === null ? '(not given)' : list(b.allowedConduits));
  return out;
}

export function flowText(f: Flow): string {
  const fc = f.functionCodes ? ` function codes ${f.functionCodes.join(',')}` : '';
  const dnp = f.dnp3FunctionCodes ? ` dnp3 codes ${f.dnp3FunctionCodes.join(',')}` : '';
  return `${f.conduitId}: ${f.protocol} ${f.transport}${f.transport === 'icmp' ? '' : `/${portsText(f.ports)}`} ${list(f.from)} → ${list(f.to)}${fc}${dnp}${f.oneWay ? ' one-way' : ''}${f.securityMode ? ` ${f.securityMode}` : ''}`;
}

function conduitChanges(a: Conduit, b: Conduit): FieldChange[] {
  const out: FieldChange[] = [];
  cmp(out, 'name', a.name, b.name);
  setDiff(out, 'connects', a.connects, b.connects);
  cmp(out, 'diode', a.diode ? `${a.diode.from} → ${a.diode.to}` : '-', b.diode ? `${b.diode.from} → ${b.diode.to}` : '-');
  setDiff(out, 'controls', a.controls, b.controls);
  setDiff(out, 'compensating_controls', a.compensatingControls, b.compensatingControls);
  return out;
}

/** Risk items keyed by id: scenarios by their id, compensations as `compensation <zone> <FRs>`. */
function riskItems(m: Model): Map<string, Record<string, string>> {
  const r = m.risk as RiskSection | undefined;
  const out = new Map<string, Record<string, string>>();
  for (const s of r?.scenarios ?? []) {
    out.set(`scenario ${s.id}`, {
      target: s.target,
      likelihood: String(s.likelihood),
      consequences: Object.entries(s.consequences).filter(([, v]) => v !== undefined).map(([k, v]) => `${k} ${v}`).join(', '),
      capability: s.capability ?? '-',
      frs: s.frs?.join(',') ?? 'all',
      threat_source: s.threat_source ?? '-',
      vector: s.vector ?? '-',
    });
  }
  for (const c of r?.compensations ?? []) {
    out.set(`compensation ${c.zone} ${[c.fr].flat().join(',')}`, { level: String(c.level), conduit: c.conduit ?? '-', control: c.control });
  }
  if (r) out.set('risk method', { tolerable_risk: String(r.tolerable_risk ?? 'default'), matrix: r.matrix ? JSON.stringify(r.matrix) : 'default' });
  return out;
}

function riskDiff(a: Model, b: Model): ModelDiff['risk'] {
  const A = riskItems(a);
  const B = riskItems(b);
  const changed: ItemChange[] = [];
  for (const [id, x] of A) {
    const y = B.get(id);
    if (!y) continue;
    const changes: FieldChange[] = [];
    for (const k of Object.keys(x)) cmp(changes, k, x[k]!, y[k]!);
    if (changes.length) changed.push({ id, changes });
  }
  const sortS = (xs: string[]) => xs.sort((p, q) => p.localeCompare(q));
  return { added: sortS([...B.keys()].filter((k) => !A.has(k))), removed: sortS([...A.keys()].filter((k) => !B.has(k))), changed: changed.sort((p, q) => p.id.localeCompare(q.id)) };
}

function ruleText(r: PolicyRule): string {
  const ends = (e: PolicyRule['src']) => e.map((x) => x.prefixes.map((p) => p.text).join(',') || x.ref).join(',');
  const app = r.app.modbusFunctionCodes ? ` fc ${r.app.modbusFunctionCodes.join(',')}` : r.app.dnp3FunctionCodes ? ` dnp3 ${r.app.dnp3FunctionCodes.join(',')}` : r.app.s7Functions ? ` s7 ${r.app.s7Functions.join(',')}` : '';
  return `${r.protocol} ${r.transport}${r.transport === 'icmp' ? '' : `/${portsText(r.ports)}`} ${ends(r.src)} → ${ends(r.dst)}${app}${r.oneWay ? ' one-way' : ''}`;
}

function pairSets(ir: PolicyIR): Map<string, Set<string>> {
  const m = new Map<string, Set<string>>();
  for (const r of ir.rules) {
    const k = `${r.fromZone}>${r.toZone}`;
    const s = m.get(k) ?? new Set<string>();
    s.add(ruleText(r));
    m.set(k, s);
  }
  return m;
}

function byId<T extends { id: string }>(xs: readonly T[]): Map<string, T> {
  return new Map(xs.map((x) => [x.id, x]));
}

export function diffModels(a: Model, b: Model, irs?: { old: PolicyIR; new: PolicyIR }): ModelDiff {
  const za = byId(a.zones);
  const zb = byId(b.zones);
  const ca = byId(a.conduits);
  const cb = byId(b.conduits);
  const sort = (xs: string[]) => xs.sort((x, y) => x.localeCompare(y));
  const zones = {
    added: sort([...zb.keys()].filter((k) => !za.has(k))),
    removed: sort([...za.keys()].filter((k) => !zb.has(k))),
    changed: sort([...za.keys()].filter((k) => zb.has(k))).map((id) => ({ id, changes: zoneChanges(za.get(id)!, zb.get(id)!) })).filter((c) => c.changes.length),
  };
  const conduits = {
    added: sort([...cb.keys()].filter((k) => !ca.has(k))),
    removed: sort([...ca.keys()].filter((k) => !cb.has(k))),
    changed: sort([...ca.keys()].filter((k) => cb.has(k))).map((id) => ({ id, changes: conduitChanges(ca.get(id)!, cb.get(id)!) })).filter((c) => c.changes.length),
  };
  const fa = new Set(a.conduits.flatMap((c) => c.flows.map(flowText)));
  const fb = new Set(b.conduits.flatMap((c) => c.flows.map(flowText)));
  const flows = { added: sort([...fb].filter((f) => !fa.has(f))), removed: sort([...fa].filter((f) => !fb.has(f))) };

  const slChanges: SLChange[] = [];
  for (const [id, z] of za) {
    const y = zb.get(id);
    if (y && sl(z.slT) !== sl(y.slT)) slChanges.push({ kind: 'zone', id, old: sl(z.slT), new: sl(y.slT) });
    if (y) {
      const ya = new Map(y.assets.map((x) => [assetKey(x), x]));
      for (const x of z.assets) {
        const yy = ya.get(assetKey(x));
        if (yy && sl(x.slC) !== sl(yy.slC)) slChanges.push({ kind: 'asset SL-C', id: assetKey(x), old: sl(x.slC), new: sl(yy.slC) });
      }
    }
  }
  for (const [id, c] of ca) {
    const y = cb.get(id);
    if (y && sl(c.slT) !== sl(y.slT)) slChanges.push({ kind: 'conduit', id, old: sl(c.slT), new: sl(y.slT) });
  }

  const risk = riskDiff(a, b);
  const ia = irs?.old ?? compilePolicy(a);
  const ib = irs?.new ?? compilePolicy(b);
  const pa = pairSets(ia);
  const pb = pairSets(ib);
  const zonePairs: PairChange[] = [];
  for (const k of sort([...new Set([...pa.keys(), ...pb.keys()])])) {
    const A = pa.get(k) ?? new Set<string>();
    const B = pb.get(k) ?? new Set<string>();
    const added = sort([...B].filter((x) => !A.has(x)));
    const removed = sort([...A].filter((x) => !B.has(x)));
    if (added.length || removed.length) {
      const [from, to] = k.split('>') as [string, string];
      zonePairs.push({ from, to, added, removed });
    }
  }
  const same = !zones.added.length && !zones.removed.length && !zones.changed.length && !conduits.added.length && !conduits.removed.length && !conduits.changed.length && !flows.added.length && !flows.removed.length && !slChanges.length && !zonePairs.length && !risk.added.length && !risk.removed.length && !risk.changed.length;
  return { old: a.file, new: b.file, zones, conduits, flows, sl: slChanges, risk, zonePairs, same };
}

function section(out: string[], title: string, items: { added: string[]; removed: string[]; changed?: ItemChange[] }, md: boolean): void {
  const e = md ? mdEscape : (s: string) => s;
  if (!items.added.length && !items.removed.length && !items.changed?.length) return;
  out.push(md ? `### ${title}` : `${title.toUpperCase()}:`, ...(md ? [''] : []));
  for (const x of items.added) out.push(md ? `- added: ${e(x)}` : `  + ${x}`);
  for (const x of items.removed) out.push(md ? `- removed: ${e(x)}` : `  - ${x}`);
  for (const c of items.changed ?? []) {
    out.push(md ? `- changed: **${e(c.id)}**` : `  ~ ${c.id}`);
    for (const f of c.changes) out.push(`${md ? '  - ' : '      '}${e(f.field)}: ${f.old && f.new ? `${e(f.old)} → ${e(f.new)}` : e(f.old || f.new)}`);
  }
  out.push('');
}

export function renderDiff(d: ModelDiff, format: 'md' | 'text'): string {
  const md = format === 'md';
  const e = md ? mdEscape : (s: string) => s;
  const out: string[] = [];
  out.push(md ? `## otzones diff: \`${d.old.replace(/`/g, "'")}\` → \`${d.new.replace(/`/g, "'")}\`` : `otzones diff ${d.old} -> ${d.new}`, '');
  if (d.same) {
    out.push('No change to zones, conduits, flows, security levels or permitted traffic.');
    return plain(out.join('\n') + '\n');
  }
  if (d.zonePairs.length) {
    out.push(md ? '### Permitted traffic that changes (policy IR, initiator → responder)' : 'PERMITTED TRAFFIC THAT CHANGES (initiator -> responder):', ...(md ? [''] : []));
    for (const p of d.zonePairs) {
      out.push(md ? `- **${e(p.from)} → ${e(p.to)}**` : `  ${p.from} -> ${p.to}`);
      for (const x of p.added) out.push(md ? `  - now permitted: ${e(x)}` : `      + ${x}`);
      for (const x of p.removed) out.push(md ? `  - no longer permitted: ${e(x)}` : `      - ${x}`);
    }
    out.push('');
  }
  if (d.sl.length) {
    out.push(md ? '### Security level changes' : 'SECURITY LEVEL CHANGES:', ...(md ? ['', '| Kind | Id | Old | New |', '|---|---|---|---|'] : []));
    for (const s of d.sl) out.push(md ? `| ${s.kind} | ${e(s.id)} | ${e(s.old)} | ${e(s.new)} |` : `  ${s.kind} ${s.id}: ${s.old} -> ${s.new}`);
    out.push('');
  }
  section(out, 'Zones', d.zones, md);
  section(out, 'Conduits', d.conduits, md);
  section(out, 'Flows', d.flows, md);
  section(out, 'Risk assessment', d.risk, md);
  return plain(out.join('\n').replace(/\n+$/, '') + '\n');
}

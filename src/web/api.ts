/**
 * The dashboard's data: one snapshot of the model (validated, compiled to the policy IR) and of the result
 * files given on the command line, and one function per view that turns it into the JSON the UI renders.
 * Everything here reads results of the library; nothing is printed. Documented in docs/web.md.
 */
import { resolve } from 'node:path';
import { validateFile, type ValidateResult } from '../index.ts';
import { loadModelFile } from '../model/load.ts';
import { FRS, type Locator, type Model, type SLVector } from '../model/types.ts';
import { slLevel } from '../model/seed.ts';
import { achievedLevels } from '../risk/sl.ts';
import { assessRisk } from '../risk/method.ts';
import { compilePolicy, portsText, type PolicyIR, type PolicyRule } from '../policy/ir.ts';
import { diagnosticJson, TOOL_NAME, TOOL_VERSION } from '../diagnostics/format.ts';
import { summarize } from '../diagnostics/diagnostic.ts';
import { modbusFunctionName } from '../modbus/codes.ts';
import { readFileSync } from 'node:fs';
import { ConfigSyntaxError, type FirewallConfig, type Vendor } from '../parsers/acl.ts';
import { VENDORS, detectVendor, parseConfig } from '../parsers/index.ts';
import { verifyConfigs } from '../analysis/verify.ts';
import { runBaseline } from '../baseline/index.ts';
import { formatBaselineJson } from '../baseline/format.ts';
import type { StoredFlows } from './store.ts';
import {
  normalizeResult, loadResultFile, type BaselineFlow, type BaselineResult, type Loaded, type ProbeResult, type ResultKind, type VerifyResult,
} from './results.ts';

export interface DashboardInputs {
  /** The model file as the user wrote it (shown and used in diagnostics). */
  model: string;
  cwd: string;
  verify?: string;
  /** Firewall configurations to verify in-process (instead of a `verify` JSON file). */
  configs?: string[];
  /** Vendor of the configurations; detected from each file when absent. */
  vendor?: string;
  baseline?: string;
  /** A DuckDB flow store of `otzones baseline --store` (read by the caller, see store.ts). */
  store?: string;
  probe?: string;
}

interface PairStats {
  flows: number;
  violations: number;
}

export interface Snapshot {
  generation: number;
  loadedAt: string;
  validation: ValidateResult;
  locate: Locator;
  model?: Model;
  ir?: PolicyIR;
  sourceLines: string[];
  results: { verify?: Loaded<VerifyResult>; baseline?: Loaded<BaselineResult>; probe?: Loaded<ProbeResult> };
  /** The result documents as JSON text, for the report (which checks them with its own schema). */
  raw: Partial<Record<ResultKind, { file: string; text: string }>>;
  /** `from>to` → observed flow counts, from the baseline file. */
  observed: Map<string, PairStats>;
}

const pairKey = (from: string | null, to: string | null) => `${from ?? '-'}>${to ?? '-'}`;

/** Loads everything once. Never throws for bad input: problems become diagnostics or result errors. */
export function loadSnapshot(inputs: DashboardInputs, generation = 1, stored?: Loaded<StoredFlows>): Snapshot {
  const validation = validateFile(inputs.model, inputs.cwd);
  // The locator for the model lines of zones, conduits and flows (validateFile does not return it).
  const loaded = loadModelFile(resolve(inputs.cwd, inputs.model));
  const model = validation.usable ? validation.model : undefined;
  const ir = model ? compilePolicy(model, loaded.locate) : undefined;
  const results: Snapshot['results'] = {};
  const raw: Snapshot['raw'] = {};
  for (const kind of ['verify', 'baseline', 'probe'] as ResultKind[]) {
    const file = inputs[kind];
    if (!file) continue;
    const { text, ...r } = loadResultFile(kind, resolve(inputs.cwd, file), file);
    (results as Record<string, unknown>)[kind] = r;
    if (r.ok && text !== undefined) raw[kind] = { file, text };
  }
  if (inputs.store && stored) {
    // The stored traffic judged against this snapshot's model, printed as `baseline --format json` would.
    if (!stored.ok) results.baseline = stored;
    else if (!model || !ir) results.baseline = { ok: false, error: 'the model cannot be used, so the stored flows were not classified' };
    else {
      const text = formatBaselineJson(runBaseline({ model, ir, flows: stored.value.flows, inputs: stored.value.ingests }));
      results.baseline = normalizeResult('baseline', JSON.parse(text), inputs.store) as Loaded<BaselineResult>;
      raw.baseline = { file: inputs.store, text };
    }
  }
  if (inputs.configs?.length) {
    const v = model && ir ? verifyInProcess(inputs, model, ir) : { ok: false as const, error: 'the model cannot be used, so the configurations were not verified' };
    results.verify = v;
    if (v.ok) raw.verify = { file: inputs.configs.join(', '), text: JSON.stringify({ tool: TOOL_NAME, version: TOOL_VERSION, command: 'verify', ...v.value }) };
  }
  const observed = new Map<string, PairStats>();
  if (results.baseline?.ok) {
    for (const f of results.baseline.value.flows) {
      if (f.verdict === 'intra-zone') continue;
      const k = pairKey(f.src_zone, f.dst_zone);
      const s = observed.get(k) ?? { flows: 0, violations: 0 };
      s.flows++;
      if (f.verdict === 'violation') s.violations++;
      observed.set(k, s);
    }
  }
  return {
    generation,
    loadedAt: new Date().toISOString(),
    validation,
    locate: loaded.locate,
    model,
    ir,
    sourceLines: validation.source.split(/\r?\n/),
    results,
    raw,
    observed,
  };
}

/** Reads, parses and verifies the firewall configurations with the verify library (src/analysis). */
export function verifyInProcess(inputs: DashboardInputs, model: Model, ir: PolicyIR): Loaded<VerifyResult> {
  if (inputs.vendor !== undefined && !VENDORS.includes(inputs.vendor as Vendor)) {
    return { ok: false, error: `--vendor must be one of ${VENDORS.join(', ')} (got "${inputs.vendor}")` };
  }
  const configs: FirewallConfig[] = [];
  for (const file of inputs.configs ?? []) {
    let text: string;
    try {
      text = readFileSync(resolve(inputs.cwd, file), 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      return { ok: false, error: `${file}: cannot read the configuration (${code === 'ENOENT' ? 'no such file' : code ?? (e as Error).message})` };
    }
    if (text.includes('\u0000')) return { ok: false, error: `${file}@${text.indexOf('\u0000')}: a binary file, not a firewall configuration` };
    const vendor = (inputs.vendor as Vendor | undefined) ?? detectVendor(text);
    if (!vendor) return { ok: false, error: `${file}:1:1: cannot tell which firewall this configuration is for; pass --vendor ${VENDORS.join('|')}` };
    try {
      configs.push(parseConfig(text, file, vendor));
    } catch (e) {
      if (e instanceof ConfigSyntaxError) return { ok: false, error: `${e.file}:${e.line}:${e.column}: ${e.message}` };
      throw e;
    }
  }
  const r = verifyConfigs(model, ir, configs);
  return normalizeResult('verify', { command: 'verify', findings: r.findings, matrix: r.matrix, configs: r.coverage }, 'verify') as Loaded<VerifyResult>;
}

function status(r: Loaded<unknown> | undefined): { status: 'loaded' | 'not run' | 'error'; error?: string } {
  if (!r) return { status: 'not run' };
  return r.ok ? { status: 'loaded' } : { status: 'error', error: r.error };
}

/** Where a model path stands: line number and that line's text. */
function lineOf(s: Snapshot, path: string): { line: number | null; text: string | null } {
  const pos = s.locate(path);
  if (!pos) return { line: null, text: null };
  return { line: pos.line, text: s.sourceLines[pos.line - 1] ?? null };
}

const sl = (v: SLVector | undefined) => (v ? { vector: v, level: slLevel(v) } : null);

export function metaView(s: Snapshot, inputs: DashboardInputs, features: { report: string[] }) {
  return {
    tool: TOOL_NAME,
    version: TOOL_VERSION,
    generation: s.generation,
    loaded_at: s.loadedAt,
    file: inputs.model,
    facility: s.model?.facility ?? null,
    model_usable: !!s.model,
    diagnostics: summarize(s.validation.diagnostics),
    zones: s.model?.zones.length ?? 0,
    conduits: s.model?.conduits.length ?? 0,
    results: {
      verify: { ...status(s.results.verify), file: inputs.verify ?? (inputs.configs?.length ? inputs.configs.join(', ') : null) },
      baseline: { ...status(s.results.baseline), file: inputs.baseline ?? inputs.store ?? null },
      probe: { ...status(s.results.probe), file: inputs.probe ?? null },
    },
    report: { formats: features.report },
  };
}

export function architectureView(s: Snapshot) {
  const m = s.model;
  if (!m) return { usable: false, zones: [], conduits: [] };
  return {
    usable: true,
    facility: m.facility,
    zones: m.zones.map((z) => ({
      id: z.id,
      name: z.name,
      purdue: z.purdue ?? null,
      sl_t: sl(z.slT),
      safety: z.safety,
      criticality: z.criticality ?? null,
      vlan: z.vlan ?? null,
      subnets: z.subnets,
      gateway: z.gateway ?? null,
      assets: z.assets.map((a) => ({ id: a.id ?? null, name: a.name, role: a.role ?? null, ips: a.ips, count: a.count, sl_c: sl(a.slC), ...lineOf(s, a.path) })),
      security_requirements: z.securityRequirements,
      allowed_conduits: z.allowedConduits,
      ...lineOf(s, z.path),
    })),
    conduits: m.conduits.map((c) => ({
      id: c.id,
      name: c.name,
      connects: c.connects,
      sl_t: sl(c.slT),
      diode: c.diode ?? null,
      controls: c.controls,
      compensating_controls: c.compensatingControls,
      flows: c.flows.map((f) => ({
        protocol: f.protocol,
        transport: f.transport,
        ports: portsText(f.ports),
        from: f.from,
        to: f.to,
        function_codes: f.functionCodes?.map((n) => ({ code: n, name: modbusFunctionName(n) })) ?? null,
        security_mode: f.securityMode ?? null,
        one_way: f.oneWay,
        notes: f.notes,
        ...lineOf(s, f.path),
      })),
      ...lineOf(s, c.path),
    })),
  };
}

function ruleJson(s: Snapshot, r: PolicyRule) {
  return {
    id: r.id,
    conduit: r.conduitId,
    from_zone: r.fromZone,
    to_zone: r.toZone,
    src: r.src.map((e) => e.ref),
    dst: r.dst.map((e) => e.ref),
    protocol: r.protocol,
    transport: r.transport,
    ports: portsText(r.ports),
    function_codes: r.app.modbusFunctionCodes?.map((n) => ({ code: n, name: modbusFunctionName(n) })) ?? null,
    security_mode: r.app.securityMode ?? null,
    one_way: r.oneWay,
    diode: r.diode,
    model_path: r.modelPath,
    ...lineOf(s, r.modelPath),
  };
}

/** The zone-pair matrix: a sparse list of ordered pairs with something in them. */
export function matrixView(s: Snapshot) {
  const zones = s.model?.zones.map((z) => ({ id: z.id, name: z.name })) ?? [];
  const cells = new Map<string, { from: string; to: string; allowed: number; conduits: string[]; permitted: string | null; observed: number; violations: number; findings: number }>();
  const cell = (from: string, to: string) => {
    const k = pairKey(from, to);
    let c = cells.get(k);
    if (!c) cells.set(k, (c = { from, to, allowed: 0, conduits: [], permitted: null, observed: 0, violations: 0, findings: 0 }));
    return c;
  };
  for (const r of s.ir?.rules ?? []) {
    const c = cell(r.fromZone, r.toZone);
    c.allowed++;
    if (!c.conduits.includes(r.conduitId)) c.conduits.push(r.conduitId);
  }
  const v = s.results.verify?.ok ? s.results.verify.value : undefined;
  for (const m of v?.matrix ?? []) if (m.permits) cell(m.from_zone, m.to_zone).permitted = m.permitted;
  for (const f of v?.findings ?? []) if (f.from_zone && f.to_zone) cell(f.from_zone, f.to_zone).findings++;
  for (const [k, st] of s.observed) {
    const [from, to] = k.split('>');
    if (from === '-' || to === '-') continue;
    const c = cell(from, to);
    c.observed = st.flows;
    c.violations = st.violations;
  }
  let unzoned = 0;
  for (const [k, st] of s.observed) if (k.startsWith('->') || k.endsWith('>-')) unzoned += st.flows;
  return {
    zones,
    cells: [...cells.values()].sort((a, b) => (a.from + '>' + a.to < b.from + '>' + b.to ? -1 : 1)),
    sources: {
      allowed: s.ir ? 'loaded' : 'not run',
      permitted: status(s.results.verify).status,
      observed: status(s.results.baseline).status,
    },
    unzoned_flows: unzoned,
  };
}

export function cellView(s: Snapshot, from: string, to: string) {
  const rules = (s.ir?.rules ?? []).filter((r) => r.fromZone === from && r.toZone === to).map((r) => ruleJson(s, r));
  const v = s.results.verify?.ok ? s.results.verify.value : undefined;
  // The firewall's own words for the pair ("nothing", "not joined by any of the given configurations", or the packets).
  const permitted = v?.matrix.find((m) => m.from_zone === from && m.to_zone === to)?.permitted ?? null;
  const findings = (v?.findings ?? []).filter((f) => f.from_zone === from && f.to_zone === to);
  return {
    from,
    to,
    rules,
    permitted,
    findings,
    flows: flowsView(s, { src_zone: from, dst_zone: to, limit: '25' }),
  };
}

export function diagnosticsView(s: Snapshot) {
  return {
    diagnostics: s.validation.diagnostics.map((d) => ({
      ...diagnosticJson(d),
      source: d.line ? s.sourceLines[d.line - 1] ?? null : null,
    })),
    summary: summarize(s.validation.diagnostics),
  };
}

/** Lines `from`..`to` (1-based, inclusive) of the model source, for the model-line links. */
export function sourceView(s: Snapshot, from: number, to: number) {
  const a = Math.max(1, Math.floor(from) || 1);
  const b = Math.min(s.sourceLines.length, Math.max(a, Math.floor(to) || a), a + 200);
  return { first: a, lines: s.sourceLines.slice(a - 1, b), total: s.sourceLines.length };
}

export const MAX_PAGE = 500;

export interface FlowQuery {
  verdict?: string;
  src_zone?: string;
  dst_zone?: string;
  protocol?: string;
  /** Substring of the source or destination address. */
  q?: string;
  offset?: string;
  limit?: string;
}

/** Server-side filtered paging over the baseline flows (stays fast with 100,000 flows: one linear pass). */
export function flowsView(s: Snapshot, q: FlowQuery) {
  const b = s.results.baseline;
  if (!b || !b.ok) return { ...status(b), total: 0, offset: 0, limit: 0, flows: [] as (BaselineFlow & { index: number })[] };
  const offset = Math.max(0, Number.parseInt(q.offset ?? '0', 10) || 0);
  const limit = Math.min(MAX_PAGE, Math.max(1, Number.parseInt(q.limit ?? '50', 10) || 50));
  const zoneMatch = (want: string | undefined, z: string | null) => !want || (want === '-' ? z === null : z === want);
  const text = q.q?.trim();
  const out: (BaselineFlow & { index: number })[] = [];
  let total = 0;
  const flows = b.value.flows;
  for (let i = 0; i < flows.length; i++) {
    const f = flows[i];
    if (q.verdict && f.verdict !== q.verdict) continue;
    if (q.protocol && f.protocol !== q.protocol) continue;
    if (!zoneMatch(q.src_zone, f.src_zone) || !zoneMatch(q.dst_zone, f.dst_zone)) continue;
    if (text && !f.src.includes(text) && !f.dst.includes(text)) continue;
    if (total >= offset && out.length < limit) out.push({ index: i, ...f });
    total++;
  }
  return { status: 'loaded' as const, total, offset, limit, flows: out };
}

/** Totals, the filter choices and violations over time (first_seen, bucketed by hour or by day). */
export function baselineSummaryView(s: Snapshot) {
  const b = s.results.baseline;
  if (!b || !b.ok) return { ...status(b) };
  const verdicts: Record<string, number> = {};
  const protocols: Record<string, number> = {};
  const times: number[] = [];
  for (const f of b.value.flows) {
    verdicts[f.verdict] = (verdicts[f.verdict] ?? 0) + 1;
    protocols[f.protocol] = (protocols[f.protocol] ?? 0) + 1;
    if (f.verdict === 'violation') {
      const t = Date.parse(f.first_seen);
      if (Number.isFinite(t)) times.push(t);
    }
  }
  let timeline: { start: string; violations: number }[] = [];
  let bucket: 'hour' | 'day' | null = null;
  if (times.length) {
    let min = Infinity;
    let max = -Infinity;
    for (const t of times) {
      if (t < min) min = t;
      if (t > max) max = t;
    }
    bucket = max - min > 3 * 86400_000 ? 'day' : 'hour';
    const size = bucket === 'day' ? 86400_000 : 3600_000;
    const first = Math.floor(min / size) * size;
    const n = Math.min(1000, Math.floor((max - first) / size) + 1);
    const counts = new Array<number>(n).fill(0);
    for (const t of times) counts[Math.min(n - 1, Math.floor((t - first) / size))]++;
    timeline = counts.map((c, i) => ({ start: new Date(first + i * size).toISOString(), violations: c }));
  }
  const sortCount = (o: Record<string, number>) => Object.entries(o).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([name, count]) => ({ name, count }));
  return { status: 'loaded' as const, total: b.value.flows.length, verdicts: sortCount(verdicts), protocols: sortCount(protocols), bucket, timeline, summary: b.value.summary };
}

export function verifyView(s: Snapshot) {
  const v = s.results.verify;
  if (!v || !v.ok) return { ...status(v), findings: [], matrix: [] };
  return { status: 'loaded' as const, ...v.value };
}

export function probeView(s: Snapshot) {
  const p = s.results.probe;
  if (!p || !p.ok) return { ...status(p), results: [], summary: {} };
  return { status: 'loaded' as const, ...p.value };
}

/**
 * Security levels: SL-T, SL-A and the gap per zone and FR from the risk module (SL-A = lowest declared SL-C of
 * the zone's assets, raised only by declared compensations), the SL-T the risk assessment recommends, and
 * conduits whose SL-T is below that of a zone they connect.
 */
export function slGapsView(s: Snapshot) {
  const m = s.model;
  if (!m) return { frs: FRS, zones: [], conduits: [], risk_assessed: false };
  const achieved = new Map(achievedLevels(m).map((z) => [z.zoneId, z]));
  const risk = assessRisk(m);
  const recommended = new Map((risk?.zones ?? []).map((z) => [z.zoneId, z]));
  const zonesById = new Map(m.zones.map((z) => [z.id, z]));
  const conduits = m.conduits.map((c) => {
    const below: { zone: string; frs: string[] }[] = [];
    for (const zid of c.connects) {
      const z = zonesById.get(zid);
      if (!z?.slT || !c.slT) continue;
      const frs = FRS.filter((fr) => c.slT![fr] < z.slT![fr]);
      if (frs.length) below.push({ zone: zid, frs });
    }
    return { id: c.id, sl_t: c.slT ?? null, below, compensating_controls: c.compensatingControls, line: lineOf(s, c.path).line };
  });
  return {
    frs: FRS,
    risk_assessed: !!risk,
    zones: m.zones.map((z) => {
      const a = achieved.get(z.id);
      const r = recommended.get(z.id);
      return {
        id: z.id,
        name: z.name,
        line: lineOf(s, z.path).line,
        sl_t: z.slT ?? null,
        recommended: r?.recommended ?? null,
        scenarios: r?.scenarios ?? [],
        assets_without_sl_c: a?.assetsWithoutSlC.length ?? 0,
        frs: (a?.frs ?? []).map((f) => ({ fr: f.fr, target: f.target, achieved: f.achieved, gap: f.gap, limited_by: f.limitedBy, compensation: f.compensation ?? null })),
      };
    }),
    conduits,
  };
}

/**
 * The report model: everything the IEC 62443 Zone Implementation Report shows, computed from the model, its
 * policy IR, the design diagnostics and whatever verify/baseline/probe results were attached. Renderers
 * (text, md, html, pdf) only format this; `--format json` prints it as is. Sections without evidence say
 * "not run" (status `not-run`) rather than inventing a result.
 */
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import { summarize, type Summary } from '../diagnostics/diagnostic.ts';
import { codeInfo } from '../diagnostics/codes.ts';
import { FRS, type Flow, type Locator, type Model, type SLVector } from '../model/types.ts';
import { generatedRuleCounts, type GeneratedCount } from './generated.ts';
import { compilePolicy, portsText, type PolicyIR, type PolicyRule } from '../policy/ir.ts';
import { assessRisk, type RiskAssessment } from '../risk/method.ts';
import { achievedLevels, type ZoneAchieved } from '../risk/sl.ts';
import { describeVector } from '../risk/check.ts';
import { REQUIREMENTS, type Requirement } from '../risk/sr-map.ts';
import type { BaselineFlow, Evidence, ProbeResult, VerifyFinding } from './evidence.ts';

export const REPORT_TITLE = 'IEC 62443 Zone Implementation Report';

export type Status = 'pass' | 'fail' | 'not-run' | 'manual' | 'info';

export interface ZoneSection {
  id: string;
  name: string;
  purdue: string | null;
  slT: SLVector | null;
  slTText: string;
  safety: boolean;
  /** Devices: the sum of asset `count`s. */
  assets: number;
  assetEntries: number;
  conduits: string[];
  controls: string[];
  requirements: string[];
}

export interface ConduitProtocol {
  protocol: string;
  transport: string;
  ports: string;
  fromZone: string;
  toZone: string;
  from: string[];
  to: string[];
  oneWay: boolean;
  diode: boolean;
  functionCodes?: number[];
  text: string;
}

export interface ConduitSection {
  id: string;
  name: string;
  zones: string[];
  slT: string;
  diode: { from: string; to: string } | null;
  protocols: ConduitProtocol[];
  /** Permit rules in the policy IR (one per flow and zone direction). */
  allowRules: number;
  /** Default-deny rules: one per direction between the zones the conduit joins. */
  denyRules: number;
  dpi: { enabled: boolean; text: string };
  controls: string[];
  compensatingControls: string[];
  /** Verify findings about the zone pairs this conduit joins; null when verify was not attached. */
  verify: { errors: number; warnings: number; kinds: Record<string, number> } | null;
}

export interface CheckLine {
  status: Status;
  text: string;
}

export interface ValidationSection {
  probe: { file: string; pass: number; fail: number; error: number } | null;
  crossZone: CheckLine;
  prohibitedPaths: CheckLine;
  protocolEnforcement: CheckLine;
  diode: CheckLine;
  failures: ProbeResult[];
}

export interface VerifySection {
  files: string[];
  configs: string[];
  byKind: Record<string, number>;
  summary: Summary;
  findings: VerifyFinding[];
}

export interface BaselineSection {
  files: string[];
  flows: number;
  packets: number;
  byVerdict: Record<string, number>;
  violations: BaselineFlow[];
  /** Observed addresses no zone contains (from the baseline asset list). */
  unzonedAssets: string[];
  observedAssets: number;
}

export interface RequirementRow extends Omit<Requirement, 'rules'> {
  status: Status;
  result: string;
}

export interface TraceRow {
  zcr: string;
  title: string;
  status: Status;
  evidence: string;
}

export interface ZonePairViolation {
  from: string;
  to: string;
  source: 'verify' | 'baseline';
  count: number;
}

export interface ReportData {
  title: string;
  /** Attached results that name another model file than this report's (they were produced for that model). */
  otherModels: { file: string; model: string }[];
  facility: string;
  implementationDate: string | null;
  standard: string;
  model: string;
  zones: ZoneSection[];
  conduits: ConduitSection[];
  /** Allow/deny counts of the configuration generated for each boundary firewall of the model. */
  generated: GeneratedCount[];
  validation: ValidationSection;
  diagnostics: { summary: Summary; items: Diagnostic[] };
  risk: RiskAssessment | null;
  sl: ZoneAchieved[];
  verify: VerifySection | null;
  baseline: BaselineSection | null;
  /** Zone pairs with evidence of traffic the conduits do not allow (for the diagram). */
  violations: ZonePairViolation[];
  requirements: RequirementRow[];
  /** Highest SL-T in the model: requirements above it are left out of the table. */
  maxSlT: number;
  traceability: TraceRow[];
}

function purdueText(p: { min: number; max: number } | undefined): string | null {
  if (!p) return null;
  return p.min === p.max ? String(p.min) : `${p.min}-${p.max}`;
}

function countBy<T>(items: readonly T[], key: (t: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const i of items) out[key(i)] = (out[key(i)] ?? 0) + 1;
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

function protocolOf(r: PolicyRule): ConduitProtocol {
  const from = r.src.map((e) => e.ref);
  const to = r.dst.map((e) => e.ref);
  const fc = r.app.modbusFunctionCodes;
  const ports = portsText(r.ports);
  const parts = [`${r.protocol} (${r.transport}${r.transport === 'icmp' ? '' : `/${ports}`})`, `${from.join(', ')} → ${to.join(', ')}`];
  if (fc) parts.push(`function codes ${fc.join(',')}`);
  if (r.diode) parts.push('one-way (data diode)');
  else if (r.oneWay) parts.push('one-way');
  return { protocol: r.protocol, transport: r.transport, ports, fromZone: r.fromZone, toZone: r.toZone, from, to, oneWay: r.oneWay, diode: r.diode, functionCodes: fc, text: parts.join(' ') };
}

/** A model flow the policy IR could not lower (e.g. seed-dialect endpoints without addresses). */
function flowProtocol(f: Flow): ConduitProtocol {
  const ports = portsText(f.ports);
  const fc = f.functionCodes;
  const text = `${f.protocol} (${f.transport}${f.transport === 'icmp' ? '' : `/${ports}`}) ${f.from.join(', ') || '?'} → ${f.to.join(', ') || '?'}${fc ? ` function codes ${fc.join(',')}` : ''}${f.oneWay ? ' one-way' : ''} [not in the policy IR: see validate/compile diagnostics]`;
  return { protocol: f.protocol, transport: f.transport, ports, fromZone: '', toZone: '', from: f.from, to: f.to, oneWay: f.oneWay, diode: false, functionCodes: fc, text };
}

function dpiOf(rules: PolicyRule[], controls: string[], findings: VerifyFinding[] | null, probe: ProbeResult[] | null, zones: string[]): ConduitSection['dpi'] {
  const app = rules.filter((r) => r.app.modbusFunctionCodes || r.app.dnp3FunctionCodes || r.app.s7Functions);
  if (!app.length) {
    const declared = controls.some((c) => /\bDPI\b|deep packet|application[- ]layer|inspection/i.test(c));
    return { enabled: false, text: declared ? 'No (no application-layer constraint in the flows; controls mention inspection)' : 'No (L3/L4 only)' };
  }
  const what = app
    .map((r) => (r.app.modbusFunctionCodes ? `Modbus function codes ${r.app.modbusFunctionCodes.join(',')}` : r.app.dnp3FunctionCodes ? `DNP3 function codes ${r.app.dnp3FunctionCodes.join(',')}` : `S7 functions ${r.app.s7Functions!.join(',')}`))
    .join('; ');
  const notes: string[] = [`${what} enforced by the generated ftd-snort/suricata rules or modbus-filter`];
  if (findings) {
    const needs = findings.filter((f) => f.kind === 'needs-dpi' && zones.includes(f.from_zone ?? '') && zones.includes(f.to_zone ?? '')).length;
    if (needs) notes.push(`the verified firewall configuration is L3/L4 only (${needs} needs-dpi finding(s))`);
  }
  if (probe) {
    const w = probe.filter((p) => p.check === 'modbus-write-blocked' && zones.includes(p.from_zone ?? '') && zones.includes(p.to_zone ?? ''));
    if (w.length) notes.push(`probe: ${w.filter((p) => p.status === 'pass').length}/${w.length} write-blocked checks pass`);
  }
  return { enabled: true, text: `Yes (${notes.join('; ')})` };
}

function probeLine(results: ProbeResult[] | null, checks: string[], what: string, okText: (n: number) => string): CheckLine {
  if (!results) return { status: 'not-run', text: 'not run (no --probe results attached)' };
  const mine = results.filter((r) => checks.includes(r.check));
  if (!mine.length) return { status: 'not-run', text: `not run (the probe results hold no ${what} checks)` };
  const bad = mine.filter((r) => r.status !== 'pass');
  if (!bad.length) return { status: 'pass', text: okText(mine.length) };
  const list = bad.map((r) => `${r.check} ${r.from_zone ?? '?'}→${r.to_zone ?? '?'} ${r.target ?? ''}`.trim() + ` (${r.status}${r.observed ? `, observed ${r.observed}` : ''})`);
  return { status: 'fail', text: `${mine.length - bad.length}/${mine.length} pass; exceptions: ${list.join('; ')}` };
}

function statusOf(errors: number, warnings = 0): Status {
  return errors ? 'fail' : warnings ? 'info' : 'pass';
}

export interface ReportInput {
  model: Model;
  /** Design diagnostics (validate + risk checks). */
  diagnostics: Diagnostic[];
  evidence: Evidence;
  ir?: PolicyIR;
  /** For positions in compile diagnostics (optional). */
  locate?: Locator;
}

export function buildReport({ model, diagnostics, evidence, ir = compilePolicy(model), locate }: ReportInput): ReportData {
  const verifyFindings = evidence.verify.length ? evidence.verify.flatMap((v) => v.findings) : null;
  const probeResults = evidence.probe ? evidence.probe.results : null;
  const conduitsOfZone = (id: string) => model.conduits.filter((c) => c.connects.includes(id)).map((c) => c.id);

  const zones: ZoneSection[] = model.zones.map((z) => {
    const cs = model.conduits.filter((c) => c.connects.includes(z.id));
    const firewalls = model.firewalls.filter((f) => f.interfaces.some((i) => i.zone === z.id)).map((f) => `boundary firewall ${f.id}${f.vendor ? ` (${f.vendor})` : ''}`);
    const controls = [...new Set([...firewalls, ...cs.flatMap((c) => [...(c.diode ? ['data diode'] : []), ...c.controls])])];
    return {
      id: z.id,
      name: z.name,
      purdue: purdueText(z.purdue),
      slT: z.slT ?? null,
      slTText: z.slT ? describeVector(z.slT) : 'not declared',
      safety: z.safety,
      assets: z.assets.reduce((n, a) => n + a.count, 0),
      assetEntries: z.assets.length,
      conduits: conduitsOfZone(z.id),
      controls,
      requirements: z.securityRequirements,
    };
  });

  const conduits: ConduitSection[] = model.conduits.map((c) => {
    const rules = ir.rules.filter((r) => r.conduitId === c.id);
    const zs = [...new Set(c.connects)];
    const mine = verifyFindings?.filter((f) => zs.includes(f.from_zone ?? '') && zs.includes(f.to_zone ?? '') && f.from_zone !== f.to_zone) ?? null;
    return {
      id: c.id,
      name: c.name,
      zones: zs,
      slT: c.slT ? describeVector(c.slT) : 'not declared',
      diode: c.diode ?? null,
      protocols: rules.length ? rules.map(protocolOf) : c.flows.map(flowProtocol),
      allowRules: rules.length,
      denyRules: zs.length * (zs.length - 1),
      dpi: !rules.length && c.flows.some((f) => f.functionCodes || f.dnp3FunctionCodes || f.s7Functions)
        ? { enabled: false, text: 'No: the flows ask for function-code filtering, but they are not in the policy IR (endpoints without addresses)' }
        : dpiOf(rules, c.controls, verifyFindings, probeResults, zs),
      controls: c.controls,
      compensatingControls: c.compensatingControls,
      verify: mine ? { errors: mine.filter((f) => f.severity === 'error').length, warnings: mine.filter((f) => f.severity === 'warning').length, kinds: countBy(mine, (f) => f.kind) } : null,
    };
  });

  const validation: ValidationSection = {
    probe: evidence.probe
      ? { file: evidence.probe.file, pass: evidence.probe.results.filter((r) => r.status === 'pass').length, fail: evidence.probe.results.filter((r) => r.status === 'fail').length, error: evidence.probe.results.filter((r) => r.status === 'error').length }
      : null,
    crossZone: probeResults && !probeResults.length
      ? { status: 'not-run', text: `not run (${evidence.probe!.file} holds no results)` }
      : probeResults
      ? { status: probeResults.every((r) => r.status === 'pass') ? 'pass' : 'fail', text: `${probeResults.filter((r) => r.status === 'pass').length} pass / ${probeResults.filter((r) => r.status === 'fail').length} fail / ${probeResults.filter((r) => r.status === 'error').length} error (${probeResults.length} checks)` }
      : { status: 'not-run', text: 'not run (no --probe results attached)' },
    prohibitedPaths: probeLine(probeResults, ['prohibited-path'], 'prohibited-path', (n) => `all blocked (${n}/${n})`),
    protocolEnforcement: probeLine(probeResults, ['modbus-read', 'modbus-write-blocked'], 'Modbus', (n) => `function code filtering verified (${n}/${n}: reads allowed, writes blocked)`),
    diode: probeLine(probeResults, ['diode-forward', 'diode-reverse-blocked', 'diode-latency'], 'diode', (n) => `one-way verified (${n}/${n})`),
    failures: probeResults?.filter((r) => r.status !== 'pass') ?? [],
  };

  const verify: VerifySection | null = evidence.verify.length
    ? {
        files: evidence.verify.map((v) => v.file),
        configs: evidence.verify.flatMap((v) => (v.configs ?? []).map((c) => c.file)),
        byKind: countBy(verifyFindings!, (f) => f.kind),
        summary: summarize(verifyFindings!.map((f) => ({ code: '', severity: f.severity, message: '', ids: [] }))),
        findings: verifyFindings!,
      }
    : null;

  const flows = evidence.baseline.flatMap((b) => b.flows);
  const baseline: BaselineSection | null = evidence.baseline.length
    ? {
        files: evidence.baseline.map((b) => b.file),
        flows: flows.length,
        packets: flows.reduce((n, f) => n + f.packets, 0),
        byVerdict: countBy(flows, (f) => f.verdict),
        violations: flows.filter((f) => f.verdict === 'violation'),
        unzonedAssets: [...new Set(evidence.baseline.flatMap((b) => b.assets.filter((a) => a.zone === null).map((a) => a.ip)))].sort(),
        observedAssets: new Set(evidence.baseline.flatMap((b) => b.assets.map((a) => a.ip))).size,
      }
    : null;

  const violations = new Map<string, ZonePairViolation>();
  const addViolation = (from: string | null | undefined, to: string | null | undefined, source: 'verify' | 'baseline') => {
    if (!from || !to || from === to) return;
    const k = `${source}|${from}>${to}`;
    const v = violations.get(k) ?? { from, to, source, count: 0 };
    v.count++;
    violations.set(k, v);
  };
  for (const f of verifyFindings ?? []) if (f.severity === 'error') addViolation(f.from_zone, f.to_zone, 'verify');
  for (const f of baseline?.violations ?? []) addViolation(f.src_zone, f.dst_zone, 'baseline');

  const risk = assessRisk(model) ?? null;
  const sl = achievedLevels(model);
  const dsum = summarize(diagnostics);
  const maxSlT = Math.max(1, ...model.zones.map((z) => (z.slT ? Math.max(...FRS.map((fr) => z.slT![fr])) : 0)));

  const requirements = REQUIREMENTS.filter((q) => q.sl <= maxSlT).map((q) => requirementRow(q, { diagnostics, model, verify, baseline, validation, probeResults }));
  const traceability = trace({ model, diagnostics, risk, sl, verify, baseline, validation });

  const otherModels = [...evidence.verify, ...evidence.baseline, ...(evidence.probe ? [evidence.probe] : [])]
    .filter((x) => typeof x.model === 'string' && x.model !== model.file)
    .map((x) => ({ file: x.file, model: x.model as string }));
  return {
    title: REPORT_TITLE,
    otherModels,
    facility: model.facility,
    implementationDate: model.assessmentDate ?? null,
    standard: model.standard ?? 'IEC 62443-3-2/3-3',
    model: model.file,
    zones,
    conduits,
    generated: generatedRuleCounts(model, ir, locate),
    validation,
    diagnostics: { summary: dsum, items: diagnostics },
    risk,
    sl,
    verify,
    baseline,
    violations: [...violations.values()].sort((a, b) => a.source.localeCompare(b.source) || a.from.localeCompare(b.from) || a.to.localeCompare(b.to)),
    requirements,
    maxSlT,
    traceability,
  };
}

interface Ctx {
  diagnostics: Diagnostic[];
  model: Model;
  verify: VerifySection | null;
  baseline: BaselineSection | null;
  validation: ValidationSection;
  probeResults: ProbeResult[] | null;
}

/** One requirement: its status from each evidence source it names, worst first. */
function requirementRow(q: Requirement, c: Ctx): RequirementRow {
  const base = { id: q.id, fr: q.fr, title: q.title, sl: q.sl, evidence: q.evidence, how: q.how };
  if (!q.evidence.length) return { ...base, status: 'manual', result: 'outside what otzones can show (component capability or procedure)' };
  const parts: { status: Status; text: string }[] = [];
  const relevant = q.rules ? c.diagnostics.filter((d) => q.rules!.includes(codeInfo(d.code)?.name ?? '')) : c.diagnostics;
  const errs = relevant.filter((d) => d.severity === 'error').length;
  const warns = relevant.filter((d) => d.severity === 'warning').length;
  for (const src of q.evidence) {
    if (src === 'validate') parts.push({ status: statusOf(errs), text: `validate${q.rules ? ` (${q.rules.join(', ')})` : ''}: ${errs} error(s), ${warns} warning(s)` });
    else if (src === 'compile') parts.push({ status: 'info', text: 'compile: generated from the model (run otzones compile)' });
    else if (src === 'inventory') {
      const n = c.model.zones.reduce((s, z) => s + z.assets.reduce((t, a) => t + a.count, 0), 0);
      parts.push({ status: n ? 'pass' : 'fail', text: `inventory: ${n} device(s) in ${c.model.zones.length} zone(s)` });
    } else if (src === 'risk') parts.push({ status: c.model.risk ? 'pass' : 'not-run', text: c.model.risk ? 'risk section present' : 'risk: not in the model' });
    else if (src === 'verify') {
      if (!c.verify) parts.push({ status: 'not-run', text: 'verify: not run' });
      else parts.push({ status: statusOf(c.verify.summary.errors), text: `verify: ${c.verify.summary.errors} error(s), ${c.verify.summary.warnings} warning(s)` });
    } else if (src === 'probe') {
      const p = c.validation.probe;
      if (!p) parts.push({ status: 'not-run', text: 'probe: not run' });
      else parts.push({ status: statusOf(p.fail + p.error), text: `probe: ${p.pass} pass, ${p.fail} fail, ${p.error} error` });
    } else if (src === 'baseline') {
      const b = c.baseline;
      if (!b) parts.push({ status: 'not-run', text: 'baseline: not run' });
      else parts.push({ status: statusOf(b.violations.length), text: `baseline: ${b.flows} flow(s), ${b.violations.length} violation(s)${b.unzonedAssets.length ? `, ${b.unzonedAssets.length} unzoned host(s)` : ''}` });
    }
  }
  const order: Status[] = ['fail', 'not-run', 'info', 'pass', 'manual'];
  const status = order.find((s) => parts.some((p) => p.status === s)) ?? 'pass';
  return { ...base, status, result: parts.map((p) => p.text).join('; ') };
}

function trace(c: {
  model: Model;
  diagnostics: Diagnostic[];
  risk: RiskAssessment | null;
  sl: ZoneAchieved[];
  verify: VerifySection | null;
  baseline: BaselineSection | null;
  validation: ValidationSection;
}): TraceRow[] {
  const m = c.model;
  const devices = m.zones.reduce((s, z) => s + z.assets.reduce((t, a) => t + a.count, 0), 0);
  const entries = m.zones.reduce((s, z) => s + z.assets.length, 0);
  const inRange = (lo: number, hi: number) => c.diagnostics.filter((d) => {
    const n = Number(d.code.slice(2));
    return n >= lo && n <= hi;
  });
  const partition = inRange(200, 599);
  const pErr = partition.filter((d) => d.severity === 'error').length;
  const pWarn = partition.filter((d) => d.severity === 'warning').length;
  const riskDiags = inRange(600, 649);
  const rErr = riskDiags.filter((d) => d.severity === 'error').length;
  const rows: TraceRow[] = [];
  rows.push({ zcr: 'ZCR 1', title: 'Identify the system under consideration', status: devices ? 'pass' : 'fail', evidence: `model ${m.file}: facility "${m.facility}", ${m.zones.length} zones, ${entries} asset entries (${devices} devices), ${m.conduits.length} conduits` });
  if (!c.risk) {
    rows.push({ zcr: 'ZCR 2', title: 'Initial cybersecurity risk assessment', status: 'not-run', evidence: 'not run: the model has no risk section' });
    rows.push({ zcr: 'ZCR 4', title: 'Risk comparison', status: 'not-run', evidence: 'not run: the model has no risk section' });
  } else {
    const over = c.risk.scenarios.filter((s) => !s.tolerable).length;
    rows.push({ zcr: 'ZCR 2', title: 'Initial cybersecurity risk assessment', status: c.risk.scenarios.length ? 'pass' : 'fail', evidence: `${c.risk.scenarios.length} threat scenario(s) over ${c.risk.zones.length} zone(s); worst unmitigated risk ${Math.max(0, ...c.risk.scenarios.map((s) => s.risk))}` });
    rows.push({ zcr: 'ZCR 4', title: 'Risk comparison', status: 'pass', evidence: `${over} of ${c.risk.scenarios.length} scenario(s) above the tolerable risk ${c.risk.method.tolerable}${c.risk.method.customTolerable ? ' (set in the model)' : ' (default)'}` });
  }
  rows.push({ zcr: 'ZCR 3', title: 'Partition into zones and conduits', status: statusOf(pErr), evidence: `${m.zones.length} zones, ${m.conduits.length} conduits; design rules ZC2xx-ZC5xx: ${pErr} error(s), ${pWarn} warning(s)` });
  {
    const gaps = c.sl.reduce((n, z) => n + z.frs.filter((f) => f.gap !== null && f.gap > 0).length, 0);
    const known = c.sl.filter((z) => z.frs.some((f) => f.achieved !== null)).length;
    const parts = [c.risk ? `recommended vs declared SL-T for ${c.risk.zones.length} zone(s): ${rErr} error(s) (ZC601-ZC649)` : 'no risk section: SL-T not derived from risk'];
    parts.push(known ? `SL-A known for ${known}/${m.zones.length} zone(s), ${gaps} FR gap(s)` : 'SL-A unknown (no asset declares sl_c)');
    rows.push({ zcr: 'ZCR 5', title: 'Detailed risk assessment, SL-T per zone and conduit', status: !c.risk ? 'not-run' : rErr ? 'fail' : gaps ? 'info' : 'pass', evidence: parts.join('; ') });
  }
  {
    const reqs = m.zones.reduce((n, z) => n + z.securityRequirements.length, 0);
    const ctrls = m.conduits.reduce((n, x) => n + x.controls.length, 0);
    const ev = [`${reqs} zone security requirement(s), ${ctrls} conduit control(s) in the model`];
    ev.push(c.verify ? `verify: ${c.verify.summary.errors} error(s)` : 'verify: not run');
    ev.push(c.validation.probe ? `probe: ${c.validation.probe.pass} pass / ${c.validation.probe.fail + c.validation.probe.error} not` : 'probe: not run');
    ev.push(c.baseline ? `baseline: ${c.baseline.violations.length} violation(s)` : 'baseline: not run');
    const fail = (c.verify?.summary.errors ?? 0) + (c.validation.probe ? c.validation.probe.fail + c.validation.probe.error : 0) + (c.baseline?.violations.length ?? 0);
    rows.push({ zcr: 'ZCR 6', title: 'Cybersecurity requirements specification', status: fail ? 'fail' : c.verify || c.validation.probe || c.baseline ? 'pass' : 'not-run', evidence: ev.join('; ') });
  }
  rows.push({ zcr: 'ZCR 7', title: 'Asset owner approval', status: 'manual', evidence: 'outside the tool: sign-off by the asset owner' });
  return rows.sort((a, b) => a.zcr.localeCompare(b.zcr));
}

/** Whether the report holds error-level findings (the CLI exits 1 then). */
export function reportHasErrors(r: ReportData): boolean {
  return (
    r.diagnostics.summary.errors > 0 ||
    (r.verify?.summary.errors ?? 0) > 0 ||
    (r.baseline?.violations.length ?? 0) > 0 ||
    (r.validation.probe ? r.validation.probe.fail + r.validation.probe.error : 0) > 0
  );
}

/** Loads a model file: YAML with positions → schema check → normalized Model, with diagnostics for everything found. */
import { readFileSync } from 'node:fs';
import jsYaml from 'js-yaml';
import type { YAMLError } from 'yaml';
import { yamlLib } from './yaml-lib.ts';
import type * as z from 'zod';
import { type Diagnostic } from '../diagnostics/diagnostic.ts';
import {
  INPUT_UNREADABLE, NOT_A_MODEL, SCHEMA_REQUIRED, SCHEMA_TYPE, SCHEMA_UNKNOWN_KEY, SEED_INFERRED,
  SEED_UNINTERPRETED, UNKNOWN_PROTOCOL, YAML_SYNTAX, YAML_WARNING, defineCode,
} from '../diagnostics/codes.ts';
import { parsePrefix, parseIp, type Prefix } from '../net/ip.ts';
import { makeLocator, pathToString, type PathSegment } from './positions.ts';
import { canonicalProtocol, protocolInfo, type Transport } from './protocols.ts';
import { KNOWN_KEYS, modelSchema, type RawAsset, type RawConduit, type RawFlow, type RawModel, type RawZone } from './schema.ts';
import { interpretAssetText, interpretDirection, purdueRange, resolveIdPrefix, slVector } from './seed.ts';
import type { Asset, Conduit, Flow, Locator, Model, PortRange, Zone } from './types.ts';

export const FLOW_NO_DIRECTION = defineCode({ code: 'ZC113', name: 'flow-without-direction', severity: 'error', title: 'A flow names no initiator and responder' });
export const INVALID_ADDRESS = defineCode({ code: 'ZC301', name: 'invalid-address', severity: 'error', title: 'Invalid IP address or CIDR prefix' });

export interface LoadResult {
  /** Absent when the input is unusable (syntax or schema errors). */
  model?: Model;
  diagnostics: Diagnostic[];
  source: string;
  locate: Locator;
}

class DiagnosticSink {
  readonly list: Diagnostic[] = [];
  constructor(readonly file: string, readonly locate: Locator) {}
  add(code: { code: string; severity: Diagnostic['severity'] }, path: string, message: string, ids: string[] = [], opts: { key?: boolean; notes?: string[] } = {}): void {
    const pos = this.locate(path, { key: opts.key });
    this.list.push({
      code: code.code,
      severity: code.severity,
      message,
      file: this.file,
      line: pos?.line,
      column: pos?.column,
      endLine: pos?.endLine,
      endColumn: pos?.endColumn,
      path,
      ids,
      ...(opts.notes ? { notes: opts.notes } : {}),
    });
  }
}

/** Reads and loads a model file. Never throws for bad input. */
export function loadModelFile(file: string): LoadResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'is a directory' : err.code === 'EACCES' ? 'permission denied' : err.message;
    return {
      diagnostics: [{ code: INPUT_UNREADABLE.code, severity: 'error', message: `cannot read model: ${why}`, file, ids: [] }],
      source: '',
      locate: () => undefined,
    };
  }
  return loadModelText(text, file);
}

export function loadModelText(text: string, file = '<model>'): LoadResult {
  return loadFast(text, file) ?? loadWithPositions(text, file);
}

/**
 * The `yaml` package's position-keeping parser dominates load time on large plants (about 1 s for 20,000
 * assets), while positions are needed only when there is something to report. So a clean document is read
 * with js-yaml first and the positioned document is built only for a diagnostic (lazily, once). Anything
 * unusual — a syntax error, anchors or aliases, tags, schema errors — takes the full path, which owns all
 * error reporting, so both paths report alike.
 */
function loadFast(text: string, file: string): LoadResult | undefined {
  if (/(^|[\s,[{-])[&*!][^\s]/m.test(text)) return undefined; // anchors, aliases, tags: let the full parser bound them
  let data: unknown;
  try {
    data = jsYaml.load(text, { schema: jsYaml.CORE_SCHEMA, json: false });
  } catch {
    return undefined;
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data) || !('zones' in data)) return undefined;
  const parsed = modelSchema.safeParse(data);
  if (!parsed.success) return undefined;
  let locator: Locator | undefined;
  const locate: Locator = (path, opts) => {
    if (!locator) {
      const { LineCounter, parseDocument } = yamlLib();
      const lineCounter = new LineCounter();
      const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, strict: true, logLevel: 'error' });
      locator = makeLocator(doc, lineCounter);
    }
    return locator(path, opts);
  };
  const sink = new DiagnosticSink(file, locate);
  reportUnknownKeys(sink, parsed.data);
  const model = normalize(parsed.data, data, file, sink);
  return { model, diagnostics: sink.list, source: text, locate };
}

/** The full path: every YAML and schema error with its position. Exported so tests can compare both paths. */
export function loadWithPositions(text: string, file: string): LoadResult {
  const { LineCounter, parseDocument } = yamlLib();
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, strict: true, logLevel: 'error' });
  const locate = makeLocator(doc, lineCounter);
  const sink = new DiagnosticSink(file, locate);
  const fromYamlError = (e: YAMLError, severity: 'error' | 'warning') => {
    const pos = e.linePos?.[0] ?? lineCounter.linePos(e.pos[0]);
    sink.list.push({
      code: severity === 'error' ? YAML_SYNTAX.code : YAML_WARNING.code,
      severity,
      message: e.message.split('\n')[0],
      file,
      line: pos.line,
      column: pos.col,
      ids: [],
    });
  };
  for (const e of doc.errors) fromYamlError(e, 'error');
  for (const w of doc.warnings) fromYamlError(w, 'warning');
  if (doc.errors.length) return { diagnostics: sink.list, source: text, locate };

  let data: unknown;
  try {
    // Bounded alias expansion: a "billion laughs" document fails here instead of exhausting memory.
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    sink.list.push({ code: YAML_SYNTAX.code, severity: 'error', message: `YAML cannot be expanded: ${(e as Error).message}`, file, line: 1, column: 1, ids: [] });
    return { diagnostics: sink.list, source: text, locate };
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data) || !('zones' in data)) {
    sink.list.push({
      code: NOT_A_MODEL.code,
      severity: 'error',
      message: 'not an otzones model: expected a mapping with `facility` and `zones` (see docs/model.md)',
      file,
      line: 1,
      column: 1,
      ids: [],
    });
    return { diagnostics: sink.list, source: text, locate };
  }

  const parsed = modelSchema.safeParse(data);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) reportIssue(sink, issue, data);
    return { diagnostics: sink.list, source: text, locate };
  }
  reportUnknownKeys(sink, parsed.data);
  const model = normalize(parsed.data, data, file, sink);
  return { model, diagnostics: sink.list, source: text, locate };
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `"${value.length > 40 ? value.slice(0, 40) + '…' : value}"`;
  return String(value);
}

function valueAt(data: unknown, path: readonly PathSegment[]): unknown {
  let v: unknown = data;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[seg];
  }
  return v;
}

function issueMessage(issue: z.core.$ZodIssue, data: unknown): string {
  const where = pathToString(issue.path as PathSegment[]) || 'the document';
  const got = describe(valueAt(data, issue.path as PathSegment[]));
  if (issue.code === 'invalid_union') {
    // Prefer a branch's own explanation (our regex messages) over zod's generic "Invalid input".
    const branchMessages = issue.errors.flat().filter((i) => i.code !== 'invalid_type').map((i) => i.message);
    const expected = branchMessages[0] ?? 'a value of another type';
    return `${where}: expected ${expected.replace(/^(a|an) /, (m) => m)}, got ${got}`;
  }
  if (issue.code === 'invalid_type') return `${where}: expected ${issue.expected}, got ${got}`;
  if (issue.code === 'invalid_value') return `${where}: expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${got}`;
  if (issue.code === 'too_small' && issue.origin === 'array') return `${where}: expected at least ${issue.minimum} item(s)`;
  if (issue.code === 'too_small' || issue.code === 'too_big') return `${where}: ${issue.message.toLowerCase()}, got ${got}`;
  return `${where}: ${issue.message}, got ${got}`;
}

function reportIssue(sink: DiagnosticSink, issue: z.core.$ZodIssue, data: unknown): void {
  const path = pathToString(issue.path as PathSegment[]);
  const missing = issue.code === 'invalid_type' && valueAt(data, issue.path as PathSegment[]) === undefined;
  if (missing) {
    const parent = pathToString(issue.path.slice(0, -1) as PathSegment[]);
    sink.add(SCHEMA_REQUIRED, parent, `${parent || 'the document'}: missing required key \`${String(issue.path[issue.path.length - 1])}\``);
    return;
  }
  sink.add(SCHEMA_TYPE, path, issueMessage(issue, data));
}

function reportUnknownKeys(sink: DiagnosticSink, m: RawModel): void {
  const check = (obj: object, known: readonly string[], path: string) => {
    for (const key of Object.keys(obj)) {
      if (!known.includes(key)) {
        sink.add(SCHEMA_UNKNOWN_KEY, path ? `${path}.${key}` : key, `unknown key \`${key}\` is ignored`, [], {
          key: true,
          notes: [`keys here: ${known.join(', ')}`],
        });
      }
    }
  };
  check(m, KNOWN_KEYS.model, '');
  m.zones.forEach((z, i) => {
    check(z, KNOWN_KEYS.zone, `zones[${i}]`);
    z.assets?.forEach((a, j) => typeof a === 'object' && check(a, KNOWN_KEYS.asset, `zones[${i}].assets[${j}]`));
  });
  m.firewalls?.forEach((f, i) => check(f, KNOWN_KEYS.firewall, `firewalls[${i}]`));
  m.switches?.forEach((s, i) => check(s, KNOWN_KEYS.switch, `switches[${i}]`));
  m.conduits?.forEach((c, i) => {
    check(c, KNOWN_KEYS.conduit, `conduits[${i}]`);
    c.protocols_allowed?.forEach((f, j) => check(f, KNOWN_KEYS.flow, `conduits[${i}].protocols_allowed[${j}]`));
  });
}

function parsePrefixes(sink: DiagnosticSink, texts: string[], path: string, ids: string[], host: boolean): Prefix[] {
  const out: Prefix[] = [];
  texts.forEach((t, i) => {
    const itemPath = texts.length === 1 && host ? path : `${path}[${i}]`;
    // Asset addresses may be a prefix too (extension: a group of like hosts, e.g. a user subnet).
    const p = parsePrefix(t);
    if (!p.ok) return sink.add(INVALID_ADDRESS, itemPath, p.error, ids);
    out.push(p.value);
  });
  return out;
}

function normalizeAsset(sink: DiagnosticSink, raw: string | RawAsset, zoneId: string, path: string): Asset {
  if (typeof raw === 'string') {
    const interp = interpretAssetText(raw);
    if (interp.inferred.length) {
      sink.add(SEED_INFERRED, path, `asset "${raw}": inferred ${interp.inferred.join(', ')}`, [zoneId], {
        notes: ['write the asset as a mapping with `id`, `role` and `ip` to make this explicit'],
      });
    }
    return { id: interp.id, name: raw, role: interp.role, count: interp.count, ips: [], prefixes: [], zoneId, path };
  }
  const ips = raw.ip === undefined ? [] : Array.isArray(raw.ip) ? raw.ip : [raw.ip];
  const ipPath = `${path}.ip`;
  return {
    id: raw.id,
    name: raw.name ?? raw.id,
    role: raw.role,
    count: raw.count ?? 1,
    ips,
    prefixes: parsePrefixes(sink, ips, ipPath, [raw.id, zoneId], true),
    mac: raw.mac,
    switchPort: raw.switch_port,
    modbus: raw.modbus ? { unitId: raw.modbus.unit_id, safeTestRegister: raw.modbus.safe_test_register } : undefined,
    slC: raw.sl_c === undefined ? undefined : slVector(raw.sl_c),
    switchId: raw.switch,
    zoneId,
    path,
  };
}

function normalizeZone(sink: DiagnosticSink, raw: RawZone, index: number): Zone {
  const path = `zones[${index}]`;
  const assets = (raw.assets ?? []).map((a, j) => normalizeAsset(sink, a, raw.zone_id, `${path}.assets[${j}]`));
  const subnets = raw.subnets ?? [];
  if (raw.gateway !== undefined) {
    const gw = parseIp(raw.gateway);
    if (!gw.ok) sink.add(INVALID_ADDRESS, `${path}.gateway`, gw.error, [raw.zone_id]);
  }
  const safetyByAsset = assets.some((a) => a.role === 'sis');
  return {
    id: raw.zone_id,
    name: raw.name ?? raw.zone_id,
    purdue: purdueRange(raw.purdue_level),
    slT: raw.security_level_target === undefined ? undefined : slVector(raw.security_level_target),
    criticality: raw.criticality,
    safety: raw.safety === true || safetyByAsset,
    safetyDeclared: raw.safety === true,
    vlan: raw.vlan,
    subnets,
    prefixes: parsePrefixes(sink, subnets, `${path}.subnets`, [raw.zone_id], false),
    gateway: raw.gateway,
    assets,
    securityRequirements: raw.security_requirements ?? [],
    allowedConduits: raw.allowed_conduits ?? null,
    path,
    index,
  };
}

function parsePorts(port: RawFlow['port']): PortRange[] {
  if (port === undefined) return [];
  const items = Array.isArray(port) ? port : [port];
  const out: PortRange[] = [];
  for (const it of items) {
    if (typeof it === 'number') out.push({ lo: it, hi: it });
    else {
      const [a, b] = it.split('-').map((s) => Number(s.trim()));
      out.push({ lo: Math.min(a, b ?? a), hi: Math.max(a, b ?? a) });
    }
  }
  return out;
}

function normalizeFlows(sink: DiagnosticSink, raw: RawConduit, cIndex: number, endpointIds: readonly string[]): Flow[] {
  const flows: Flow[] = [];
  (raw.protocols_allowed ?? []).forEach((f, j) => {
    const path = `conduits[${cIndex}].protocols_allowed[${j}]`;
    const canonical = canonicalProtocol(f.protocol);
    const info = canonical ? protocolInfo(canonical) : undefined;
    if (canonical && canonical !== f.protocol) {
      sink.add(SEED_INFERRED, `${path}.protocol`, `protocol "${f.protocol}" read as \`${canonical}\``, [raw.conduit_id]);
    }
    if (!info && (f.transport === undefined || f.port === undefined)) {
      sink.add(UNKNOWN_PROTOCOL, `${path}.protocol`, `unknown protocol "${f.protocol}": give \`transport\` and \`port\`, or use a known name`, [raw.conduit_id], {
        notes: ['known names: modbus, dnp3, s7comm, enip, opcua, iec104, bacnet, https, http, rdp, ssh, pi, syslog, ntp, dns, smb, icmp, tcp, udp'],
      });
    }
    const protocol = canonical ?? f.protocol;
    const transport: Transport = f.transport ?? info?.transport ?? 'tcp';
    const ports = f.port !== undefined ? parsePorts(f.port) : (info?.ports ?? []).map((p) => ({ lo: p, hi: p }));
    const base = {
      conduitId: raw.conduit_id,
      protocol,
      transport,
      ports: transport === 'icmp' ? [] : ports,
      functionCodes: f.function_codes ? [...new Set(f.function_codes)].sort((a, b) => a - b) : undefined,
      dnp3FunctionCodes: f.dnp3_function_codes ? [...new Set(f.dnp3_function_codes)].sort((a, b) => a - b) : undefined,
      s7Functions: f.s7_functions?.map(String),
      securityMode: f.security_mode,
      oneWay: f.one_way ?? false,
      direction: f.direction,
      notes: [] as string[],
      path,
      entryIndex: j,
    };
    const list = (v: string | string[] | undefined) => (v === undefined ? undefined : Array.isArray(v) ? v : [v]);
    let from = list(f.from);
    let to = list(f.to);
    let bidirectional = false;
    if ((!from || !to) && f.direction !== undefined) {
      const d = interpretDirection(f.direction, protocol);
      if (!d) {
        sink.add(SEED_UNINTERPRETED, `${path}.direction`, `direction "${f.direction}" is not of the form "A -> B (qualifiers)"`, [raw.conduit_id]);
      } else {
        const resolve = (name: string, key: string): string => {
          const r = resolveIdPrefix(name, endpointIds);
          if (r.id) return r.id;
          if (r.ambiguous) {
            sink.add(SEED_UNINTERPRETED, `${path}.direction`, `"${name}" in direction matches several ids: ${r.ambiguous.join(', ')}; give \`${key}\` explicitly`, [raw.conduit_id]);
          }
          return name; // left as written; the reference rule reports it when unknown
        };
        from ??= [resolve(d.from, 'from')];
        to ??= [resolve(d.to, 'to')];
        bidirectional = d.bidirectional;
        if (!base.functionCodes && d.functionCodes && protocol === 'modbus') base.functionCodes = d.functionCodes;
        if (d.oneWay) base.oneWay = true;
        base.notes = d.notes;
        const what = [`${from.join(', ')} initiates to ${to.join(', ')}${bidirectional ? ' and back' : ''}`];
        if (base.functionCodes && !f.function_codes) what.push(`Modbus function codes ${base.functionCodes.join(', ')} only`);
        if (d.oneWay && f.one_way === undefined) what.push('one-way');
        sink.add(SEED_INFERRED, `${path}.direction`, `direction "${f.direction}": ${what.join('; ')}`, [raw.conduit_id, ...from, ...to], {
          notes: ['write `from`, `to`' + (base.functionCodes ? ', `function_codes`' : '') + (d.oneWay ? ', `one_way: true`' : '') + ' to make this explicit'],
        });
      }
    }
    if (!from || !to) {
      sink.add(FLOW_NO_DIRECTION, path, `flow "${f.protocol}" needs \`from\` and \`to\` (or a direction such as "Z3 -> Z2")`, [raw.conduit_id]);
      return;
    }
    flows.push({ ...base, from, to });
    if (bidirectional) flows.push({ ...base, from: to, to: from, notes: [...base.notes] });
  });
  return flows;
}

function normalize(raw: RawModel, data: unknown, file: string, sink: DiagnosticSink): Model {
  const zones = raw.zones.map((z, i) => normalizeZone(sink, z, i));
  const endpointIds = [...zones.map((z) => z.id), ...zones.flatMap((z) => z.assets.flatMap((a) => (a.id ? [a.id] : [])))];
  const conduits: Conduit[] = (raw.conduits ?? []).map((c, i) => ({
    id: c.conduit_id,
    name: c.name ?? c.conduit_id,
    connects: c.connects,
    slT: c.security_level === undefined ? undefined : slVector(c.security_level),
    flows: normalizeFlows(sink, c, i, endpointIds),
    controls: c.controls ?? [],
    diode: c.diode,
    compensatingControls: c.compensating_controls ?? [],
    path: `conduits[${i}]`,
    index: i,
  }));
  const loggingHosts = raw.logging_hosts ?? [];
  loggingHosts.forEach((h, i) => {
    const ip = parseIp(h);
    if (!ip.ok) sink.add(INVALID_ADDRESS, `logging_hosts[${i}]`, ip.error);
  });
  const date = raw.assessment_date;
  return {
    file,
    facility: raw.facility,
    assessmentDate: date instanceof Date ? date.toISOString().slice(0, 10) : date,
    standard: raw.standard,
    loggingHosts,
    firewalls: (raw.firewalls ?? []).map((f, i) => ({
      id: f.id,
      vendor: f.vendor,
      interfaces: f.interfaces.map((x) => ({ zone: x.zone, name: x.name, nameif: x.nameif ?? x.zone.toLowerCase() })),
      path: `firewalls[${i}]`,
    })),
    switches: (raw.switches ?? []).map((s, i) => ({
      id: s.id,
      ports: s.ports,
      trunkPort: s.trunk_port,
      trunkDescription: s.trunk_description,
      parkingVlan: s.parking_vlan ?? 999,
      path: `switches[${i}]`,
    })),
    zones,
    conduits,
    risk: raw.risk,
    raw: data,
  };
}

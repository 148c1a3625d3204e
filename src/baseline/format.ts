/** Renders a baseline result as text (read in a minute, worst first), JSON (spec shape) or SARIF. */
import { defineCode, codeInfo } from '../diagnostics/codes.ts';
import { diagnosticJson, jsonEnvelope, sarifChunks, type SarifResultInput } from '../diagnostics/format.ts';
import { modbusFunctionName } from '../modbus/codes.ts';
import type { Reason } from './verdict.ts';
import type { BaselineFlow, BaselineResult } from './types.ts';

export const REASON_CODES: Record<Reason, ReturnType<typeof defineCode>> = {
  'function-code-not-allowed': defineCode({ code: 'ZC880', name: 'baseline-function-code-not-allowed', severity: 'error', title: 'Observed function codes the conduit flow does not allow (e.g. Modbus writes from level 3)' }),
  'no-conduit': defineCode({ code: 'ZC881', name: 'baseline-no-conduit', severity: 'error', title: 'Observed cross-zone traffic no conduit flow allows' }),
  'wrong-direction': defineCode({ code: 'ZC882', name: 'baseline-wrong-direction', severity: 'error', title: 'Observed traffic opened from the side the conduit flow does not allow to initiate' }),
  'port-not-allowed': defineCode({ code: 'ZC883', name: 'baseline-port-not-allowed', severity: 'error', title: 'Observed traffic between allowed endpoints on a port the conduit flow does not list' }),
  'unzoned-endpoint': defineCode({ code: 'ZC884', name: 'baseline-unzoned-endpoint', severity: 'warning', title: 'Observed device in no zone of the model' }),
};

/** An allowed flow that misses a requirement of its conduit flow (OPC UA without the security mode asked for). */
export const REQUIREMENT_NOT_MET = defineCode({ code: 'ZC885', name: 'baseline-conduit-requirement-not-met', severity: 'warning', title: 'Observed traffic a conduit flow allows, without a security requirement of that flow (e.g. OPC UA SecurityPolicy None where SignAndEncrypt is required)' });

/**
 * Counts with thousands separators (12,345,678). By hand: the first Intl.NumberFormat loads ICU's number data,
 * ~20-30 ms of every run's start-up, for what is a grouping of digits.
 */
export function grouped(n: number): string {
  const neg = n < 0;
  const digits = String(Math.round(Math.abs(n)));
  if (digits.length <= 3 || !/^\d+$/.test(digits)) return neg ? `-${digits}` : digits;
  let out = digits.slice(0, digits.length % 3 || 3);
  for (let i = out.length; i < digits.length; i += 3) out += `,${digits.slice(i, i + 3)}`;
  return neg ? `-${out}` : out;
}

export function humanBytes(n: number): string {
  const u = ['B', 'kB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (n >= 1000 && i < u.length - 1) {
    n /= 1000;
    i++;
  }
  return `${i === 0 ? n : n.toFixed(1)} ${u[i]}`;
}

function endpoint(ip: string, asset: string | null): string {
  return asset ? `${ip} (${asset})` : ip;
}

export function flowLine(f: BaselineFlow): string {
  const svc = `${f.transport}${f.transport === 'tcp' || f.transport === 'udp' ? `/${f.dst_port}` : ''} ${f.protocol}`;
  const zones = `${f.src_zone ?? '(no zone)'} -> ${f.dst_zone ?? '(no zone)'}`;
  let why: string = f.reasons.join(', ');
  if (f.reasons.includes('function-code-not-allowed')) {
    const codes = f.disallowed_function_codes.map((c) => `${c} ${f.protocol === 'modbus' ? modbusFunctionName(c) : ''} x${f.function_codes[String(c)] ?? 0}`.replace('  ', ' ')).join(', ');
    why = `function codes not allowed: ${codes}`;
  }
  const via = f.conduit ? ` [${f.conduit}]` : '';
  return `${endpoint(f.src, f.src_asset)} -> ${endpoint(f.dst, f.dst_asset)}  ${svc}  ${zones}  ${why}${via}  (${grouped(f.packets)} pkts)`;
}

export function formatBaselineText(r: BaselineResult, opts: { top?: number; facility?: string } = {}): string {
  const top = opts.top ?? 20;
  const s = r.summary;
  const out: string[] = [];
  out.push(`otzones baseline${opts.facility ? `: ${opts.facility}` : ''}`);
  out.push(
    `${s.inputs} input(s), ${grouped(s.packets)} packets, ${humanBytes(s.bytes)}; ${grouped(s.flows)} flows: ${grouped(s.intra_zone)} intra-zone, ${grouped(s.allowed)} allowed by a conduit, ${grouped(s.violations)} violation(s)`,
  );
  if (s.violations) {
    const reasons = Object.entries(s.by_reason)
      .filter(([, n]) => n)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ');
    out.push(`Reasons: ${reasons}`);
    out.push('');
    out.push(`Violations, most serious first${r.violationCount > top ? ` (top ${top} of ${r.violationCount}; --format json lists all)` : ''}:`);
    for (let k = 0; k < Math.min(top, r.violationCount); k++) out.push(`  ${flowLine(r.violationAt(k))}`);
  } else {
    out.push('No violations: every cross-zone flow observed is allowed by a conduit.');
  }
  const few = Math.min(top, 10);
  // Counted over every flow from columns; records are built only for the lines shown.
  const fwBlocked = indexes(r.flowCount, (i) => !!r.firewallAt(i)?.denied && r.verdictAt(i) !== 'violation');
  const fwPassed = indexes(r.violationCount, (k) => !!r.firewallAt(r.violationIndex(k))?.allowed);
  if (fwBlocked.length || fwPassed.length) {
    out.push('');
    out.push(`Firewall logs against the conduits: ${fwBlocked.length} legitimate flow(s) the firewall denied or would deny (enforcement breaks them), ${fwPassed.length} violation(s) the firewall let through`);
    for (const f of fwBlocked.slice(0, few).map(r.flowAt)) out.push(`  denied but ${f.verdict}: ${endpoint(f.src, f.src_asset)} -> ${endpoint(f.dst, f.dst_asset)}  ${f.transport}/${f.dst_port} (${f.firewall!.denied} denied record(s), ${f.evidence})`);
    for (const f of fwPassed.slice(0, few).map(r.violationAt)) out.push(`  let through: ${endpoint(f.src, f.src_asset)} -> ${endpoint(f.dst, f.dst_asset)}  ${f.transport}/${f.dst_port} ${f.reasons.join(', ')} (${f.firewall!.allowed} allowed record(s), ${f.evidence})`);
  }
  const noted = indexes(r.flowCount, r.hasNotesAt);
  if (noted.length) {
    out.push('');
    out.push(`Allowed flows that miss a requirement of their conduit (${noted.length}):`);
    for (const f of noted.slice(0, top).map(r.flowAt)) out.push(`  ${endpoint(f.src, f.src_asset)} -> ${endpoint(f.dst, f.dst_asset)}  ${f.transport}/${f.dst_port} ${f.protocol}: ${f.notes!.join('; ')}`);
  }
  const unzoned = r.assets.filter((a) => a.zone === null);
  if (unzoned.length) {
    out.push('');
    out.push(`Devices in no zone (${unzoned.length}):`);
    for (const a of unzoned.slice(0, top)) out.push(`  ${a.ip}  ${a.observed_roles.filter((x) => x !== 'unknown-device').join(', ')}`);
    if (unzoned.length > top) out.push(`  ... ${unzoned.length - top} more`);
  }
  const listed = (as: typeof r.assets) => `${as.slice(0, few).map((a) => endpoint(a.ip, a.asset)).join(', ')}${as.length > few ? `, ... ${as.length - few} more` : ''}`;
  const unlisted = r.assets.filter((a) => a.observed_roles.includes('not-in-inventory'));
  if (unlisted.length) {
    out.push('');
    out.push(`Devices in a zone's subnet that the model does not list as assets (${unlisted.length}): ${listed(unlisted)}`);
  }
  const controllers = r.assets.filter((a) => a.observed_roles.includes('controller'));
  if (controllers.length) {
    out.push('');
    out.push(`Controllers observed (${controllers.length}): ${listed(controllers)}`);
  }
  const diags = r.diagnostics.filter((d) => d.severity !== 'info');
  if (diags.length) {
    out.push('');
    out.push('Input problems:');
    for (const d of diags) out.push(`  ${d.severity} ${d.code}: ${d.message}`);
  }
  if (s.violations) {
    out.push('');
    out.push('Proposed conduit flows for the observed cross-zone traffic (review before adding to the model):');
    out.push(...r.proposed.trimEnd().split('\n').map((l) => `  ${l}`));
  }
  return out.join('\n') + '\n';
}

function indexes(n: number, pred: (i: number) => boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) if (pred(i)) out.push(i);
  return out;
}

export function formatBaselineJson(r: BaselineResult): string {
  const dec = new TextDecoder();
  let out = '';
  for (const c of baselineJsonChunks(r)) out += typeof c === 'string' ? c : dec.decode(c, { stream: true });
  return out + dec.decode();
}

/**
 * The JSON document in pieces, so a capture with a million flows never needs one string of hundreds of
 * megabytes. Same content as `JSON.stringify(doc, null, 2)` up to whitespace inside records. The bytes of a
 * Uint8Array piece are valid until the next piece is asked for (the buffer is reused): write them first.
 */
export function* baselineJsonChunks(r: BaselineResult): Generator<string | Uint8Array> {
  const head = jsonEnvelope('baseline', {});
  yield '{\n';
  for (const [k, v] of Object.entries(head)) yield `  ${JSON.stringify(k)}: ${JSON.stringify(v)},\n`;
  const list = function* (name: string, items: readonly unknown[], last = false): Generator<string> {
    yield `  ${JSON.stringify(name)}: [`;
    let first = true;
    for (const it of items) {
      yield `${first ? '\n' : ',\n'}    ${JSON.stringify(it)}`;
      first = false;
    }
    yield `${first ? '' : '\n  '}]${last ? '' : ','}\n`;
  };
  // Each record's JSON is made from the result's columns (no record object) and encoded straight into one
  // reused multi-MiB buffer: the bytes of a million records never exist as one string or as a rope of them.
  const flowList = function* (name: string, count: number, jsonAt: (i: number) => string): Generator<string | Uint8Array> {
    yield `  ${JSON.stringify(name)}: [`;
    const PIECE = 4 << 20;
    let buf = Buffer.allocUnsafe(PIECE);
    let pos = 0;
    for (let i = 0; i < count; i++) {
      const text = (i === 0 ? '\n    ' : ',\n    ') + jsonAt(i);
      if (pos + text.length * 3 > buf.length) {
        if (pos) yield buf.subarray(0, pos);
        if (text.length * 3 > buf.length) buf = Buffer.allocUnsafe(text.length * 3);
        pos = 0;
      }
      pos += buf.write(text, pos, 'utf8');
    }
    if (pos) yield buf.subarray(0, pos);
    yield `${count === 0 ? '' : '\n  '}],\n`;
  };
  yield* flowList('flows', r.flowCount, r.flowJsonAt);
  yield* flowList('violations', r.violationCount, r.violationJsonAt);
  yield* list('assets', r.assets);
  yield `  "summary": ${JSON.stringify(r.summary)},\n`;
  yield `  "proposed_conduits_yaml": ${JSON.stringify(r.proposed)},\n`;
  yield* list('diagnostics', r.diagnostics.map(diagnosticJson), true);
  yield '}\n';
}

/**
 * The SARIF log in pieces, one result at a time: a million violations would be more than one string can hold
 * (and a gigabyte or two of result objects besides). Violations, then allowed flows that miss a requirement of
 * their conduit (warnings, so a pipeline reading SARIF sees them), then the input diagnostics.
 */
export function* baselineSarifChunks(r: BaselineResult): Generator<string> {
  // Rule ids before the results, as the log lists rules first: from the verdicts, without building records.
  const rules = new Map<string, string | undefined>();
  for (let k = 0; k < r.violationCount; k++) {
    const code = REASON_CODES[r.reasonsAt(r.violationIndex(k))[0]];
    if (!rules.has(code.code)) rules.set(code.code, code.name);
  }
  let notes = false;
  for (let i = 0; i < r.flowCount && !notes; i++) notes = r.hasNotesAt(i);
  if (notes) rules.set(REQUIREMENT_NOT_MET.code, REQUIREMENT_NOT_MET.name);
  for (const d of r.diagnostics) if (!rules.has(d.code)) rules.set(d.code, codeInfo(d.code)?.name);
  yield* sarifChunks(rules, baselineSarifResults(r), (id) => codeInfo(id)?.title);
}

function* baselineSarifResults(r: BaselineResult): Generator<SarifResultInput> {
  for (let k = 0; k < r.violationCount; k++) {
    const f = r.violationAt(k);
    const reason = f.reasons[0];
    const code = REASON_CODES[reason];
    const [file, line] = splitEvidence(f.evidence);
    yield {
      ruleId: code.code,
      ruleName: code.name,
      level: code.severity === 'error' ? 'error' : 'warning',
      message: `${reason}: ${flowLine(f)}`,
      file,
      line,
      properties: { src: f.src, dst: f.dst, transport: f.transport, dst_port: f.dst_port, src_zone: f.src_zone, dst_zone: f.dst_zone, reasons: f.reasons },
    };
  }
  for (let i = 0; i < r.flowCount; i++) {
    if (!r.hasNotesAt(i)) continue;
    const f = r.flowAt(i);
    const [file, line] = splitEvidence(f.evidence);
    yield {
      ruleId: REQUIREMENT_NOT_MET.code,
      ruleName: REQUIREMENT_NOT_MET.name,
      level: 'warning',
      message: `${endpoint(f.src, f.src_asset)} -> ${endpoint(f.dst, f.dst_asset)}  ${f.transport}/${f.dst_port} ${f.protocol}: ${f.notes!.join('; ')}`,
      file,
      line,
      properties: { src: f.src, dst: f.dst, transport: f.transport, dst_port: f.dst_port, src_zone: f.src_zone, dst_zone: f.dst_zone, conduit: f.conduit },
    };
  }
  for (const d of r.diagnostics) {
    yield { ruleId: d.code, ruleName: codeInfo(d.code)?.name, level: d.severity, message: d.message, file: d.file, line: d.line, column: d.column, offset: d.offset };
  }
}

function splitEvidence(e: string): [string | undefined, number | undefined] {
  if (!e) return [undefined, undefined];
  const m = /^(.*):(\d+)$/.exec(e);
  return m ? [m[1], Number(m[2])] : [e, undefined];
}

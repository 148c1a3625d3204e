/**
 * The baseline: observations from captures and logs → flows → zones → verdicts against the policy IR,
 * observed roles, and proposed conduit flows. Pure: inputs in, result out.
 */
import type { Model } from '../model/types.ts';
import { compilePolicy, type PolicyIR } from '../policy/ir.ts';
import { ZoneIndex, type Owner } from '../policy/zone-index.ts';
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import type { Observation } from '../capture/observation.ts';
import { aggregate, type AggregatedFlow } from './flows.ts';
import { PolicyJudge, type Reason } from './verdict.ts';
import { ZoneTable, parseV4 } from './zones.ts';
import { observedRoles } from './roles.ts';
import { proposeConduits } from './propose.ts';
import type { BaselineAsset, BaselineFlow, BaselineResult } from './types.ts';

export type { BaselineFlow, BaselineResult, BaselineAsset } from './types.ts';

export const REASON_ORDER: readonly Reason[] = ['function-code-not-allowed', 'no-conduit', 'wrong-direction', 'port-not-allowed', 'unzoned-endpoint'];

const DAY_MS = 86_400_000;
/** Date part (`2024-05-01T`) of the last day formatted: flows of one capture share a handful of days. */
let isoDay = NaN;
let isoDayText = '';
const pad2 = (n: number) => (n < 10 ? `0${n}` : `${n}`);

function iso(us: number): string | null {
  if (!Number.isFinite(us)) return null;
  const ms = Math.floor(us / 1000);
  if (ms === isoLastMs) return isoLast;
  isoLastMs = ms;
  isoLast = isoFormat(ms);
  return isoLast;
}

let isoLastMs = NaN;
let isoLast = '';

function isoFormat(ms: number): string {
  // Years 1970-9999 without a Date object per flow (same text as toISOString); others through Date.
  if (!(ms >= 0 && ms < 253402300800000)) return new Date(ms).toISOString();
  const day = Math.floor(ms / DAY_MS);
  if (day !== isoDay) {
    isoDay = day;
    isoDayText = new Date(day * DAY_MS).toISOString().slice(0, 11);
  }
  let r = ms - day * DAY_MS;
  const milli = r % 1000;
  r = (r - milli) / 1000;
  const sec = r % 60;
  r = (r - sec) / 60;
  const min = r % 60;
  const hour = (r - min) / 60;
  return `${isoDayText}${pad2(hour)}:${pad2(min)}:${pad2(sec)}.${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}Z`;
}

/** Numeric sort key for addresses: IPv4 before IPv6, numerically. */
export function ipSortKey(ip: string): string {
  const v = parseV4(ip);
  if (v >= 0) return `4${v.toString(16).padStart(8, '0')}`;
  const parts = ip.split('::');
  const head = parts[0] ? parts[0].split(':') : [];
  const tail = parts.length > 1 && parts[1] ? parts[1].split(':') : [];
  const groups = [...head, ...Array(Math.max(0, 8 - head.length - tail.length)).fill('0'), ...tail];
  return `6${groups.map((g) => g.padStart(4, '0')).join('')}`;
}

export interface BaselineInput {
  model: Model;
  observations: Iterable<Observation>;
  ir?: PolicyIR;
  inputs?: number;
  decode?: Record<string, number>;
  diagnostics?: Diagnostic[];
  /** Empty the `observations` array once aggregated, so its records can be collected (the CLI owns it). */
  releaseObservations?: boolean;
}

const NONE: Record<string, number> = Object.freeze({}) as Record<string, number>;

/** Output maps shared between flows with equal counts (see observationsFrom); never mutated after creation. */
const outCache = new WeakMap<Record<number, number>, [Record<string, number>?, Record<string, number>?]>();

function codesOut(m: Record<number, number>, exceptions: boolean): Record<string, number> {
  const cached = outCache.get(m);
  const slot = exceptions ? 1 : 0;
  if (cached?.[slot]) return cached[slot]!;
  const r = codesOutNew(m, exceptions);
  if (cached) cached[slot] = r;
  else outCache.set(m, exceptions ? [undefined, r] : [r]);
  return r;
}

function codesOutNew(m: Record<number, number>, exceptions: boolean): Record<string, number> {
  let any = false;
  for (const _ in m) {
    any = true;
    break;
  }
  if (!any) return NONE;
  const out: Record<string, number> = {};
  for (const k of Object.keys(m)
    .map(Number)
    .sort((a, b) => a - b)) {
    if (((k & 0x80) !== 0) === exceptions) out[String(exceptions ? k & 0x7f : k)] = m[k];
  }
  return out;
}

export function runBaseline(input: BaselineInput): BaselineResult {
  const { model } = input;
  const ir = input.ir ?? compilePolicy(model);
  const zones = new ZoneTable(new ZoneIndex(model));
  const judge = new PolicyJudge(ir);
  const agg = aggregate(input.observations);
  // The caller's observations are no longer needed once aggregated (CLI: a million of them).
  if (input.releaseObservations && Array.isArray(input.observations)) input.observations.length = 0;
  const roles = observedRoles(agg);
  const rulesById = new Map(ir.rules.map((r) => [r.id, r]));
  const assetsById = new Map<string, { role?: string }>();
  for (const z of model.zones) for (const a of z.assets) if (a.id) assetsById.set(a.id, a);
  const owners = new Map<string, Owner | undefined>();
  const owner = (ip: string) => {
    if (!owners.has(ip)) owners.set(ip, zones.lookup(ip));
    return owners.get(ip);
  };
  const flows: BaselineFlow[] = new Array(agg.length);
  for (let i = 0; i < agg.length; i++) {
    flows[i] = toFlow(agg[i]);
    agg[i] = undefined as unknown as AggregatedFlow; // each aggregated record is garbage once its output record exists
  }
  agg.length = 0;
  function toFlow(f: AggregatedFlow): BaselineFlow {
    const so = owner(f.src);
    const dOwn = owner(f.dst);
    const j = judge.judge(f, so, dOwn);
    const isDnpOrModbus = f.protocol === 'modbus' || f.protocol === 'dnp3';
    const out: BaselineFlow = {
      src: f.src,
      dst: f.dst,
      transport: f.transport,
      dst_port: f.dstPort,
      protocol: f.protocol,
      src_zone: so?.zoneId ?? null,
      dst_zone: dOwn?.zoneId ?? null,
      src_asset: so?.assetId ?? null,
      dst_asset: dOwn?.assetId ?? null,
      packets: f.packets,
      bytes: f.bytes,
      first_seen: iso(f.first),
      last_seen: iso(f.last),
      function_codes: isDnpOrModbus ? codesOut(f.requestCodes, false) : {},
      exception_codes: f.protocol === 'modbus' ? codesOut(f.responseCodes, true) : {},
      app_codes: f.protocol === 'modbus' || f.protocol === 'dnp3' ? NONE : Object.fromEntries(Object.entries(f.appCodes).sort(([a], [b]) => a.localeCompare(b))),
      verdict: j.verdict,
      reasons: j.reasons,
      conduit: j.conduit,
      disallowed_function_codes: j.disallowedCodes,
      connections: f.connections,
      evidence: f.evidence,
    };
    if (f.protocol === 'dnp3') out.function_codes = codesOut(f.requestCodes, false);
    if (f.fwAllowed || f.fwDenied) out.firewall = { allowed: f.fwAllowed, denied: f.fwDenied };
    const mode = j.rule ? rulesById.get(j.rule)?.app.securityMode : undefined;
    if (mode && !/^none$/i.test(mode) && f.appCodes['security:none']) {
      out.notes = [`${j.conduit} requires OPC UA security mode ${mode}; ${f.appCodes['security:none']} secure channel(s) opened with SecurityPolicy#None`];
    }
    return out;
  }
  // Sort: each distinct address ranked once by its key, then flows ordered on (rank, rank, transport, port)
  // held in typed arrays: no key string per flow (a million flows sort in a fraction of a second).
  const ipKeys = new Map<string, string>();
  const ik = (ip: string) => {
    let k = ipKeys.get(ip);
    if (k === undefined) ipKeys.set(ip, (k = ipSortKey(ip)));
    return k;
  };
  const n = flows.length;
  const ipRank = new Map<string, number>();
  for (const f of flows) {
    if (!ipRank.has(f.src)) ipRank.set(f.src, 0);
    if (!ipRank.has(f.dst)) ipRank.set(f.dst, 0);
  }
  const ipList = [...ipRank.keys()].map((ip) => [ik(ip), ip] as const).sort((a, b) => cmp(a[0], b[0]));
  for (let i = 0, r = 0; i < ipList.length; i++) {
    if (i > 0 && ipList[i][0] !== ipList[i - 1][0]) r++;
    ipRank.set(ipList[i][1], r);
  }
  const transports = [...new Set(flows.map((f) => f.transport))].sort(cmp);
  const srcRank = new Float64Array(n);
  const dstRank = new Float64Array(n);
  const tail = new Float64Array(n); // transport rank * 2^20 + port (ports are < 2^16; keys equal ⇔ strings equal)
  for (let i = 0; i < n; i++) {
    const f = flows[i];
    srcRank[i] = ipRank.get(f.src)!;
    dstRank[i] = ipRank.get(f.dst)!;
    tail[i] = transports.indexOf(f.transport) * 1048576 + f.dst_port;
  }
  ipRank.clear();
  // Stable, as Array.prototype.sort on the flows' original positions was.
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => srcRank[a] - srcRank[b] || dstRank[a] - dstRank[b] || tail[a] - tail[b] || a - b,
  );
  const sorted = order.map((i) => flows[i]);
  order.length = 0;
  flows.length = 0;
  for (const f of sorted) flows.push(f);
  sorted.length = 0;
  const vIdx: number[] = [];
  for (let i = 0; i < n; i++) if (flows[i].verdict === 'violation') vIdx.push(i);
  const vRank = new Int8Array(n);
  for (const i of vIdx) vRank[i] = rank(flows[i]);
  vIdx.sort((a, b) => vRank[a] - vRank[b] || flows[b].packets - flows[a].packets || a - b);
  const violations = vIdx.map((i) => flows[i]);
  vIdx.length = 0;

  const assets: BaselineAsset[] = [...roles.keys()]
    .sort((a, b) => cmp(ipSortKey(a), ipSortKey(b)))
    .map((ip) => {
      const o = owner(ip);
      const r = [...roles.get(ip)!].sort();
      if (!o) r.push('unknown-device');
      else if (!o.assetId) r.push('not-in-inventory');
      return { ip, zone: o?.zoneId ?? null, asset: o?.assetId ?? null, model_role: o?.assetId ? (assetsById.get(o.assetId)?.role ?? null) : null, observed_roles: r };
    });
  const by_reason = Object.fromEntries(REASON_ORDER.map((r) => [r, 0])) as Record<Reason, number>;
  for (const v of violations) for (const r of v.reasons) by_reason[r]++;
  let packets = 0;
  let bytes = 0;
  let intra_zone = 0;
  let allowed = 0;
  for (const f of flows) {
    packets += f.packets;
    bytes += f.bytes;
    if (f.verdict === 'intra-zone') intra_zone++;
    else if (f.verdict === 'allowed') allowed++;
  }
  return {
    flows,
    violations,
    assets,
    summary: {
      inputs: input.inputs ?? 0,
      packets,
      bytes,
      flows: flows.length,
      intra_zone,
      allowed,
      violations: violations.length,
      by_reason,
      unzoned_addresses: assets.filter((a) => a.zone === null).length,
      decode: input.decode ?? {},
    },
    proposed: proposeConduits(model, flows, ik),
    diagnostics: [...(input.diagnostics ?? []), ...ir.diagnostics],
  };
}

function rank(f: BaselineFlow): number {
  return Math.min(...f.reasons.map((r) => REASON_ORDER.indexOf(r)));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

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

function iso(us: number): string | null {
  return Number.isFinite(us) ? new Date(Math.floor(us / 1000)).toISOString() : null;
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
  const rulesById = new Map(ir.rules.map((r) => [r.id, r]));
  const assetsById = new Map<string, { role?: string }>();
  for (const z of model.zones) for (const a of z.assets) if (a.id) assetsById.set(a.id, a);
  const owners = new Map<string, Owner | undefined>();
  const owner = (ip: string) => {
    if (!owners.has(ip)) owners.set(ip, zones.lookup(ip));
    return owners.get(ip);
  };
  const flows: BaselineFlow[] = agg.map((f: AggregatedFlow) => {
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
  });
  // Sort keys computed once per flow (a million flows sort in about a second).
  const ipKeys = new Map<string, string>();
  const ik = (ip: string) => {
    let k = ipKeys.get(ip);
    if (k === undefined) ipKeys.set(ip, (k = ipSortKey(ip)));
    return k;
  };
  const sortKeys = flows.map((f) => `${ik(f.src)}|${ik(f.dst)}|${f.transport}|${String(f.dst_port).padStart(5, '0')}`);
  const order = Array.from(flows.keys()).sort((a, b) => cmp(sortKeys[a], sortKeys[b]));
  const sorted = order.map((i) => flows[i]);
  flows.length = 0;
  for (const f of sorted) flows.push(f);
  const violations = flows.filter((f) => f.verdict === 'violation');
  const pos = new Map(flows.map((f, i) => [f, i]));
  const ranks = new Map(violations.map((f) => [f, rank(f)]));
  violations.sort((a, b) => ranks.get(a)! - ranks.get(b)! || b.packets - a.packets || pos.get(a)! - pos.get(b)!);

  const roles = observedRoles(agg);
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
  for (const f of flows) {
    packets += f.packets;
    bytes += f.bytes;
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
      intra_zone: flows.filter((f) => f.verdict === 'intra-zone').length,
      allowed: flows.filter((f) => f.verdict === 'allowed').length,
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

/**
 * The baseline: observations from captures and logs → flows → zones → verdicts against the policy IR,
 * observed roles, and proposed conduit flows. Pure: inputs in, result out.
 */
import type { Model } from '../model/types.ts';
import { compilePolicy, type PolicyIR } from '../policy/ir.ts';
import { ZoneIndex, type Owner } from '../policy/zone-index.ts';
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import type { Observation } from '../capture/observation.ts';
import { FlowTable, NO_MAP, TRANSPORT_NAMES, type CodeMap } from '../capture/flow-table.ts';
import { PolicyJudge, type JudgedFlow, type Judgement, type Reason } from './verdict.ts';
import { ZoneTable, parseV4 } from './zones.ts';
import { observedRoleBits, roleNames } from './roles.ts';
import { proposeConduits, type ProposalFlow } from './propose.ts';
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
  /** Flows from captures (and anything else already in a table); observations are added to it. */
  flows?: FlowTable;
  observations?: Iterable<Observation>;
  ir?: PolicyIR;
  inputs?: number;
  decode?: Record<string, number>;
  diagnostics?: Diagnostic[];
  /** Empty the `observations` array once added, so its records can be collected (the CLI owns it). */
  releaseObservations?: boolean;
}

const NONE: Record<string, number> = Object.freeze({}) as Record<string, number>;

function codesOut(m: Readonly<Record<number, number>>, exceptions: boolean): Record<string, number> {
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

/** Output maps per interned map id, built once and shared by every flow with that map (never mutated). */
class MapOutputs {
  private readonly requests: (Record<string, number> | undefined)[] = [];
  private readonly exceptions: (Record<string, number> | undefined)[] = [];
  private readonly apps: (Record<string, number> | undefined)[] = [];
  constructor(private readonly maps: readonly CodeMap[]) {}
  request(id: number): Record<string, number> {
    return (this.requests[id] ??= codesOut(this.maps[id] as Record<number, number>, false));
  }
  exception(id: number): Record<string, number> {
    return (this.exceptions[id] ??= codesOut(this.maps[id] as Record<number, number>, true));
  }
  app(id: number): Record<string, number> {
    return (this.apps[id] ??= id === NO_MAP ? NONE : Object.fromEntries(Object.entries(this.maps[id]).sort(([a], [b]) => a.localeCompare(b))));
  }
  /** The three output maps of a row: function codes for Modbus/DNP3, exceptions for Modbus, names otherwise. */
  functionCodes(t: FlowTable, r: number, protocol: string): Record<string, number> {
    return protocol === 'modbus' || protocol === 'dnp3' ? this.request(t.requestCodes[r]) : NONE;
  }
  exceptionCodes(t: FlowTable, r: number, protocol: string): Record<string, number> {
    return protocol === 'modbus' ? this.exception(t.responseCodes[r]) : NONE;
  }
  appCodes(t: FlowTable, r: number, protocol: string): Record<string, number> {
    return protocol === 'modbus' || protocol === 'dnp3' ? NONE : this.app(t.appCodes[r]);
  }
}

export function runBaseline(input: BaselineInput): BaselineResult {
  const { model } = input;
  const ir = input.ir ?? compilePolicy(model);
  const zones = new ZoneTable(new ZoneIndex(model));
  const judge = new PolicyJudge(ir);
  const table = input.flows ?? new FlowTable();
  if (input.observations) for (const o of input.observations) table.addObservation(o);
  // The caller's observations are no longer needed once added (CLI: logs with many records).
  if (input.releaseObservations && Array.isArray(input.observations)) input.observations.length = 0;
  const n = table.size;
  const addresses = table.addresses;
  const owners: (Owner | undefined)[] = addresses.map((ip) => zones.lookup(ip));
  const rulesById = new Map(ir.rules.map((r) => [r.id, r]));
  const assetsById = new Map<string, { role?: string }>();
  for (const z of model.zones) for (const a of z.assets) if (a.id) assetsById.set(a.id, a);

  // Verdicts: one judgement per flow, interned (most flows share a handful of judgements).
  const judgements: Judgement[] = [];
  const judgementIds = new Map<Judgement, number>();
  const judgementKeys = new Map<string, number>();
  const judgementOf = new Int32Array(n);
  const probe: JudgedFlow = { src: '', dst: '', transport: '', dstPort: 0, protocol: '', bytesBack: 0, requestCodes: NONE, appCodes: NONE };
  for (let r = 0; r < n; r++) {
    probe.src = addresses[table.src[r]];
    probe.dst = addresses[table.dst[r]];
    probe.transport = table.transportName(r);
    probe.dstPort = table.dstPort[r];
    probe.protocol = table.protocolName(r);
    probe.bytesBack = table.bytesBack[r];
    probe.requestCodes = table.maps[table.requestCodes[r]] as Record<number, number>;
    probe.appCodes = table.maps[table.appCodes[r]];
    const j = judge.judge(probe, owners[table.src[r]], owners[table.dst[r]]);
    let id = judgementIds.get(j);
    if (id === undefined) {
      const key = `${j.verdict}|${j.reasons.join(',')}|${j.conduit}|${j.rule}|${j.disallowedCodes.join(',')}`;
      id = judgementKeys.get(key);
      if (id === undefined) {
        id = judgements.length;
        judgements.push(j);
        judgementKeys.set(key, id);
      }
      if (Object.isFrozen(j)) judgementIds.set(j, id);
    }
    judgementOf[r] = id;
  }
  // OPC UA security the allowing conduit flow asks for (a note on the flow, not a violation reason).
  const securityMode = judgements.map((j) => {
    const mode = j.rule ? rulesById.get(j.rule)?.app.securityMode : undefined;
    return mode && !/^none$/i.test(mode) ? mode : undefined;
  });
  const notesOf = (r: number): string[] | undefined => {
    const mode = securityMode[judgementOf[r]];
    if (!mode) return undefined;
    const none = table.maps[table.appCodes[r]]['security:none'];
    return none ? [`${judgements[judgementOf[r]].conduit} requires OPC UA security mode ${mode}; ${none} secure channel(s) opened with SecurityPolicy#None`] : undefined;
  };

  // Order: each distinct address ranked once by its numeric key; flows bucketed by initiator rank (counting
  // sort), each bucket sorted on (responder rank, transport, port). No key string or record per flow.
  const ipKeys = new Map<string, string>();
  const ik = (ip: string) => {
    let k = ipKeys.get(ip);
    if (k === undefined) ipKeys.set(ip, (k = ipSortKey(ip)));
    return k;
  };
  const byKey = addresses.map((ip, id) => [ik(ip), id] as const).sort((a, b) => cmp(a[0], b[0]));
  const addrRank = new Int32Array(addresses.length);
  for (let i = 0, rank = 0; i < byKey.length; i++) {
    if (i > 0 && byKey[i][0] !== byKey[i - 1][0]) rank++;
    addrRank[byKey[i][1]] = rank;
  }
  const transportRank = [...TRANSPORT_NAMES].map((t) => [...TRANSPORT_NAMES].sort(cmp).indexOf(t));
  const { order, buckets } = countingSort(n, addresses.length, (r) => addrRank[table.src[r]]);
  {
    const within = (a: number, b: number) =>
      addrRank[table.dst[a]] - addrRank[table.dst[b]] || transportRank[table.transport[a]] - transportRank[table.transport[b]] || table.dstPort[a] - table.dstPort[b] || a - b;
    const slice: number[] = [];
    for (let b = 0; b < addresses.length; b++) {
      const lo = buckets[b];
      const hi = buckets[b + 1];
      if (hi - lo < 2) continue;
      slice.length = 0;
      for (let i = lo; i < hi; i++) slice.push(order[i]);
      slice.sort(within);
      for (let i = lo; i < hi; i++) order[i] = slice[i - lo];
    }
  }

  // Violations: by most serious reason, then most packets first, then output order.
  const reasonRank = judgements.map((j) => (j.verdict === 'violation' ? Math.min(...j.reasons.map((x) => REASON_ORDER.indexOf(x))) : -1));
  const { order: violationPos, buckets: vCount } = countingSort(n, REASON_ORDER.length, (i) => reasonRank[judgementOf[order[i]]]);
  const violationCount = violationPos.length;
  for (let b = 0; b < REASON_ORDER.length; b++) sortByPacketsDesc(violationPos.subarray(vCount[b], vCount[b + 1]), (i) => table.packets[order[i]]);

  const out = new MapOutputs(table.maps);
  const flowOfRow = (r: number): BaselineFlow => {
    const so = owners[table.src[r]];
    const dOwn = owners[table.dst[r]];
    const j = judgements[judgementOf[r]];
    const protocol = table.protocolName(r);
    const f: BaselineFlow = {
      src: addresses[table.src[r]],
      dst: addresses[table.dst[r]],
      transport: table.transportName(r),
      dst_port: table.dstPort[r],
      protocol,
      src_zone: so?.zoneId ?? null,
      dst_zone: dOwn?.zoneId ?? null,
      src_asset: so?.assetId ?? null,
      dst_asset: dOwn?.assetId ?? null,
      packets: table.packets[r],
      bytes: table.bytes[r],
      first_seen: iso(table.first[r]),
      last_seen: iso(table.last[r]),
      function_codes: out.functionCodes(table, r, protocol),
      exception_codes: out.exceptionCodes(table, r, protocol),
      app_codes: out.appCodes(table, r, protocol),
      verdict: j.verdict,
      reasons: j.reasons,
      conduit: j.conduit,
      disallowed_function_codes: j.disallowedCodes,
      connections: table.connections[r],
      evidence: table.strings[table.evidence[r]],
    };
    const fw = table.firewall(r);
    if (fw) f.firewall = fw;
    const notes = notesOf(r);
    if (notes) f.notes = notes;
    return f;
  };

  // JSON of a record straight from the columns, equal to JSON.stringify(flowOfRow(r)): every repeated
  // piece (addresses, zones, assets, protocols, maps, judgements, evidence) is encoded once and reused.
  const addrJson = addresses.map((a) => JSON.stringify(a));
  const zoneJson = owners.map((o) => JSON.stringify(o?.zoneId ?? null));
  const assetJson = owners.map((o) => JSON.stringify(o?.assetId ?? null));
  const stringJson: string[] = [];
  const judgementJson: string[] = [];
  const mapJson = new Map<object, string>();
  const js = (v: unknown) => JSON.stringify(v);
  const mj = (m: Record<string, number>) => {
    let t = mapJson.get(m);
    if (t === undefined) mapJson.set(m, (t = js(m)));
    return t;
  };
  const timeJson = (us: number) => {
    const t = iso(us);
    return t === null ? 'null' : `"${t}"`;
  };
  const jsonOfRow = (r: number): string => {
    const s = table.src[r];
    const d = table.dst[r];
    const pid = table.protocol[r];
    const protocol = table.strings[pid];
    const jid = judgementOf[r];
    if (judgementJson[jid] === undefined) {
      const j = judgements[jid];
      judgementJson[jid] = `"verdict":${js(j.verdict)},"reasons":${js(j.reasons)},"conduit":${js(j.conduit)},"disallowed_function_codes":${js(j.disallowedCodes)}`;
    }
    const fcodes = out.functionCodes(table, r, protocol);
    const ecodes = out.exceptionCodes(table, r, protocol);
    const acodes = out.appCodes(table, r, protocol);
    let text =
      `{"src":${addrJson[s]},"dst":${addrJson[d]},"transport":"${table.transportName(r)}","dst_port":${table.dstPort[r]}` +
      `,"protocol":${(stringJson[pid] ??= js(protocol))},"src_zone":${zoneJson[s]},"dst_zone":${zoneJson[d]},"src_asset":${assetJson[s]},"dst_asset":${assetJson[d]}` +
      `,"packets":${table.packets[r]},"bytes":${table.bytes[r]},"first_seen":${timeJson(table.first[r])},"last_seen":${timeJson(table.last[r])}` +
      `,"function_codes":${mj(fcodes)},"exception_codes":${mj(ecodes)},"app_codes":${mj(acodes)},${judgementJson[jid]}` +
      `,"connections":${table.connections[r]},"evidence":${(stringJson[table.evidence[r]] ??= js(table.strings[table.evidence[r]]))}`;
    const fw = table.firewall(r);
    if (fw) text += `,"firewall":{"allowed":${fw.allowed},"denied":${fw.denied}}`;
    const notes = notesOf(r);
    if (notes) text += `,"notes":${js(notes)}`;
    return text + '}';
  };

  const roleBits = observedRoleBits(table);
  const assets: BaselineAsset[] = [];
  for (const [, id] of byKey) {
    if (!roleBits[id]) continue;
    const o = owners[id];
    const r = roleNames(roleBits[id]);
    if (!o) r.push('unknown-device');
    else if (!o.assetId) r.push('not-in-inventory');
    assets.push({ ip: addresses[id], zone: o?.zoneId ?? null, asset: o?.assetId ?? null, model_role: o?.assetId ? (assetsById.get(o.assetId)?.role ?? null) : null, observed_roles: r });
  }
  const by_reason = Object.fromEntries(REASON_ORDER.map((x) => [x, 0])) as Record<Reason, number>;
  let packets = 0;
  let bytes = 0;
  let intra_zone = 0;
  let allowed = 0;
  const perJudgement = new Float64Array(judgements.length);
  for (let r = 0; r < n; r++) {
    packets += table.packets[r];
    bytes += table.bytes[r];
    perJudgement[judgementOf[r]]++;
  }
  judgements.forEach((j, id) => {
    if (j.verdict === 'intra-zone') intra_zone += perJudgement[id];
    else if (j.verdict === 'allowed') allowed += perJudgement[id];
    else for (const x of j.reasons) by_reason[x] += perJudgement[id];
  });

  // The proposal reads one record per class of violating flows that it cannot tell apart (same endpoint
  // owners, transport, port, protocol and request codes), with the class's flow count; unzoned flows one by
  // one, as their addresses are listed. A million flows between a few assets are a handful of records.
  const ownerIndex = new Map<Owner, number>();
  const ownerOf = new Int32Array(addresses.length).fill(-1);
  owners.forEach((o, id) => {
    if (!o) return;
    let k = ownerIndex.get(o);
    if (k === undefined) ownerIndex.set(o, (k = ownerIndex.size));
    ownerOf[id] = k;
  });
  function* proposalFlows(): Generator<ProposalFlow> {
    const classes = new Map<number, Map<number, { r: number; count: number }>>();
    const lone: number[] = [];
    const O = ownerIndex.size;
    for (let i = 0; i < n; i++) {
      const r = order[i];
      if (judgements[judgementOf[r]].verdict !== 'violation') continue;
      const so = ownerOf[table.src[r]];
      const dO = ownerOf[table.dst[r]];
      const k2 = table.protocol[r] * 2 ** 26 + table.requestCodes[r];
      if (so < 0 || dO < 0 || O >= 65536 || table.protocol[r] >= 2 ** 26 || table.requestCodes[r] >= 2 ** 26) {
        lone.push(r);
        continue;
      }
      const k1 = ((so * O + dO) * 4 + table.transport[r]) * 65536 + (table.dstPort[r] & 0xffff);
      let m = classes.get(k1);
      if (!m) classes.set(k1, (m = new Map()));
      const c = m.get(k2);
      if (c && table.dstPort[c.r] === table.dstPort[r]) c.count++;
      else if (!c) m.set(k2, { r, count: 1 });
      else lone.push(r);
    }
    const p: ProposalFlow = { src: '', dst: '', src_zone: null, dst_zone: null, src_asset: null, dst_asset: null, protocol: '', transport: '', dst_port: 0, function_codes: NONE, verdict: 'violation', count: 1 };
    const fill = (r: number, count: number) => {
      const so = owners[table.src[r]];
      const dOwn = owners[table.dst[r]];
      p.src = addresses[table.src[r]];
      p.dst = addresses[table.dst[r]];
      p.src_zone = so?.zoneId ?? null;
      p.dst_zone = dOwn?.zoneId ?? null;
      p.src_asset = so?.assetId ?? null;
      p.dst_asset = dOwn?.assetId ?? null;
      p.protocol = table.protocolName(r);
      p.transport = table.transportName(r);
      p.dst_port = table.dstPort[r];
      p.function_codes = out.functionCodes(table, r, p.protocol);
      p.count = count;
      return p;
    };
    for (const m of classes.values()) for (const c of m.values()) yield fill(c.r, c.count);
    for (const r of lone) yield fill(r, 1);
  }
  const proposed = proposeConduits(model, proposalFlows(), ik);

  let flowsArray: BaselineFlow[] | undefined;
  let violationsArray: BaselineFlow[] | undefined;
  const result: BaselineResult = {
    get flows() {
      if (!flowsArray) {
        flowsArray = new Array(n);
        for (let i = 0; i < n; i++) flowsArray[i] = flowOfRow(order[i]);
      }
      return flowsArray;
    },
    get violations() {
      if (!violationsArray) {
        const all = result.flows;
        violationsArray = new Array(violationCount);
        for (let k = 0; k < violationCount; k++) violationsArray[k] = all[violationPos[k]];
      }
      return violationsArray;
    },
    flowCount: n,
    flowAt: (i) => flowOfRow(order[i]),
    flowJsonAt: (i) => jsonOfRow(order[i]),
    violationJsonAt: (k) => jsonOfRow(order[violationPos[k]]),
    violationCount,
    violationAt: (k) => flowOfRow(order[violationPos[k]]),
    violationIndex: (k) => violationPos[k],
    verdictAt: (i) => judgements[judgementOf[order[i]]].verdict,
    reasonsAt: (i) => judgements[judgementOf[order[i]]].reasons,
    firewallAt: (i) => table.firewall(order[i]),
    hasNotesAt: (i) => notesOf(order[i]) !== undefined,
    assets,
    summary: {
      inputs: input.inputs ?? 0,
      packets,
      bytes,
      flows: n,
      intra_zone,
      allowed,
      violations: violationCount,
      by_reason,
      unzoned_addresses: assets.filter((a) => a.zone === null).length,
      decode: input.decode ?? {},
    },
    proposed,
    diagnostics: [...(input.diagnostics ?? []), ...ir.diagnostics],
  };
  return result;
}

/**
 * Stable counting sort of the items 0..n-1 by a bucket number in [0, nBuckets); items whose bucket is negative
 * are left out. `buckets[b]` is where bucket b starts in `order` (`buckets[nBuckets]` = its length).
 */
function countingSort(n: number, nBuckets: number, bucketOf: (i: number) => number): { order: Int32Array; buckets: Int32Array } {
  const buckets = new Int32Array(nBuckets + 1);
  for (let i = 0; i < n; i++) {
    const b = bucketOf(i);
    if (b >= 0) buckets[b + 1]++;
  }
  for (let b = 0; b < nBuckets; b++) buckets[b + 1] += buckets[b];
  const order = new Int32Array(buckets[nBuckets]);
  const fill = buckets.slice(0, nBuckets);
  for (let i = 0; i < n; i++) {
    const b = bucketOf(i);
    if (b >= 0) order[fill[b]++] = i;
  }
  return { order, buckets };
}

/**
 * Stable sort of positions by a count, largest first. Counts and positions that fit are packed into one
 * float per entry and sorted natively (a million violations in well under a second); others use a comparator.
 */
function sortByPacketsDesc(pos: Int32Array, count: (i: number) => number): void {
  const m = pos.length;
  if (m < 2) return;
  // Already in order (the common case of a million alike flows): nothing to do.
  let sorted = true;
  for (let k = 1; sorted && k < m; k++) if (count(pos[k]) > count(pos[k - 1])) sorted = false;
  if (sorted) return;
  const POS = 2 ** 21;
  let packable = m <= POS;
  for (let k = 0; packable && k < m; k++) {
    const c = count(pos[k]);
    if (!(Number.isInteger(c) && c >= 0 && c < 2 ** 31) || pos[k] >= POS) packable = false;
  }
  if (packable) {
    // Within a reason bucket positions are ascending, so the k-th entry's rank k breaks ties as the position did.
    const keys = new Float64Array(m);
    const orig = pos.slice();
    for (let k = 0; k < m; k++) keys[k] = (2 ** 31 - 1 - count(orig[k])) * POS + k;
    keys.sort();
    for (let k = 0; k < m; k++) pos[k] = orig[keys[k] % POS];
    return;
  }
  const arr = Array.from(pos);
  arr.sort((a, b) => count(b) - count(a) || a - b);
  pos.set(arr);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

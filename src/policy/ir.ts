/**
 * The policy IR: what each ordered zone pair may exchange, lowered once from the model.
 * Every target, the verifier, the baseline classifier, the lab and the prober read this and nothing else
 * for "what is allowed". Everything not in `rules` is denied (SR 5.2 RE1). Documented in docs/policy-ir.md.
 */
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import { defineCode } from '../diagnostics/codes.ts';
import type { Prefix } from '../net/ip.ts';
import type { Transport } from '../model/protocols.ts';
import type { Flow, Model, PortRange, PurdueRange, SLVector, Zone } from '../model/types.ts';

export const COMPILE_MISSING_ADDRESSES = defineCode({ code: 'ZC701', name: 'endpoint-without-addresses', severity: 'error', title: 'A flow endpoint has no addresses to compile' });
export const COMPILE_UNRESOLVED = defineCode({ code: 'ZC702', name: 'unresolved-endpoint', severity: 'error', title: 'A flow endpoint names no zone or asset' });

export interface IREndpoint {
  /** The zone or asset id the model names. */
  ref: string;
  kind: 'zone' | 'asset';
  zoneId: string;
  prefixes: Prefix[];
}

export interface AppConstraints {
  /** Modbus function codes allowed; absent = unrestricted. */
  modbusFunctionCodes?: number[];
  dnp3FunctionCodes?: number[];
  s7Functions?: string[];
  securityMode?: string;
}

export interface PolicyRule {
  /** Stable id: `<conduit>/<entry index>/<from zone>><to zone>` (unique, sortable, safe in configs as text). */
  id: string;
  conduitId: string;
  fromZone: string;
  toZone: string;
  /** Initiators. */
  src: IREndpoint[];
  /** Responders. */
  dst: IREndpoint[];
  protocol: string;
  transport: Transport;
  /** Responder ports; empty = any. */
  ports: PortRange[];
  app: AppConstraints;
  /** Replies carry no application data back (diode flows). */
  oneWay: boolean;
  /** The conduit is a hardware data diode in this direction. */
  diode: boolean;
  modelPath: string;
}

export interface IRZone {
  id: string;
  name: string;
  prefixes: Prefix[];
  vlan?: number;
  gateway?: string;
  purdue?: PurdueRange;
  slT?: SLVector;
  safety: boolean;
}

export interface PolicyIR {
  facility: string;
  zones: IRZone[];
  rules: PolicyRule[];
  diagnostics: Diagnostic[];
}

function endpointFor(model: Model, ref: string, zonesById: Map<string, Zone>): IREndpoint | undefined {
  const zone = zonesById.get(ref);
  if (zone) return { ref, kind: 'zone', zoneId: zone.id, prefixes: zone.prefixes };
  for (const z of model.zones) {
    const a = z.assets.find((x) => x.id === ref);
    if (a) return { ref, kind: 'asset', zoneId: z.id, prefixes: a.prefixes };
  }
  return undefined;
}

function groupByZone(eps: IREndpoint[]): Map<string, IREndpoint[]> {
  const m = new Map<string, IREndpoint[]>();
  for (const e of eps) {
    const l = m.get(e.zoneId) ?? [];
    l.push(e);
    m.set(e.zoneId, l);
  }
  return m;
}

/** Lowers the model's conduit flows into one rule per (flow, initiator zone, responder zone). */
export function compilePolicy(model: Model, locate?: (path: string) => { line: number; column: number } | undefined): PolicyIR {
  const diagnostics: Diagnostic[] = [];
  const zonesById = new Map(model.zones.map((z) => [z.id, z]));
  const rules: PolicyRule[] = [];
  const report = (code: typeof COMPILE_MISSING_ADDRESSES, path: string, message: string, ids: string[]) => {
    const pos = locate?.(path);
    diagnostics.push({ code: code.code, severity: code.severity, message, file: model.file, line: pos?.line, column: pos?.column, path, ids });
  };
  for (const c of model.conduits) {
    for (const f of c.flows) {
      const resolve = (refs: string[], key: 'from' | 'to'): IREndpoint[] => {
        const out: IREndpoint[] = [];
        for (const ref of refs) {
          const ep = endpointFor(model, ref, zonesById);
          if (!ep) {
            report(COMPILE_UNRESOLVED, `${f.path}.${key}`, `flow ${f.protocol} in ${c.id}: "${ref}" is not a zone or asset id`, [c.id, ref]);
            continue;
          }
          if (ep.prefixes.length === 0) {
            const what = ep.kind === 'zone' ? `zone ${ref} has no \`subnets\`` : `asset ${ref} has no \`ip\``;
            report(COMPILE_MISSING_ADDRESSES, `${f.path}.${key}`, `flow ${f.protocol} in ${c.id}: ${what}`, [c.id, ref, ep.zoneId]);
            continue;
          }
          out.push(ep);
        }
        return out;
      };
      const src = groupByZone(resolve(f.from, 'from'));
      const dst = groupByZone(resolve(f.to, 'to'));
      for (const [fromZone, s] of src) {
        for (const [toZone, d] of dst) {
          if (fromZone === toZone) continue; // intra-zone traffic needs no conduit
          rules.push(ruleFor(c.id, f, fromZone, toZone, s, d, c.diode?.from === fromZone && c.diode?.to === toZone));
        }
      }
    }
  }
  rules.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const zones: IRZone[] = model.zones.map((z) => ({
    id: z.id,
    name: z.name,
    prefixes: z.prefixes,
    vlan: z.vlan,
    gateway: z.gateway,
    purdue: z.purdue,
    slT: z.slT,
    safety: z.safety,
  }));
  return { facility: model.facility, zones, rules, diagnostics };
}

function ruleFor(conduitId: string, f: Flow, fromZone: string, toZone: string, src: IREndpoint[], dst: IREndpoint[], diode: boolean): PolicyRule {
  const app: AppConstraints = {};
  if (f.functionCodes) app.modbusFunctionCodes = f.functionCodes;
  if (f.dnp3FunctionCodes) app.dnp3FunctionCodes = f.dnp3FunctionCodes;
  if (f.s7Functions) app.s7Functions = f.s7Functions;
  if (f.securityMode) app.securityMode = f.securityMode;
  return {
    id: `${conduitId}/${String(f.entryIndex).padStart(3, '0')}/${fromZone}>${toZone}`,
    conduitId,
    fromZone,
    toZone,
    src,
    dst,
    protocol: f.protocol,
    transport: f.transport,
    ports: f.ports,
    app,
    oneWay: f.oneWay || diode,
    diode,
    modelPath: f.path,
  };
}

/** Rules grouped by ordered zone pair key `from>to`. */
export function rulesByZonePair(ir: PolicyIR): Map<string, PolicyRule[]> {
  const m = new Map<string, PolicyRule[]>();
  for (const r of ir.rules) {
    const k = `${r.fromZone}>${r.toZone}`;
    const l = m.get(k) ?? [];
    l.push(r);
    m.set(k, l);
  }
  return m;
}

export function portsText(ports: PortRange[]): string {
  if (ports.length === 0) return 'any';
  return ports.map((p) => (p.lo === p.hi ? String(p.lo) : `${p.lo}-${p.hi}`)).join(',');
}

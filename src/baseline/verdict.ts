/**
 * Flow verdicts against the policy IR (the only description of what is allowed): intra-zone, allowed, or a
 * violation with reasons. The IR is indexed once per ordered zone pair; no policy is re-derived here.
 */
import type { PolicyIR, PolicyRule } from '../policy/ir.ts';
import { prefixContains, parseIp } from '../net/ip.ts';
import type { Owner } from '../policy/zone-index.ts';
import { parseV4 } from './zones.ts';
import { S7_FUNCTIONS } from '../capture/s7comm.ts';

const S7_CODE_BY_NAME = new Map(Object.entries(S7_FUNCTIONS).map(([k, v]) => [v, Number(k)]));

export type Verdict = 'intra-zone' | 'allowed' | 'violation';
export type Reason = 'no-conduit' | 'wrong-direction' | 'port-not-allowed' | 'function-code-not-allowed' | 'unzoned-endpoint';

export interface Judgement {
  verdict: Verdict;
  reasons: Reason[];
  /** The conduit that allows the flow, or the one closest to allowing it (for port / function-code reasons). */
  conduit: string | null;
  rule: string | null;
  /** Function codes the matching rule does not allow (function-code-not-allowed). */
  disallowedCodes: number[];
}

/** What a verdict reads of a flow. */
export interface JudgedFlow {
  src: string;
  dst: string;
  transport: string;
  dstPort: number;
  protocol: string;
  bytesBack: number;
  requestCodes: Readonly<Record<number, number>>;
  appCodes: Readonly<Record<string, number>>;
}

export class PolicyJudge {
  /** Rules by source zone, then destination zone: no key string per flow. */
  private readonly byPair = new Map<string, Map<string, PolicyRule[]>>();

  constructor(ir: PolicyIR) {
    for (const r of ir.rules) {
      let to = this.byPair.get(r.fromZone);
      if (!to) this.byPair.set(r.fromZone, (to = new Map()));
      const l = to.get(r.toZone) ?? [];
      l.push(r);
      to.set(r.toZone, l);
    }
  }

  judge(f: JudgedFlow, src: Owner | undefined, dst: Owner | undefined): Judgement {
    if (!src || !dst) return UNZONED;
    if (src.zoneId === dst.zoneId) return INTRA_ZONE;
    const forward = this.byPair.get(src.zoneId)?.get(dst.zoneId) ?? NO_RULES;
    const reverse = this.byPair.get(dst.zoneId)?.get(src.zoneId) ?? NO_RULES;
    if (forward.length === 0 && reverse.length === 0) return NO_CONDUIT;
    const ipS = fastIp(f.src);
    const ipD = fastIp(f.dst);
    if (!ipS.ok || !ipD.ok) return UNZONED;
    const fam = ipS.value.family;
    const inEp = (eps: PolicyRule['src'], v: bigint) => eps.some((e) => e.prefixes.some((p) => prefixContains(p, fam, v)));
    const transportOk = (r: PolicyRule) => r.transport === f.transport;
    const portOk = (r: PolicyRule) => r.ports.length === 0 || r.ports.some((p) => f.dstPort >= p.lo && f.dstPort <= p.hi);
    const endpoints = forward.filter((r) => inEp(r.src, ipS.value.value) && inEp(r.dst, ipD.value.value) && transportOk(r));
    const ported = endpoints.filter(portOk);
    if (ported.length) {
      let best: { r: PolicyRule; bad: number[] } | undefined;
      for (const r of ported) {
        const bad = disallowed(r, f);
        if (bad.length === 0) {
          if (r.oneWay && f.bytesBack > 0 && f.transport !== 'tcp') return none('violation', ['wrong-direction'], r.conduitId, r.id);
          return none('allowed', [], r.conduitId, r.id);
        }
        if (!best || bad.length < best.bad.length) best = { r, bad };
      }
      return none('violation', ['function-code-not-allowed'], best!.r.conduitId, best!.r.id, best!.bad);
    }
    if (endpoints.length) return none('violation', ['port-not-allowed'], endpoints[0].conduitId, endpoints[0].id);
    // Allowed the other way round: the responder may open this conversation, not the initiator.
    const rev = reverse.find((r) => inEp(r.src, ipD.value.value) && inEp(r.dst, ipS.value.value) && transportOk(r));
    if (rev) return none('violation', ['wrong-direction'], rev.conduitId, rev.id);
    return none('violation', ['no-conduit']);
  }
}

function none(verdict: Verdict, reasons: Reason[], conduit: string | null = null, rule: string | null = null, codes: number[] = []): Judgement {
  return { verdict, reasons, conduit, rule, disallowedCodes: codes };
}

/** Shared results for the common cases (frozen: callers never mutate a judgement). */
const NO_CONDUIT: Judgement = Object.freeze(none('violation', ['no-conduit'])) as Judgement;
const UNZONED: Judgement = Object.freeze(none('violation', ['unzoned-endpoint'])) as Judgement;
const INTRA_ZONE: Judgement = Object.freeze(none('intra-zone', [])) as Judgement;
const NO_RULES: readonly PolicyRule[] = [];

function fastIp(s: string): ReturnType<typeof parseIp> {
  const v = parseV4(s);
  return v >= 0 ? { ok: true, value: { family: 4, value: BigInt(v), text: s } } : parseIp(s);
}

/** Function codes the initiator sent that the rule does not allow (Modbus; DNP3 and S7 job functions when constrained). */
function disallowed(r: PolicyRule, f: JudgedFlow): number[] {
  const out: number[] = [];
  if (f.protocol === 'modbus' && r.app.modbusFunctionCodes) {
    const ok = new Set(r.app.modbusFunctionCodes);
    for (const k of Object.keys(f.requestCodes)) if (!ok.has(Number(k) & 0x7f)) out.push(Number(k));
  } else if (f.protocol === 's7comm' && r.app.s7Functions) {
    // Model names (`read-var`) or numbers (`4`, `0x04`) of S7 job functions.
    const ok = new Set(r.app.s7Functions.map((x) => x.toLowerCase()));
    for (const name of Object.keys(f.appCodes)) {
      const [kind, fn] = name.split(':');
      if (kind !== 'job') continue;
      const code = S7_CODE_BY_NAME.get(fn) ?? (/^function-0x[0-9a-f]+$/.test(fn) ? parseInt(fn.slice(11), 16) : -1);
      if (ok.has(fn) || ok.has(String(code)) || ok.has(`0x${code.toString(16).padStart(2, '0')}`) || ok.has(`0x${code.toString(16)}`)) continue;
      out.push(code);
    }
  } else if (f.protocol === 'dnp3' && r.app.dnp3FunctionCodes) {
    const ok = new Set(r.app.dnp3FunctionCodes);
    for (const k of Object.keys(f.requestCodes)) if (!ok.has(Number(k))) out.push(Number(k));
  }
  return out.sort((a, b) => a - b);
}

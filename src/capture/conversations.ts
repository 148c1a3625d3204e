/**
 * Conversation table → Observations: orients each conversation (SYN, else the well-known server port, else
 * the first sender), names the application protocol and turns the code counters into per-direction maps.
 */
import { ConnTable, CodeCounter, FAMILY_V4 } from './conn-table.ts';
import { APP_DNP3, APP_ENIP, APP_MODBUS, APP_NAMES, APP_OPCUA, APP_S7, APP_TLS } from './classify.ts';
import { PROTO_ICMP, PROTO_ICMPV6, PROTO_TCP, PROTO_UDP } from './decode.ts';
import { S7_FUNCTIONS, S7_ROSCTR } from './s7comm.ts';
import { ENIP_COMMANDS, cipServiceName } from './enip.ts';
import { OPCUA_SECURITY_NONE, OPCUA_SECURITY_SECURED, OPCUA_TYPE_NAMES } from './opcua.ts';
import { SERVER_PORTS, type Observation, type ObservedTransport } from './observation.ts';

export function ipv4Text(v: number): string {
  return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
}

export function ipv6Text(w: readonly number[]): string {
  const g: number[] = [];
  for (const x of w) g.push(x >>> 16, x & 0xffff);
  // Longest run of zero groups (≥ 2) becomes "::" (RFC 5952).
  let bs = -1;
  let bl = 0;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bl && j - i >= 2) {
      bs = i;
      bl = j - i;
    }
    i = j;
  }
  const hex = (a: number[]) => a.map((x) => x.toString(16)).join(':');
  if (bs < 0) return hex(g);
  return `${hex(g.slice(0, bs))}::${hex(g.slice(bs + bl))}`;
}

function transportOf(proto: number): ObservedTransport {
  return proto === PROTO_TCP ? 'tcp' : proto === PROTO_UDP ? 'udp' : proto === PROTO_ICMP || proto === PROTO_ICMPV6 ? 'icmp' : 'other';
}

/** Which side (0 = A, 1 = B) initiated, and how that was decided. */
export function initiatorSide(t: ConnTable, e: number): { side: number; by: Observation['initiatorBy'] } {
  if (t.syn[e] === 1) return { side: 0, by: 'syn' };
  if (t.syn[e] === 2) return { side: 1, by: 'syn' };
  const proto = t.proto(e);
  if (proto === PROTO_TCP || proto === PROTO_UDP) {
    const pa = t.portA(e);
    const pb = t.portB(e);
    const sa = SERVER_PORTS.has(pa);
    const sb = SERVER_PORTS.has(pb);
    if (sb && !sa) return { side: 0, by: 'port' };
    if (sa && !sb) return { side: 1, by: 'port' };
    if (!sa && !sb) {
      if (pb < 1024 && pa >= 1024) return { side: 0, by: 'port' };
      if (pa < 1024 && pb >= 1024) return { side: 1, by: 'port' };
    }
  }
  return { side: t.firstDir[e], by: 'first-packet' };
}

function appName(app: number, code: number): string | undefined {
  if (app === APP_S7) {
    const r = code >> 8;
    const f = code & 0xff;
    return `${S7_ROSCTR[r] ?? `rosctr-${r}`}:${f === 0xff ? 'none' : (S7_FUNCTIONS[f] ?? `function-0x${f.toString(16)}`)}`;
  }
  if (app === APP_ENIP) {
    const c = code >> 8;
    const s = code & 0xff;
    return `${ENIP_COMMANDS[c] ?? `command-0x${c.toString(16)}`}${s === 0xff ? '' : `:${cipServiceName(s)}`}`;
  }
  if (app === APP_OPCUA) {
    if (code === OPCUA_SECURITY_NONE) return 'security:none';
    if (code === OPCUA_SECURITY_SECURED) return 'security:secured';
    return OPCUA_TYPE_NAMES[code];
  }
  return undefined;
}

/**
 * The table's conversations as Observations, in table order. With `perConversation` false (the default),
 * conversations of the same flow (initiator, responder, transport, responder port) are merged into one
 * Observation as they are produced, so a capture with a million short connections does not hold a million
 * objects; `srcPort` is then the first conversation's.
 */
export function observationsFrom(t: ConnTable, codes: CodeCounter, files: readonly string[], perConversation = false): Observation[] {
  const out: Observation[] = [];
  const obsOf = new Int32Array(t.size);
  const sideOf = new Uint8Array(t.size);
  // Flow merge keyed in a second typed-array table (initiator, responder, protocol, responder port): no string keys.
  const flowTable = perConversation ? null : new ConnTable(1024);
  const v4 = new Map<number, string>();
  const text4 = (v: number): string => {
    let s = v4.get(v);
    if (s === undefined) v4.set(v, (s = ipv4Text(v)));
    return s;
  };
  const k = t.keys;
  for (let e = 0; e < t.size; e++) {
    const init = initiatorSide(t, e);
    const side = init.side;
    const o = side; // index of the initiator → responder direction (dir 0 = A→B)
    sideOf[e] = side;
    const proto = t.proto(e);
    const pa = t.portA(e);
    const pb = t.portB(e);
    const dstPort = side === 0 ? pb : pa;
    const app = t.app[e];
    if (flowTable) {
      const b = e * 10;
      const ia = side === 0 ? b + 2 : b + 6;
      const ra = side === 0 ? b + 6 : b + 2;
      const before = flowTable.size;
      const f = flowTable.lookup(k[b], dstPort, k[ia], k[ia + 1], k[ia + 2], k[ia + 3], k[ra], k[ra + 1], k[ra + 2], k[ra + 3]);
      obsOf[e] = f;
      if (flowTable.size === before) {
        const prev = out[f];
        prev.packetsOut += t.pkts[2 * e + o];
        prev.bytesOut += t.bytes[2 * e + o];
        prev.packetsIn += t.pkts[2 * e + (1 - o)];
        prev.bytesIn += t.bytes[2 * e + (1 - o)];
        if (t.first[e] < prev.first) prev.first = t.first[e];
        if (t.last[e] > prev.last) prev.last = t.last[e];
        prev.connections++;
        if (prev.protocol === 'unknown' && app !== 0 && app !== 255) prev.protocol = APP_NAMES[app];
        if (init.by === 'syn') prev.initiatorBy = 'syn';
        continue;
      }
    } else obsOf[e] = out.length;
    const fam = t.family(e) === FAMILY_V4 ? 4 : 6;
    const textA = fam === 4 ? text4(k[e * 10 + 2]) : ipv6Text(t.addr(e, 0));
    const textB = fam === 4 ? text4(k[e * 10 + 6]) : ipv6Text(t.addr(e, 1));
    const transport = transportOf(proto);
    const obs: Observation = {
      family: fam,
      src: side === 0 ? textA : textB,
      dst: side === 0 ? textB : textA,
      transport,
      ipProto: proto,
      srcPort: side === 0 ? pa : pb,
      dstPort,
      protocol: APP_NAMES[app] ?? 'unknown',
      packetsOut: t.pkts[2 * e + o],
      bytesOut: t.bytes[2 * e + o],
      packetsIn: t.pkts[2 * e + (1 - o)],
      bytesIn: t.bytes[2 * e + (1 - o)],
      first: t.first[e],
      last: t.last[e],
      initiatorBy: init.by,
      requestCodes: NO_CODES,
      responseCodes: NO_CODES,
      appCodes: NO_CODES as Record<string, number>,
      connections: 1,
      file: files[t.fileOf[e]] ?? '',
    };
    if (transport === 'other') obs.protocol = `ip-proto-${proto}`;
    if (app === APP_TLS && dstPort === 443) obs.protocol = 'https';
    out.push(obs);
  }
  // Function codes straight from the counter table into the observations. A flow's first code takes a shared
  // one-entry map ({3: 1} for a million short polls, no object per flow); later codes copy it first.
  const singles = new Map<number, Record<number, number>>();
  const shared = new Set<Record<number, number>>();
  const addCode = (m: Record<number, number>, code: number, n: number): Record<number, number> => {
    if (m === NO_CODES && code < 65536 && n < 4294967296) {
      const key = code * 4294967296 + n;
      let one = singles.get(key);
      if (!one) {
        one = { [code]: n };
        singles.set(key, one);
        shared.add(one);
      }
      return one;
    }
    const w = m === NO_CODES ? {} : shared.has(m) ? { ...m } : m;
    w[code] = (w[code] ?? 0) + n;
    return w;
  };
  codes.forEach((entry, dir, code, n) => {
    const obs = out[obsOf[entry]];
    const app = t.app[entry];
    if (app === APP_MODBUS || app === APP_DNP3) {
      if (dir === sideOf[entry]) obs.requestCodes = addCode(obs.requestCodes, code, n);
      else obs.responseCodes = addCode(obs.responseCodes, code, n);
    } else {
      const name = appName(app, code);
      if (!name) return;
      if (obs.appCodes === NO_CODES) obs.appCodes = {};
      obs.appCodes[name] = (obs.appCodes[name] ?? 0) + n;
    }
  });
  // Hash-consing: flows with equal counts share one map (a million short polls all carry {3: 1}). Maps are
  // treated as immutable from here on (addCodes copies before writing).
  const interned = new Map<string, Record<number, number>>();
  const intern = <T extends Record<string | number, number>>(m: T): T => {
    if (m === NO_CODES || shared.has(m)) return m;
    let key = '';
    for (const c in m) key += `${c}:${m[c]},`;
    const hit = interned.get(key);
    if (hit) return hit as T;
    interned.set(key, m);
    return m;
  };
  for (const obs of out) {
    obs.requestCodes = intern(obs.requestCodes);
    obs.responseCodes = intern(obs.responseCodes);
  }
  return out;
}

/** Shared, frozen "no codes" map: most conversations carry none, and a million empty objects cost GC time. */
export const NO_CODES: Record<number, number> = Object.freeze({}) as Record<number, number>;

/** Adds `from` into `into`, copying `into` first when it is shared (NO_CODES or another record's map). */
export function addCodes<K extends string | number>(into: Record<K, number>, from: Record<K, number>): Record<K, number> {
  let out = into;
  let copied = false;
  for (const k in from) {
    if (!copied) {
      out = { ...into };
      copied = true;
    }
    out[k] = (out[k] ?? 0) + from[k];
  }
  return out;
}

/**
 * Conversation table → flows (and, for comparisons with tshark, one Observation per conversation): orients
 * each conversation (SYN, else the well-known server port, else the first sender), names the application
 * protocol and turns the code counters into per-direction maps.
 */
import { ConnTable, CodeCounter, FAMILY_V4 } from './conn-table.ts';
import { APP_DNP3, APP_ENIP, APP_MODBUS, APP_NAMES, APP_OPCUA, APP_S7, APP_TLS } from './classify.ts';
import { PROTO_ICMP, PROTO_ICMPV6, PROTO_TCP, PROTO_UDP } from './decode.ts';
import { S7_FUNCTIONS, S7_ROSCTR } from './s7comm.ts';
import { ENIP_COMMANDS, cipServiceName } from './enip.ts';
import { OPCUA_SECURITY_NONE, OPCUA_SECURITY_SECURED, OPCUA_TYPE_NAMES } from './opcua.ts';
import { SERVER_PORTS, type Observation, type ObservedTransport } from './observation.ts';
import { CODES_APP, CODES_REQUEST, CODES_RESPONSE, CodeSums, type FlowTable } from './flow-table.ts';

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
  const c = initiatorCode(t, e);
  return { side: c & 1, by: BY_NAMES[c >> 1] };
}

const BY_NAMES: readonly Observation['initiatorBy'][] = ['syn', 'port', 'first-packet'];

/** `initiatorSide` as a number (side + 2 × index of how in BY_NAMES): nothing allocated. */
function initiatorCode(t: ConnTable, e: number): number {
  if (t.syn[e] === 1) return 0;
  if (t.syn[e] === 2) return 1;
  const proto = t.proto(e);
  if (proto === PROTO_TCP || proto === PROTO_UDP) {
    const pa = t.portA(e);
    const pb = t.portB(e);
    const sa = SERVER_PORTS.has(pa);
    const sb = SERVER_PORTS.has(pb);
    if (sb && !sa) return 2;
    if (sa && !sb) return 3;
    if (!sa && !sb) {
      if (pb < 1024 && pa >= 1024) return 2;
      if (pa < 1024 && pb >= 1024) return 3;
    }
  }
  return 4 + t.firstDir[e];
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

/** Application protocol name of a conversation, as flows and observations carry it. */
function protocolName(app: number, proto: number, dstPort: number): string {
  if (transportOf(proto) === 'other') return `ip-proto-${proto}`;
  if (app === APP_TLS && dstPort === 443) return 'https';
  return APP_NAMES[app] ?? 'unknown';
}

/** The table's conversations as Observations, one per conversation in table order (comparisons with tshark). */
export function observationsFrom(t: ConnTable, codes: CodeCounter, files: readonly string[]): Observation[] {
  const out: Observation[] = [];
  const k = t.keys;
  const sideOf = new Uint8Array(t.size);
  for (let e = 0; e < t.size; e++) {
    const init = initiatorSide(t, e);
    const side = init.side;
    sideOf[e] = side;
    const proto = t.proto(e);
    const pa = t.portA(e);
    const pb = t.portB(e);
    const dstPort = side === 0 ? pb : pa;
    const fam = t.family(e) === FAMILY_V4 ? 4 : 6;
    const textA = fam === 4 ? ipv4Text(k[e * 10 + 2]) : ipv6Text(t.addr(e, 0));
    const textB = fam === 4 ? ipv4Text(k[e * 10 + 6]) : ipv6Text(t.addr(e, 1));
    out.push({
      family: fam,
      src: side === 0 ? textA : textB,
      dst: side === 0 ? textB : textA,
      transport: transportOf(proto),
      ipProto: proto,
      srcPort: side === 0 ? pa : pb,
      dstPort,
      protocol: protocolName(t.app[e], proto, dstPort),
      packetsOut: t.pkts[2 * e + side],
      bytesOut: t.bytes[2 * e + side],
      packetsIn: t.pkts[2 * e + (1 - side)],
      bytesIn: t.bytes[2 * e + (1 - side)],
      first: t.first[e],
      last: t.last[e],
      initiatorBy: init.by,
      requestCodes: {},
      responseCodes: {},
      appCodes: {},
      connections: 1,
      file: files[t.fileOf[e]] ?? '',
    });
  }
  codes.forEach((entry, dir, code, n) => {
    const obs = out[entry];
    const app = t.app[entry];
    if (app === APP_MODBUS || app === APP_DNP3) {
      const m = dir === sideOf[entry] ? obs.requestCodes : obs.responseCodes;
      m[code] = (m[code] ?? 0) + n;
    } else {
      const name = appName(app, code);
      if (name) obs.appCodes[name] = (obs.appCodes[name] ?? 0) + n;
    }
  });
  return out;
}

/**
 * Adds the table's conversations to a flow table: each conversation is oriented, then merged into its flow
 * (initiator, responder, transport, responder port). No object per conversation or per flow: function-code
 * counters are grouped per flow and interned as maps (a million short polls all share `{3: 1}`).
 */
export function addConversations(t: ConnTable, codes: CodeCounter, files: readonly string[], table: FlowTable): void {
  const rowOf = new Int32Array(t.size);
  const sideOf = new Uint8Array(t.size);
  const fileIds = files.map((f) => table.string(f));
  const unknownId = table.string('unknown');
  const protocolIds = new Map<string, number>();
  const k = t.keys;
  for (let e = 0; e < t.size; e++) {
    const init = initiatorCode(t, e);
    const side = init & 1;
    sideOf[e] = side;
    const proto = t.proto(e);
    const b = e * 10;
    const dstPort = side === 0 ? k[b + 1] & 0xffff : k[b + 1] >>> 16;
    const v4 = t.family(e) === FAMILY_V4;
    const srcId = v4 ? table.addressV4(k[side === 0 ? b + 2 : b + 6]) : table.address(ipv6Text(t.addr(e, side)));
    const dstId = v4 ? table.addressV4(k[side === 0 ? b + 6 : b + 2]) : table.address(ipv6Text(t.addr(e, 1 - side)));
    const ti = proto === PROTO_TCP ? 0 : proto === PROTO_UDP ? 1 : proto === PROTO_ICMP || proto === PROTO_ICMPV6 ? 2 : 3;
    const before = table.size;
    const r = table.row(srcId, dstId, ti, dstPort);
    rowOf[e] = r;
    const app = t.app[e];
    if (table.size !== before) {
      const name = protocolName(app, proto, dstPort);
      let pid = protocolIds.get(name);
      if (pid === undefined) protocolIds.set(name, (pid = table.string(name)));
      table.protocol[r] = pid;
      table.evidence[r] = fileIds[t.fileOf[e]] ?? table.string('');
    } else {
      if (table.protocol[r] === unknownId && app !== 0 && app !== 255) table.protocol[r] = table.string(protocolName(app, proto, dstPort));
    }
    table.addCounts(r, t.pkts[2 * e + side], t.bytes[2 * e + side], t.pkts[2 * e + 1 - side], t.bytes[2 * e + 1 - side], t.first[e], t.last[e], 1);
  }
  // Counters in entry order (rows were made in that order, so access stays mostly sequential). A row's first
  // code takes an interned one-entry map; a row that gets more is summed in a private object, interned last.
  const sums = new CodeSums(table);
  codes.forEach((entry, dir, code, count) => {
    const app = t.app[entry];
    if (app === APP_MODBUS || app === APP_DNP3) sums.add(dir === sideOf[entry] ? CODES_REQUEST : CODES_RESPONSE, rowOf[entry], code, count);
    else {
      const name = appName(app, code);
      if (name) sums.add(CODES_APP, rowOf[entry], name, count);
    }
  });
  sums.finish();
}

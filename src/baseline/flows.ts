/**
 * Observations → flows: one per (initiator, responder, transport, responder port), with packets, bytes,
 * first/last seen and function-code counts summed over every conversation and input.
 */
import type { Observation, ObservedTransport } from '../capture/observation.ts';
import { addCodes } from '../capture/conversations.ts';

export interface AggregatedFlow {
  family: 4 | 6;
  src: string;
  dst: string;
  transport: ObservedTransport;
  dstPort: number;
  protocol: string;
  packets: number;
  bytes: number;
  /** Responder → initiator share (a one-way conduit must see none carrying data). */
  packetsBack: number;
  bytesBack: number;
  first: number;
  last: number;
  connections: number;
  /** Modbus/DNP3 function codes sent by the initiator. */
  requestCodes: Record<number, number>;
  responseCodes: Record<number, number>;
  appCodes: Record<string, number>;
  /** Firewall logs: how many records said allowed / denied. */
  fwAllowed: number;
  fwDenied: number;
  /** Evidence: the first input (file[:line]) this flow was seen in. */
  evidence: string;
}

export function flowKey(src: string, dst: string, transport: string, dstPort: number): string {
  return `${src}|${dst}|${transport}|${dstPort}`;
}


const TRANSPORT_INDEX: Record<string, number> = { tcp: 0, udp: 1, icmp: 2, other: 3 };
const ID_LIMIT = 131072; // 2^17 addresses: ((src * 2^17 + dst) * 4 + transport) * 2^16 + port < 2^53

export function aggregate(observations: Iterable<Observation>): AggregatedFlow[] {
  // Numeric keys from address ids (no key string per flow); a flow whose ids or transport do not fit takes a
  // string key, always the same one for that flow, so the two maps never split a flow.
  const ids = new Map<string, number>();
  const id = (ip: string) => {
    let v = ids.get(ip);
    if (v === undefined) ids.set(ip, (v = ids.size));
    return v;
  };
  const byNumber = new Map<number, AggregatedFlow>();
  const byString = new Map<string, AggregatedFlow>();
  const out: AggregatedFlow[] = [];
  for (const o of observations) {
    const si = id(o.src);
    const di = id(o.dst);
    const ti = TRANSPORT_INDEX.hasOwnProperty(o.transport) ? TRANSPORT_INDEX[o.transport] : -1;
    const numeric = si < ID_LIMIT && di < ID_LIMIT && ti >= 0 && Number.isInteger(o.dstPort) && o.dstPort >= 0 && o.dstPort < 65536;
    const nk = numeric ? ((si * ID_LIMIT + di) * 4 + ti) * 65536 + o.dstPort : 0;
    const k = numeric ? '' : flowKey(o.src, o.dst, o.transport, o.dstPort);
    let f = numeric ? byNumber.get(nk) : byString.get(k);
    const fresh = !f;
    if (!f) {
      f = {
        family: o.family,
        src: o.src,
        dst: o.dst,
        transport: o.transport,
        dstPort: o.dstPort,
        protocol: o.protocol,
        packets: 0,
        bytes: 0,
        packetsBack: 0,
        bytesBack: 0,
        first: NaN,
        last: NaN,
        connections: 0,
        // Shared with the observation until a second one is merged in (copy on write in addCodes).
        requestCodes: o.requestCodes,
        responseCodes: o.responseCodes,
        appCodes: o.appCodes,
        fwAllowed: 0,
        fwDenied: 0,
        evidence: o.line !== undefined ? `${o.file}:${o.line}` : o.file,
      };
      if (numeric) byNumber.set(nk, f);
      else byString.set(k, f);
      out.push(f);
    }
    if (f.protocol === 'unknown' && o.protocol !== 'unknown') f.protocol = o.protocol;
    f.packets += o.packetsOut + o.packetsIn;
    f.bytes += o.bytesOut + o.bytesIn;
    f.packetsBack += o.packetsIn;
    f.bytesBack += o.bytesIn;
    if (!(f.first <= o.first)) f.first = Number.isNaN(o.first) ? f.first : o.first;
    if (!(f.last >= o.last)) f.last = Number.isNaN(o.last) ? f.last : o.last;
    f.connections += o.connections;
    if (!fresh) {
      f.requestCodes = addCodes(f.requestCodes, o.requestCodes);
      f.responseCodes = addCodes(f.responseCodes, o.responseCodes);
      f.appCodes = addCodes(f.appCodes, o.appCodes);
    }
    if (o.action === 'allowed') f.fwAllowed += o.connections;
    if (o.action === 'denied') f.fwDenied += o.connections;
  }
  return out;
}

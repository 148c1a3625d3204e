/** Shared helpers for text log inputs: address checks, syslog timestamps, observation building. */
import { parseIp } from '../net/ip.ts';
import { protocolForPort } from '../model/protocols.ts';
import { emptyObservation, SERVER_PORTS, type Observation, type ObservedTransport } from '../capture/observation.ts';

export interface LogParse {
  observations: Observation[];
  /** Lines that carried connection facts. */
  used: number;
  /** Lines skipped (other message types), by reason, with the first line number. */
  skipped: Map<string, { count: number; firstLine: number }>;
}

export function newParse(): LogParse {
  return { observations: [], used: 0, skipped: new Map() };
}

export function skip(p: LogParse, reason: string, line: number): void {
  const s = p.skipped.get(reason);
  if (s) s.count++;
  else p.skipped.set(reason, { count: 1, firstLine: line });
}

/** Canonical address text, or null when the text is not an IP address (host names, typos). */
export function ipText(s: string): { family: 4 | 6; text: string } | null {
  // Canonical dotted IPv4 (most log addresses) is its own text: checked in one pass, nothing looked up.
  if (isCanonicalV4(s)) return { family: 4, text: s };
  // Others (IPv6, odd spellings): parse each once (bounded memo).
  let r = ipMemo.get(s);
  if (r === undefined) {
    const p = parseIp(s);
    r = p.ok ? { family: p.value.family, text: p.value.text } : null;
    if (ipMemo.size >= 1 << 18) ipMemo.clear();
    ipMemo.set(s, r);
  }
  return r;
}

const ipMemo = new Map<string, { family: 4 | 6; text: string } | null>();

/** Four decimal parts 0-255 without leading zeros, separated by dots: the canonical text of an IPv4 address. */
function isCanonicalV4(s: string): boolean {
  let parts = 0;
  let digits = 0;
  let value = 0;
  for (let i = 0; i <= s.length; i++) {
    const c = i < s.length ? s.charCodeAt(i) : 46;
    if (c === 46) {
      if (digits === 0 || value > 255 || ++parts > 4) return false;
      digits = 0;
      value = 0;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && value === 0) return false; // leading zero
      value = value * 10 + (c - 48);
      if (++digits > 3) return false;
    } else return false;
  }
  return parts === 4;
}

export function transportOf(proto: string | number): { transport: ObservedTransport; ipProto: number } {
  const p = typeof proto === 'number' ? proto : /^\d+$/.test(proto) ? Number(proto) : proto.toLowerCase();
  if (p === 'tcp' || p === 6) return { transport: 'tcp', ipProto: 6 };
  if (p === 'udp' || p === 17) return { transport: 'udp', ipProto: 17 };
  if (p === 'icmp' || p === 1) return { transport: 'icmp', ipProto: 1 };
  if (p === 'icmp6' || p === 'icmpv6' || p === 'ipv6-icmp' || p === 58) return { transport: 'icmp', ipProto: 58 };
  return { transport: 'other', ipProto: typeof p === 'number' ? p : 0 };
}

const MONTHS: Record<string, number> = { jan: 0, feb: 1, mar: 2, apr: 3, may: 4, jun: 5, jul: 6, aug: 7, sep: 8, oct: 9, nov: 10, dec: 11 };

/**
 * µs since the epoch from a syslog line's leading timestamp (RFC 3339, or "Mon DD YYYY HH:MM:SS");
 * NaN when the line has none or no year (a year-less BSD timestamp cannot be placed in time).
 */
export function syslogTime(line: string): number {
  // A line that starts with a BSD header with a year ("<134>May  5 2024 19:02:26") is read by it alone;
  // otherwise an ISO 8601 time in the first 64 characters, then a BSD header anywhere at the start.
  const c0 = line.charCodeAt(0);
  const bsdFirst = (c0 >= 65 && c0 <= 90) || c0 === 60;
  if (bsdFirst) {
    const t = bsdTime(line);
    if (!Number.isNaN(t)) return t;
  }
  const iso = /(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d:\d\d(?:\.\d+)?)(Z|[+-]\d\d:?\d\d)?/.exec(line.slice(0, 64));
  if (iso) {
    const t = Date.parse(`${iso[1]}T${iso[2]}${iso[3] ?? 'Z'}`);
    return Number.isNaN(t) ? NaN : t * 1000;
  }
  return bsdFirst ? NaN : bsdTime(line);
}

function bsdTime(line: string): number {
  const bsd = /^(?:<\d+>)?([A-Z][a-z]{2})\s+(\d{1,2})\s+(\d{4})\s+(\d\d):(\d\d):(\d\d)/.exec(line);
  if (bsd && MONTHS[bsd[1].toLowerCase()] !== undefined) {
    return Date.UTC(Number(bsd[3]), MONTHS[bsd[1].toLowerCase()], Number(bsd[2]), Number(bsd[4]), Number(bsd[5]), Number(bsd[6])) * 1000;
  }
  return NaN;
}

/** Orients a logged packet/connection whose initiator the log does not state: towards the server port. */
export function orientByPort(sport: number, dport: number): boolean {
  const sServer = SERVER_PORTS.has(sport) || (sport < 1024 && dport >= 1024);
  const dServer = SERVER_PORTS.has(dport) || (dport < 1024 && sport >= 1024);
  return sServer && !dServer; // true = swap
}

export function observation(
  file: string,
  line: number,
  src: { family: 4 | 6; text: string },
  dst: { family: 4 | 6; text: string },
  proto: { transport: ObservedTransport; ipProto: number },
  sport: number,
  dport: number,
): Observation {
  const o = emptyObservation({ family: src.family, src: src.text, dst: dst.text, transport: proto.transport, ipProto: proto.ipProto, srcPort: sport, dstPort: dport, file });
  o.line = line;
  // A log shows no payload: name the service by its port (captures classify by content instead).
  if (proto.transport === 'tcp' || proto.transport === 'udp') o.protocol = protocolForPort(proto.transport, dport)?.name ?? 'unknown';
  else if (proto.transport === 'icmp') o.protocol = 'icmp';
  if (proto.transport === 'icmp' || proto.transport === 'other') {
    o.srcPort = 0;
    o.dstPort = 0;
  }
  return o;
}

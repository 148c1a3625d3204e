/**
 * FortiGate key=value logs (traffic and UTM): srcip/srcport → dstip/dstport, proto, action, packets and
 * bytes sent/received, date/time (+tz). Lines without both addresses are skipped with a count.
 */
import { skip, ipText, transportOf, observation, type LogParse } from './common.ts';

export function isFortigateLine(line: string): boolean {
  return /\b(?:logid|devid)=/.test(line) && /\bsrcip=/.test(line);
}

export function keyValues(line: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /([A-Za-z_][\w-]*)=("((?:[^"\\]|\\.)*)"|[^\s]*)/g;
  for (let m = re.exec(line); m; m = re.exec(line)) out[m[1]] = m[3] !== undefined ? m[3] : m[2];
  return out;
}

const DENY = new Set(['deny', 'blocked', 'block', 'drop', 'dropped', 'reject']);

export function fortigateLine(p: LogParse, file: string, ln: number, line: string): void {
  const kv = keyValues(line);
  const src = ipText(kv.srcip ?? '');
  const dst = ipText(kv.dstip ?? '');
  if (!src || !dst) return skip(p, 'FortiGate records without srcip/dstip addresses', ln);
  const proto = transportOf(kv.proto ?? 'tcp');
  const o = observation(file, ln, src, dst, proto, Number(kv.srcport ?? 0) || 0, Number(kv.dstport ?? 0) || 0);
  const action = (kv.action ?? '').toLowerCase();
  o.action = DENY.has(action) ? 'denied' : 'allowed';
  o.packetsOut = Number(kv.sentpkt ?? 0) || 0;
  o.packetsIn = Number(kv.rcvdpkt ?? 0) || 0;
  o.bytesOut = Number(kv.sentbyte ?? 0) || 0;
  o.bytesIn = Number(kv.rcvdbyte ?? 0) || 0;
  if (o.packetsOut === 0 && o.action === 'denied') o.packetsOut = 1;
  if (kv.service) o.protocol = kv.service.toLowerCase();
  if (kv.date && kv.time) {
    const tz = kv.tz && /^[+-]\d{4}$/.test(kv.tz) ? `${kv.tz.slice(0, 3)}:${kv.tz.slice(3)}` : 'Z';
    const t = Date.parse(`${kv.date}T${kv.time}${tz}`);
    if (!Number.isNaN(t)) o.first = o.last = t * 1000;
  }
  p.observations.push(o);
  p.used++;
}

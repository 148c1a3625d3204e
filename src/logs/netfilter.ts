/**
 * Linux netfilter kernel log lines (iptables/nftables `log prefix`): the prefix, SRC= DST= PROTO= SPT= DPT=
 * LEN= and TCP flags. The action comes from the prefix wording (DROP/REJECT/DENY/-D] → denied,
 * ACCEPT/ACC/-A] → allowed); a logged reply packet is turned round towards its server port.
 */
import { skip, ipText, transportOf, observation, orientByPort, syslogTime, type LogParse } from './common.ts';

export function isNetfilterLine(line: string): boolean {
  return / SRC=\S+ DST=\S+ /.test(line) && /PROTO=/.test(line);
}

export function netfilterLine(p: LogParse, file: string, ln: number, line: string): void {
  const get = (k: string) => new RegExp(`(?:^|\\s)${k}=(\\S*)`).exec(line)?.[1];
  const src = ipText(get('SRC') ?? '');
  const dst = ipText(get('DST') ?? '');
  if (!src || !dst) return skip(p, 'netfilter lines without readable SRC/DST addresses', ln);
  const proto = transportOf(get('PROTO') ?? '');
  let sport = Number(get('SPT') ?? 0) || 0;
  let dport = Number(get('DPT') ?? 0) || 0;
  const syn = / SYN /.test(line);
  const ack = / ACK /.test(line);
  let a = src;
  let b = dst;
  if (!(syn && !ack) && proto.transport !== 'icmp' && orientByPort(sport, dport)) {
    [a, b] = [b, a];
    [sport, dport] = [dport, sport];
  }
  const o = observation(file, ln, a, b, proto, sport, dport);
  const kernel = line.indexOf('kernel:');
  const prefix = (kernel >= 0 ? line.slice(kernel + 7) : line).split(/\bIN=/)[0];
  if (/DROP|REJECT|DENY|BLOCK|-D\]/i.test(prefix)) o.action = 'denied';
  else if (/ACCEPT|ACC\b|ALLOW|-A\]/i.test(prefix)) o.action = 'allowed';
  const len = Number(get('LEN') ?? 0) || 0;
  if (a === src) {
    o.packetsOut = 1;
    o.bytesOut = len;
  } else {
    o.packetsIn = 1;
    o.bytesIn = len;
  }
  o.first = o.last = syslogTime(line);
  p.observations.push(o);
  p.used++;
}

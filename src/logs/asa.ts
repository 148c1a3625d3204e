/**
 * Cisco ASA / ISA-3000 / FTD syslog: 106023 (deny by access-group), 106100 (access-list permitted/denied with
 * hit counts), 302013/302015 (built TCP/UDP connection, inbound/outbound gives the initiator) and
 * 302014/302016 (teardown, with bytes). Other message ids are skipped with a count.
 */
import { newParse, skip, ipText, transportOf, observation, orientByPort, syslogTime, type LogParse } from './common.ts';

const RE_ID = /%(?:ASA|FTD)(?:-[a-z]+)?-\d-(\d{6}):?\s*(.*)$/;
const RE_106023 = /^Deny (?:protocol )?(\w+) src [^:\s]+:([0-9a-fA-F.:]+?)(?:\/(\d+))?(?:\([^)]*\))? dst [^:\s]+:([0-9a-fA-F.:]+?)(?:\/(\d+))?(?:\([^)]*\))?[ ,(]*(?:type (\d+), code \d+\)?,?)? by access-group/;
const RE_106100 = /^access-list \S+ (permitted|denied|est-allowed) (\w+) [^/\s]+\/([^(\s]+)\((\d+)\)(?:\([^)]*\))? -> [^/\s]+\/([^(\s]+)\((\d+)\)(?:\([^)]*\))? hit-cnt (\d+)/;
const RE_BUILT = /^Built (inbound|outbound) (TCP|UDP) connection (\d+) for [^:\s]+:([^/\s]+)\/(\d+) .*?to [^:\s]+:([^/\s]+)\/(\d+)/;
const RE_TEARDOWN = /^Teardown (TCP|UDP) connection (\d+) for [^:\s]+:([^/\s]+)\/(\d+)\S*(?: [^\s:]+)? to [^:\s]+:([^/\s]+)\/(\d+)\S*(?:.*? bytes (\d+))?/;

export function isAsaLine(line: string): boolean {
  return /%(?:ASA|FTD)(?:-[a-z]+)?-\d-\d{6}/.test(line);
}

export class AsaParser {
  /** Connection id → whether the Built message's "for" side is the initiator. */
  private readonly forIsInitiator = new Map<string, boolean>();
  constructor(readonly p: LogParse = newParse()) {}

  line(file: string, ln: number, line: string): boolean {
    const m = RE_ID.exec(line);
    if (!m) return false;
    const [, id, msg] = m;
    const p = this.p;
    const ts = syslogTime(line);
    const bad = () => skip(p, `ASA ${id} messages naming a host name or an invalid address instead of an IP address`, ln);
    if (id === '106023') {
      const r = RE_106023.exec(msg);
      if (!r) return (skip(p, `ASA ${id} messages in an unexpected shape`, ln), true);
      const src = ipText(r[2]);
      const dst = ipText(r[4]);
      if (!src || !dst) return (bad(), true);
      const o = observation(file, ln, src, dst, transportOf(r[1]), Number(r[3] ?? 0), Number(r[5] ?? 0));
      o.action = 'denied';
      o.packetsOut = 1;
      o.first = o.last = ts;
      p.observations.push(o);
      p.used++;
      return true;
    }
    if (id === '106100') {
      const r = RE_106100.exec(msg);
      if (!r) return (skip(p, `ASA ${id} messages in an unexpected shape`, ln), true);
      const src = ipText(r[3]);
      const dst = ipText(r[5]);
      if (!src || !dst) return (bad(), true);
      const o = observation(file, ln, src, dst, transportOf(r[2]), Number(r[4]), Number(r[6]));
      o.action = r[1] === 'denied' ? 'denied' : 'allowed';
      o.connections = Number(r[7]) || 1;
      o.first = o.last = ts;
      p.observations.push(o);
      p.used++;
      return true;
    }
    if (id === '302013' || id === '302015') {
      const r = RE_BUILT.exec(msg);
      if (!r) return (skip(p, `ASA ${id} messages in an unexpected shape`, ln), true);
      const forInit = r[1] === 'inbound';
      this.forIsInitiator.set(r[3], forInit);
      const a = ipText(r[4]);
      const b = ipText(r[6]);
      if (!a || !b) return (bad(), true);
      const [src, sp, dst, dp] = forInit ? [a, r[5], b, r[7]] : [b, r[7], a, r[5]];
      const o = observation(file, ln, src, dst, transportOf(r[2]), Number(sp), Number(dp));
      o.action = 'allowed';
      o.first = o.last = ts;
      o.connections = 1;
      p.observations.push(o);
      p.used++;
      return true;
    }
    if (id === '302014' || id === '302016') {
      const r = RE_TEARDOWN.exec(msg);
      if (!r) return (skip(p, `ASA ${id} messages in an unexpected shape`, ln), true);
      const a = ipText(r[3]);
      const b = ipText(r[5]);
      if (!a || !b) return (bad(), true);
      const known = this.forIsInitiator.get(r[2]);
      const forInit = known ?? !orientByPort(Number(r[4]), Number(r[6]));
      const [src, sp, dst, dp] = forInit ? [a, r[4], b, r[6]] : [b, r[6], a, r[4]];
      const o = observation(file, ln, src, dst, transportOf(r[1]), Number(sp), Number(dp));
      o.action = 'allowed';
      o.bytesOut = Number(r[7] ?? 0);
      o.last = ts;
      o.connections = known === undefined ? 1 : 0; // the Built message counted it
      p.observations.push(o);
      p.used++;
      return true;
    }
    skip(p, 'ASA messages of ids that carry no connection facts the baseline reads', ln);
    return true;
  }
}

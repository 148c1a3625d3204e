/**
 * `iptables-save` / `ip6tables-save` output → vendor-neutral ACL model. The filter table's FORWARD chain is
 * what filters traffic between zones; other tables and chains are parsed so that jumps resolve and lines are
 * accounted for. Matches: -s/-d (with !), -i/-o, -p, --sport/--dport, multiport, iprange, icmp type,
 * state/conntrack, comment, limit, tcp flags; anything else makes the rule `unparsed` (reported, not modelled).
 */
import { parseIp, parsePrefix } from '../../net/ip.ts';
import { emptyConfig, IANA_PROTOCOLS, type AddrRange, type FirewallConfig, type NumRange, type Term } from '../acl.ts';
import { ICMP_TYPE_NAMES, ICMPV6_TYPE_NAMES, SERVICES, complementAddr, complementNum, flattenChain, tokenize, unquote, type LChain, type LRule, type Verdict } from '../linux.ts';

class Fail extends Error {}

/** Matches that do not narrow which first packets a rule applies to in a way verify models (rate limits, logging, marks). */
const HARMLESS_MODULES = new Set(['comment', 'limit', 'tcp', 'udp', 'icmp', 'icmp6', 'icmpv6', 'multiport', 'state', 'conntrack', 'iprange', 'hashlimit', 'pkttype', 'addrtype', 'physdev', 'mark', 'connmark', 'helper', 'length', 'ttl', 'hl', 'tos', 'dscp', 'mac', 'recent', 'owner', 'rt', 'frag', 'ipv6header', 'ah', 'esp', 'policy', 'set', 'sctp', 'udplite', 'string', 'u32', 'time', 'socket', 'devgroup', 'cgroup', 'rpfilter', 'quota', 'statistic', 'connlimit', 'nfacct', 'realm', 'ipvs', 'bpf', 'cluster', 'cpu', 'dccp', 'ecn', 'hbh', 'dst', 'mh', 'osf', 'geoip', 'account']);

function addrArg(text: string, family: 4 | 6 | undefined): AddrRange[] {
  const out: AddrRange[] = [];
  for (const part of text.split(',')) {
    if (part.includes('/') && /^\d{1,3}(\.\d{1,3}){3}\/\d{1,3}(\.\d{1,3}){3}$/.test(part)) {
      // a.b.c.d/255.255.0.0
      const [a, m] = part.split('/');
      const len = m.split('.').reduce((n, o) => n + (Number(o) >>> 0).toString(2).replace(/0/g, '').length, 0);
      const p = parsePrefix(`${a}/${len}`, { allowHostBits: true });
      if (!p.ok) throw new Fail(p.error);
      out.push({ family: p.value.family, lo: p.value.lo, hi: p.value.hi });
      continue;
    }
    const p = parsePrefix(part, { allowHostBits: true });
    if (!p.ok) {
      if (/^[a-z][\w.-]*$/i.test(part)) throw new Fail(`host name "${part}" cannot be resolved offline`);
      throw new Fail(p.error);
    }
    if (family && p.value.family !== family) throw new Fail(`${part} is not an IPv${family} address`);
    out.push({ family: p.value.family, lo: p.value.lo, hi: p.value.hi });
  }
  return out;
}

function portNum(t: string): number {
  if (/^\d+$/.test(t) && Number(t) <= 65535) return Number(t);
  const n = SERVICES[t.toLowerCase()];
  if (n === undefined) throw new Fail(`unknown port "${t}"`);
  return n;
}

function portArg(text: string): NumRange[] {
  return text.split(',').map((p) => {
    const [a, b] = p.split(':');
    const lo = a === '' ? 0 : portNum(a);
    const hi = b === undefined ? lo : b === '' ? 65535 : portNum(b);
    if (lo > hi) throw new Fail(`port range ${p} ends before it starts`);
    return [lo, hi] as NumRange;
  });
}

function protoArg(t: string): NumRange[] | null {
  const x = t.toLowerCase();
  if (x === 'all' || x === '0') return null;
  if (/^\d+$/.test(x)) return [[Number(x), Number(x)]];
  const n = IANA_PROTOCOLS[x];
  if (n === undefined) throw new Fail(`unknown protocol "${t}"`);
  return [[n, n]];
}

export function parseIptables(text: string, file: string): FirewallConfig {
  const cfg = emptyConfig('iptables', file);
  const v6 = /ip6tables-save/.test(text.slice(0, 4096));
  const family: 4 | 6 = v6 ? 6 : 4;
  const lines = text.split(/\r?\n/);
  let table: string | null = null;
  const tables = new Map<string, Map<string, LChain>>();
  const count = (s: 'parsed' | 'ignored' | 'unparsed') => {
    cfg.stats.lines++;
    cfg.stats[s]++;
  };
  for (let idx = 0; idx < lines.length; idx++) {
    const no = idx + 1;
    const line = lines[idx].trim();
    if (line === '') continue;
    if (line.startsWith('#')) {
      count('ignored');
      continue;
    }
    try {
      if (line.startsWith('*')) {
        table = line.slice(1).trim();
        if (!tables.has(table)) tables.set(table, new Map());
        count('parsed');
        continue;
      }
      if (line === 'COMMIT') {
        table = null;
        count('parsed');
        continue;
      }
      if (line.startsWith(':')) {
        if (!table) throw new Fail('chain declaration outside a table (missing *filter)');
        const [name, policy] = line.slice(1).split(/\s+/);
        const chains = tables.get(table)!;
        const c = chains.get(name) ?? { name, rules: [] };
        if (policy === 'ACCEPT') c.policy = 'accept';
        else if (policy === 'DROP') c.policy = 'drop';
        chains.set(name, c);
        count('parsed');
        continue;
      }
      if (/^(\[\d+:\d+\]\s+)?(-A|-I|--append) /.test(line)) {
        if (!table) throw new Fail('rule outside a table (missing *filter)');
        const toks = tokenize(line.replace(/^\[\d+:\d+\]\s+/, ''));
        const chainName = toks[1];
        const chains = tables.get(table)!;
        const chain = chains.get(chainName) ?? { name: chainName, rules: [] };
        chains.set(chainName, chain);
        const rule = parseRule(toks.slice(2), family, { file, line: no, text: line }, chains);
        if (toks[0] === '-I') chain.rules.unshift(rule);
        else chain.rules.push(rule);
        count('parsed');
        continue;
      }
      throw new Fail(`unknown line`);
    } catch (e) {
      if (!(e instanceof Fail)) throw e;
      cfg.unparsed.push({ line: no, text: line, reason: e.message });
      count('unparsed');
    }
  }
  const filter = tables.get('filter');
  const fwd = filter?.get('FORWARD');
  if (filter && fwd) {
    const rules = flattenChain(filter, fwd, cfg.unparsed);
    cfg.acls.set('FORWARD', { name: 'FORWARD', rules, defaultAction: fwd.policy === 'drop' ? 'deny' : 'permit' });
    cfg.forward = 'FORWARD';
  }
  // Counted as unparsed once, whether found while reading or while flattening.
  cfg.unparsed.sort((a, b) => a.line - b.line);
  cfg.stats.unparsed = new Set(cfg.unparsed.map((u) => u.line)).size;
  cfg.stats.parsed = cfg.stats.lines - cfg.stats.ignored - cfg.stats.unparsed;
  return cfg;
}

function parseRule(toks: string[], family: 4 | 6, source: { file: string; line: number; text: string }, chains: Map<string, LChain>): LRule {
  const t: Term = { src: null, dst: null, protos: null, sports: null, dports: null, family };
  let verdict: Verdict = { kind: 'none' };
  let neverNew = false;
  let neg = false;
  let eitherPort: NumRange[] | null = null;
  let i = 0;
  const arg = () => {
    let v = toks[++i];
    if (v === '!') {
      // Old iptables-save wrote the negation after the option: `-s ! 10.0.0.0/8`.
      neg = true;
      v = toks[++i];
    }
    if (v === undefined) throw new Fail(`${toks[i - 1]} needs a value`);
    return unquote(v);
  };
  while (i < toks.length) {
    const k = toks[i];
    if (k === '!') {
      neg = true;
      i++;
      continue;
    }
    switch (k) {
      case '-s': case '--source': case '--src': {
        const r = addrArg(arg(), family);
        t.src = neg ? complementAddr(r, family) : r;
        break;
      }
      case '-d': case '--destination': case '--dst': {
        const r = addrArg(arg(), family);
        t.dst = neg ? complementAddr(r, family) : r;
        break;
      }
      case '--src-range': case '--dst-range': {
        const [a, b] = arg().split('-');
        const x = parseIp(a);
        const y = parseIp(b ?? '');
        if (!x.ok || !y.ok) throw new Fail(`bad address range`);
        const r: AddrRange[] = [{ family: x.value.family, lo: x.value.value, hi: y.value.value }];
        const v = neg ? complementAddr(r, family) : r;
        if (k === '--src-range') t.src = v;
        else t.dst = v;
        break;
      }
      case '-i': case '--in-interface': case '-o': case '--out-interface': {
        const name = arg();
        const inbound = k === '-i' || k === '--in-interface';
        if (neg) {
          if (inbound) t.inIfNot = [name];
          else t.outIfNot = [name];
        } else if (inbound) t.inIf = [name];
        else t.outIf = [name];
        break;
      }
      case '-p': case '--protocol': {
        const r = protoArg(arg());
        t.protos = neg ? complementNum(r ?? [[0, 255]], 255) : r;
        break;
      }
      case '--dport': case '--destination-port': case '--dports': case '--destination-ports':
      case '--sport': case '--source-port': case '--sports': case '--source-ports': case '--ports': {
        const r = portArg(arg());
        const v = neg ? complementNum(r, 65535) : r;
        if (k === '--ports') {
          // Source or destination port: two terms (one per side); with `!`, neither side.
          if (neg) {
            t.sports = v;
            t.dports = v;
          } else eitherPort = v;
        } else if (k.startsWith('--d')) t.dports = v;
        else t.sports = v;
        break;
      }
      case '--icmp-type': case '--icmpv6-type': {
        const name = arg().split('/')[0];
        const table = k === '--icmp-type' ? ICMP_TYPE_NAMES : ICMPV6_TYPE_NAMES;
        const n = /^\d+$/.test(name) ? Number(name) : table[name.toLowerCase()];
        if (n === undefined) throw new Fail(`unknown ICMP type "${name}"`);
        if (n >= 0) t.dports = neg ? complementNum([[n, n]], 65535) : [[n, n]];
        break;
      }
      case '--ctdir': {
        // REPLY packets belong to an existing connection; ORIGINAL is every first packet.
        const dir = arg().toUpperCase();
        if ((dir === 'REPLY') !== neg) neverNew = true;
        break;
      }
      case '--state': case '--ctstate': {
        const states = arg().split(',').map((s) => s.toUpperCase());
        const matchesNew = states.includes('NEW') || states.includes('UNTRACKED');
        neverNew = neg ? states.includes('NEW') : !matchesNew;
        break;
      }
      case '-m': case '--match': {
        const mod = arg();
        if (!HARMLESS_MODULES.has(mod)) throw new Fail(`match module "${mod}" is not modelled`);
        if (mod === 'set') throw new Fail('ipset contents are not in iptables-save output; the rule is not modelled');
        if (['string', 'u32', 'recent', 'time', 'owner', 'mac', 'connlimit', 'quota', 'statistic', 'bpf', 'geoip', 'length', 'ttl', 'hl', 'tos', 'dscp', 'mark', 'connmark', 'physdev', 'addrtype', 'pkttype', 'policy', 'rpfilter', 'socket', 'cgroup', 'devgroup', 'realm', 'ipvs', 'cluster', 'cpu', 'osf', 'helper', 'rt', 'frag', 'ipv6header', 'hbh', 'dst', 'mh', 'ecn', 'dccp', 'nfacct', 'account', 'ah', 'esp'].includes(mod)) {
          // These narrow the match in ways we do not model: a permit is over-approximated, a deny is skipped below.
          (t as Term & { fuzzy?: boolean }).fuzzy = true;
        }
        break;
      }
      case '--comment': case '--limit': case '--limit-burst': case '--log-prefix': case '--log-level': case '--reject-with':
      case '--to-destination': case '--to-source': case '--to-ports': case '--set-mark': case '--set-xmark': case '--mask':
      case '--nflog-group': case '--nflog-prefix': case '--set-dscp': case '--clamp-mss-to-pmtu': case '--hashlimit':
      case '--hashlimit-upto': case '--hashlimit-above': case '--hashlimit-burst': case '--hashlimit-mode': case '--hashlimit-name':
      case '--hashlimit-htable-expire': case '--pkt-type': case '--src-type': case '--dst-type': case '--name': case '--set':
      case '--rcheck': case '--update': case '--seconds': case '--hitcount': case '--rsource': case '--mac-source':
      case '--uid-owner': case '--log-uid': case '--log-tcp-options': case '--log-ip-options': case '--log-tcp-sequence':
      case '--queue-num': case '--to': case '--mark': case '--physdev-in': case '--physdev-out': case '--physdev-is-bridged':
      case '--limit-iface-in': case '--save-mark': case '--restore-mark': case '--nfmask': case '--ctmask': case '--set-class':
      case '--helper': case '--zone': case '--notrack': case '--timeout': case '--match-set': case '--log-level-prefix':
      case '--tcp-flags': case '--syn': case '--tcp-option': case '--connlimit-above': case '--connlimit-mask':
      case '--rttl': case '--reap': case '--ttl-gt': case '--ttl-lt': case '--ttl-eq': case '--length': case '--string':
      case '--algo': case '--mss': case '--dir': case '--pol': case '--mode': case '--tos': case '--reject': case '--random':
      case '--persistent': case '--icmp': {
        // Options of matches/targets already accounted for; skip their values.
        if (k === '--syn' || k === '--physdev-is-bridged' || k === '--rcheck' || k === '--update' || k === '--set' || k === '--rsource' || k === '--clamp-mss-to-pmtu' || k === '--random' || k === '--persistent' || k === '--log-uid' || k === '--log-tcp-options' || k === '--log-ip-options' || k === '--log-tcp-sequence' || k === '--notrack' || k === '--reap') {
          if (k === '--syn' && neg) {
            // `! --syn`: a TCP packet without SYN never opens a connection.
            neverNew = true;
          }
          break;
        }
        if (k === '--tcp-flags') i++;
        if (k === '--match-set') {
          i++;
          throw new Fail('ipset contents are not in iptables-save output; the rule is not modelled');
        }
        arg();
        break;
      }
      case '-j': case '--jump': case '-g': case '--goto': {
        const target = arg();
        const goto = k === '-g' || k === '--goto';
        if (target === 'ACCEPT') verdict = { kind: 'accept' };
        else if (target === 'DROP' || target === 'REJECT') verdict = { kind: 'drop' };
        else if (target === 'RETURN') verdict = { kind: 'return' };
        else if (!chains.has(target) && /^[A-Z]+$/.test(target) && !goto) verdict = { kind: 'none' }; // LOG, MARK, NFLOG, CT, TCPMSS, DNAT, …
        else verdict = { kind: goto ? 'goto' : 'jump', target };
        break;
      }
      case '-c': case '--set-counters':
        i += 2;
        continue;
      case '-f': case '--fragment':
        (t as Term & { fuzzy?: boolean }).fuzzy = true;
        break;
      case '-4':
      case '-6':
        if ((k === '-4' ? 4 : 6) !== family) {
          // An IPv6-only rule in an IPv4 ruleset never matches.
          return { terms: [t], verdict: { kind: 'none' }, source, neverNew: true };
        }
        break;
      default:
        if (/^\[\d+:\d+\]$/.test(k)) break;
        if (k.startsWith('--')) {
          // An option of a match or target we do not model: it may narrow the rule.
          (t as Term & { fuzzy?: boolean }).fuzzy = true;
          if (toks[i + 1] !== undefined && !toks[i + 1].startsWith('-')) i++;
          break;
        }
        throw new Fail(`option "${k}" is not modelled`);
    }
    neg = false;
    i++;
  }
  const fuzzy = (t as Term & { fuzzy?: boolean }).fuzzy;
  delete (t as Term & { fuzzy?: boolean }).fuzzy;
  if (fuzzy && !neverNew && verdict.kind === 'drop') throw new Fail('a drop narrowed by matches that are not modelled (the rule is skipped)');
  if (fuzzy && !neverNew && verdict.kind === 'return') throw new Fail('a return narrowed by matches that are not modelled (the rule is skipped)');
  const terms = eitherPort ? [{ ...t, sports: eitherPort }, { ...t, dports: eitherPort }] : [t];
  return { terms, verdict, source, neverNew };
}

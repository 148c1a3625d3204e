/**
 * nftables rulesets → vendor-neutral ACL model: `nft list ruleset` text (and nft scripts in the same syntax,
 * including `add rule …` lines and `define` variables) and `nft -j list ruleset` JSON. Base chains with
 * `hook forward` in tables of family ip/ip6/inet filter forwarded traffic; jumps are inlined. JSON rules are
 * turned into the same statement syntax and lowered by one function, so both forms mean the same thing.
 */
import { parseIp, parsePrefix } from '../../net/ip.ts';
import { ConfigSyntaxError, emptyConfig, IANA_PROTOCOLS, type AddrRange, type FirewallConfig, type NumRange, type SourceRef, type Term } from '../acl.ts';
import { ICMP_TYPE_NAMES, ICMPV6_TYPE_NAMES, SERVICES, complementAddr, complementNum, flattenChain, tokenize, unquote, type LChain, type LRule, type Verdict } from '../linux.ts';

class Fail extends Error {}

interface Table {
  family: string;
  name: string;
  chains: Map<string, LChain>;
  sets: Map<string, string[]>;
}

const ctx = () => ({ tables: new Map<string, Table>() });
type Ctx = ReturnType<typeof ctx>;

function tableIn(c: Ctx, family: string, name: string): Table {
  const k = `${family} ${name}`;
  let tb = c.tables.get(k);
  if (!tb) {
    tb = { family, name, chains: new Map(), sets: new Map() };
    c.tables.set(k, tb);
  }
  return tb;
}

function familyOf(tableFamily: string): 4 | 6 | null {
  return tableFamily === 'ip' ? 4 : tableFamily === 'ip6' ? 6 : null;
}

/** Splits a set literal `{ a, b-c, d }` (or one value) into values. */
function setValues(tok: string, table: Table | undefined): string[] {
  if (tok.startsWith('@')) {
    const s = table?.sets.get(tok.slice(1));
    if (!s) throw new Fail(`set "${tok.slice(1)}" is not defined`);
    return s;
  }
  if (tok.startsWith('{')) {
    return tok
      .slice(1, -1)
      .split(',')
      .map((x) => x.trim())
      .filter((x) => x.length > 0)
      .map((x) => x.replace(/\s+/g, ' '));
  }
  return [tok];
}

function addrValue(v: string, fam: 4 | 6): AddrRange {
  const t = v.replace(/\s+/g, '');
  const dash = t.indexOf('-');
  if (dash > 0) {
    const a = parseIp(t.slice(0, dash));
    const b = parseIp(t.slice(dash + 1));
    if (!a.ok || !b.ok) throw new Fail(`bad address range "${v}"`);
    return { family: a.value.family, lo: a.value.value, hi: b.value.value };
  }
  const p = parsePrefix(t, { allowHostBits: true });
  if (!p.ok) throw new Fail(p.error);
  if (p.value.family !== fam) throw new Fail(`${v} is not an IPv${fam} address`);
  return { family: p.value.family, lo: p.value.lo, hi: p.value.hi };
}

function portValue(v: string): NumRange {
  const t = v.replace(/\s+/g, '');
  const m = /^([\w-]+?)-([\w-]+)$/.exec(t);
  const one = (x: string) => {
    if (/^\d+$/.test(x) && Number(x) <= 65535) return Number(x);
    const n = SERVICES[x.toLowerCase()];
    if (n === undefined) throw new Fail(`unknown service "${x}"`);
    return n;
  };
  if (m && /^\d+$/.test(m[1])) return [one(m[1]), one(m[2])];
  const n = one(t);
  return [n, n];
}

function protoValue(v: string): NumRange {
  if (/^\d+$/.test(v)) return [Number(v), Number(v)];
  const m = /^(\d+)\s*-\s*(\d+)$/.exec(v);
  if (m) return [Number(m[1]), Number(m[2])];
  if (v === '.') throw new Fail('concatenated matches (a . b) are not modelled');
  const n = IANA_PROTOCOLS[v.toLowerCase()];
  if (n === undefined) throw new Fail(`unknown protocol "${v}"`);
  return [n, n];
}

const VERDICT_WORDS = new Set(['accept', 'drop', 'reject', 'return', 'continue', 'queue', 'jump', 'goto']);
const NAT_WORDS = new Set(['dnat', 'snat', 'masquerade', 'redirect', 'notrack', 'tproxy', 'fwd', 'dup']);

/** Lowers one rule statement (tokens) of a chain in `table` to an LRule. */
function lowerRule(toks: string[], table: Table | undefined, source: SourceRef): LRule {
  const fam = table ? familyOf(table.family) : null;
  const t: Term = { src: null, dst: null, protos: null, sports: null, dports: null, family: fam };
  let verdict: Verdict = { kind: 'none' };
  let neverNew = false;
  let fuzzy = false;
  let i = 0;
  if (toks.includes('.')) throw new Fail('concatenated matches (a . b) are not modelled');
  const take = (): { neg: boolean; values: string[] } => {
    let neg = false;
    let v = toks[i];
    if (v === '==' || v === 'eq') v = toks[++i];
    else if (v === '!=' || v === 'ne') {
      neg = true;
      v = toks[++i];
    }
    if (v === undefined) throw new Fail(`"${toks[i - 1]}" needs a value`);
    i++;
    return { neg, values: setValues(v, table).map(unquote) };
  };
  const setFam = (f: 4 | 6) => {
    if (t.family && t.family !== f) throw new Fail('matches of both address families');
    t.family = f;
  };
  while (i < toks.length) {
    let k = toks[i];
    if (k === 'meta' && ['l4proto', 'iifname', 'oifname', 'iif', 'oif', 'nfproto', 'protocol', 'mark', 'pkttype', 'skuid', 'skgid', 'length', 'cpu', 'iiftype', 'oiftype', 'priority', 'random', 'secpath'].includes(toks[i + 1])) {
      i++;
      k = toks[i];
    }
    const k2 = toks[i + 1];
    if ((k === 'ip' || k === 'ip6') && (k2 === 'saddr' || k2 === 'daddr')) {
      const f = k === 'ip' ? 4 : 6;
      setFam(f);
      i += 2;
      const { neg, values } = take();
      const r = values.map((v) => addrValue(v, f));
      const v = neg ? complementAddr(r, f) : r;
      if (k2 === 'saddr') t.src = v;
      else t.dst = v;
    } else if ((k === 'ip' && k2 === 'protocol') || (k === 'ip6' && k2 === 'nexthdr') || k === 'l4proto') {
      if (k === 'ip') setFam(4);
      if (k === 'ip6') setFam(6);
      i += k === 'l4proto' ? 1 : 2;
      const { neg, values } = take();
      const r = values.map(protoValue);
      t.protos = neg ? complementNum(r, 255) : r;
    } else if (['tcp', 'udp', 'sctp', 'th', 'udplite', 'dccp'].includes(k) && (k2 === 'dport' || k2 === 'sport')) {
      if (k !== 'th') {
        const p = protoValue(k);
        if (t.protos && !t.protos.some((x) => x[0] <= p[0] && p[0] <= x[1])) throw new Fail('contradictory protocol matches');
        t.protos = [p];
      }
      i += 2;
      const { neg, values } = take();
      const r = values.map(portValue);
      const v = neg ? complementNum(r, 65535) : r;
      if (k2 === 'dport') t.dports = v;
      else t.sports = v;
    } else if ((k === 'icmp' || k === 'icmpv6') && k2 === 'type') {
      const p = k === 'icmp' ? 1 : 58;
      t.protos = [[p, p]];
      i += 2;
      const { neg, values } = take();
      const names = k === 'icmp' ? ICMP_TYPE_NAMES : ICMPV6_TYPE_NAMES;
      const r: NumRange[] = values.map((v) => {
        const n = /^\d+$/.test(v) ? Number(v) : names[v];
        if (n === undefined) throw new Fail(`unknown ICMP type "${v}"`);
        return [n, n];
      });
      t.dports = neg ? complementNum(r, 65535) : r;
    } else if ((k === 'icmp' || k === 'icmpv6') && k2 === 'code') {
      i += 2;
      take();
      fuzzy = true;
    } else if (['tcp', 'udp', 'sctp', 'th', 'icmp', 'icmpv6'].includes(k) && k2 === undefined) {
      i++;
      t.protos = [protoValue(k === 'icmpv6' ? 'ipv6-icmp' : k)];
    } else if (k === 'iifname' || k === 'oifname' || k === 'iif' || k === 'oif') {
      i++;
      const { neg, values } = take();
      if (neg) {
        if (k.startsWith('i')) t.inIfNot = values;
        else t.outIfNot = values;
      } else if (k.startsWith('i')) t.inIf = values;
      else t.outIf = values;
    } else if (k === 'nfproto') {
      i++;
      const { values } = take();
      if (values.length === 1) setFam(values[0] === 'ipv6' ? 6 : 4);
    } else if (k === 'ct' && k2 === 'state' && toks[i + 2] === 'vmap') {
      // ct state vmap { established : accept, related : accept, invalid : drop }
      const entries = setValues(toks[i + 3] ?? '{}', table);
      i += 4;
      const forNew = entries.map((e) => e.split(':').map((x) => x.trim())).find(([s]) => s === 'new');
      if (!forNew) neverNew = true;
      else verdict = forNew[1] === 'accept' ? { kind: 'accept' } : forNew[1] === 'drop' || forNew[1] === 'reject' ? { kind: 'drop' } : verdictOf(forNew[1].split(/\s+/));
    } else if (k === 'ct' && k2 === 'direction') {
      i += 2;
      const { neg, values } = take();
      const reply = values.length === 1 && values[0] === 'reply';
      const original = values.length === 1 && values[0] === 'original';
      if ((reply && !neg) || (original && neg)) neverNew = true;
    } else if (k === 'ct' && (k2 === 'original' || k2 === 'reply')) {
      i += 3;
      take();
      fuzzy = true;
    } else if (k === 'ct' && (k2 === 'state' || k2 === 'status')) {
      i += 2;
      const { neg, values } = take();
      const hasNew = values.includes('new') || values.includes('untracked');
      neverNew = neg ? hasNew : !hasNew;
      if (k2 === 'status') neverNew = false;
    } else if (k === 'ct' || k === 'mark' || k === 'pkttype' || k === 'skuid' || k === 'skgid' || k === 'length' || k === 'cpu' || k === 'iiftype' || k === 'oiftype' || k === 'priority' || k === 'random' || k === 'secpath' || k === 'fib' || k === 'rt' || k === 'socket' || k === 'osf' || k === 'ipsec' || k === 'numgen' || k === 'jhash' || k === 'symhash' || (k === 'tcp' && (k2 === 'flags' || k2 === 'option')) || ((k === 'ip' || k === 'ip6') && toks[i + 1] !== undefined) || k === 'ether' || k === 'vlan' || k === 'arp' || k === 'meta') {
      // Matches that narrow the rule in ways we do not model.
      fuzzy = true;
      i += k === 'ct' || k === 'fib' || k === 'rt' || k === 'socket' || k === 'ipsec' || k === 'tcp' || k === 'ip' || k === 'ip6' || k === 'ether' || k === 'vlan' || k === 'arp' || k === 'meta' ? 2 : 1;
      if (k === 'fib') while (i < toks.length && toks[i] !== 'oif' && toks[i] !== 'type' && toks[i] !== 'oifname') i++;
      if (k === 'fib') i++;
      if (i < toks.length && !VERDICT_WORDS.has(toks[i])) take();
    } else if (k === 'counter') {
      i++;
      while (toks[i] === 'packets' || toks[i] === 'bytes' || toks[i] === 'name') i += 2;
    } else if (k === 'log') {
      i++;
      while (['prefix', 'level', 'group', 'snaplen', 'queue-threshold', 'flags'].includes(toks[i])) i += toks[i] === 'flags' ? 2 : 2;
    } else if (k === 'comment') {
      i += 2;
    } else if (k === 'limit') {
      i += 2;
      if (toks[i] === 'over') {
        i++;
        fuzzy = true;
      }
      i++;
      if (toks[i] === '/') i += 2;
      if (toks[i] === 'burst') i += 3;
    } else if (k === 'quota' || k === 'meter' || k === 'update' || k === 'add' || k === 'set' || k === 'synproxy') {
      throw new Fail(`statement "${k}" is not modelled`);
    } else if (NAT_WORDS.has(k)) {
      verdict = { kind: 'none' };
      i = toks.length;
    } else if (VERDICT_WORDS.has(k)) {
      verdict = verdictOf(toks.slice(i));
      i = toks.length;
    } else if (toks[i + 1] === 'vmap' || toks[i + 2] === 'vmap' || toks[i + 1] === 'map') {
      throw new Fail('verdict maps are not modelled');
    } else {
      throw new Fail(`"${k}" is not understood`);
    }
  }
  if (fuzzy && !neverNew && verdict.kind === 'drop') throw new Fail('a drop narrowed by matches that are not modelled (the rule is skipped)');
  return { terms: [t], verdict, source, neverNew };
}

function verdictOf(toks: string[]): Verdict {
  switch (toks[0]) {
    case 'accept':
      return { kind: 'accept' };
    case 'drop':
    case 'reject':
      return { kind: 'drop' };
    case 'return':
      return { kind: 'return' };
    case 'jump':
    case 'goto':
      if (!toks[1]) throw new Fail(`${toks[0]} needs a chain`);
      return { kind: toks[0], target: toks[1] };
    case 'continue':
      return { kind: 'none' };
    case 'queue':
      throw new Fail('queue to user space is not modelled');
  }
  throw new Fail(`unknown verdict "${toks[0]}"`);
}

/** Splits on `;` outside quotes and braces. */
function splitStatements(line: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let q = false;
  let start = 0;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '"') q = !q;
    else if (!q && c === '{') depth++;
    else if (!q && c === '}') depth--;
    else if (!q && depth === 0 && c === ';') {
      out.push(line.slice(start, i));
      start = i + 1;
    }
  }
  out.push(line.slice(start));
  return out.map((s) => s.trim()).filter((s) => s.length > 0);
}

function stripComment(line: string): string {
  let q = false;
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '"') q = !q;
    else if (!q && line[i] === '#') return line.slice(0, i);
  }
  return line;
}

function braceBalance(s: string): number {
  let b = 0;
  let q = false;
  for (const c of s) {
    if (c === '"') q = !q;
    else if (!q && c === '{') b++;
    else if (!q && c === '}') b--;
  }
  return b;
}

export function parseNftables(text: string, file: string): FirewallConfig {
  if (text.trimStart().startsWith('{')) return parseNftJson(text, file);
  const cfg = emptyConfig('nftables', file);
  const c = ctx();
  const defines = new Map<string, string>();
  const lines = text.split(/\r?\n/);
  const count = (s: 'parsed' | 'ignored' | 'unparsed', n = 1) => {
    cfg.stats.lines += n;
    cfg.stats[s] += n;
  };
  // Block stack: table / chain / set / other.
  const stack: { kind: string; table?: Table; chain?: LChain; set?: string }[] = [];
  const cur = () => stack[stack.length - 1];
  const tableOf = () => [...stack].reverse().find((s) => s.table)?.table;
  const getTable = (family: string, name: string) => tableIn(c, family, name);
  const subst = (s: string) => s.replace(/\$([A-Za-z_][\w]*)/g, (m, n) => defines.get(n) ?? m);

  // Logical lines: continuation lines joined (a `{ … }` value list over several lines, a trailing backslash),
  // one-line blocks such as `chain input { type filter hook input priority 0; }` opened, filled and closed.
  const logical: { no: number; text: string; span: number }[] = [];
  for (let idx = 0; idx < lines.length; idx++) {
    const no = idx + 1;
    let line = stripComment(lines[idx]).trim();
    if (line === '') {
      if (lines[idx].trim() !== '') count('ignored');
      continue;
    }
    let span = 1;
    while ((line.endsWith('\\') || (braceBalance(line) > 0 && !/\{\s*$/.test(line))) && idx + 1 < lines.length) {
      line = line.replace(/\\$/, '') + ' ' + stripComment(lines[++idx]).trim();
      span++;
    }
    const one = /^((?:table|chain|set|map|flowtable|counter|quota|limit|ct\s+\w+|secmark|synproxy)\s[^{]*)\{(.*)\}\s*;?$/.exec(line);
    if (one && braceBalance(line) === 0 && !/^(add|insert|create)\b/.test(line)) {
      logical.push({ no, text: `${one[1].trim()} {`, span });
      if (one[2].trim()) logical.push({ no, text: one[2].trim(), span: 0 });
      logical.push({ no, text: '}', span: 0 });
    } else logical.push({ no, text: line, span });
  }
  for (const ll of logical) {
    const no = ll.no;
    const span = ll.span;
    let line = ll.text;
    const source: SourceRef = { file, line: no, text: lines[no - 1].trim() };
    try {
      line = subst(line);
      if (line.startsWith('define ')) {
        const m = /^define\s+(\w+)\s*=\s*(.+)$/.exec(line);
        if (!m) throw new Fail('expected `define NAME = VALUE`');
        defines.set(m[1], m[2].trim());
        count('parsed', span);
        continue;
      }
      if (line === '}' || line === '};') {
        stack.pop();
        count('parsed', span);
        continue;
      }
      const open = /\{\s*$/.test(line);
      const head = open ? line.replace(/\{\s*$/, '').trim() : line;
      const toks = tokenize(head);
      const top = cur();
      if (open) {
        if (toks[0] === 'table') {
          const family = toks.length >= 3 ? toks[1] : 'ip';
          const name = toks.length >= 3 ? toks[2] : toks[1];
          stack.push({ kind: 'table', table: getTable(family, name) });
        } else if (toks[0] === 'chain' && top?.table) {
          const ch = top.table.chains.get(toks[1]) ?? { name: toks[1], rules: [] };
          top.table.chains.set(toks[1], ch);
          stack.push({ kind: 'chain', chain: ch });
        } else if ((toks[0] === 'set' || toks[0] === 'map') && top?.table) {
          top.table.sets.set(toks[1], []);
          stack.push({ kind: toks[0], set: toks[1], table: top.table });
        } else if (top?.kind === 'chain' && toks.length === 0) {
          stack.push({ kind: 'other' });
        } else {
          stack.push({ kind: 'other' });
        }
        count(toks[0] === 'table' || toks[0] === 'chain' || toks[0] === 'set' ? 'parsed' : 'ignored', span);
        continue;
      }
      // Closing brace at the end of a one-line block, e.g. `set s { type ipv4_addr; elements = { … } }`.
      if (top?.kind === 'set' || top?.kind === 'map') {
        for (const st of splitStatements(line)) {
          const m = /^elements\s*=\s*(\{.*\})$/.exec(st);
          if (m) tableOf()!.sets.get(top.set!)!.push(...setValues(m[1], undefined));
        }
        count('parsed', span);
        continue;
      }
      if (top?.kind === 'chain') {
        let closes = false;
        let body = line;
        if (body.endsWith('}') && braceBalance(body) < 0) {
          body = body.slice(0, -1).trim();
          closes = true;
        }
        for (const st of splitStatements(body)) {
          const t = tokenize(st);
          if (t[0] === 'type') {
            const h = t.indexOf('hook');
            if (h >= 0) top.chain!.hook = t[h + 1];
            const p = t.indexOf('priority');
            if (p >= 0) top.chain!.priority = /^-?\d+$/.test(t[p + 1]) ? Number(t[p + 1]) : t[p + 1] === 'filter' ? 0 : 0;
            if (t[1] !== 'filter') top.chain!.hook = `${t[1]}:${top.chain!.hook}`;
          } else if (t[0] === 'policy') {
            top.chain!.policy = t[1] === 'drop' ? 'drop' : 'accept';
          } else if (t[0] === 'comment' || t[0] === 'devices' || t[0] === 'device') {
            // chain metadata
          } else {
            top.chain!.rules.push(lowerRule(t, tableOf(), source));
          }
        }
        if (closes) stack.pop();
        count('parsed', span);
        continue;
      }
      if (top?.kind === 'other') {
        count('ignored', span);
        continue;
      }
      // Script commands outside blocks.
      if (toks[0] === 'table' && toks.length <= 3) {
        // `table inet x` on its own declares the table (nft scripts use it before `delete table`).
        getTable(toks.length === 3 ? toks[1] : 'ip', toks[toks.length - 1]);
        count('parsed', span);
        continue;
      }
      if (toks[0] === 'flush' || toks[0] === 'delete' || toks[0] === 'destroy' || toks[0] === '#!/usr/sbin/nft' || toks[0] === 'list') {
        count('ignored', span);
        continue;
      }
      if ((toks[0] === 'add' || toks[0] === 'insert') && toks[1] === 'rule') {
        const [family, tname, cname] = toks.length >= 6 || ['ip', 'ip6', 'inet', 'arp', 'bridge', 'netdev'].includes(toks[2]) ? [toks[2], toks[3], toks[4]] : ['ip', toks[2], toks[3]];
        const tb = getTable(family, tname);
        const ch = tb.chains.get(cname) ?? { name: cname, rules: [] };
        tb.chains.set(cname, ch);
        const rest = toks.slice(['ip', 'ip6', 'inet', 'arp', 'bridge', 'netdev'].includes(toks[2]) ? 5 : 4);
        const r = lowerRule(rest, tb, source);
        if (toks[0] === 'insert') ch.rules.unshift(r);
        else ch.rules.push(r);
        count('parsed', span);
        continue;
      }
      if ((toks[0] === 'add' || toks[0] === 'create') && (toks[1] === 'table' || toks[1] === 'chain')) {
        const hasFam = ['ip', 'ip6', 'inet', 'arp', 'bridge', 'netdev'].includes(toks[2]);
        const family = hasFam ? toks[2] : 'ip';
        const rest = toks.slice(hasFam ? 3 : 2);
        const tb = getTable(family, rest[0]);
        if (toks[1] === 'chain') {
          const ch = tb.chains.get(rest[1]) ?? { name: rest[1], rules: [] };
          tb.chains.set(rest[1], ch);
          const body = rest.slice(2).join(' ').replace(/^\{|\}$/g, '');
          for (const st of splitStatements(body)) {
            const t = tokenize(st);
            if (t[0] === 'type') {
              const h = t.indexOf('hook');
              if (h >= 0) ch.hook = t[1] === 'filter' ? t[h + 1] : `${t[1]}:${t[h + 1]}`;
            } else if (t[0] === 'policy') ch.policy = t[1] === 'drop' ? 'drop' : 'accept';
          }
        }
        count('parsed', span);
        continue;
      }
      if (toks[0] === 'include') throw new Fail('include is not followed (verify the expanded ruleset: `nft list ruleset`)');
      throw new Fail(`"${toks[0]}" is not understood here`);
    } catch (e) {
      if (!(e instanceof Fail)) throw e;
      cfg.unparsed.push({ line: no, text: lines[no - 1].trim(), reason: e.message });
      count('unparsed', span);
    }
  }
  finish(cfg, c);
  return cfg;
}

/** Builds the forward ACL(s) from the tables' base chains. */
function finish(cfg: FirewallConfig, c: Ctx): void {
  const fwd: { table: Table; chain: LChain }[] = [];
  for (const tb of c.tables.values()) {
    if (!['ip', 'ip6', 'inet'].includes(tb.family)) continue;
    for (const ch of tb.chains.values()) if (ch.hook === 'forward') fwd.push({ table: tb, chain: ch });
  }
  fwd.sort((a, b) => (a.chain.priority ?? 0) - (b.chain.priority ?? 0));
  const before = cfg.unparsed.length;
  if (fwd.length > 0) {
    // Several forward base chains: a packet must be accepted by each; verify composes the first two.
    const all = fwd.map(({ table, chain }) => ({ name: `${table.family} ${table.name} ${chain.name}`, rules: flattenChain(table.chains, chain, cfg.unparsed), policy: chain.policy }));
    for (const a of all) cfg.acls.set(a.name, { name: a.name, rules: a.rules, defaultAction: a.policy === 'drop' ? 'deny' : 'permit' });
    cfg.forward = all[0].name;
    if (all.length > 1) {
      cfg.forwardChain = all.map((a) => a.name);
    }
  }
  if (cfg.unparsed.length !== before) {
    const lines = new Set(cfg.unparsed.map((u) => u.line));
    cfg.stats.unparsed = lines.size;
    cfg.stats.parsed = cfg.stats.lines - cfg.stats.ignored - cfg.stats.unparsed;
  }
  cfg.unparsed.sort((a, b) => a.line - b.line);
}

// ---------------------------------------------------------------------------------------------------------
// nft -j JSON

type J = unknown;

function exprText(e: J): string {
  if (e === null || e === undefined) return '';
  if (typeof e === 'string') return e.includes(' ') ? `"${e}"` : e;
  if (typeof e === 'number' || typeof e === 'boolean') return String(e);
  if (Array.isArray(e)) return `{ ${e.map(exprText).join(', ')} }`;
  const o = e as Record<string, J>;
  if ('prefix' in o) {
    const p = o.prefix as { addr: J; len: number };
    return `${exprText(p.addr)}/${p.len}`;
  }
  if ('range' in o) {
    const r = o.range as J[];
    return `${exprText(r[0])}-${exprText(r[1])}`;
  }
  if ('set' in o) {
    const s = o.set as J;
    return Array.isArray(s) ? `{ ${s.map(exprText).join(', ')} }` : `{ ${exprText(s)} }`;
  }
  if ('payload' in o) {
    const p = o.payload as { protocol?: string; field?: string; base?: string };
    if (p.protocol && p.field) return `${p.protocol} ${p.field}`;
    throw new Fail('raw payload matches are not modelled');
  }
  if ('meta' in o) return `meta ${(o.meta as { key: string }).key}`;
  if ('ct' in o) return `ct ${(o.ct as { key: string }).key}`;
  if ('elem' in o) return exprText((o.elem as { val: J }).val);
  throw new Fail(`expression ${Object.keys(o)[0]} is not modelled`);
}

function stmtTokens(s: J): string[] {
  const o = s as Record<string, J>;
  const key = Object.keys(o)[0];
  const v = o[key];
  switch (key) {
    case 'match': {
      const m = v as { op: string; left: J; right: J };
      const left = tokenize(exprText(m.left));
      const op = m.op === '!=' ? ['!='] : m.op === '==' || m.op === 'in' ? [] : null;
      if (op === null) throw new Fail(`match operator "${m.op}" is not modelled`);
      return [...left, ...op, exprText(m.right)];
    }
    case 'accept':
    case 'drop':
    case 'return':
    case 'continue':
      return [key];
    case 'reject':
      return ['reject'];
    case 'jump':
    case 'goto':
      return [key, (v as { target: string }).target];
    case 'counter':
    case 'log':
    case 'limit':
      return key === 'limit' && (v as { inv?: boolean })?.inv ? ['limit', 'rate', 'over', '1'] : [];
    case 'comment':
      return [];
    case 'vmap': {
      const m = v as { key: J; data: J };
      const k = exprText(m.key);
      if (k === 'ct state') {
        const entries = ((m.data as { set: J[] }).set ?? []).map((e) => {
          const [a, b] = e as [J, J];
          return `${exprText(a)} : ${Object.keys(b as object)[0]}`;
        });
        return ['ct', 'state', 'vmap', `{ ${entries.join(', ')} }`];
      }
      throw new Fail('verdict maps are not modelled');
    }
    case 'snat':
    case 'dnat':
    case 'masquerade':
    case 'redirect':
    case 'notrack':
      return [key];
  }
  throw new Fail(`statement "${key}" is not modelled`);
}

/** Byte offset of a JSON.parse error: from "at position N", the quoted context V8 shows, or the end. */
function jsonErrorOffset(text: string, message: string): number {
  const pos = /position (\d+)/.exec(message);
  if (pos) return Number(pos[1]);
  if (/end of JSON input/.test(message)) return text.length;
  const ctx = /Unexpected token '([^']*)', (\.\.\.)?"([\s\S]*?)"(\.\.\.)? is not valid JSON/.exec(message);
  if (ctx) {
    const at = text.indexOf(ctx[3]);
    if (at >= 0) {
      const inner = ctx[3].indexOf(ctx[1], ctx[2] ? 10 : 0);
      return at + Math.max(0, inner >= 0 ? inner : ctx[3].indexOf(ctx[1]));
    }
  }
  return 0;
}

function parseNftJson(text: string, file: string): FirewallConfig {
  let doc: J;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    const pos = jsonErrorOffset(text, (e as Error).message);
    const before = text.slice(0, pos);
    const line = before.split('\n').length;
    const column = pos - before.lastIndexOf('\n');
    throw new ConfigSyntaxError(file, line, column, `not valid JSON: ${(e as Error).message.replace(/\s+/g, ' ')}`);
  }
  const items = (doc as { nftables?: J[] })?.nftables;
  if (!Array.isArray(items)) throw new ConfigSyntaxError(file, 1, 1, 'expected an `nft -j` document: {"nftables": [...]}');
  const cfg = emptyConfig('nftables', file);
  const c = ctx();
  // Line of each rule object: the n-th `"rule"` key in the text.
  const ruleOffsets: number[] = [];
  const re = /"rule"\s*:/g;
  for (let m = re.exec(text); m; m = re.exec(text)) ruleOffsets.push(m.index);
  const lineAt = (off: number) => {
    let n = 1;
    for (let i = 0; i < off; i++) if (text.charCodeAt(i) === 10) n++;
    return n;
  };
  let ruleNo = 0;
  const getTable = (family: string, name: string) => tableIn(c, family, name);
  for (const it of items) {
    const o = it as Record<string, Record<string, J>>;
    const key = Object.keys(o)[0];
    const v = o[key];
    cfg.stats.lines++;
    if (key === 'table') {
      getTable(String(v.family), String(v.name));
      cfg.stats.parsed++;
    } else if (key === 'chain') {
      const tb = getTable(String(v.family), String(v.table));
      const ch = tb.chains.get(String(v.name)) ?? { name: String(v.name), rules: [] };
      if (v.hook) ch.hook = v.type === 'filter' || v.type === undefined ? String(v.hook) : `${v.type}:${v.hook}`;
      if (v.policy) ch.policy = v.policy === 'drop' ? 'drop' : 'accept';
      if (typeof v.prio === 'number') ch.priority = v.prio;
      tb.chains.set(ch.name, ch);
      cfg.stats.parsed++;
    } else if (key === 'set' || key === 'map') {
      const tb = getTable(String(v.family), String(v.table));
      const elems = Array.isArray(v.elem) ? (v.elem as J[]).map((e) => exprText(e).replace(/\s+/g, '')) : [];
      tb.sets.set(String(v.name), elems);
      cfg.stats.parsed++;
    } else if (key === 'rule') {
      const off = ruleOffsets[ruleNo++] ?? 0;
      const line = lineAt(off);
      const tb = getTable(String(v.family), String(v.table));
      const ch = tb.chains.get(String(v.chain)) ?? { name: String(v.chain), rules: [] };
      tb.chains.set(ch.name, ch);
      const label = `${v.family} ${v.table} ${v.chain} handle ${v.handle ?? '?'}`;
      try {
        const toks = ((v.expr as J[]) ?? []).flatMap(stmtTokens);
        const source: SourceRef = { file, line, text: `${label}: ${toks.join(' ')}` };
        ch.rules.push(lowerRule(toks, tb, source));
        cfg.stats.parsed++;
      } catch (e) {
        if (!(e instanceof Fail)) throw e;
        cfg.unparsed.push({ line, text: label, reason: e.message });
        cfg.stats.unparsed++;
      }
    } else {
      cfg.stats.ignored++; // metainfo, flowtable, counter, quota, ct helper objects
    }
  }
  finish(cfg, c);
  return cfg;
}

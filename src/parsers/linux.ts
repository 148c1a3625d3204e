/**
 * What the nftables and iptables parsers share: chains of rules with verdicts, flattened into one first-match
 * ACL for forwarded traffic (jumps inlined with their matches conjoined), term intersection, and the tables
 * of service and ICMP type names. Rules that can only match packets of an existing connection (`ct state
 * established,related`) never decide a connection's first packet, which is what verify reasons about.
 */
import type { AclRule, AddrRange, NumRange, SourceRef, Term, UnparsedLine } from './acl.ts';

export type Verdict =
  | { kind: 'accept' | 'drop' | 'return' | 'none' }
  | { kind: 'jump' | 'goto'; target: string };

export interface LRule {
  terms: Term[];
  verdict: Verdict;
  source: SourceRef;
  /** Never matches a first packet (ct state established/related/invalid only). */
  neverNew?: boolean;
}

export interface LChain {
  name: string;
  rules: LRule[];
  policy?: 'accept' | 'drop';
  hook?: string;
  priority?: number;
}

export const SERVICES: Record<string, number> = {
  ftp: 21, 'ftp-data': 20, ssh: 22, telnet: 23, smtp: 25, domain: 53, bootps: 67, bootpc: 68, tftp: 69, http: 80, www: 80,
  kerberos: 88, pop3: 110, sunrpc: 111, auth: 113, nntp: 119, ntp: 123, 'netbios-ns': 137, 'netbios-dgm': 138,
  'netbios-ssn': 139, imap: 143, imap2: 143, snmp: 161, 'snmp-trap': 162, bgp: 179, ldap: 389, https: 443,
  'microsoft-ds': 445, isakmp: 500, syslog: 514, submission: 587, ldaps: 636, rsync: 873, imaps: 993, pop3s: 995,
  openvpn: 1194, 'ms-sql-s': 1433, mysql: 3306, 'ms-wbt-server': 3389, rdp: 3389, postgresql: 5432, 'x11': 6000,
  'http-alt': 8080, webcache: 8080, 'mbap': 502, modbus: 502, 'opc-ua': 4840, 'ipsec-nat-t': 4500, 'sip': 5060,
  whois: 43, finger: 79, 'echo': 7, discard: 9, daytime: 13, time: 37, nameserver: 42, 'domain-s': 853, printer: 515,
  ipp: 631, nfs: 2049, 'iec-104': 2404, 'git': 9418, 'dhcpv6-client': 546, 'dhcpv6-server': 547, 'ident': 113,
};

export const ICMP_TYPE_NAMES: Record<string, number> = {
  'echo-reply': 0, 'destination-unreachable': 3, 'source-quench': 4, redirect: 5, 'echo-request': 8,
  'router-advertisement': 9, 'router-solicitation': 10, 'time-exceeded': 11, 'parameter-problem': 12,
  'timestamp-request': 13, 'timestamp-reply': 14, 'info-request': 15, 'info-reply': 16, 'address-mask-request': 17,
  'address-mask-reply': 18, 'any': -1, 'ping': 8, 'pong': 0, 'network-unreachable': 3, 'host-unreachable': 3,
  'port-unreachable': 3, 'fragmentation-needed': 3, 'ttl-exceeded': 11, 'ttl-zero-during-transit': 11,
};

export const ICMPV6_TYPE_NAMES: Record<string, number> = {
  'destination-unreachable': 1, 'packet-too-big': 2, 'time-exceeded': 3, 'parameter-problem': 4, 'echo-request': 128,
  'echo-reply': 129, 'mld-listener-query': 130, 'mld-listener-report': 131, 'mld-listener-done': 132,
  'mld-listener-reduction': 132, 'nd-router-solicit': 133, 'nd-router-advert': 134, 'nd-neighbor-solicit': 135,
  'nd-neighbor-advert': 136, 'nd-redirect': 137, 'router-renumbering': 138, 'ind-neighbor-solicit': 141,
  'ind-neighbor-advert': 142, 'mld2-listener-report': 143, 'router-solicitation': 133, 'router-advertisement': 134,
  'neighbour-solicitation': 135, 'neighbour-advertisement': 136, 'neighbor-solicitation': 135, 'neighbor-advertisement': 136,
};

function intersectNum(a: NumRange[] | null, b: NumRange[] | null): NumRange[] | null {
  if (a === null) return b;
  if (b === null) return a;
  const out: NumRange[] = [];
  for (const x of a) for (const y of b) {
    const lo = Math.max(x[0], y[0]);
    const hi = Math.min(x[1], y[1]);
    if (lo <= hi) out.push([lo, hi]);
  }
  return out;
}

function intersectAddr(a: AddrRange[] | null, b: AddrRange[] | null): AddrRange[] | null {
  if (a === null) return b;
  if (b === null) return a;
  const out: AddrRange[] = [];
  for (const x of a) for (const y of b) {
    if (x.family !== y.family) continue;
    const lo = x.lo > y.lo ? x.lo : y.lo;
    const hi = x.hi < y.hi ? x.hi : y.hi;
    if (lo <= hi) out.push({ family: x.family, lo, hi });
  }
  return out;
}

function intersectStr(a: string[] | null | undefined, b: string[] | null | undefined): string[] | null {
  if (!a) return b ?? null;
  if (!b) return a;
  return a.filter((x) => b.includes(x));
}

function unionStr(a: string[] | null | undefined, b: string[] | null | undefined): string[] | null {
  if (!a) return b ?? null;
  if (!b) return a;
  return [...new Set([...a, ...b])];
}

/** The packets both terms match; null when none. */
export function conjoin(a: Term, b: Term): Term | null {
  if (a.family && b.family && a.family !== b.family) return null;
  const t: Term = {
    src: intersectAddr(a.src, b.src),
    dst: intersectAddr(a.dst, b.dst),
    protos: intersectNum(a.protos, b.protos),
    sports: intersectNum(a.sports, b.sports),
    dports: intersectNum(a.dports, b.dports),
    inIf: intersectStr(a.inIf, b.inIf),
    outIf: intersectStr(a.outIf, b.outIf),
    inIfNot: unionStr(a.inIfNot, b.inIfNot),
    outIfNot: unionStr(a.outIfNot, b.outIfNot),
    family: a.family ?? b.family ?? null,
  };
  for (const k of ['src', 'dst', 'protos', 'sports', 'dports', 'inIf', 'outIf'] as const) {
    const v = t[k];
    if (v && v.length === 0) return null;
  }
  return t;
}

/** Complement of numeric ranges within [0, max]. */
export function complementNum(ranges: NumRange[], max: number): NumRange[] {
  const s = ranges.slice().sort((x, y) => x[0] - y[0]);
  const out: NumRange[] = [];
  let cur = 0;
  for (const [lo, hi] of s) {
    if (lo > cur) out.push([cur, lo - 1]);
    cur = Math.max(cur, hi + 1);
  }
  if (cur <= max) out.push([cur, max]);
  return out;
}

/** Complement of address ranges within their family (both families when `family` is undefined). */
export function complementAddr(ranges: AddrRange[], family?: 4 | 6): AddrRange[] {
  const out: AddrRange[] = [];
  for (const fam of family ? [family] : ([4, 6] as const)) {
    const max = fam === 4 ? (1n << 32n) - 1n : (1n << 128n) - 1n;
    const s = ranges.filter((r) => r.family === fam).sort((x, y) => (x.lo < y.lo ? -1 : x.lo > y.lo ? 1 : 0));
    let cur = 0n;
    for (const r of s) {
      if (r.lo > cur) out.push({ family: fam, lo: cur, hi: r.lo - 1n });
      if (r.hi + 1n > cur) cur = r.hi + 1n;
    }
    if (cur <= max) out.push({ family: fam, lo: cur, hi: max });
  }
  return out;
}

/**
 * Flattens a base chain into one ordered ACL: `jump`/`goto` inline the target chain with the jump's matches
 * conjoined; an unconditional `return` ends a chain; a conditional one is reported (not modelled).
 */
export function flattenChain(chains: Map<string, LChain>, base: LChain, unparsed: UnparsedLine[]): AclRule[] {
  const out: AclRule[] = [];
  const defaultAction = base.policy === 'drop' ? 'deny' : 'permit';
  const reported = new Set<number>();
  const walk = (chain: LChain, ctxIn: Term[] | null, depth: number, stack: string[]) => {
    let ctx = ctxIn;
    for (const r of chain.rules) {
      if (r.neverNew) continue;
      let terms: Term[] = [];
      if (ctx === null) terms = r.terms;
      else for (const c of ctx) for (const t of r.terms) {
        const j = conjoin(c, t);
        if (j) terms.push(j);
      }
      if (terms.length === 0) continue;
      const v = r.verdict;
      if (v.kind === 'accept' || v.kind === 'drop') {
        out.push({ action: v.kind === 'accept' ? 'permit' : 'deny', terms, source: r.source });
      } else if (v.kind === 'return') {
        const unconditional = r.terms.length === 1 && isAnyTerm(r.terms[0]);
        if (unconditional) return;
        // Packets the return matches leave this chain: later rules of the chain see only the rest.
        const rest = subtractTerms(ctx ?? [ANY], r.terms);
        if (rest === undefined) {
          if (!reported.has(r.source.line)) {
            reported.add(r.source.line);
            unparsed.push({ line: r.source.line, text: r.source.text, reason: 'a return matching interfaces is not modelled (the rule is skipped)' });
          }
          continue;
        }
        if (rest.length === 0) return;
        ctx = rest;
      } else if (v.kind === 'jump' || v.kind === 'goto') {
        const target = chains.get(v.target);
        if (!target) {
          if (!reported.has(r.source.line)) {
            reported.add(r.source.line);
            unparsed.push({ line: r.source.line, text: r.source.text, reason: `chain "${v.target}" is not defined` });
          }
          continue;
        }
        if (depth > 32 || stack.includes(target.name)) {
          if (!reported.has(r.source.line)) {
            reported.add(r.source.line);
            unparsed.push({ line: r.source.line, text: r.source.text, reason: `jump loop through chain "${v.target}"` });
          }
          continue;
        }
        walk(target, terms, depth + 1, [...stack, target.name]);
        // After a goto the packet does not come back: the base chain's policy decides what the target left.
        if (v.kind === 'goto') out.push({ action: defaultAction, terms, source: r.source });
      }
    }
  };
  walk(base, null, 0, [base.name]);
  return out;
}

const ANY: Term = { src: null, dst: null, protos: null, sports: null, dports: null };

/** `a ∖ b` as a union of terms; undefined when not expressible (interface lists cannot be complemented). */
export function subtractTerm(a: Term, b: Term): Term[] | undefined {
  if (a.family && b.family && a.family !== b.family) return [a];
  if (b.inIf || b.outIf || b.inIfNot || b.outIfNot) return undefined;
  if (b.family && !a.family) {
    const same = subtractTerm({ ...a, family: b.family }, b);
    return same && [...same, { ...a, family: b.family === 4 ? 6 : 4 }];
  }
  const out: Term[] = [];
  let cur: Term | null = { ...a };
  const fields = ['src', 'dst', 'protos', 'sports', 'dports'] as const;
  for (const f of fields) {
    if (!cur) break;
    const bv = b[f];
    if (bv === null) continue;
    if (f === 'src' || f === 'dst') {
      const fam = b.family ?? a.family ?? undefined;
      const comp = complementAddr(bv as AddrRange[], fam ?? undefined);
      const outside = intersectAddr(cur[f], comp);
      if (outside && outside.length) out.push({ ...cur, [f]: outside });
      const inside = intersectAddr(cur[f], bv as AddrRange[]);
      if (!inside || inside.length === 0) return out;
      cur = { ...cur, [f]: inside };
    } else {
      const max = f === 'protos' ? 255 : 65535;
      const outside = intersectNum(cur[f], complementNum(bv as NumRange[], max));
      if (outside && outside.length) out.push({ ...cur, [f]: outside });
      const inside = intersectNum(cur[f], bv as NumRange[]);
      if (!inside || inside.length === 0) return out;
      cur = { ...cur, [f]: inside };
    }
  }
  return out; // what remains of `a` lies inside `b`
}

export function subtractTerms(as: Term[], bs: Term[]): Term[] | undefined {
  let cur = as;
  for (const b of bs) {
    const next: Term[] = [];
    for (const a of cur) {
      const r = subtractTerm(a, b);
      if (r === undefined) return undefined;
      next.push(...r);
    }
    cur = next;
  }
  return cur;
}

export function isAnyTerm(t: Term): boolean {
  return !t.src && !t.dst && !t.protos && !t.sports && !t.dports && !t.inIf && !t.outIf && !t.inIfNot && !t.outIfNot && !t.family;
}

/** Splits a line into tokens, keeping quoted strings and `{ … }` groups together. */
export function tokenize(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < line.length) {
    const c = line[i];
    if (c === ' ' || c === '\t') {
      i++;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      while (j < line.length && line[j] !== '"') j += line[j] === '\\' ? 2 : 1;
      out.push(line.slice(i, j + 1));
      i = j + 1;
      continue;
    }
    if (c === '{') {
      let depth = 0;
      let j = i;
      for (; j < line.length; j++) {
        if (line[j] === '{') depth++;
        else if (line[j] === '}' && --depth === 0) break;
      }
      out.push(line.slice(i, j + 1));
      i = j + 1;
      continue;
    }
    let j = i;
    while (j < line.length && line[j] !== ' ' && line[j] !== '\t') j++;
    out.push(line.slice(i, j));
    i = j;
  }
  return out;
}

export function unquote(s: string): string {
  return s.startsWith('"') && s.endsWith('"') ? s.slice(1, -1) : s;
}

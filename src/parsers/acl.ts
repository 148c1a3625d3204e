/**
 * The vendor-neutral ACL model every config parser produces (Batfish's "vendor-independent model", small):
 * interfaces with addresses and security levels, named ACLs of ordered rules, where ACLs are attached, and
 * every source line in one known state — parsed (modelled), ignored on purpose (no effect on filtering), or
 * unparsed (reported as an `unparsed-line` finding). Addresses are bigint intervals per family.
 */
import type { Family } from '../net/ip.ts';

export type Vendor = 'asa' | 'nftables' | 'iptables';

export interface AddrRange {
  family: Family;
  lo: bigint;
  hi: bigint;
}

export type NumRange = [number, number];

/** One conjunction of matches; `null` = any. Lists are unions. */
export interface Term {
  src: AddrRange[] | null;
  dst: AddrRange[] | null;
  protos: NumRange[] | null;
  sports: NumRange[] | null;
  /** Destination ports, or ICMP types for protocols 1 and 58. */
  dports: NumRange[] | null;
  /** Input / output interface names (Linux) — `null` = any. */
  inIf?: string[] | null;
  outIf?: string[] | null;
  /** Negated interface matches (`! -i lo`, `iifname != "lo"`): any interface but these. */
  inIfNot?: string[] | null;
  outIfNot?: string[] | null;
  /** Address families the term applies to (nft `ip`/`ip6` tables, ip6tables); `null` = both. */
  family?: Family | null;
}

export interface SourceRef {
  file: string;
  line: number;
  text: string;
}

export interface AclRule {
  action: 'permit' | 'deny';
  /** The rule matches the union of its terms. */
  terms: Term[];
  source: SourceRef;
  /** ASA `inactive`, or a rule that can never match a connection's first packet (ct state established). */
  inactive?: boolean;
  /** Why it is inactive, for messages. */
  note?: string;
}

export interface Acl {
  name: string;
  rules: AclRule[];
  /** What happens to packets no rule matched. */
  defaultAction: 'permit' | 'deny';
  source?: SourceRef;
}

export interface FwInterface {
  name: string;
  nameif?: string;
  securityLevel?: number;
  addresses: AddrRange[];
  /** The interface's own addresses (ASA `interface NAME` in an ACL). */
  hosts: AddrRange[];
  shutdown?: boolean;
  source?: SourceRef;
}

export type LineState = 'parsed' | 'ignored' | 'unparsed';

export interface UnparsedLine {
  line: number;
  text: string;
  reason: string;
}

export interface FirewallConfig {
  vendor: Vendor;
  file: string;
  hostname?: string;
  interfaces: FwInterface[];
  acls: Map<string, Acl>;
  /**
   * ASA: ACLs attached per interface name (nameif) and direction; `global` applies to every ingress.
   * Linux: the forward filter is the single ACL `forward`, with interface matches inside its terms.
   */
  ingress: Map<string, string>;
  egress: Map<string, string>;
  global?: string;
  /** ASA `same-security-traffic permit inter-interface`. */
  sameSecurityInter: boolean;
  /** Linux: the name of the ACL that filters forwarded traffic. */
  forward?: string;
  /** nftables: every forward base chain in priority order, when there are several (each must accept). */
  forwardChain?: string[];
  unparsed: UnparsedLine[];
  stats: { lines: number; parsed: number; ignored: number; unparsed: number };
}

export function emptyConfig(vendor: Vendor, file: string): FirewallConfig {
  return {
    vendor,
    file,
    interfaces: [],
    acls: new Map(),
    ingress: new Map(),
    egress: new Map(),
    sameSecurityInter: false,
    unparsed: [],
    stats: { lines: 0, parsed: 0, ignored: 0, unparsed: 0 },
  };
}

export const ANY_TERM: Term = { src: null, dst: null, protos: null, sports: null, dports: null };

/** A config file that cannot be used at all (not merely lines that were not understood). */
export class ConfigSyntaxError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    message: string,
  ) {
    super(message);
  }
}

export const V4_ALL: AddrRange = { family: 4, lo: 0n, hi: (1n << 32n) - 1n };
export const V6_ALL: AddrRange = { family: 6, lo: 0n, hi: (1n << 128n) - 1n };

export function prefixRange(family: Family, value: bigint, len: number): AddrRange {
  const width = family === 4 ? 32 : 128;
  const host = (1n << BigInt(width - len)) - 1n;
  const lo = value & ~host & ((1n << BigInt(width)) - 1n);
  return { family, lo, hi: lo | host };
}

export const IANA_PROTOCOLS: Record<string, number> = {
  icmp: 1, igmp: 2, ipinip: 4, tcp: 6, egp: 8, igp: 9, udp: 17, gre: 47, esp: 50, ah: 51, 'ipv6-icmp': 58, icmp6: 58,
  icmpv6: 58, eigrp: 88, ospf: 89, nos: 94, pim: 103, pcp: 108, vrrp: 112, l2tp: 115, sctp: 132, snp: 109,
};

/** The config parsers by vendor, and vendor detection from a file's text. */
import type { FirewallConfig, Vendor } from './acl.ts';
import { parseAsa } from './asa/parse.ts';
import { parseIptables } from './iptables/parse.ts';
import { parseNftables } from './nftables/parse.ts';

export const VENDORS: readonly Vendor[] = ['asa', 'nftables', 'iptables'];

export const PARSERS: Record<Vendor, (text: string, file: string) => FirewallConfig> = {
  asa: parseAsa,
  nftables: parseNftables,
  iptables: parseIptables,
};

/** Guesses the vendor from the text; undefined when nothing fits. */
export function detectVendor(text: string): Vendor | undefined {
  const head = text.slice(0, 200_000);
  const t = head.trimStart();
  if (t.startsWith('{') && /"nftables"\s*:/.test(head)) return 'nftables';
  if (/^\s*\*(filter|nat|mangle|raw|security)\s*$/m.test(head) && /^\s*(:[A-Za-z0-9_-]+ |-A |COMMIT)/m.test(head)) return 'iptables';
  if (/^\s*(table\s+(ip|ip6|inet|arp|bridge|netdev)\s|flush\s+ruleset|#!\/usr\/s?bin\/nft)/m.test(head)) return 'nftables';
  if (/^\s*(ASA Version|access-list \S+ extended|object-group |nameif |: Saved)/m.test(head)) return 'asa';
  if (/^\s*-A \S+/m.test(head)) return 'iptables';
  if (/^\s*table\s+\S+\s*\{/m.test(head)) return 'nftables';
  return undefined;
}

export function parseConfig(text: string, file: string, vendor?: Vendor): FirewallConfig {
  const v = vendor ?? detectVendor(text);
  if (!v) throw new Error('unreachable: caller checks detectVendor');
  return PARSERS[v](text, file);
}

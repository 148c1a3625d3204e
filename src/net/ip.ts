/** IP addresses and prefixes as numeric intervals. IPv4 and IPv6 are kept apart by `family`. */
import ipaddr from 'ipaddr.js';

export type Family = 4 | 6;

export interface Prefix {
  family: Family;
  /** Network address as an unsigned integer (bigint for both families, for one code path). */
  lo: bigint;
  /** Last address of the prefix. */
  hi: bigint;
  len: number;
  /** Canonical text, e.g. `10.20.0.0/16`. */
  text: string;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: string };

function bytesToBigint(bytes: number[]): bigint {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v;
}

export function parseIp(text: string): ParseResult<{ family: Family; value: bigint; text: string }> {
  const t = text.trim();
  if (!ipaddr.isValid(t)) return { ok: false, error: `"${text}" is not an IPv4 or IPv6 address` };
  // ipaddr.js accepts forms like "10" or "0x0a.0.0.1" for IPv4; configs and models use dotted quads only.
  if (!t.includes(':') && !/^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(t)) {
    return { ok: false, error: `"${text}" is not a dotted-quad IPv4 address` };
  }
  const a = ipaddr.parse(t);
  const family: Family = a.kind() === 'ipv4' ? 4 : 6;
  return { ok: true, value: { family, value: bytesToBigint(a.toByteArray()), text: a.toString() } };
}

export function bits(family: Family): number {
  return family === 4 ? 32 : 128;
}

export function formatIp(family: Family, value: bigint): string {
  if (family === 4) {
    const n = Number(value);
    return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
  }
  const bytes: number[] = [];
  for (let i = 15; i >= 0; i--) bytes.push(Number((value >> BigInt(i * 8)) & 255n));
  return ipaddr.fromByteArray(bytes).toString();
}

/** Parses `a.b.c.d/len`, an IPv6 prefix, or a bare address (a host prefix). Host bits must be zero. */
export function parsePrefix(text: string, { allowHostBits = false } = {}): ParseResult<Prefix> {
  const t = text.trim();
  const slash = t.indexOf('/');
  const addrText = slash < 0 ? t : t.slice(0, slash);
  const ip = parseIp(addrText);
  if (!ip.ok) return { ok: false, error: `"${text}" is not a CIDR prefix: ${ip.error}` };
  const width = bits(ip.value.family);
  let len = width;
  if (slash >= 0) {
    const lenText = t.slice(slash + 1);
    if (!/^\d{1,3}$/.test(lenText) || Number(lenText) > width) {
      return { ok: false, error: `"${text}" has an invalid prefix length (expected 0-${width})` };
    }
    len = Number(lenText);
  }
  const hostBits = BigInt(width - len);
  const mask = ((1n << BigInt(width)) - 1n) ^ ((1n << hostBits) - 1n);
  const lo = ip.value.value & mask;
  if (lo !== ip.value.value && !allowHostBits) {
    return { ok: false, error: `"${text}" has host bits set (did you mean ${formatIp(ip.value.family, lo)}/${len}?)` };
  }
  const hi = lo | ((1n << hostBits) - 1n);
  return { ok: true, value: { family: ip.value.family, lo, hi, len, text: `${formatIp(ip.value.family, lo)}/${len}` } };
}

export function prefixContains(p: Prefix, family: Family, value: bigint): boolean {
  return p.family === family && p.lo <= value && value <= p.hi;
}

export function prefixesOverlap(a: Prefix, b: Prefix): boolean {
  return a.family === b.family && a.lo <= b.hi && b.lo <= a.hi;
}

export function hostPrefix(family: Family, value: bigint): Prefix {
  const len = bits(family);
  return { family, lo: value, hi: value, len, text: `${formatIp(family, value)}/${len}` };
}

/** Dotted netmask (255.255.0.0) to a prefix length; null when the mask is not contiguous. */
export function maskToLength(mask: string): number | null {
  const ip = parseIp(mask);
  if (!ip.ok || ip.value.family !== 4) return null;
  const v = Number(ip.value.value);
  const inv = ~v >>> 0;
  if ((inv & (inv + 1)) !== 0) return null;
  return 32 - Math.log2(inv + 1);
}

export function lengthToMask(len: number): string {
  const v = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
  return formatIp(4, BigInt(v));
}

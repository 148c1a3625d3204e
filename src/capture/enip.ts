/**
 * EtherNet/IP encapsulation (24-byte header, little-endian: command u16, length u16, session u32, status u32,
 * sender context 8 bytes, options u32) and, for SendRRData/SendUnitData, the CIP service byte of the data item
 * of the Common Packet Format (0xB2 unconnected; 0xB1 connected, after a 2-byte sequence count).
 */

export const ENIP_COMMANDS: Readonly<Record<number, string>> = {
  0x0000: 'nop',
  0x0004: 'list-services',
  0x0063: 'list-identity',
  0x0064: 'list-interfaces',
  0x0065: 'register-session',
  0x0066: 'unregister-session',
  0x006f: 'send-rr-data',
  0x0070: 'send-unit-data',
};

export function looksLikeEnip(b: Uint8Array, off: number, len: number): boolean {
  if (len < 24) return false;
  const cmd = b[off] | (b[off + 1] << 8);
  if (ENIP_COMMANDS[cmd] === undefined || cmd === 0) return false;
  const l = b[off + 2] | (b[off + 3] << 8);
  const options = b[off + 20] | b[off + 21] | b[off + 22] | b[off + 23];
  return options === 0 && l + 24 <= 65535 && (l + 24 === len || l + 24 < len || len === 24 + l);
}

/** Length of the encapsulation message at `off` (24-byte header + data), or -1 when no header is there. */
export function enipLength(b: Uint8Array, off: number, len: number): number {
  if (len < 24) return -1;
  const cmd = b[off] | (b[off + 1] << 8);
  if (ENIP_COMMANDS[cmd] === undefined || cmd === 0) return -1;
  if ((b[off + 20] | b[off + 21] | b[off + 22] | b[off + 23]) !== 0) return -1;
  return 24 + (b[off + 2] | (b[off + 3] << 8));
}

/** (command << 8) | CIP service (0xFF when there is none). -1 when not an encapsulation header. */
export function enipCode(b: Uint8Array, off: number, len: number): number {
  if (!looksLikeEnip(b, off, len)) return -1;
  const s = cipService(b, off, off + len);
  return (((b[off] | (b[off + 1] << 8)) << 8) | (s < 0 ? 0xff : s)) >>> 0;
}

/**
 * The code of one encapsulation message of which `len` bytes are at hand (the caller bounds `len` by the
 * message length). A message cut by the segment end: -1 unless its CIP service byte (SendRRData /
 * SendUnitData) is among those bytes, so that a cut message is never counted with a made-up service.
 */
export function enipPduCode(b: Uint8Array, off: number, len: number): number {
  const total = enipLength(b, off, len);
  if (total < 0) return -1;
  const cmd = b[off] | (b[off + 1] << 8);
  const s = cipService(b, off, off + (len < total ? len : total));
  if (s < 0 && len < total && (cmd === 0x6f || cmd === 0x70)) return -1;
  return (cmd << 8) | (s < 0 ? 0xff : s);
}

/** CIP service byte of the CPF data item (0xB2 unconnected, 0xB1 connected after its sequence count), -1 if none in [off, end). */
function cipService(b: Uint8Array, off: number, end: number): number {
  const cmd = b[off] | (b[off + 1] << 8);
  if ((cmd !== 0x6f && cmd !== 0x70) || off + 24 + 8 > end) return -1;
  let p = off + 24 + 6; // interface handle, timeout
  const count = b[p] | (b[p + 1] << 8);
  p += 2;
  for (let i = 0; i < count && i < 8 && p + 4 <= end; i++) {
    const type = b[p] | (b[p + 1] << 8);
    const ilen = b[p + 2] | (b[p + 3] << 8);
    p += 4;
    if (type === 0xb2 && p < end) return b[p];
    if (type === 0xb1 && p + 2 < end) return b[p + 2];
    p += ilen;
  }
  return -1;
}

export function cipServiceName(s: number): string {
  const base = s & 0x7f;
  const names: Record<number, string> = {
    0x01: 'get-attributes-all',
    0x02: 'set-attributes-all',
    0x0e: 'get-attribute-single',
    0x10: 'set-attribute-single',
    0x4c: 'read-tag',
    0x4d: 'write-tag',
    0x4e: 'forward-close',
    0x52: 'unconnected-send',
    0x54: 'forward-open',
    0x5b: 'large-forward-open',
  };
  return (names[base] ?? `service-0x${base.toString(16)}`) + (s & 0x80 ? ' (reply)' : '');
}

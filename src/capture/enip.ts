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

/** (command << 8) | CIP service (0xFF when there is none). -1 when not an encapsulation header. */
export function enipCode(b: Uint8Array, off: number, len: number): number {
  if (!looksLikeEnip(b, off, len)) return -1;
  const cmd = b[off] | (b[off + 1] << 8);
  let service = 0xff;
  if ((cmd === 0x6f || cmd === 0x70) && len >= 24 + 8) {
    let p = off + 24 + 6; // interface handle, timeout
    const end = off + len;
    const count = b[p] | (b[p + 1] << 8);
    p += 2;
    for (let i = 0; i < count && i < 8 && p + 4 <= end; i++) {
      const type = b[p] | (b[p + 1] << 8);
      const ilen = b[p + 2] | (b[p + 3] << 8);
      p += 4;
      if (type === 0xb2 && p < end) {
        service = b[p];
        break;
      }
      if (type === 0xb1 && p + 2 < end) {
        service = b[p + 2];
        break;
      }
      p += ilen;
    }
  }
  return (cmd << 8) | service;
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

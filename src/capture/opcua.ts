/**
 * OPC UA binary (UA TCP): message type (3 ASCII bytes: HEL ACK OPN MSG CLO ERR RHE) + chunk type (F C A)
 * + message size u32 LE. An OPN request carries the SecurityPolicyUri as a UA String (i32 length + UTF-8)
 * after the secure channel id; "...#None" means no signing and no encryption.
 */

const TYPES = ['HEL', 'ACK', 'OPN', 'MSG', 'CLO', 'ERR', 'RHE'];

/** 1..7 for the message types above, 0 when not UA TCP. */
export function opcuaMessageType(b: Uint8Array, off: number, len: number): number {
  if (len < 8) return 0;
  const c = b[off + 3];
  if (c !== 0x46 && c !== 0x43 && c !== 0x41) return 0; // F C A
  const size = b[off + 4] | (b[off + 5] << 8) | (b[off + 6] << 16) | (b[off + 7] << 24);
  if (size < 8) return 0;
  for (let i = 0; i < TYPES.length; i++) {
    const t = TYPES[i];
    if (b[off] === t.charCodeAt(0) && b[off + 1] === t.charCodeAt(1) && b[off + 2] === t.charCodeAt(2)) return i + 1;
  }
  return 0;
}

/** Message size of the UA TCP chunk at `off` (header included), or -1 when no chunk header is there. */
export function opcuaChunkSize(b: Uint8Array, off: number, len: number): number {
  if (opcuaMessageType(b, off, len) === 0) return -1;
  return (b[off + 4] | (b[off + 5] << 8) | (b[off + 6] << 16) | (b[off + 7] << 24)) >>> 0;
}

export const OPCUA_TYPE_NAMES = ['', ...TYPES.map((t) => t.toLowerCase())];
export const OPCUA_SECURITY_NONE = 0x100;
export const OPCUA_SECURITY_SECURED = 0x200;

/** For an OPN chunk: OPCUA_SECURITY_NONE or _SECURED from the policy URI; 0 when not readable. */
export function opcuaSecurity(b: Uint8Array, off: number, len: number): number {
  if (opcuaMessageType(b, off, len) !== 3 || len < 16) return 0;
  const l = b[off + 12] | (b[off + 13] << 8) | (b[off + 14] << 16) | (b[off + 15] << 24);
  if (l <= 0 || 16 + l > len) return 0;
  // "#None" at the end of the URI.
  const e = off + 16 + l;
  if (l >= 5 && b[e - 5] === 0x23 && b[e - 4] === 0x4e && b[e - 3] === 0x6f && b[e - 2] === 0x6e && b[e - 1] === 0x65) return OPCUA_SECURITY_NONE;
  return OPCUA_SECURITY_SECURED;
}

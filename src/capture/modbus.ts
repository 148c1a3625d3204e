/**
 * Modbus/TCP framing (MBAP: transaction id u16, protocol id u16 = 0, length u16 = unit id + PDU, unit id u8,
 * then the function code; bit 7 set = exception response). The per-direction stream walk that handles several
 * ADUs per segment and ADUs split across segments lives in decode.ts (state in typed arrays); this file holds
 * the content check used to classify a conversation as Modbus regardless of port. Names: src/modbus/codes.ts.
 */

/** Largest MBAP length field: unit id + 253-byte PDU. */
export const MBAP_MAX_LENGTH = 254;

/** True when the bytes at `off` start a plausible Modbus/TCP ADU. */
export function looksLikeModbus(b: Uint8Array, off: number, len: number, onPort502: boolean): boolean {
  if (len < 8) return false;
  if (b[off + 2] !== 0 || b[off + 3] !== 0) return false;
  const l = (b[off + 4] << 8) | b[off + 5];
  if (l < 2 || l > MBAP_MAX_LENGTH) return false;
  const fc = b[off + 7] & 0x7f;
  if (fc === 0) return false;
  // Off its port, the first ADU must also fit in the segment (fewer false positives on arbitrary binary data).
  return onPort502 || l + 6 <= len;
}

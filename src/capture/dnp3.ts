/**
 * DNP3 over TCP/UDP: link header 0x05 0x64, length (5..255), control, destination, source, CRC (10 bytes);
 * user data in 16-byte blocks each followed by a 2-byte CRC. The first block carries the transport header,
 * then the application control and the application function code (IEEE 1815 §4.2.2).
 */

export function looksLikeDnp3(b: Uint8Array, off: number, len: number): boolean {
  return len >= 10 && b[off] === 0x05 && b[off + 1] === 0x64 && b[off + 2] >= 5;
}

/**
 * Wire length of the link frame at `off`: 10 header bytes (incl. CRC) + the user data (length byte − 5) + a
 * 2-byte CRC per started 16-byte data block. -1 when the bytes at `off` are no DNP3 link header.
 */
export function dnp3FrameLength(b: Uint8Array, off: number, len: number): number {
  if (!looksLikeDnp3(b, off, len)) return -1;
  const data = b[off + 2] - 5;
  return 10 + data + 2 * ((data + 15) >> 4);
}

/**
 * Application function code of the link frame at `off`, or -1 when the frame carries no application
 * data (link-layer-only frames) or is not the first transport segment of a fragment.
 */
export function dnp3FunctionCode(b: Uint8Array, off: number, len: number): number {
  if (!looksLikeDnp3(b, off, len)) return -1;
  const linkLen = b[off + 2];
  const ctrl = b[off + 3];
  const fn = ctrl & 0x0f;
  const prm = ctrl & 0x40;
  // User data: primary functions 3 (confirmed) and 4 (unconfirmed).
  if (!prm || (fn !== 3 && fn !== 4)) return -1;
  if (linkLen < 5 + 3) return -1; // transport header + app control + function code
  if (len < 13) return -1;
  const th = b[off + 10];
  if ((th & 0x40) === 0) return -1; // not the first segment (FIR)
  return b[off + 12];
}

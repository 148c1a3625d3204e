/**
 * S7comm: TPKT (0x03 0x00, length u16) + COTP (length byte, PDU type; 0xF0 = data) + S7 header
 * (protocol id 0x32, ROSCTR, reserved, PDU ref, parameter length, data length [+ error class/code for
 * ROSCTR 2/3]) and the first parameter byte = function (0x04 read var, 0x05 write var, 0xF0 setup
 * communication, 0x1A..0x1F download/upload, 0x28 PI service, 0x29 PLC stop).
 */

export function isTpkt(b: Uint8Array, off: number, len: number): boolean {
  if (len < 7 || b[off] !== 0x03 || b[off + 1] !== 0x00) return false;
  const l = (b[off + 2] << 8) | b[off + 3];
  return l >= 7 && b[off + 4] + 5 <= l;
}

/** Length of the TPKT at `off` (header included), or -1 when the bytes there are no TPKT + COTP header. */
export function tpktLength(b: Uint8Array, off: number, len: number): number {
  return isTpkt(b, off, len) ? (b[off + 2] << 8) | b[off + 3] : -1;
}

/** Returns (ROSCTR << 8) | function, or -1 when the segment holds no S7 PDU header. */
export function s7Code(b: Uint8Array, off: number, len: number): number {
  return s7CodeOf(b, off, len, true);
}

/**
 * The code of one TPKT of which `len` bytes are at hand (the caller bounds `len` by the TPKT length). Unlike
 * `s7Code`, -1 when the parameter part is not empty but its function byte is not among those bytes (a PDU cut
 * by the segment end), so that a cut PDU is never counted with a made-up function.
 */
export function s7PduCode(b: Uint8Array, off: number, len: number): number {
  return s7CodeOf(b, off, len, false);
}

function s7CodeOf(b: Uint8Array, off: number, len: number, cutAsNone: boolean): number {
  if (!isTpkt(b, off, len)) return -1;
  const cotpLen = b[off + 4];
  if (b[off + 5] !== 0xf0) return -1;
  const s = off + 5 + cotpLen;
  if (s + 10 > off + len || b[s] !== 0x32) return -1;
  const rosctr = b[s + 1];
  const paramLen = (b[s + 6] << 8) | b[s + 7];
  const hdr = rosctr === 2 || rosctr === 3 ? 12 : 10;
  if (paramLen === 0) return (rosctr << 8) | 0xff;
  if (s + hdr >= off + len) return cutAsNone ? (rosctr << 8) | 0xff : -1;
  return (rosctr << 8) | b[s + hdr];
}

/** S7 content check: TPKT + COTP data + S7 protocol id, or a COTP connection request on port 102. */
export function looksLikeS7(b: Uint8Array, off: number, len: number, port102: boolean): boolean {
  if (!isTpkt(b, off, len)) return false;
  if (s7Code(b, off, len) !== -1) return true;
  // COTP CR (0xE0) / CC (0xD0) during setup: S7 when on its port, RDP otherwise (see classify.ts).
  return port102 && (b[off + 5] === 0xe0 || b[off + 5] === 0xd0);
}

export const S7_ROSCTR: Readonly<Record<number, string>> = { 1: 'job', 2: 'ack', 3: 'ack-data', 7: 'userdata' };
export const S7_FUNCTIONS: Readonly<Record<number, string>> = {
  0x00: 'cpu-services',
  0x04: 'read-var',
  0x05: 'write-var',
  0x1a: 'request-download',
  0x1b: 'download-block',
  0x1c: 'download-ended',
  0x1d: 'start-upload',
  0x1e: 'upload',
  0x1f: 'end-upload',
  0x28: 'pi-service',
  0x29: 'plc-stop',
  0xf0: 'setup-communication',
};

/**
 * Modbus/TCP stream parser, one instance per direction of a connection. Modbus/TCP ADUs ride on a byte
 * stream: one ADU may arrive in several segments and one segment may hold several ADUs, so frames are
 * cut by the MBAP header's length field, never by segment boundaries.
 *
 * MBAP header (7 bytes): transaction id (2), protocol id (2, always 0), length (2, = unit id + PDU bytes),
 * unit id (1); then the PDU: function code (1) and data (at most 252 bytes). So 2 <= length <= 254 and an
 * ADU is at most 260 bytes: the buffer is bounded by that, and anything else fails closed — the parser
 * stops for good at the first bad header and reports the stream offset of the offending byte.
 */
export const MBAP_HEADER_LENGTH = 7;
/** Largest ADU: 7-byte MBAP header + 253-byte PDU (function code + 252 data bytes). */
export const MAX_ADU_LENGTH = 260;
export const MIN_MBAP_LENGTH = 2;
export const MAX_MBAP_LENGTH = MAX_ADU_LENGTH - 6;

export interface ModbusFrame {
  transactionId: number;
  unitId: number;
  /** The PDU's function code (bit 7 set on exception responses). */
  functionCode: number;
  /** The whole ADU (header + PDU), a copy the caller may keep. */
  raw: Buffer;
  /** Stream offset of the ADU's first byte in this direction. */
  offset: number;
}

export interface ModbusStreamError {
  /** Stream offset of the byte that made the stream unusable. */
  offset: number;
  message: string;
}

export interface PushResult {
  frames: ModbusFrame[];
  /** Set once the stream is malformed; no frame after it is ever returned. */
  error?: ModbusStreamError;
}

export class ModbusStreamParser {
  private readonly buf = Buffer.alloc(MAX_ADU_LENGTH);
  private used = 0;
  /** Stream offset of buf[0]. */
  private base = 0;
  private failure: ModbusStreamError | undefined;

  get error(): ModbusStreamError | undefined {
    return this.failure;
  }

  /** Bytes waiting for the rest of their ADU. */
  get pending(): number {
    return this.used;
  }

  push(chunk: Uint8Array): PushResult {
    const frames: ModbusFrame[] = [];
    if (this.failure) return { frames, error: this.failure };
    let i = 0;
    while (i < chunk.length) {
      // Fill the header first, then exactly the announced ADU; the buffer never holds more than one ADU.
      const need = this.used < MBAP_HEADER_LENGTH ? MBAP_HEADER_LENGTH : MBAP_HEADER_LENGTH - 1 + this.buf.readUInt16BE(4);
      const take = Math.min(need - this.used, chunk.length - i);
      this.buf.set(chunk.subarray(i, i + take), this.used);
      this.used += take;
      i += take;
      if (this.used === MBAP_HEADER_LENGTH && need === MBAP_HEADER_LENGTH) {
        const protocolId = this.buf.readUInt16BE(2);
        if (protocolId !== 0) return this.fail(2, `MBAP protocol id is ${protocolId}, not 0 (not Modbus/TCP)`, frames);
        const length = this.buf.readUInt16BE(4);
        if (length < MIN_MBAP_LENGTH || length > MAX_MBAP_LENGTH) {
          return this.fail(4, `MBAP length ${length} outside ${MIN_MBAP_LENGTH}..${MAX_MBAP_LENGTH}`, frames);
        }
        continue;
      }
      if (this.used >= MBAP_HEADER_LENGTH && this.used === MBAP_HEADER_LENGTH - 1 + this.buf.readUInt16BE(4)) {
        const raw = Buffer.from(this.buf.subarray(0, this.used));
        frames.push({ transactionId: raw.readUInt16BE(0), unitId: raw[6], functionCode: raw[7], raw, offset: this.base });
        this.base += this.used;
        this.used = 0;
      }
    }
    return { frames };
  }

  private fail(at: number, message: string, frames: ModbusFrame[]): PushResult {
    this.failure = { offset: this.base + at, message };
    this.used = 0;
    return { frames, error: this.failure };
  }
}

/** A Modbus exception response to `request` (same transaction and unit, function code | 0x80). */
export function exceptionResponse(request: ModbusFrame, exceptionCode: number): Buffer {
  const b = Buffer.alloc(9);
  b.writeUInt16BE(request.transactionId, 0);
  b.writeUInt16BE(0, 2);
  b.writeUInt16BE(3, 4);
  b[6] = request.unitId;
  b[7] = (request.functionCode | 0x80) & 0xff;
  b[8] = exceptionCode;
  return b;
}

/** Builds an ADU from a unit id and a PDU (function code first). */
export function buildAdu(transactionId: number, unitId: number, pdu: Uint8Array): Buffer {
  if (pdu.length < 1 || pdu.length > MAX_ADU_LENGTH - MBAP_HEADER_LENGTH) throw new RangeError(`PDU length ${pdu.length} outside 1..253`);
  const b = Buffer.alloc(MBAP_HEADER_LENGTH + pdu.length);
  b.writeUInt16BE(transactionId & 0xffff, 0);
  b.writeUInt16BE(0, 2);
  b.writeUInt16BE(pdu.length + 1, 4);
  b[6] = unitId & 0xff;
  b.set(pdu, 7);
  return b;
}

export const EXCEPTION_ILLEGAL_FUNCTION = 1;
export const EXCEPTION_ILLEGAL_ADDRESS = 2;
export const EXCEPTION_ILLEGAL_VALUE = 3;

/**
 * Byte builders for application PDUs (test helper): DNP3 link frames with real CRCs, TPKT/COTP/S7comm PDUs,
 * EtherNet/IP encapsulation messages with a CIP request in an unconnected data item, OPC UA chunks. Each builder
 * writes valid length fields so that several PDUs can be concatenated into one TCP segment, and tshark (the
 * oracle) dissects them.
 */

/** CRC-16/DNP (poly 0x3D65 reflected = 0xA6BC, init 0, final complement), little-endian on the wire. */
export function dnp3Crc(bytes: number[]): [number, number] {
  let crc = 0;
  for (const x of bytes) {
    crc ^= x;
    for (let i = 0; i < 8; i++) crc = crc & 1 ? (crc >>> 1) ^ 0xa6bc : crc >>> 1;
  }
  crc = ~crc & 0xffff;
  return [crc & 0xff, crc >> 8];
}

/** One DNP3 link frame: 05 64, length (5 + user data), control, destination, source, CRC; data in CRC'd 16-byte blocks. */
export function dnp3Frame(ctrl: number, dst: number, src: number, data: number[]): number[] {
  const h = [0x05, 0x64, 5 + data.length, ctrl, dst & 255, dst >> 8, src & 255, src >> 8];
  const out = [...h, ...dnp3Crc(h)];
  for (let i = 0; i < data.length; i += 16) {
    const blk = data.slice(i, i + 16);
    out.push(...blk, ...dnp3Crc(blk));
  }
  return out;
}

/** Master → outstation (ctrl 0xC4: DIR, PRM, unconfirmed user data), one fragment in one transport segment (FIR FIN). */
export function dnp3Request(func: number, objects: number[], seq = 0): number[] {
  return dnp3Frame(0xc4, 10, 1, [0xc0 | (seq & 0x3f), 0xc0 | (seq & 0x0f), func, ...objects]);
}

/** Outstation → master (ctrl 0x44: PRM, unconfirmed user data): response function 129 with IIN 0000. */
export function dnp3Response(seq = 0, objects: number[] = []): number[] {
  return dnp3Frame(0x44, 1, 10, [0xc0 | (seq & 0x3f), 0xc0 | (seq & 0x0f), 0x81, 0x00, 0x00, ...objects]);
}

/** Read class 1 data (object 60 var 2, qualifier 06 = all). */
export const DNP3_READ = (seq = 0) => dnp3Request(0x01, [0x3c, 0x02, 0x06], seq);
/** Write: internal indications (object 80 var 1), qualifier 00, index 7..7, value 0 (clear DEVICE_RESTART). */
export const DNP3_WRITE = (seq = 0) => dnp3Request(0x02, [0x50, 0x01, 0x00, 0x07, 0x07, 0x00], seq);

/** TPKT (v3, length) + COTP data (length 2, DT 0xF0, EOT) + S7 PDU. */
export function tpkt(s7: number[]): number[] {
  const l = 4 + 3 + s7.length;
  return [0x03, 0x00, l >> 8, l & 255, 0x02, 0xf0, 0x80, ...s7];
}

/** S7 header (10 bytes, 12 for ROSCTR 2/3 with error class/code 0) + parameters + data. */
export function s7(rosctr: number, ref: number, param: number[], data: number[] = []): number[] {
  const h = [0x32, rosctr, 0, 0, ref >> 8, ref & 255, param.length >> 8, param.length & 255, data.length >> 8, data.length & 255];
  if (rosctr === 2 || rosctr === 3) h.push(0, 0);
  return tpkt([...h, ...param, ...data]);
}

/** Variable item: S7ANY, BYTE, length 1, DB 1, area DB (0x84), address 0. */
const S7_ITEM = [0x12, 0x0a, 0x10, 0x02, 0x00, 0x01, 0x00, 0x01, 0x84, 0x00, 0x00, 0x00];
export const S7_SETUP = (ref = 1) => s7(1, ref, [0xf0, 0x00, 0x00, 0x01, 0x00, 0x01, 0x01, 0xe0]);
export const S7_READ = (ref = 2) => s7(1, ref, [0x04, 0x01, ...S7_ITEM]);
export const S7_WRITE = (ref = 3) => s7(1, ref, [0x05, 0x01, ...S7_ITEM], [0x00, 0x04, 0x00, 0x08, 0x2a]);
export const S7_READ_ACK = (ref = 2) => s7(3, ref, [0x04, 0x01], [0xff, 0x04, 0x00, 0x08, 0x2a]);
export const S7_WRITE_ACK = (ref = 3) => s7(3, ref, [0x05, 0x01], [0xff]);

/** EtherNet/IP encapsulation header (little-endian) + data. */
export function enip(cmd: number, data: number[], session = 0x11223344): number[] {
  const h = [cmd & 255, cmd >> 8, data.length & 255, data.length >> 8];
  h.push(session & 255, (session >> 8) & 255, (session >> 16) & 255, (session >>> 24) & 255);
  h.push(0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0);
  return [...h, ...data];
}

export const ENIP_REGISTER = () => enip(0x65, [0x01, 0x00, 0x00, 0x00]);

/** SendRRData with a null address item and an unconnected data item holding one CIP message. */
export function enipRR(cip: number[]): number[] {
  return enip(0x6f, [0, 0, 0, 0, 0x0a, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0xb2, 0x00, cip.length & 255, cip.length >> 8, ...cip]);
}

/** CIP Get_Attribute_Single (0x0E) / Set_Attribute_Single (0x10) to Identity (class 1) instance 1 attribute 7. */
const CIP_PATH = [0x03, 0x20, 0x01, 0x24, 0x01, 0x30, 0x07];
export const ENIP_GET = () => enipRR([0x0e, ...CIP_PATH]);
export const ENIP_SET = () => enipRR([0x10, ...CIP_PATH, 0x03, 0x41, 0x42, 0x43]);
export const ENIP_GET_REPLY = () => enipRR([0x8e, 0x00, 0x00, 0x00, 0x03, 0x41, 0x42, 0x43]);
export const ENIP_SET_REPLY = () => enipRR([0x90, 0x00, 0x00, 0x00]);

/** OPC UA chunk: 3-letter type, chunk type, message size (u32 LE, header included), body. */
export function uaChunk(type: string, body: number[], chunk = 'F'): number[] {
  const size = 8 + body.length;
  return [...Buffer.from(type + chunk), size & 255, (size >> 8) & 255, (size >> 16) & 255, size >>> 24, ...body];
}

const u32 = (v: number) => [v & 255, (v >> 8) & 255, (v >> 16) & 255, (v >>> 24) & 255];
const uaString = (s: string) => [...u32(Buffer.byteLength(s)), ...Buffer.from(s)];

export const UA_HEL = () => uaChunk('HEL', [...u32(0), ...u32(65536), ...u32(65536), ...u32(0), ...u32(0), ...uaString('opc.tcp://plc:4840')]);
export const UA_ACK = () => uaChunk('ACK', [...u32(0), ...u32(65536), ...u32(65536), ...u32(0), ...u32(0)]);
/** OPN with the given security policy URI, no certificates, sequence 1, request 1, and a short body. */
export const UA_OPN = (policy: string) =>
  uaChunk('OPN', [...u32(0), ...uaString(`http://opcfoundation.org/UA/SecurityPolicy#${policy}`), ...u32(0xffffffff), ...u32(0xffffffff), ...u32(1), ...u32(1), 0x01, 0x00, 0xbe, 0x01]);
/** MSG: secure channel 1, token 1, sequence and request number, a four-byte NodeId of the service. */
export const UA_MSG = (n: number) => uaChunk('MSG', [...u32(1), ...u32(1), ...u32(n), ...u32(n), 0x01, 0x00, 0x77, 0x02]);
export const UA_CLO = () => uaChunk('CLO', [...u32(1), ...u32(1), ...u32(99), ...u32(99), 0x01, 0x00, 0xc4, 0x01]);

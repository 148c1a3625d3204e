/**
 * Protocol decoders on annotated byte fixtures (each field named), and content-based classification:
 * the same bytes are recognised on any port, and an industrial port carrying something else is `unknown`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { s7Code, s7PduCode, looksLikeS7, tpktLength } from '../../src/capture/s7comm.ts';
import { enipCode, enipLength, enipPduCode } from '../../src/capture/enip.ts';
import { opcuaChunkSize, opcuaMessageType, opcuaSecurity, OPCUA_SECURITY_NONE, OPCUA_SECURITY_SECURED } from '../../src/capture/opcua.ts';
import { dnp3FrameLength, dnp3FunctionCode } from '../../src/capture/dnp3.ts';
import { classifyTcp, classifyUdp, APP_MODBUS, APP_S7, APP_RDP, APP_ENIP, APP_OPCUA, APP_UNKNOWN, APP_BACNET, APP_IEC104, APP_TLS, APP_DNP3 } from '../../src/capture/classify.ts';

const u8 = (a: number[]) => Uint8Array.from(a);

// S7comm job "write var": TPKT v3, len 0x0023 | COTP len 2, DT (0xF0), EOT | S7: 0x32, ROSCTR 1 (job), reserved,
// PDU ref 0x0100, param len 0x000e, data len 0x0008 | param: function 0x05 (write var), item count 1, ...
const S7_WRITE = u8([0x03, 0x00, 0x00, 0x23, 0x02, 0xf0, 0x80, 0x32, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x0e, 0x00, 0x08, 0x05, 0x01, 0x12, 0x0a, 0x10, 0x02, 0x00, 0x01, 0x00, 0x01, 0x84, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x08]);
// S7 ack-data (ROSCTR 3) to setup communication: header 12 bytes (with error class/code), function 0xF0.
const S7_ACK_SETUP = u8([0x03, 0x00, 0x00, 0x1b, 0x02, 0xf0, 0x80, 0x32, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0xf0, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0xf0]);
// COTP connection request (0xE0) inside TPKT: S7 on port 102, RDP on 3389.
const COTP_CR = u8([0x03, 0x00, 0x00, 0x16, 0x11, 0xe0, 0x00, 0x00, 0x00, 0x01, 0x00, 0xc0, 0x01, 0x0a, 0xc1, 0x02, 0x01, 0x00, 0xc2, 0x02, 0x01, 0x02]);

test('S7comm: ROSCTR and function', () => {
  assert.equal(s7Code(S7_WRITE, 0, S7_WRITE.length), (1 << 8) | 0x05);
  assert.equal(s7Code(S7_ACK_SETUP, 0, S7_ACK_SETUP.length), (3 << 8) | 0xf0);
  assert.equal(s7Code(COTP_CR, 0, COTP_CR.length), -1);
  assert.ok(looksLikeS7(COTP_CR, 0, COTP_CR.length, true));
  assert.equal(classifyTcp(COTP_CR, 0, COTP_CR.length, 49152, 102), APP_S7);
  assert.equal(classifyTcp(COTP_CR, 0, COTP_CR.length, 49152, 3389), APP_RDP);
  assert.equal(classifyTcp(S7_WRITE, 0, S7_WRITE.length, 49152, 1102), APP_S7, 'S7 PDU recognised off its port');
});

// EtherNet/IP SendRRData: command 0x006F, length 0x0018, session 0x11223344, status 0, context 8 bytes, options 0 |
// interface handle 0, timeout 0x000a, item count 2: null address item (0x0000, len 0), unconnected data item
// (0xB2, len 8): CIP service 0x4C (read tag), path size 2, path...
const ENIP_RR = u8([
  0x6f, 0x00, 0x18, 0x00, 0x44, 0x33, 0x22, 0x11, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0,
  0, 0, 0, 0, 0x0a, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0xb2, 0x00, 0x08, 0x00, 0x4c, 0x02, 0x20, 0x02, 0x24, 0x01, 0x01, 0x00,
]);
// RegisterSession: command 0x0065, length 4, protocol version 1, options 0.
const ENIP_REG = u8([0x65, 0x00, 0x04, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x00, 0x00, 0x00]);

test('EtherNet/IP: encapsulation command and CIP service', () => {
  assert.equal(enipCode(ENIP_RR, 0, ENIP_RR.length), (0x6f << 8) | 0x4c);
  assert.equal(enipCode(ENIP_REG, 0, ENIP_REG.length), (0x65 << 8) | 0xff);
  assert.equal(classifyTcp(ENIP_REG, 0, ENIP_REG.length, 50000, 44818), APP_ENIP);
});

const uri = (s: string) => [...Buffer.from(s)];
// OPC UA OPN: "OPN" 'F', size, secure channel id 0, SecurityPolicyUri as UA String (i32 length + bytes).
const opn = (policy: string) => {
  const p = uri(policy);
  const b = [0x4f, 0x50, 0x4e, 0x46, 0, 0, 0, 0, 0, 0, 0, 0, p.length, 0, 0, 0, ...p];
  b[4] = b.length;
  return u8(b);
};

test('OPC UA: message type and security policy None vs secured', () => {
  const none = opn('http://opcfoundation.org/UA/SecurityPolicy#None');
  const sec = opn('http://opcfoundation.org/UA/SecurityPolicy#Basic256Sha256');
  assert.equal(opcuaMessageType(none, 0, none.length), 3);
  assert.equal(opcuaSecurity(none, 0, none.length), OPCUA_SECURITY_NONE);
  assert.equal(opcuaSecurity(sec, 0, sec.length), OPCUA_SECURITY_SECURED);
  const hel = u8([0x48, 0x45, 0x4c, 0x46, 0x20, 0, 0, 0, ...new Array(24).fill(0)]);
  assert.equal(opcuaMessageType(hel, 0, hel.length), 1);
  assert.equal(classifyTcp(hel, 0, hel.length, 50000, 4841), APP_OPCUA, 'on a non-default port');
});

test('DNP3: application function code only from user-data frames with FIR', () => {
  // 05 64 | len 0x0b | ctrl 0xC4 (DIR, PRM, unconfirmed user data) | dst 10 | src 1 | CRC | transport 0xC0 (FIR FIN) | app ctrl 0xC1 | FC 0x01 read
  const read = u8([0x05, 0x64, 0x0b, 0xc4, 0x0a, 0x00, 0x01, 0x00, 0xaa, 0xbb, 0xc0, 0xc1, 0x01, 0x3c, 0x02, 0x06, 0, 0]);
  assert.equal(dnp3FunctionCode(read, 0, read.length), 1);
  // Link-layer only (ctrl 0xC9 request link status): no application code.
  const link = u8([0x05, 0x64, 0x05, 0xc9, 0x0a, 0x00, 0x01, 0x00, 0xaa, 0xbb]);
  assert.equal(dnp3FunctionCode(link, 0, link.length), -1);
  assert.equal(classifyTcp(read, 0, read.length, 50000, 20000), APP_DNP3);
});

test('classification by content, not port', () => {
  const mb = u8([0, 1, 0, 0, 0, 6, 1, 3, 0, 0, 0, 10]);
  assert.equal(classifyTcp(mb, 0, mb.length, 40000, 5020), APP_MODBUS, 'Modbus on 5020');
  const http = u8([...Buffer.from('GET / HTTP/1.1\r\n')]);
  assert.equal(classifyTcp(http, 0, http.length, 40000, 502), 9, 'HTTP on 502 is HTTP');
  const rpc = u8([5, 0, 11, 3, 16, 0, 0, 0, 72, 0, 0, 0, 1, 0, 0, 0]);
  assert.equal(classifyTcp(rpc, 0, rpc.length, 40000, 502), APP_UNKNOWN, 'DCE/RPC on 502 is not Modbus');
  const tls = u8([0x16, 0x03, 0x01, 0x00, 0x05, 1, 2, 3, 4, 5]);
  assert.equal(classifyTcp(tls, 0, tls.length, 40000, 8443), APP_TLS);
  const iec = u8([0x68, 0x04, 0x07, 0x00, 0x00, 0x00]);
  assert.equal(classifyTcp(iec, 0, iec.length, 40000, 2404), APP_IEC104);
  const bac = u8([0x81, 0x0a, 0x00, 0x08, 0x01, 0x00, 0x10, 0x08]);
  assert.equal(classifyUdp(bac, 0, bac.length, 47808, 47808), APP_BACNET);
});

test('PDU lengths used to walk several PDUs per segment', () => {
  // DNP3: 10 header bytes + data (length byte − 5) + 2 CRC bytes per started 16-byte block; 255 → 292 as on the wire in dnp3_link_only.pcap.
  const hdr = (l: number) => u8([0x05, 0x64, l, 0xc4, 0x0a, 0x00, 0x01, 0x00, 0xaa, 0xbb]);
  for (const [l, wire] of [[5, 10], [8, 15], [21, 28], [22, 31], [255, 292]]) assert.equal(dnp3FrameLength(hdr(l), 0, 10), wire, `link length ${l}`);
  assert.equal(dnp3FrameLength(hdr(4), 0, 10), -1, 'length below 5');
  assert.equal(dnp3FrameLength(hdr(8), 0, 9), -1, 'header not complete');
  assert.equal(tpktLength(S7_WRITE, 0, S7_WRITE.length), 0x23);
  assert.equal(tpktLength(u8([0x03, 0x00, 0x00, 0x06, 0x02, 0xf0, 0x80]), 0, 7), -1, 'TPKT length below its headers');
  assert.equal(s7PduCode(S7_WRITE, 0, 17), -1, 'function byte not at hand');
  assert.equal(s7Code(S7_WRITE, 0, 17), (1 << 8) | 0xff, 's7Code (classification) keeps its old answer');
  assert.equal(enipLength(ENIP_RR, 0, ENIP_RR.length), 48);
  assert.equal(enipLength(ENIP_RR, 0, 23), -1);
  assert.equal(enipPduCode(ENIP_RR, 0, 41), (0x6f << 8) | 0x4c, 'cut after the service byte');
  assert.equal(enipPduCode(ENIP_RR, 0, 40), -1, 'cut before the service byte');
  assert.equal(enipPduCode(ENIP_REG, 0, 24), (0x65 << 8) | 0xff, 'no CIP in a RegisterSession');
  const hel = u8([0x48, 0x45, 0x4c, 0x46, 0x20, 0, 0, 0]);
  assert.equal(opcuaChunkSize(hel, 0, 8), 32);
  assert.equal(opcuaChunkSize(u8([0x48, 0x45, 0x4c, 0x46, 7, 0, 0, 0]), 0, 8), -1, 'size below the header');
});

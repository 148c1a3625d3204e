/**
 * Application protocol classification by content (the first payload of a conversation), with the port only
 * used to break ties the bytes cannot (TPKT on 102 = S7comm, on 3389 = RDP). An industrial port whose payload
 * is not that protocol is reported as `unknown`, not as the port's protocol.
 */
import { looksLikeModbus } from './modbus.ts';
import { looksLikeDnp3 } from './dnp3.ts';
import { isTpkt, looksLikeS7 } from './s7comm.ts';
import { looksLikeEnip } from './enip.ts';
import { opcuaMessageType } from './opcua.ts';

export const APP_PENDING = 0;
export const APP_MODBUS = 1;
export const APP_DNP3 = 2;
export const APP_S7 = 3;
export const APP_ENIP = 4;
export const APP_OPCUA = 5;
export const APP_BACNET = 6;
export const APP_IEC104 = 7;
export const APP_TLS = 8;
export const APP_HTTP = 9;
export const APP_RDP = 10;
export const APP_SSH = 11;
export const APP_DNS = 12;
export const APP_NTP = 13;
export const APP_SNMP = 14;
export const APP_SYSLOG = 15;
export const APP_ICMP = 16;
export const APP_UNKNOWN = 255;

/** Names as in src/model/protocols.ts where one exists. */
export const APP_NAMES: Record<number, string> = {
  [APP_MODBUS]: 'modbus',
  [APP_DNP3]: 'dnp3',
  [APP_S7]: 's7comm',
  [APP_ENIP]: 'enip',
  [APP_OPCUA]: 'opcua',
  [APP_BACNET]: 'bacnet',
  [APP_IEC104]: 'iec104',
  [APP_TLS]: 'tls',
  [APP_HTTP]: 'http',
  [APP_RDP]: 'rdp',
  [APP_SSH]: 'ssh',
  [APP_DNS]: 'dns',
  [APP_NTP]: 'ntp',
  [APP_SNMP]: 'snmp',
  [APP_SYSLOG]: 'syslog',
  [APP_ICMP]: 'icmp',
  [APP_UNKNOWN]: 'unknown',
  [APP_PENDING]: 'unknown',
};

function startsWithAscii(b: Uint8Array, off: number, len: number, s: string): boolean {
  if (len < s.length) return false;
  for (let i = 0; i < s.length; i++) if (b[off + i] !== s.charCodeAt(i)) return false;
  return true;
}

function looksLikeHttp(b: Uint8Array, off: number, len: number): boolean {
  return (
    startsWithAscii(b, off, len, 'GET ') ||
    startsWithAscii(b, off, len, 'POST ') ||
    startsWithAscii(b, off, len, 'HTTP/1.') ||
    startsWithAscii(b, off, len, 'PUT ') ||
    startsWithAscii(b, off, len, 'HEAD ') ||
    startsWithAscii(b, off, len, 'DELETE ') ||
    startsWithAscii(b, off, len, 'OPTIONS ')
  );
}

/** TCP payload → APP_* or APP_PENDING when this segment does not decide. */
export function classifyTcp(b: Uint8Array, off: number, len: number, portA: number, portB: number): number {
  if (len <= 0) return APP_PENDING;
  if (looksLikeModbus(b, off, len, portA === 502 || portB === 502)) return APP_MODBUS;
  if (looksLikeDnp3(b, off, len)) return APP_DNP3;
  if (isTpkt(b, off, len)) {
    if ((portA === 3389 || portB === 3389)) return APP_RDP;
    if (looksLikeS7(b, off, len, (portA === 102 || portB === 102))) return APP_S7;
    return (portA === 102 || portB === 102) ? APP_S7 : APP_UNKNOWN;
  }
  if (opcuaMessageType(b, off, len) !== 0) return APP_OPCUA;
  if (looksLikeEnip(b, off, len)) return APP_ENIP;
  if (len >= 6 && b[off] === 0x68 && b[off + 1] >= 4 && b[off + 1] + 2 <= len && ((portA === 2404 || portB === 2404) || b[off + 1] + 2 === len)) return APP_IEC104;
  if (len >= 3 && (b[off] === 0x16 || b[off] === 0x17 || b[off] === 0x15 || b[off] === 0x14) && b[off + 1] === 0x03 && b[off + 2] <= 0x04) return APP_TLS;
  if (looksLikeHttp(b, off, len)) return APP_HTTP;
  if (startsWithAscii(b, off, len, 'SSH-')) return APP_SSH;
  if ((portA === 53 || portB === 53) && len >= 14) return APP_DNS;
  return APP_UNKNOWN;
}

/** UDP payload → APP_*; a UDP datagram always decides. */
export function classifyUdp(b: Uint8Array, off: number, len: number, portA: number, portB: number): number {
  if (len >= 4 && b[off] === 0x81 && b[off + 1] <= 0x0c && ((b[off + 2] << 8) | b[off + 3]) === len) return APP_BACNET;
  if (looksLikeDnp3(b, off, len)) return APP_DNP3;
  if ((portA === 53 || portB === 53) && len >= 12 && (b[off + 2] & 0x78) <= 0x28) return APP_DNS;
  if ((portA === 123 || portB === 123) && len >= 48 && ((b[off] >> 3) & 7) >= 1 && ((b[off] >> 3) & 7) <= 4) return APP_NTP;
  if ((portA === 161 || portB === 161) || (portA === 162 || portB === 162)) return len >= 2 && b[off] === 0x30 ? APP_SNMP : APP_UNKNOWN;
  if ((portA === 514 || portB === 514) && len >= 3 && b[off] === 0x3c) return APP_SYSLOG;
  return APP_UNKNOWN;
}

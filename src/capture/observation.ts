/**
 * What every input (captures, Zeek logs, firewall logs) turns into: one observed conversation between an
 * initiator and a responder. The baseline aggregates these into flows; nothing here knows about zones.
 */

export type ObservedTransport = 'tcp' | 'udp' | 'icmp' | 'other';

export interface Observation {
  family: 4 | 6;
  /** Initiator and responder, canonical text (IPv6 compressed, lower case). */
  src: string;
  dst: string;
  transport: ObservedTransport;
  /** IP protocol number (6, 17, 1, 58, …). */
  ipProto: number;
  srcPort: number;
  /** Responder port (0 for icmp and other IP protocols). */
  dstPort: number;
  /** Application protocol classified from content (`unknown` when it could not be), or what a log says. */
  protocol: string;
  /** Initiator → responder and back. */
  packetsOut: number;
  bytesOut: number;
  packetsIn: number;
  bytesIn: number;
  /** µs since the epoch; NaN when the input does not say. */
  first: number;
  last: number;
  /** How the initiator was decided. */
  initiatorBy: 'syn' | 'port' | 'first-packet' | 'log';
  /** Modbus (and DNP3) function codes in initiator → responder PDUs; exceptions keep bit 7. */
  requestCodes: Record<number, number>;
  /** Function codes in responder → initiator PDUs. */
  responseCodes: Record<number, number>;
  /** Other application facts by name (S7 functions, CIP services, OPC UA message types and security). */
  appCodes: Record<string, number>;
  /** Number of connections/log records merged into this observation. */
  connections: number;
  /** Firewall logs: what the firewall did. */
  action?: 'allowed' | 'denied';
  /** Input file and, for logs, line; used to point at evidence. */
  file: string;
  line?: number;
}

export function emptyObservation(partial: Pick<Observation, 'family' | 'src' | 'dst' | 'transport' | 'ipProto' | 'srcPort' | 'dstPort' | 'file'>): Observation {
  return {
    protocol: 'unknown',
    packetsOut: 0,
    bytesOut: 0,
    packetsIn: 0,
    bytesIn: 0,
    first: NaN,
    last: NaN,
    initiatorBy: 'log',
    requestCodes: {},
    responseCodes: {},
    appCodes: {},
    connections: 1,
    ...partial,
  };
}

/** Responder ports of services: a conversation that did not show its SYN is oriented towards these. */
export const SERVER_PORTS: ReadonlySet<number> = new Set([
  20, 21, 22, 23, 25, 53, 67, 68, 69, 80, 88, 102, 110, 123, 135, 137, 138, 139, 143, 161, 162, 389, 443, 445, 502, 514, 636, 1433, 1521, 1911, 2222,
  2404, 3306, 3389, 4840, 5450, 5900, 8080, 8443, 20000, 34962, 34963, 34964, 44818, 47808,
]);

/** Responder-side ports that make the responder a controller (PLC, RTU, safety controller). */
export const CONTROLLER_PORTS: ReadonlySet<number> = new Set([502, 102, 44818, 2222, 20000, 2404, 47808]);

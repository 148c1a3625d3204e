/** Canonical protocol names, their default transport and responder ports, and what the rules need to know. */
export type Transport = 'tcp' | 'udp' | 'icmp';

export interface ProtocolInfo {
  name: string;
  transport: Transport;
  /** Default responder ports; empty for icmp and the bare transports. */
  ports: number[];
  /** An industrial protocol that can change process state (writes, downloads, operate). */
  writeCapable: boolean;
  /** Carries credentials or data without encryption. */
  cleartext: boolean;
  /** Interactive remote access. */
  remoteAccess: boolean;
  industrial: boolean;
}

const P = (
  name: string,
  transport: Transport,
  ports: number[],
  flags: Partial<Pick<ProtocolInfo, 'writeCapable' | 'cleartext' | 'remoteAccess' | 'industrial'>> = {},
): ProtocolInfo => ({
  name,
  transport,
  ports,
  writeCapable: flags.writeCapable ?? false,
  cleartext: flags.cleartext ?? false,
  remoteAccess: flags.remoteAccess ?? false,
  industrial: flags.industrial ?? false,
});

export const PROTOCOLS: readonly ProtocolInfo[] = [
  P('modbus', 'tcp', [502], { writeCapable: true, cleartext: true, industrial: true }),
  P('dnp3', 'tcp', [20000], { writeCapable: true, cleartext: true, industrial: true }),
  P('s7comm', 'tcp', [102], { writeCapable: true, cleartext: true, industrial: true }),
  P('enip', 'tcp', [44818], { writeCapable: true, cleartext: true, industrial: true }),
  P('opcua', 'tcp', [4840], { industrial: true }),
  P('iec104', 'tcp', [2404], { writeCapable: true, cleartext: true, industrial: true }),
  P('bacnet', 'udp', [47808], { writeCapable: true, cleartext: true, industrial: true }),
  P('https', 'tcp', [443]),
  P('http', 'tcp', [80], { cleartext: true }),
  P('rdp', 'tcp', [3389], { remoteAccess: true }),
  P('ssh', 'tcp', [22], { remoteAccess: true }),
  P('telnet', 'tcp', [23], { remoteAccess: true, cleartext: true }),
  P('vnc', 'tcp', [5900], { remoteAccess: true, cleartext: true }),
  P('pi', 'tcp', [5450]),
  P('syslog', 'udp', [514], { cleartext: true }),
  P('ntp', 'udp', [123]),
  P('dns', 'udp', [53]),
  P('smb', 'tcp', [445]),
  P('ftp', 'tcp', [21], { cleartext: true }),
  P('snmp', 'udp', [161], { cleartext: true }),
  P('icmp', 'icmp', []),
  P('tcp', 'tcp', []),
  P('udp', 'udp', []),
];

const BY_NAME = new Map(PROTOCOLS.map((p) => [p.name, p]));

/** Seed-document spellings and common vendor names mapped to canonical names. */
const ALIASES: Record<string, string> = {
  'modbus/tcp': 'modbus',
  'modbus tcp': 'modbus',
  'modbustcp': 'modbus',
  'opc ua': 'opcua',
  'opc-ua': 'opcua',
  'opc ua binary': 'opcua',
  'pi-to-pi': 'pi',
  'pi to pi': 'pi',
  'osisoft pi': 'pi',
  'ethernet/ip': 'enip',
  'ethernetip': 'enip',
  'cip': 'enip',
  's7': 's7comm',
  'iso-tsap': 's7comm',
  'iec 60870-5-104': 'iec104',
  'iec-104': 'iec104',
  'bacnet/ip': 'bacnet',
  'remote desktop': 'rdp',
  'ping': 'icmp',
};

export function canonicalProtocol(text: string): string | null {
  const t = text.trim().toLowerCase();
  if (BY_NAME.has(t)) return t;
  const alias = ALIASES[t];
  return alias ?? null;
}

export function protocolInfo(name: string): ProtocolInfo | undefined {
  return BY_NAME.get(name);
}

/** The protocol a well-known responder port suggests; used when classifying traffic and naming services. */
export function protocolForPort(transport: Transport, port: number): ProtocolInfo | undefined {
  return PROTOCOLS.find((p) => p.transport === transport && p.ports.includes(port));
}

/** Modbus function codes that only read (FC 1-4), the meaning of "read only" in the seed dialect. */
export const MODBUS_READ_ONLY = [1, 2, 3, 4] as const;

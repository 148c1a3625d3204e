/** The normalized model every command consumes. Both YAML dialects load into these types. */
import type { Prefix } from '../net/ip.ts';
import type { Transport } from './protocols.ts';

export const FRS = ['IAC', 'UC', 'SI', 'DC', 'RDF', 'TRE', 'RA'] as const;
export type FR = (typeof FRS)[number];
/** Security level per foundational requirement (IEC 62443-3-3), each 0-4. */
export type SLVector = Record<FR, number>;

export const ASSET_ROLES = [
  'plc', 'sis', 'rtu', 'ied', 'hmi', 'ews', 'scada-server', 'historian', 'opc-server', 'mes', 'alarm-server',
  'server', 'workstation', 'jump-server', 'patch-server', 'diode', 'firewall', 'switch', 'other',
] as const;
export type AssetRole = (typeof ASSET_ROLES)[number];

/** Roles that run or directly supervise the process (the BPCS side). */
export const CONTROL_ROLES: ReadonlySet<AssetRole> = new Set(['plc', 'rtu', 'ied', 'hmi', 'scada-server', 'ews']);

export interface PurdueRange {
  min: number;
  max: number;
}

export interface Asset {
  /** Unique across the model; absent for free-text assets that carry no id. */
  id?: string;
  name: string;
  role?: AssetRole;
  /** How many devices this entry stands for ("PLC-01 through PLC-12" is 12). */
  count: number;
  ips: string[];
  /** Parsed `ips`, same order; invalid addresses are left out (and reported). */
  prefixes: Prefix[];
  mac?: string;
  switchPort?: string;
  modbus?: { unitId?: number; safeTestRegister?: number };
  /** Capability security level (IEC 62443-4-2), when declared. */
  slC?: SLVector;
  /** Switch id (extension), when the model has several switches. */
  switchId?: string;
  zoneId: string;
  /** Model path of the entry, e.g. `zones[1].assets[0]`. */
  path: string;
}

export interface Zone {
  id: string;
  name: string;
  purdue?: PurdueRange;
  slT?: SLVector;
  criticality?: string;
  /** Declared `safety: true`, or holds an asset with role `sis`. */
  safety: boolean;
  safetyDeclared: boolean;
  vlan?: number;
  subnets: string[];
  /** Parsed subnets, same order; invalid ones are left out (and reported). */
  prefixes: Prefix[];
  gateway?: string;
  assets: Asset[];
  securityRequirements: string[];
  /** null when the key is absent. */
  allowedConduits: string[] | null;
  path: string;
  index: number;
}

export interface PortRange {
  lo: number;
  hi: number;
}

export interface Flow {
  conduitId: string;
  /** Canonical protocol name (see protocols.ts), or the user's text when unknown. */
  protocol: string;
  transport: Transport;
  /** Responder ports; empty means any port (or not applicable, for icmp). */
  ports: PortRange[];
  /** Initiator zone or asset ids. */
  from: string[];
  /** Responder zone or asset ids. */
  to: string[];
  functionCodes?: number[];
  dnp3FunctionCodes?: number[];
  s7Functions?: string[];
  securityMode?: string;
  oneWay: boolean;
  /** Seed-dialect direction text, kept for reports. */
  direction?: string;
  /** Free-text qualifiers from the direction text that were not turned into constraints. */
  notes: string[];
  path: string;
  /** Position of this flow within its conduit's `protocols_allowed` (several flows may share one entry). */
  entryIndex: number;
}

export interface Conduit {
  id: string;
  name: string;
  connects: string[];
  slT?: SLVector;
  flows: Flow[];
  controls: string[];
  diode?: { from: string; to: string };
  compensatingControls: string[];
  path: string;
  index: number;
}

export interface FirewallInterface {
  zone: string;
  name: string;
  nameif: string;
}

export interface Firewall {
  id: string;
  vendor?: string;
  interfaces: FirewallInterface[];
  path: string;
}

export interface Switch {
  id: string;
  ports: string[];
  trunkPort?: string;
  trunkDescription?: string;
  parkingVlan: number;
  path: string;
}

export interface Model {
  file: string;
  facility: string;
  assessmentDate?: string;
  standard?: string;
  /** Syslog/SIEM receivers for generated device configs (extension). */
  loggingHosts: string[];
  firewalls: Firewall[];
  switches: Switch[];
  zones: Zone[];
  conduits: Conduit[];
  /** The optional risk section, validated by src/model/risk-schema.ts and interpreted by src/risk. */
  risk?: unknown;
  /** The parsed YAML as plain data, for tools that need keys the normalized model does not carry. */
  raw: unknown;
}

export interface SourcePosition {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

/** Maps a model path (`zones[1].assets[0].ip`) to where it stands in the source. */
export type Locator = (path: string, opts?: { key?: boolean }) => SourcePosition | undefined;

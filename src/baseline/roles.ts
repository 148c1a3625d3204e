/**
 * Observed roles per address, from behaviour only: a host answering on an industrial server port is a
 * controller; those that poll it are ICS clients (SCADA/HMI/historian); one sending writes or program
 * downloads acts as an engineering station; services on IT ports name themselves.
 * Roles are bits per address id of the flow table (a million flows set bits, they build no sets).
 */
import { isModbusWrite } from '../modbus/codes.ts';
import { CONTROLLER_PORTS } from '../capture/observation.ts';
import type { FlowTable } from '../capture/flow-table.ts';

const INDUSTRIAL = new Set(['modbus', 'dnp3', 's7comm', 'enip', 'iec104', 'bacnet']);
const DNP3_WRITES = new Set([2, 3, 4, 5, 6, 13, 14, 18, 19, 20, 21, 24, 31]);
const APP_WRITES = /write|download|plc-stop|pi-service|set-attribute/;

const ROLE_NAMES = [
  'client', 'server', 'controller', 'ics-client', 'engineering', 'opcua-server', 'opcua-client',
  'remote-access-target', 'remote-access-client', 'ssh-server', 'web-server', 'dns-server',
] as const;
const bit = (name: (typeof ROLE_NAMES)[number]) => 1 << ROLE_NAMES.indexOf(name);
const CLIENT = bit('client');
const SERVER = bit('server');
/** Roles that keep a bare "server" (a client of something is not made more specific by them). */
const CLIENTISH = CLIENT | SERVER | bit('ics-client') | bit('opcua-client') | bit('remote-access-client') | bit('engineering');
const SPECIFIC_CLIENT = bit('ics-client') | bit('opcua-client') | bit('remote-access-client');

/** Roles by address id (`table.addresses`), as bits; `roleNames` turns them into names. */
export function observedRoleBits(table: FlowTable): Uint32Array {
  const roles = new Uint32Array(table.addresses.length);
  const protoFlags = table.strings.map((p) => ({
    industrial: INDUSTRIAL.has(p),
    unknown: p === 'unknown',
    opcua: p === 'opcua',
    rdp: p === 'rdp',
    ssh: p === 'ssh',
    web: p === 'https' || p === 'http' || p === 'tls',
    dns: p === 'dns',
    modbus: p === 'modbus',
    dnp3: p === 'dnp3',
  }));
  // Per map id: does it hold a Modbus write / a DNP3 write / a writing application service (computed once).
  const modbusWrites = new Int8Array(table.maps.length).fill(-1);
  const dnp3Writes = new Int8Array(table.maps.length).fill(-1);
  const appWrites = new Int8Array(table.maps.length).fill(-1);
  const test = (cache: Int8Array, id: number, pred: (k: string) => boolean) => {
    if (cache[id] < 0) cache[id] = Object.keys(table.maps[id]).some(pred) ? 1 : 0;
    return cache[id] === 1;
  };
  for (let r = 0; r < table.size; r++) {
    const s = table.src[r];
    const d = table.dst[r];
    roles[s] |= CLIENT;
    roles[d] |= SERVER;
    const pf = protoFlags[table.protocol[r]];
    const port = table.dstPort[r];
    const industrial = pf.industrial || (pf.unknown && CONTROLLER_PORTS.has(port) && table.transport[r] === 0);
    if (industrial && (CONTROLLER_PORTS.has(port) || pf.industrial)) {
      roles[d] |= bit('controller');
      roles[s] |= bit('ics-client');
      const req = table.requestCodes[r];
      const writes =
        (pf.modbus && test(modbusWrites, req, (k) => isModbusWrite(Number(k)))) ||
        (pf.dnp3 && test(dnp3Writes, req, (k) => DNP3_WRITES.has(Number(k)))) ||
        test(appWrites, table.appCodes[r], (k) => APP_WRITES.test(k));
      if (writes) roles[s] |= bit('engineering');
    }
    if (pf.opcua) {
      roles[d] |= bit('opcua-server');
      roles[s] |= bit('opcua-client');
    }
    if (pf.rdp || port === 3389) {
      roles[d] |= bit('remote-access-target');
      roles[s] |= bit('remote-access-client');
    }
    if (pf.ssh) roles[d] |= bit('ssh-server');
    if (pf.web) roles[d] |= bit('web-server');
    if (pf.dns) roles[d] |= bit('dns-server');
  }
  // "client"/"server" only when nothing more specific was seen.
  for (let a = 0; a < roles.length; a++) {
    let v = roles[a];
    if ((v & (v - 1)) === 0) continue;
    if (v & ~CLIENTISH) v &= ~SERVER;
    if (v & SPECIFIC_CLIENT) v &= ~CLIENT;
    roles[a] = v;
  }
  return roles;
}

/** Role names of a bit set, sorted. */
export function roleNames(bits: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < ROLE_NAMES.length; i++) if (bits & (1 << i)) out.push(ROLE_NAMES[i]);
  return out.sort();
}

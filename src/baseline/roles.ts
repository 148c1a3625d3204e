/**
 * Observed roles per address, from behaviour only: a host answering on an industrial server port is a
 * controller; those that poll it are ICS clients (SCADA/HMI/historian); one sending writes or program
 * downloads acts as an engineering station; services on IT ports name themselves.
 */
import { isModbusWrite } from '../modbus/codes.ts';
import { CONTROLLER_PORTS } from '../capture/observation.ts';
import type { AggregatedFlow } from './flows.ts';

const INDUSTRIAL = new Set(['modbus', 'dnp3', 's7comm', 'enip', 'iec104', 'bacnet']);
const DNP3_WRITES = new Set([2, 3, 4, 5, 6, 13, 14, 18, 19, 20, 21, 24, 31]);

export function observedRoles(flows: readonly AggregatedFlow[]): Map<string, Set<string>> {
  const roles = new Map<string, Set<string>>();
  const add = (ip: string, r: string) => {
    let s = roles.get(ip);
    if (!s) roles.set(ip, (s = new Set()));
    s.add(r);
  };
  for (const f of flows) {
    add(f.src, 'client');
    add(f.dst, 'server');
    const industrial = INDUSTRIAL.has(f.protocol) || (f.protocol === 'unknown' && CONTROLLER_PORTS.has(f.dstPort) && f.transport === 'tcp');
    if (industrial && (CONTROLLER_PORTS.has(f.dstPort) || INDUSTRIAL.has(f.protocol))) {
      add(f.dst, 'controller');
      add(f.src, 'ics-client');
      const codes = Object.keys(f.requestCodes).map(Number);
      const writes =
        (f.protocol === 'modbus' && codes.some((c) => isModbusWrite(c))) ||
        (f.protocol === 'dnp3' && codes.some((c) => DNP3_WRITES.has(c))) ||
        Object.keys(f.appCodes).some((n) => /write|download|plc-stop|pi-service|set-attribute/.test(n));
      if (writes) add(f.src, 'engineering');
    }
    if (f.protocol === 'opcua') {
      add(f.dst, 'opcua-server');
      add(f.src, 'opcua-client');
    }
    if (f.protocol === 'rdp' || f.dstPort === 3389) {
      add(f.dst, 'remote-access-target');
      add(f.src, 'remote-access-client');
    }
    if (f.protocol === 'ssh') add(f.dst, 'ssh-server');
    if (f.protocol === 'https' || f.protocol === 'http' || f.protocol === 'tls') add(f.dst, 'web-server');
    if (f.protocol === 'dns') add(f.dst, 'dns-server');
  }
  // "client"/"server" only when nothing more specific was seen.
  for (const s of roles.values()) {
    if (s.size > 1) {
      if ([...s].some((r) => r !== 'client' && r !== 'server' && !r.endsWith('-client') && r !== 'ics-client' && r !== 'engineering')) s.delete('server');
      if ([...s].some((r) => r.endsWith('-client') || r === 'ics-client')) s.delete('client');
    }
  }
  return roles;
}

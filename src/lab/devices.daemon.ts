/**
 * Lab daemon: runs inside one zone namespace (started by `lab up` through `ip netns exec`, detached) and
 * serves the zone's simulated devices: Modbus/TCP servers, plain TCP listeners (OPC UA, HTTPS, RDP, PI,
 * DNP3… accept and hold the connection), UDP sinks for one-way flows (each datagram is logged with its
 * arrival time, so the prober can prove delivery and latency across a diode), UDP echo for other UDP flows,
 * and the Modbus filters. Usage: devices.daemon.ts CONFIG.json — writes CONFIG's readyFile when listening.
 */
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createModbusServer } from '../modbus/server.ts';
import { createModbusFilter } from '../modbus/filter.ts';
import type { ZoneDevices } from './plan.ts';

export interface DaemonConfig {
  devices: ZoneDevices;
  udpLog: string;
  filterLog: string;
  readyFile: string;
}

const config = JSON.parse(readFileSync(process.argv[2], 'utf8')) as DaemonConfig;
const d = config.devices;
const servers: Server[] = [];
const udps: UdpSocket[] = [];

function listen(s: Server, port: number, host: string): Promise<void> {
  return new Promise((res, rej) => {
    s.once('error', rej);
    s.listen({ port, host }, () => res());
  });
}

async function start(): Promise<void> {
  for (const m of d.modbus) {
    const h = createModbusServer();
    servers.push(h.server);
    await listen(h.server, m.port, m.ip);
  }
  for (const t of d.tcp) {
    const s = createServer((sock) => {
      sock.on('error', () => sock.destroy());
      sock.on('data', () => {});
      sock.setTimeout(30000, () => sock.destroy());
    });
    servers.push(s);
    await listen(s, t.port, t.ip);
  }
  for (const u of d.udp) {
    const s = createSocket('udp4');
    s.on('message', (msg, rinfo) => {
      if (u.mode === 'echo') s.send(msg, rinfo.port, rinfo.address);
      else appendFileSync(config.udpLog, JSON.stringify({ t: Date.now(), from: `${rinfo.address}:${rinfo.port}`, to: `${u.ip}:${u.port}`, data: msg.subarray(0, 200).toString('utf8') }) + '\n');
    });
    await new Promise<void>((res, rej) => {
      s.once('error', rej);
      s.bind(u.port, u.ip, () => res());
    });
    udps.push(s);
  }
  for (const f of d.filters) {
    const flt = createModbusFilter({
      upstreamHost: f.upstreamIp,
      upstreamPort: f.upstreamPort,
      allow: new Set(f.allow),
      log: (x) => appendFileSync(config.filterLog, JSON.stringify({ t: Date.now(), rule: f.ruleId, ...x }) + '\n'),
    });
    servers.push(flt.server);
    await listen(flt.server, f.listenPort, '0.0.0.0');
  }
  writeFileSync(config.readyFile, `${process.pid}\n`);
}

const stop = () => {
  for (const s of servers) s.close();
  for (const u of udps) u.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
start().catch((e: Error) => {
  console.error(`lab devices for ${d.zoneId}: ${e.message}`);
  process.exit(1);
});

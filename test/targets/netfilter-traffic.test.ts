/**
 * The nftables and iptables outputs enforce the example's conduits on real packets: a firewall namespace with one veth per
 * zone (named as the ruleset's header says), one namespace per zone with the example's host addresses, the
 * ruleset loaded with `nft -f`, then TCP connects and UDP datagrams between zones. Shows default deny, the
 * allowlisted pairs, and the diode flow passing one way with its replies dropped. Needs root.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.ts';
import { EXAMPLE } from '../helpers/paths.ts';
import { rootSkipReason } from '../helpers/root.ts';
import { loadModelFile } from '../../src/model/load.ts';
import { linuxInterfaceNames } from '../../src/targets/nftables.ts';

const skip = rootSkipReason(['nft', 'ip']);
if (skip) console.log(`# skipping netfilter traffic tests: ${skip}`);

const tag = `${process.pid % 100000}`;
const nsFor = (t: string) => ({ fw: `otz-c${t}f-${tag}`, Z2: `otz-c${t}2-${tag}`, Z3: `otz-c${t}3-${tag}`, Z4: `otz-c${t}4-${tag}`, Z5: `otz-c${t}5-${tag}` });
const created: string[] = [];
const ZONES: Record<'Z2' | 'Z3' | 'Z4' | 'Z5', { id: string; gw: string; len: number; hosts: string[] }> = {
  Z2: { id: 'Z2-BPCS', gw: '10.20.1.1', len: 16, hosts: ['10.20.1.10'] },
  Z3: { id: 'Z3-OPS', gw: '10.30.1.1', len: 16, hosts: ['10.30.1.50', '10.30.1.51', '10.30.1.100'] },
  Z4: { id: 'Z4-DMZ', gw: '172.16.1.1', len: 24, hosts: ['172.16.1.60', '172.16.1.100'] },
  Z5: { id: 'Z5-ENT', gw: '10.40.0.1', len: 16, hosts: ['10.40.3.7'] },
};
const children: ChildProcess[] = [];

function sh(...cmd: string[]) {
  const r = spawnSync(cmd[0], cmd.slice(1), { encoding: 'utf8', timeout: 15_000 });
  assert.equal(r.status, 0, `${cmd.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

const dir = mkdtempSync(join(tmpdir(), 'otz-traffic-'));
const SERVER = join(dir, 'server.mjs');
const CLIENT = join(dir, 'client.mjs');
writeFileSync(
  SERVER,
  `import net from 'node:net'; import dgram from 'node:dgram';
const [kind, host, port] = process.argv.slice(2);
if (kind === 'tcp') net.createServer((s) => { s.on('error', () => {}); s.end('hi'); }).listen(Number(port), host, () => console.log('ready'));
else { const u = dgram.createSocket('udp4'); u.on('message', (m, r) => { console.log('got ' + m); u.send('reply', r.port, r.address); }); u.bind(Number(port), host, () => console.log('ready')); }`,
);
writeFileSync(
  CLIENT,
  `import net from 'node:net'; import dgram from 'node:dgram';
const [kind, src, host, port] = process.argv.slice(2);
const done = (s) => { console.log(s); process.exit(0); };
setTimeout(() => done(kind === 'tcp' ? 'blocked' : 'no-reply'), 700);
if (kind === 'tcp') { const c = net.connect({ host, port: Number(port), localAddress: src }); c.on('connect', () => done('open')); c.on('error', () => done('blocked')); }
else { const u = dgram.createSocket('udp4'); u.bind(0, src, () => u.send('ping', Number(port), host)); u.on('message', () => done('reply')); }`,
);

function server(ns: string, kind: 'tcp' | 'udp', host: string, port: number): Promise<ChildProcess> {
  const p = spawn('ip', ['netns', 'exec', ns, process.execPath, SERVER, kind, host, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(p);
  let out = '';
  p.stdout!.on('data', (d) => (out += d));
  Object.defineProperty(p, 'output', { get: () => out });
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`server ${host}:${port} did not start`)), 5000);
    p.stdout!.on('data', () => {
      if (out.includes('ready')) {
        clearTimeout(t);
        resolve(p);
      }
    });
  });
}

function client(ns: string, kind: 'tcp' | 'udp', src: string, host: string, port: number): string {
  return sh('ip', 'netns', 'exec', ns, process.execPath, CLIENT, kind, src, host, String(port)).trim();
}

after(() => {
  for (const c of children) c.kill();
  for (const ns of created) spawnSync('ip', ['netns', 'del', ns]);
});

for (const [target, short] of [['nftables', 'n'], ['iptables', 'i']] as const) test(`${target} ruleset on real packets: conduits open, everything else dropped, diode one-way`, { skip: skip || (target === 'iptables' && rootSkipReason(['iptables-restore'])), timeout: 60_000 }, async () => {
  const NS = nsFor(short);
  const names = linuxInterfaceNames(loadModelFile(EXAMPLE).model!);
  for (const ns of Object.values(NS)) {
    sh('ip', 'netns', 'add', ns);
    created.push(ns);
  }
  for (const [key, z] of Object.entries(ZONES) as [keyof typeof ZONES, (typeof ZONES)[keyof typeof ZONES]][]) {
    const ifn = names.get(z.id)!;
    sh('ip', '-n', NS.fw, 'link', 'add', ifn, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', NS[key]);
    sh('ip', '-n', NS.fw, 'addr', 'add', `${z.gw}/${z.len}`, 'dev', ifn);
    sh('ip', '-n', NS.fw, 'link', 'set', ifn, 'up');
    for (const h of z.hosts) sh('ip', '-n', NS[key], 'addr', 'add', `${h}/${z.len}`, 'dev', 'eth0');
    sh('ip', '-n', NS[key], 'link', 'set', 'eth0', 'up');
    sh('ip', '-n', NS[key], 'link', 'set', 'lo', 'up');
    sh('ip', '-n', NS[key], 'route', 'add', 'default', 'via', z.gw);
  }
  sh('ip', 'netns', 'exec', NS.fw, 'sysctl', '-qw', 'net.ipv4.ip_forward=1');
  const r = await runCli(['compile', 'examples/refinery-unit3.yaml', '--target', target]);
  assert.equal(r.code, 0, r.stderr);
  const rules = join(dir, `otzones.${target}`);
  writeFileSync(rules, r.stdout);
  if (target === 'nftables') sh('ip', 'netns', 'exec', NS.fw, 'nft', '-f', rules);
  else sh('ip', 'netns', 'exec', NS.fw, 'iptables-restore', rules);

  await server(NS.Z2, 'tcp', '10.20.1.10', 502);
  await server(NS.Z3, 'tcp', '10.30.1.50', 4840);
  await server(NS.Z3, 'tcp', '10.30.1.100', 5450);
  await server(NS.Z4, 'tcp', '172.16.1.60', 443);
  const dd = await server(NS.Z4, 'udp', '172.16.1.100', 5450);

  // C1: HIST-01 -> Z2-BPCS Modbus, Z2-BPCS -> HIST-01 OPC UA.
  assert.equal(client(NS.Z3, 'tcp', '10.30.1.50', '10.20.1.10', 502), 'open');
  assert.equal(client(NS.Z2, 'tcp', '10.20.1.10', '10.30.1.50', 4840), 'open');
  // Another Z3 host is not HIST-01: no Modbus to the PLCs.
  assert.equal(client(NS.Z3, 'tcp', '10.30.1.51', '10.20.1.10', 502), 'blocked');
  // C2: any Z3 host -> the DMZ patch server.
  assert.equal(client(NS.Z3, 'tcp', '10.30.1.51', '172.16.1.60', 443), 'open');
  // Prohibited paths: enterprise to control and to operations, DMZ back into operations.
  assert.equal(client(NS.Z5, 'tcp', '10.40.3.7', '10.20.1.10', 502), 'blocked');
  assert.equal(client(NS.Z5, 'tcp', '10.40.3.7', '10.30.1.50', 4840), 'blocked');
  assert.equal(client(NS.Z4, 'tcp', '172.16.1.100', '10.30.1.100', 5450), 'blocked');
  // C4 diode: the datagram reaches DMZ-DD-01, its reply never comes back.
  assert.equal(client(NS.Z3, 'udp', '10.30.1.100', '172.16.1.100', 5450), 'no-reply');
  // spawnSync blocked the event loop: let the server's output arrive.
  const output = () => (dd as unknown as { output: string }).output;
  for (let i = 0; i < 20 && !output().includes('got ping'); i++) await new Promise((res) => setTimeout(res, 50));
  assert.match(output(), /got ping/);
});

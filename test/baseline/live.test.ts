/**
 * A live capture piped in, with real parts only: two network namespaces on a veth pair hold the example's
 * historian (10.30.1.50) and PLC-02 (10.20.1.11); Debian's python3-pymodbus serves Modbus on the PLC and, as the
 * historian, reads holding registers and writes one; Wireshark's `dumpcap -w -` captures on the historian's
 * side and pipes into `otzones baseline model -`. Ctrl-C goes to both, as a shell sends it: dumpcap flushes and
 * closes the pipe, and the report names the write as a function code the conduit does not allow. Needs root.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { EXAMPLE, ROOT } from '../helpers/paths.ts';
import { rootSkipReason } from '../helpers/root.ts';

const skip = rootSkipReason(['ip', 'dumpcap', '/usr/bin/python3']);
if (skip) console.log(`# live capture test skipped: ${skip}`);

const tag = `${process.pid % 100000}`;
const HIST_NS = `otz-lvh-${tag}`;
const PLC_NS = `otz-lvp-${tag}`;
const HIST = '10.30.1.50';
const PLC = '10.20.1.11';
const children: ChildProcess[] = [];

function sh(...cmd: string[]): string {
  const r = spawnSync(cmd[0], cmd.slice(1), { encoding: 'utf8', timeout: 15_000 });
  assert.equal(r.status, 0, `${cmd.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

after(() => {
  for (const c of children) c.kill('SIGKILL');
  for (const ns of [HIST_NS, PLC_NS]) spawnSync('ip', ['netns', 'del', ns]);
});

const SERVER = `
from pymodbus.server import StartTcpServer
from pymodbus.datastore import ModbusSequentialDataBlock, ModbusSlaveContext, ModbusServerContext
store = ModbusSlaveContext(hr=ModbusSequentialDataBlock(0, [7] * 100))
StartTcpServer(context=ModbusServerContext(slaves=store, single=True), address=('${PLC}', 502))
`;

// Retries the connection while the server starts; then a read and a write, as a historian that writes would.
const CLIENT = `
import sys, time
from pymodbus.client import ModbusTcpClient
for _ in range(50):
    client = ModbusTcpClient('${PLC}', port=502, timeout=2, retries=0)
    if client.connect(): break
    time.sleep(0.1)
else:
    print('CONNECT-FAILED'); sys.exit(1)
r = client.read_holding_registers(0, 2, slave=1)
print('READ', 'ERROR' if r.isError() else r.registers)
w = client.write_register(1, 7, slave=1)
print('WRITE', 'ERROR' if w.isError() else 'OK')
client.close()
`;

/** Resolves when `text` has appeared on the child's stderr (or rejects when it exits first). */
function stderrSays(child: ChildProcess, text: string, seen: { err: string }): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => seen.err.includes(text) && resolve();
    child.stderr!.on('data', (d: Buffer) => {
      seen.err += d;
      check();
    });
    child.on('exit', (code) => reject(new Error(`exited ${code} before saying "${text}": ${seen.err}`)));
    check();
  });
}

test('dumpcap -w - | otzones baseline model -: a pymodbus write from the historian, Ctrl-C, the report', { skip }, async () => {
  sh('ip', 'netns', 'add', HIST_NS);
  sh('ip', 'netns', 'add', PLC_NS);
  sh('ip', 'link', 'add', `lvh${tag}`, 'type', 'veth', 'peer', 'name', `lvp${tag}`);
  sh('ip', 'link', 'set', `lvh${tag}`, 'netns', HIST_NS);
  sh('ip', 'link', 'set', `lvp${tag}`, 'netns', PLC_NS);
  sh('ip', '-n', HIST_NS, 'addr', 'add', `${HIST}/8`, 'dev', `lvh${tag}`);
  sh('ip', '-n', PLC_NS, 'addr', 'add', `${PLC}/8`, 'dev', `lvp${tag}`);
  for (const [ns, dev] of [[HIST_NS, `lvh${tag}`], [PLC_NS, `lvp${tag}`]]) {
    sh('ip', '-n', ns, 'link', 'set', 'lo', 'up');
    sh('ip', '-n', ns, 'link', 'set', dev, 'up');
  }

  const server = spawn('ip', ['netns', 'exec', PLC_NS, '/usr/bin/python3', '-c', SERVER], { stdio: 'ignore' });
  children.push(server);
  const dumpcap = spawn('ip', ['netns', 'exec', HIST_NS, 'dumpcap', '-i', `lvh${tag}`, '-w', '-'], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(dumpcap);
  const otz = spawn(process.execPath, [join(ROOT, 'bin/otzones.js'), 'baseline', EXAMPLE, '-', '--format', 'json', '--progress'], { stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(otz);
  dumpcap.stdout!.pipe(otz.stdin!);
  let stdout = '';
  otz.stdout!.on('data', (d: Buffer) => (stdout += d));
  const capOut = { err: '' };
  const otzOut = { err: '' };
  const exited = new Promise<number | null>((resolve) => otz.on('exit', (code) => resolve(code)));
  await Promise.all([stderrSays(dumpcap, 'Capturing on', capOut), stderrSays(otz, 'reading the capture on standard input', otzOut)]);

  const client = spawnSync('ip', ['netns', 'exec', HIST_NS, '/usr/bin/python3', '-c', CLIENT], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(client.status, 0, client.stdout + client.stderr);
  assert.match(client.stdout, /^READ \[7, 7\]$/m);
  assert.match(client.stdout, /^WRITE OK$/m);

  // libpcap hands packets to dumpcap in blocks retired at least once a second: let the last one arrive (a
  // user's Ctrl-C after a capture of minutes loses nothing that matters). Then Ctrl-C in the shell: both get
  // SIGINT; dumpcap writes out what it holds and closes the pipe.
  await new Promise((r) => setTimeout(r, 2500));
  dumpcap.kill('SIGINT');
  otz.kill('SIGINT');
  let timer: NodeJS.Timeout | undefined;
  const code = await Promise.race([exited, new Promise<string>((r) => (timer = setTimeout(() => r('timeout'), 20_000)))]);
  clearTimeout(timer);
  assert.equal(code, 1, `exit ${code}: ${otzOut.err}`);

  type Flow = { src: string; dst: string; dst_port: number; protocol: string; function_codes: Record<string, number>; verdict: string; reasons: string[] };
  const report = JSON.parse(stdout) as { flows: Flow[]; violations: Flow[]; diagnostics: { message: string }[] };
  const modbus = report.flows.find((f) => f.src === HIST && f.dst === PLC && f.dst_port === 502);
  assert.ok(modbus, JSON.stringify(report.flows));
  assert.equal(modbus.protocol, 'modbus');
  assert.deepEqual(modbus.function_codes, { 3: 1, 6: 1 });
  assert.equal(modbus.verdict, 'violation');
  assert.deepEqual(modbus.reasons, ['function-code-not-allowed']);
  // The only IPv4 violation; the links' own IPv6 neighbour discovery is there too, from addresses in no zone.
  const v4 = report.violations.filter((f) => !f.src.includes(':'));
  assert.deepEqual(v4.map((f) => `${f.src}>${f.dst}:${f.dst_port}`), [`${HIST}>${PLC}:502`]);
  assert.ok(report.violations.every((f) => !f.src.includes(':') || f.reasons[0] === 'unzoned-endpoint'));
  // The pipe closed before the grace period ran out: nothing was cut off.
  assert.doesNotMatch(report.diagnostics.map((d) => d.message).join('\n'), /stopped on request|cut short/);
});

/**
 * What one probe task does on the wire, from the current network namespace: TCP connect, a UDP datagram,
 * an ICMP echo (raw socket, through Debian's python3), a Modbus read, or a Modbus read-then-write-back. Used in-process
 * by `probe --from ZONE` and by the agent that `probe --lab` starts inside each zone namespace.
 */
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { ModbusClient, registerValues } from '../modbus/client.ts';

export interface ExecTask {
  id: number;
  kind: 'tcp' | 'udp' | 'icmp' | 'modbus-read' | 'modbus-write' | 'udp-send';
  src: string;
  dst: string;
  port?: number;
  timeoutMs: number;
  payload?: string;
  unitId?: number;
  register?: number;
  /** udp-send: how many datagrams. */
  count?: number;
}

export interface ExecResult {
  id: number;
  observed: 'open' | 'blocked' | 'error';
  detail: string;
  ms: number;
  /** udp-send: the send time (ms since epoch) of the first datagram. */
  sentAt?: number;
}

/**
 * A timeout that yields to pending I/O first: when the event loop stalls (CPU contention), the timers phase
 * runs before the poll phase, so a plain timer would fire before an answer that already arrived is seen.
 */
export function afterTimeout(ms: number, fn: () => void): NodeJS.Timeout {
  return setTimeout(() => setImmediate(fn), ms);
}

const elapsed = (t0: bigint) => Number((process.hrtime.bigint() - t0) / 1000n) / 1000;

export async function execute(t: ExecTask): Promise<ExecResult> {
  const t0 = process.hrtime.bigint();
  const done = (observed: ExecResult['observed'], detail: string, extra: Partial<ExecResult> = {}): ExecResult => ({ id: t.id, observed, detail, ms: Math.round(elapsed(t0) * 10) / 10, ...extra });
  try {
    switch (t.kind) {
      case 'tcp':
        return await tcp(t, done);
      case 'udp':
        return await udp(t, done);
      case 'udp-send':
        return await udpSend(t, done);
      case 'icmp':
        return await icmp(t, done);
      case 'modbus-read':
      case 'modbus-write':
        return await modbus(t, done);
    }
  } catch (e) {
    return done('error', (e as Error).message);
  }
}

type Done = (observed: ExecResult['observed'], detail: string, extra?: Partial<ExecResult>) => ExecResult;

function tcp(t: ExecTask, done: Done): Promise<ExecResult> {
  return new Promise((resolve) => {
    const s = connect({ host: t.dst, port: t.port!, localAddress: t.src });
    let settled = false;
    const timer = afterTimeout(t.timeoutMs, () => {
      if (settled) return;
      settled = true;
      s.destroy();
      resolve(done('blocked', `no answer to SYN within ${t.timeoutMs} ms`));
    });
    s.once('connect', () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      s.destroy();
      resolve(done('open', 'connected'));
    });
    s.once('error', (e: NodeJS.ErrnoException) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      s.destroy();
      if (e.code === 'ECONNREFUSED') resolve(done('open', 'refused by the target (RST): the path is open, no service listens'));
      else if (e.code === 'EHOSTUNREACH' || e.code === 'ENETUNREACH' || e.code === 'EACCES' || e.code === 'EPERM') resolve(done('blocked', `rejected (${e.code})`));
      else resolve(done('error', e.code ?? e.message));
    });
  });
}

function udp(t: ExecTask, done: Done): Promise<ExecResult> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    let settled = false;
    const finish = (r: ExecResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      try {
        s.close();
      } catch {
        /* closed */
      }
      resolve(r);
    };
    const timer = afterTimeout(t.timeoutMs, () => finish(done('blocked', `no reply and no ICMP error within ${t.timeoutMs} ms`)));
    s.on('message', () => finish(done('open', 'reply received')));
    s.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ECONNREFUSED') finish(done('open', 'ICMP port unreachable from the target: the path is open, no service listens'));
      else if (e.code === 'EHOSTUNREACH' || e.code === 'ENETUNREACH') finish(done('blocked', `rejected (${e.code})`));
      else finish(done('error', e.code ?? e.message));
    });
    s.bind(0, t.src, () => {
      s.connect(t.port!, t.dst, () => s.send(Buffer.from(t.payload ?? 'otzones-probe')));
    });
  });
}

function udpSend(t: ExecTask, done: Done): Promise<ExecResult> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    s.on('error', (e: NodeJS.ErrnoException) => {
      s.close();
      resolve(done('error', e.code ?? e.message));
    });
    s.bind(0, t.src, async () => {
      const sentAt = Date.now();
      for (let k = 0; k < (t.count ?? 1); k++) {
        await new Promise<void>((r) => s.send(Buffer.from(`${t.payload ?? 'otzones-probe'} ${k} ${Date.now()}`), t.port!, t.dst, () => r()));
      }
      s.close();
      resolve(done('open', 'sent', { sentAt }));
    });
  });
}

/**
 * ICMP echo through a raw socket in Debian's python3 (always present with python3-pymodbus; iputils-ping is
 * not part of the dependencies): one echo request with identifier = task id, bound to the source address.
 */
const ICMP_PY = String.raw`
import socket, struct, sys, time, select
src, dst, timeout, ident = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4]) & 0xffff
def csum(b):
    if len(b) % 2: b += b'\0'
    t = sum(struct.unpack('!%dH' % (len(b) // 2), b)); t = (t >> 16) + (t & 0xffff); t += t >> 16
    return ~t & 0xffff
try:
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    s.bind((src, 0))
except OSError as e:
    print('cannot open a raw ICMP socket: %s' % e); sys.exit(2)
payload = b'otzones-probe'
c = csum(struct.pack('!BBHHH', 8, 0, 0, ident, 1) + payload)
s.sendto(struct.pack('!BBHHH', 8, 0, c, ident, 1) + payload, (dst, 0))
end = time.time() + timeout
while True:
    r = end - time.time()
    if r <= 0: print('timeout'); sys.exit(1)
    if not select.select([s], [], [], r)[0]: continue
    d, a = s.recvfrom(4096)
    ihl = (d[0] & 15) * 4
    t, code, _, i, seq = struct.unpack('!BBHHH', d[ihl:ihl + 8])
    if t == 0 and i == ident and a[0] == dst: print('reply'); sys.exit(0)
    if t == 3 and len(d) >= ihl + 8 + 28:
        inner = d[ihl + 8:]
        iihl = (inner[0] & 15) * 4
        if socket.inet_ntoa(inner[16:20]) == dst and inner[9] == 1 and struct.unpack('!H', inner[iihl + 4:iihl + 6])[0] == ident:
            print('unreachable code %d from %s' % (code, a[0])); sys.exit(3)
`;

export const PYTHON = '/usr/bin/python3';

function icmp(t: ExecTask, done: Done): Promise<ExecResult> {
  return new Promise((resolve) => {
    const p = spawn(PYTHON, ['-c', ICMP_PY, t.src, t.dst, String(t.timeoutMs / 1000), String(t.id)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (c) => (out += c));
    p.stderr.on('data', (c) => (out += c));
    p.on('error', (e) => resolve(done('error', `cannot run ${PYTHON}: ${e.message}`)));
    p.on('close', (code) => {
      if (code === 0) resolve(done('open', 'echo reply received'));
      else if (code === 1) resolve(done('blocked', `no echo reply within ${t.timeoutMs} ms`));
      else if (code === 3) resolve(done('blocked', `rejected: ICMP ${out.trim()}`));
      else resolve(done('error', `ICMP echo: ${out.trim().split('\n').pop() || `exit ${code}`}`));
    });
  });
}

async function modbus(t: ExecTask, done: Done): Promise<ExecResult> {
  const c = new ModbusClient({ host: t.dst, port: t.port!, localAddress: t.src, timeoutMs: t.timeoutMs });
  try {
    await c.connect();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ETIMEDOUT') return done('blocked', `TCP connect not answered within ${t.timeoutMs} ms`);
    if (code === 'ECONNREFUSED') return done('blocked', 'connection refused: no Modbus service reachable');
    return done('blocked', `connect failed (${code ?? (e as Error).message})`);
  }
  try {
    const unit = t.unitId ?? 1;
    const reg = t.register ?? 0;
    const r = await c.readHolding(unit, reg, 1);
    if (t.kind === 'modbus-read') {
      if (r.kind === 'ok') return done('open', `FC 3 read of register ${reg}: value ${registerValues(r.frame)[0]}`);
      if (r.kind === 'exception') return done('blocked', `FC 3 answered with exception ${r.code}`);
      return done('blocked', `FC 3: ${r.kind === 'closed' ? r.detail : 'no response'}`);
    }
    if (r.kind !== 'ok') return done('error', `the FC 3 read of register ${reg} failed (${r.kind}), so nothing was written`);
    const value = registerValues(r.frame)[0];
    const w = await c.writeSingle(unit, reg, value);
    if (w.kind === 'ok') return done('open', `FC 6 write of ${value} (the value just read) to register ${reg} was executed by the device`);
    if (w.kind === 'exception') return done('blocked', `FC 6 answered with exception ${w.code}${w.code === 1 ? ' (illegal function)' : ''}`);
    return done('blocked', `FC 6: ${w.kind === 'closed' ? `connection closed (${w.detail})` : 'no response'}`);
  } finally {
    c.close();
  }
}

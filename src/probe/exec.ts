/**
 * What one probe task does on the wire, from the current network namespace: TCP connect, a UDP datagram,
 * an ICMP echo (raw socket, through Debian's python3), a Modbus read, or a Modbus read-then-write-back. Used in-process
 * by `probe --from ZONE` and by the agent that `probe --lab` starts inside each zone namespace.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
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
 * ICMP echo through raw sockets in Debian's python3 (always present with python3-pymodbus; iputils-ping is
 * not part of the dependencies). One helper process per prober process serves all echo requests: a line
 * `ident src dst timeout` in, a line `ident status detail` out (status 0 reply, 1 timeout, 2 error, 3 unreachable).
 */
const ICMP_PY = String.raw`
import socket, struct, sys, time, select, os
def csum(b):
    if len(b) % 2: b += b'\x00'
    t = sum(struct.unpack('!%dH' % (len(b) // 2), b)); t = (t >> 16) + (t & 0xffff); t += t >> 16
    return ~t & 0xffff
socks = {}
pending = {}
buf = b''
def out(ident, code, detail):
    sys.stdout.write('%d %d %s\n' % (ident, code, detail)); sys.stdout.flush()
stdin = sys.stdin.buffer.raw if hasattr(sys.stdin.buffer, 'raw') else sys.stdin.buffer
eof = False
while not eof or pending:
    now = time.time()
    for ident in [i for i, p in pending.items() if p[1] <= now]:
        del pending[ident]; out(ident, 1, 'timeout')
    waits = [p[1] - now for p in pending.values()]
    rl = list(socks.values()) + ([] if eof else [stdin])
    r = select.select(rl, [], [], max(0.0, min(waits)) if waits else (None if not eof else 0))[0]
    for f in r:
        if f is stdin:
            chunk = os.read(stdin.fileno(), 65536)
            if not chunk: eof = True; continue
            buf += chunk
            while b'\n' in buf:
                line, buf = buf.split(b'\n', 1)
                ident, src, dst, timeout = line.decode().split()
                ident = int(ident) & 0xffff
                try:
                    if src not in socks:
                        s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP); s.bind((src, 0)); socks[src] = s
                    payload = b'otzones-probe'
                    c = csum(struct.pack('!BBHHH', 8, 0, 0, ident, 1) + payload)
                    socks[src].sendto(struct.pack('!BBHHH', 8, 0, c, ident, 1) + payload, (dst, 0))
                    pending[ident] = (dst, time.time() + float(timeout))
                except OSError as e:
                    out(ident, 2, 'cannot send an ICMP echo: %s' % e)
            continue
        d, a = f.recvfrom(4096)
        ihl = (d[0] & 15) * 4
        if len(d) < ihl + 8: continue
        t, code, _, i, seq = struct.unpack('!BBHHH', d[ihl:ihl + 8])
        if t == 0 and i in pending and pending[i][0] == a[0]:
            del pending[i]; out(i, 0, 'reply')
        elif t == 3 and len(d) >= ihl + 8 + 28:
            inner = d[ihl + 8:]
            iihl = (inner[0] & 15) * 4
            if inner[9] == 1 and len(inner) >= iihl + 6:
                j = struct.unpack('!H', inner[iihl + 4:iihl + 6])[0]
                if j in pending and socket.inet_ntoa(inner[16:20]) == pending[j][0]:
                    del pending[j]; out(j, 3, 'unreachable code %d from %s' % (code, a[0]))
`;

export const PYTHON = '/usr/bin/python3';

interface IcmpHelper {
  child: ChildProcess;
  waiting: Map<number, (code: number, detail: string) => void>;
}
let helper: IcmpHelper | undefined;

function icmpHelper(): IcmpHelper {
  if (helper && helper.child.exitCode === null && !helper.child.killed) return helper;
  const child = spawn(PYTHON, ['-u', '-c', ICMP_PY], { stdio: ['pipe', 'pipe', 'pipe'] });
  const h: IcmpHelper = { child, waiting: new Map() };
  let err = '';
  child.stderr!.on('data', (c) => (err += c));
  const fail = (why: string) => {
    for (const [, w] of h.waiting) w(2, why);
    h.waiting.clear();
    if (helper === h) helper = undefined;
  };
  child.on('error', (e) => fail(`cannot run ${PYTHON}: ${e.message}`));
  child.on('exit', (code) => fail(`ICMP helper exited (${code}): ${err.trim().split('\n').pop() ?? ''}`));
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const m = /^(\d+) (\d) (.*)$/.exec(line);
    if (!m) return;
    const w = h.waiting.get(Number(m[1]));
    h.waiting.delete(Number(m[1]));
    w?.(Number(m[2]), m[3]);
  });
  helper = h;
  return h;
}

/** Stops the ICMP helper; whoever sends ICMP probes calls it when done (the helper keeps the process alive). */
export function closeIcmpHelper(): void {
  helper?.child.stdin!.end();
  helper = undefined;
}

function icmp(t: ExecTask, done: Done): Promise<ExecResult> {
  return new Promise((resolve) => {
    const h = icmpHelper();
    const ident = t.id & 0xffff;
    h.waiting.set(ident, (code, detail) => {
      if (code === 0) resolve(done('open', 'echo reply received'));
      else if (code === 1) resolve(done('blocked', `no echo reply within ${t.timeoutMs} ms`));
      else if (code === 3) resolve(done('blocked', `rejected: ICMP ${detail}`));
      else resolve(done('error', `ICMP echo: ${detail}`));
    });
    h.child.stdin!.write(`${ident} ${t.src} ${t.dst} ${t.timeoutMs / 1000}\n`);
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

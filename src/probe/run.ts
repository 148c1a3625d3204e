/**
 * Runs a probe plan: dispatches tasks under one global packet-rate limit to an executor (in-process for
 * `--from`, one agent per zone namespace for `--lab`), then judges each result against its expectation.
 * One-way (diode) delivery is judged from the receiving device's log in the lab's run directory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { defineCode } from '../diagnostics/codes.ts';
import { closeIcmpHelper, execute, type ExecResult, type ExecTask } from './exec.ts';
import type { CheckKind, Expect, ProbeTask } from './plan.ts';

export const PROBE_CHECK_CODES: Record<CheckKind, ReturnType<typeof defineCode>> = {
  'prohibited-path': defineCode({ code: 'ZC770', name: 'probe-prohibited-path-open', severity: 'error', title: 'A prohibited cross-zone path is open' }),
  'conduit-open': defineCode({ code: 'ZC771', name: 'probe-conduit-flow-blocked', severity: 'error', title: 'A conduit flow does not connect' }),
  'modbus-read': defineCode({ code: 'ZC772', name: 'probe-modbus-read-failed', severity: 'error', title: 'A Modbus read across an allowed flow failed' }),
  'modbus-write-blocked': defineCode({ code: 'ZC773', name: 'probe-modbus-write-passed', severity: 'error', title: 'A Modbus write that the conduit forbids reached the device' }),
  'diode-forward': defineCode({ code: 'ZC774', name: 'probe-diode-forward-failed', severity: 'error', title: 'Data did not arrive through a diode in its direction' }),
  'diode-reverse-blocked': defineCode({ code: 'ZC775', name: 'probe-diode-reverse-open', severity: 'error', title: 'Traffic passes a diode against its direction' }),
  'diode-latency': defineCode({ code: 'ZC776', name: 'probe-diode-latency', severity: 'error', title: 'Delivery through a diode is slower than allowed' }),
};
export const PROBE_ERROR = defineCode({ code: 'ZC777', name: 'probe-error', severity: 'error', title: 'A probe could not be carried out' });
export const PROBE_UNUSABLE = defineCode({ code: 'ZC778', name: 'probe-unusable', severity: 'error', title: 'The probe cannot run (no lab, wrong model, no address in the zone)' });

export interface ProbeResult {
  check: CheckKind;
  from_zone: string;
  to_zone: string;
  src: string;
  target: string;
  transport: string;
  expected: Expect;
  observed: 'blocked' | 'open' | 'error';
  status: 'pass' | 'fail' | 'error';
  detail: string;
  ms: number;
  conduit: string | null;
  rule: string | null;
}

export interface Executor {
  run(zoneId: string, t: ExecTask): Promise<ExecResult>;
  close(): Promise<void>;
}

export class InProcessExecutor implements Executor {
  run(_zone: string, t: ExecTask): Promise<ExecResult> {
    return execute(t);
  }
  async close(): Promise<void> {
    closeIcmpHelper();
  }
}

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** One agent process per zone namespace, started lazily. */
export class NamespaceExecutor implements Executor {
  private readonly agents = new Map<string, Promise<{ child: ChildProcess; waiting: Map<number, (r: ExecResult) => void> }>>();
  constructor(private readonly netnsOf: Map<string, string>) {}

  private agent(zoneId: string) {
    let a = this.agents.get(zoneId);
    if (!a) {
      const ns = this.netnsOf.get(zoneId);
      if (!ns) throw new Error(`no lab namespace for zone ${zoneId}`);
      a = new Promise((res, rej) => {
        const child = spawn('ip', ['netns', 'exec', ns, process.execPath, '--import', 'tsx', join(ROOT, 'src/probe/agent.daemon.ts')], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
        const waiting = new Map<number, (r: ExecResult) => void>();
        let err = '';
        child.stderr!.on('data', (c) => (err += c));
        child.on('error', rej);
        child.on('exit', (code) => {
          rej(new Error(`probe agent in ${ns} exited (${code}): ${err.trim()}`));
          for (const [id, w] of waiting) w({ id, observed: 'error', detail: `probe agent in ${ns} exited: ${err.trim()}`, ms: 0 });
          waiting.clear();
        });
        createInterface({ input: child.stdout! }).on('line', (line) => {
          const m = JSON.parse(line) as ExecResult & { ready?: boolean };
          if (m.ready) return res({ child, waiting });
          const w = waiting.get(m.id);
          waiting.delete(m.id);
          w?.(m);
        });
      });
      this.agents.set(zoneId, a);
    }
    return a;
  }

  async run(zoneId: string, t: ExecTask): Promise<ExecResult> {
    const a = await this.agent(zoneId);
    return new Promise((res) => {
      a.waiting.set(t.id, res);
      a.child.stdin!.write(JSON.stringify(t) + '\n');
    });
  }

  async close(): Promise<void> {
    for (const a of this.agents.values()) {
      try {
        const { child } = await a;
        child.stdin!.end();
        await new Promise<void>((r) => (child.exitCode !== null ? r() : child.once('exit', () => r())));
      } catch {
        /* failed to start: nothing to stop */
      }
    }
  }
}

export interface RunOptions {
  /** Packets per second, over all tasks. */
  rate: number;
  timeoutMs: number;
  /** Longest acceptable one-way delivery through a diode. */
  maxLatencyMs: number;
  /** Lab: per zone, the JSON-lines log of its one-way receivers. */
  deliveryLogs?: Map<string, string>;
  maxInFlight?: number;
  onProgress?: (done: number, total: number) => void;
}

function execTask(t: ProbeTask, nonce: string, timeoutMs: number): ExecTask {
  const base = { id: t.id, src: t.src, dst: t.dst, port: t.port, timeoutMs };
  const payload = `otzones-probe ${nonce} ${t.id}`;
  switch (t.check) {
    case 'modbus-read':
      return { ...base, kind: 'modbus-read', unitId: t.modbus!.unitId, register: t.modbus!.register };
    case 'modbus-write-blocked':
      return { ...base, kind: 'modbus-write', unitId: t.modbus!.unitId, register: t.modbus!.register };
    case 'diode-forward':
      return { ...base, kind: 'udp-send', payload, count: 3 };
    default:
      return { ...base, kind: t.transport, payload };
  }
}

export function targetText(t: Pick<ProbeTask, 'dst' | 'port' | 'transport'>): string {
  return t.transport === 'icmp' ? t.dst : `${t.dst}:${t.port}`;
}

export async function runProbe(tasks: readonly ProbeTask[], exec: Executor, opts: RunOptions): Promise<ProbeResult[]> {
  const nonce = randomBytes(6).toString('hex');
  const raw: ExecResult[] = new Array(tasks.length);
  const t0 = Date.now();
  const maxInFlight = opts.maxInFlight ?? 2048;
  let sent = 0;
  let inFlight = 0;
  let finished = 0;
  const slots: (() => void)[] = [];
  const running: Promise<void>[] = [];
  for (const t of tasks) {
    // Global rate limit: task k starts no earlier than (packets before it) / rate.
    const at = t0 + (sent * 1000) / opts.rate;
    sent += t.packets;
    const wait = at - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    while (inFlight >= maxInFlight) await new Promise<void>((r) => slots.push(r));
    inFlight++;
    running.push(
      exec.run(t.fromZone, execTask(t, nonce, opts.timeoutMs)).then((r) => {
        raw[t.id] = r;
        inFlight--;
        finished++;
        opts.onProgress?.(finished, tasks.length);
        slots.shift()?.();
      }),
    );
  }
  await Promise.all(running);
  // A flow expected open that looked blocked gets one more try (a lost SYN or a stalled host is not a verdict).
  const retry = tasks.filter((t) => t.expected === 'open' && t.check !== 'diode-forward' && raw[t.id].observed === 'blocked');
  for (const t of retry) {
    const again = await exec.run(t.fromZone, execTask(t, nonce, opts.timeoutMs));
    raw[t.id] = again.observed === 'open' ? { ...again, detail: `${again.detail} (on the second try)` } : { ...raw[t.id], detail: `${raw[t.id].detail}; again on a second try` };
  }
  const deliveries = await readDeliveries(tasks, nonce, opts);
  const results: ProbeResult[] = [];
  for (const t of tasks) {
    const r = raw[t.id];
    let observed = r.observed;
    let detail = r.detail;
    if (t.check === 'diode-forward') {
      const got = deliveries.get(t.id) ?? [];
      if (r.observed !== 'error') {
        observed = got.length ? 'open' : 'blocked';
        detail = got.length ? `${got.length} of 3 datagrams arrived` : `none of 3 datagrams arrived within ${opts.timeoutMs} ms`;
      }
      results.push(result(t, observed, detail, r.ms));
      if (got.length) {
        const worst = Math.max(...got);
        const ok = worst <= opts.maxLatencyMs;
        results.push(result({ ...t, check: 'diode-latency' }, ok ? 'open' : 'blocked', `one-way latency ${Math.min(...got)}-${worst} ms (limit ${opts.maxLatencyMs} ms)`, worst));
      }
      continue;
    }
    if (t.transport === 'udp' && deliveries.has(t.id) && observed === 'blocked') {
      observed = 'open';
      detail = 'delivered to the one-way receiver (seen in its log) although no reply came back';
    }
    results.push(result(t, observed, detail, r.ms));
  }
  return results;
}

/** The fields a task shares with its result (and its dry-run line), in the JSON names of CLI.md. */
export function taskFields(t: ProbeTask) {
  return { check: t.check, from_zone: t.fromZone, to_zone: t.toZone, src: t.src, target: targetText(t), transport: t.transport, expected: t.expected };
}

function result(t: ProbeTask, observed: ProbeResult['observed'], detail: string, ms: number): ProbeResult {
  return {
    ...taskFields(t),
    observed,
    status: observed === 'error' ? 'error' : observed === t.expected ? 'pass' : 'fail',
    detail,
    ms,
    conduit: t.conduit ?? null,
    rule: t.rule ?? null,
  };
}

/** Task id → one-way latencies (ms) of its datagrams found in the lab's receiver logs. */
async function readDeliveries(tasks: readonly ProbeTask[], nonce: string, opts: RunOptions): Promise<Map<number, number[]>> {
  const out = new Map<number, number[]>();
  if (!opts.deliveryLogs || !tasks.some((t) => t.transport === 'udp')) return out;
  await new Promise((r) => setTimeout(r, Math.min(500, opts.timeoutMs)));
  const re = new RegExp(`^otzones-probe ${nonce} (\\d+) \\d+ (\\d+)$`);
  for (const file of new Set(opts.deliveryLogs.values())) {
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line.includes(nonce)) continue;
      try {
        const e = JSON.parse(line) as { t: number; data: string };
        const m = re.exec(e.data);
        if (!m) continue;
        const id = Number(m[1]);
        const l = out.get(id) ?? [];
        l.push(Math.max(0, e.t - Number(m[2])));
        out.set(id, l);
      } catch {
        /* a partial line being written */
      }
    }
  }
  return out;
}

export function summarizeResults(results: readonly ProbeResult[]): { pass: number; fail: number; error: number } {
  const s = { pass: 0, fail: 0, error: 0 };
  for (const r of results) s[r.status]++;
  return s;
}

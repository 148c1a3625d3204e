/**
 * Several capture files on several cores: `jobs - 1` worker threads plus this thread, each decoding whole files
 * with its own reused buffer and conversation table. The conversation tables are merged here in the order the
 * files were given, whichever finishes first, and the flows are made from the merged table: as with one thread,
 * a conversation that continues from one file into the next is one connection, and a flow's evidence is the
 * first file that has it. Each worker gets its first file before it has even started, so its start-up overlaps
 * this thread's first.
 */
import { Worker } from 'node:worker_threads';
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import { CAPTURE_UNREADABLE, captureResult, type CaptureResult } from './index.ts';
import type { DecodeStats } from './decode.ts';
import type { FileReadResult } from './reader.ts';
import { FlowTable } from './flow-table.ts';
import { PacketDecoder } from './decode.ts';
import { CodeCounter, ConnTable } from './conn-table.ts';
import { addConversations } from './conversations.ts';
import { decodeConversations, type WorkerReply, type WorkerTask } from './worker.ts';

const WORKER_ENTRY = new URL('./worker-entry.mjs', import.meta.url);

/** Workers started ahead of their files, not keeping the process alive while idle. */
const idle: { worker: Worker; error?: Error }[] = [];

/**
 * Starts `n` capture workers now, so that their start-up overlaps whatever the caller does before it has
 * files for them (loading the model). Idle workers do not keep the process alive; `stopIdleWorkers` ends them.
 */
export function prestartWorkers(n: number): void {
  while (idle.length < n) {
    const slot: { worker: Worker; error?: Error } = { worker: new Worker(WORKER_ENTRY) };
    slot.worker.unref();
    slot.worker.on('error', (e) => (slot.error = e));
    idle.push(slot);
  }
}

export function stopIdleWorkers(): void {
  for (const { worker } of idle.splice(0)) void worker.terminate();
}

export async function readCapturesParallel(
  tasks: readonly WorkerTask[],
  jobs: number,
  onFileDone?: (name: string, bytesRead: number, packets: number) => void,
): Promise<CaptureResult> {
  const queue = tasks.map((t, index) => ({ ...t, index }));
  const names = tasks.map((t) => t.name);
  const conns = new ConnTable();
  conns.releaseStreamState(); // merged, never decoded into
  const codes = new CodeCounter();
  let stats: DecodeStats | undefined;
  const files: FileReadResult[] = [];
  const diagnostics: Diagnostic[] = [];
  const errors: Diagnostic[] = [];
  const finished = new Map<number, WorkerReply>();
  let nextIndex = 0;
  const take = (reply: WorkerReply) => {
    if (reply.ok) onFileDone?.(reply.name, reply.files?.[0]?.bytesRead ?? 0, reply.stats?.packets ?? 0);
    finished.set(reply.index, reply);
    for (let f = finished.get(nextIndex); f; f = finished.get(nextIndex)) {
      finished.delete(nextIndex++);
      merge(f);
    }
  };
  const merge = (r: WorkerReply) => {
    if (r.ok && r.conversations) {
      conns.absorb(r.conversations, Math.min(r.index, 0xffff), codes);
      files.push(...r.files!);
      diagnostics.push(...r.diagnostics!);
      if (!stats) stats = { ...r.stats! };
      else for (const k of Object.keys(r.stats!) as (keyof DecodeStats)[]) stats[k] += r.stats![k];
    } else {
      errors.push({ code: CAPTURE_UNREADABLE.code, severity: 'error', message: `${r.name}: ${r.error}`, file: r.name, ids: [] });
    }
  };
  const one = () =>
    new Promise<void>((resolve, reject) => {
      const slot = idle.shift();
      if (slot?.error) return reject(slot.error);
      const w = slot?.worker ?? new Worker(WORKER_ENTRY);
      w.ref();
      const next = () => {
        const t = queue.shift();
        if (!t) {
          w.postMessage(null);
          void w.terminate().then(() => resolve());
          return;
        }
        w.postMessage(t);
      };
      w.on('message', (m: WorkerReply) => {
        take(m);
        next();
      });
      w.on('error', reject);
      next();
    });
  const local = async () => {
    for (let t = queue.shift(); t; t = queue.shift()) {
      try {
        take(await decodeConversations(t));
      } catch (e) {
        take({ ok: false, index: t.index, name: t.name, error: e instanceof Error ? e.message : String(e) });
      }
      // Let finished workers hand over their results and get their next file.
      await new Promise((r) => setImmediate(r));
    }
  };
  const n = Math.max(1, Math.min(jobs, tasks.length));
  const workers = Array.from({ length: n - 1 }, one);
  await Promise.all([...workers, local()]);
  stopIdleWorkers();
  diagnostics.push(...errors);
  files.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  const flows = new FlowTable(Math.min(conns.size, 1 << 22));
  addConversations(conns, codes, names, flows);
  return captureResult(flows, stats ?? new PacketDecoder().stats, files, diagnostics);
}

/**
 * Several capture files on several cores: `jobs - 1` worker threads plus this thread, each reading whole files
 * with its own reused buffer and conversation table; results are merged here in the order the files were
 * given, whichever finishes first (so a flow's evidence is the first file that has it, as with one thread).
 * Unlike one thread, a conversation split across two files counts as two connections of the same flow.
 * Each worker gets its first file before it has even started, so its start-up overlaps this thread's first.
 */
import { Worker } from 'node:worker_threads';
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import { CAPTURE_UNREADABLE, captureResult, readCaptures, type CaptureResult } from './index.ts';
import type { DecodeStats } from './decode.ts';
import type { FileReadResult } from './reader.ts';
import { FlowTable } from './flow-table.ts';
import { PacketDecoder } from './decode.ts';
import type { WorkerReply, WorkerTask } from './worker.ts';

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
  onFileDone?: (name: string, result: CaptureResult) => void,
): Promise<CaptureResult> {
  const queue = tasks.map((t, index) => ({ ...t, index }));
  let flows: FlowTable | undefined;
  let stats: DecodeStats | undefined;
  const files: FileReadResult[] = [];
  const diagnostics: Diagnostic[] = [];
  const errors: Diagnostic[] = [];
  const finished = new Map<number, { name: string; result?: CaptureResult; error?: string }>();
  let nextIndex = 0;
  const take = (index: number, name: string, result: CaptureResult | undefined, error?: string) => {
    if (result) onFileDone?.(result.files[0]?.file ?? '', result);
    finished.set(index, { name, result, error });
    for (let f = finished.get(nextIndex); f; f = finished.get(nextIndex)) {
      finished.delete(nextIndex++);
      merge(f.name, f.result, f.error);
    }
  };
  const merge = (name: string, result: CaptureResult | undefined, error?: string) => {
    if (result) {
      // The first table becomes the merged one; later ones are added to it.
      if (!flows) flows = result.flows;
      else flows.addTable(result.flows);
      files.push(...result.files);
      diagnostics.push(...result.diagnostics);
      if (!stats) stats = { ...result.stats };
      else for (const k of Object.keys(result.stats) as (keyof DecodeStats)[]) stats[k] += result.stats[k];
    } else {
      errors.push({ code: CAPTURE_UNREADABLE.code, severity: 'error', message: `${name}: ${error}`, file: name, ids: [] });
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
        if (m.ok && m.flows) take(m.index, m.name, captureResult(FlowTable.fromData(m.flows), m.stats!, m.files!, m.diagnostics!));
        else take(m.index, m.name, undefined, m.error);
        next();
      });
      w.on('error', reject);
      next();
    });
  const local = async () => {
    for (let t = queue.shift(); t; t = queue.shift()) {
      const name = t.name;
      try {
        // With workers beside it every core decodes: reading ahead on libuv's pool would only compete.
        take(t.index, name, await readCaptures([t.path], { displayName: () => name, overlapReads: n === 1 }));
      } catch (e) {
        take(t.index, name, undefined, e instanceof Error ? e.message : String(e));
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
  return captureResult(flows ?? new FlowTable(), stats ?? new PacketDecoder().stats, files, diagnostics);
}

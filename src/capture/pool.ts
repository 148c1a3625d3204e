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
import { CAPTURE_UNREADABLE, captureResult, fileDiagnostics, issueDiagnostics, type CaptureResult, type IssueState } from './index.ts';
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

/** A capture file for the pool: where it is and what diagnostics call it. */
export interface PoolInput {
  path: string;
  name: string;
}

export async function readCapturesParallel(
  inputs: readonly PoolInput[],
  jobs: number,
  onFileDone?: (name: string, bytesRead: number, packets: number) => void,
): Promise<CaptureResult> {
  const queue: WorkerTask[] = inputs.map((input, index) => ({ ...input, index }));
  const conns = new ConnTable();
  conns.releaseStreamState(); // merged, never decoded into
  const codes = new CodeCounter();
  const blank = new PacketDecoder(new ConnTable(16));
  const stats = blank.stats;
  const issues: IssueState = blank;
  // Per input file, in order: its read result, or why it could not be read.
  const results: (FileReadResult | undefined)[] = inputs.map(() => undefined);
  const unreadable: (string | undefined)[] = inputs.map(() => undefined);
  const internal: Diagnostic[] = [];
  const finished = new Map<number, WorkerReply>();
  let nextIndex = 0;
  const take = (reply: WorkerReply) => {
    if (reply.result) onFileDone?.(reply.name, reply.result.bytesRead, reply.result.packets);
    finished.set(reply.index, reply);
    for (let f = finished.get(nextIndex); f; f = finished.get(nextIndex)) {
      finished.delete(nextIndex);
      merge(nextIndex++, f);
    }
  };
  const merge = (file: number, r: WorkerReply) => {
    if (r.unreadable !== undefined || r.error !== undefined || !r.result || !r.conversations) {
      if (r.unreadable !== undefined) unreadable[file] = r.unreadable;
      else internal.push({ code: CAPTURE_UNREADABLE.code, severity: 'error', message: `${r.name}: ${r.error}`, file: r.name, ids: [] });
      return;
    }
    conns.absorb(r.conversations, Math.min(file, 0xffff), codes);
    for (const k of Object.keys(stats) as (keyof DecodeStats)[]) stats[k] += r.stats![k];
    mergeIssues(issues, r.issues!);
    results[file] = r.result;
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
        take({ index: t.index, name: t.name, error: e instanceof Error ? e.message : String(e) });
      }
      // Let finished workers hand over their results and get their next file.
      await new Promise((r) => setImmediate(r));
    }
  };
  const n = Math.max(1, Math.min(jobs, inputs.length));
  const workers = Array.from({ length: n - 1 }, one);
  await Promise.all([...workers, local()]);
  stopIdleWorkers();
  // Diagnostics in the order one thread gives them: each file's, in input order, then the decode issues.
  const files: FileReadResult[] = [];
  const diagnostics: Diagnostic[] = [];
  inputs.forEach((input, i) => {
    const r = results[i];
    if (unreadable[i] !== undefined) diagnostics.push({ code: CAPTURE_UNREADABLE.code, severity: 'error', message: unreadable[i]!, file: input.name, ids: [] });
    else if (r) {
      files.push(r);
      diagnostics.push(...fileDiagnostics(r));
    }
  });
  diagnostics.push(...issueDiagnostics(issues), ...internal);
  const flows = new FlowTable(Math.min(conns.size, 1 << 22));
  addConversations(conns, codes, inputs.map((i) => i.name), flows);
  return captureResult(flows, stats, files, diagnostics);
}

/** Decode issues of a later file added to the earlier ones': counts add up, the first occurrence stays. */
function mergeIssues(into: IssueState, more: IssueState): void {
  for (let k = 0; k < into.issueCount.length; k++) {
    if (!more.issueCount[k]) continue;
    if (!into.issueCount[k]) {
      into.issueOffset[k] = more.issueOffset[k];
      into.issueFile[k] = more.issueFile[k];
    }
    into.issueCount[k] += more.issueCount[k];
  }
  if (more.lastBadLinktype !== -1) into.lastBadLinktype = more.lastBadLinktype;
}

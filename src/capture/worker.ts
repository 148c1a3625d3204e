/** Worker-thread side of the capture pool: reads the files it is sent, posts back each file's result. */
import { parentPort } from 'node:worker_threads';
import { readCaptures } from './index.ts';
import { FlowTable, type FlowTableData } from './flow-table.ts';
import type { DecodeStats } from './decode.ts';
import type { FileReadResult } from './reader.ts';
import type { Diagnostic } from '../diagnostics/diagnostic.ts';

export interface WorkerTask {
  path: string;
  name: string;
  /** Position of the file among the inputs; echoed in the reply. */
  index?: number;
}

/** What a worker posts back for one file: the flow table as transferable columns. */
export interface WorkerReply {
  ok: boolean;
  name: string;
  index: number;
  error?: string;
  flows?: FlowTableData;
  stats?: DecodeStats;
  files?: FileReadResult[];
  diagnostics?: Diagnostic[];
}

export function runWorker(): void {
  const port = parentPort;
  if (!port) return;
  port.on('message', async (task: WorkerTask | null) => {
    if (task === null) {
      port.close();
      return;
    }
    try {
      const r = await readCaptures([task.path], { displayName: () => task.name, overlapReads: false });
      const flows = r.flows.toData();
      const reply: WorkerReply = { ok: true, name: task.name, index: task.index ?? 0, flows, stats: r.stats, files: r.files, diagnostics: r.diagnostics };
      port.postMessage(reply, FlowTable.transferList(flows));
    } catch (e) {
      const reply: WorkerReply = { ok: false, index: task.index ?? 0, error: e instanceof Error ? e.message : String(e), name: task.name };
      port.postMessage(reply);
    }
  });
}

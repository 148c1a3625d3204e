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
}

/** What a worker posts back for one file: the flow table as transferable columns. */
export interface WorkerReply {
  ok: boolean;
  name: string;
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
      const r = await readCaptures([task.path], { displayName: () => task.name });
      const flows = r.flows.toData();
      const reply: WorkerReply = { ok: true, name: task.name, flows, stats: r.stats, files: r.files, diagnostics: r.diagnostics };
      port.postMessage(reply, FlowTable.transferList(flows));
    } catch (e) {
      const reply: WorkerReply = { ok: false, error: e instanceof Error ? e.message : String(e), name: task.name };
      port.postMessage(reply);
    }
  });
}

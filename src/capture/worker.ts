/** Worker-thread side of the capture pool: reads the files it is sent, posts back each file's result. */
import { parentPort } from 'node:worker_threads';
import { readCaptures, type CaptureResult } from './index.ts';

export interface WorkerTask {
  path: string;
  name: string;
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
      const r: CaptureResult = await readCaptures([task.path], { displayName: () => task.name });
      port.postMessage({ ok: true, result: r });
    } catch (e) {
      port.postMessage({ ok: false, error: e instanceof Error ? e.message : String(e), name: task.name });
    }
  });
}

/**
 * Several capture files on several cores: `jobs - 1` worker threads plus this thread, each reading whole files
 * with its own reused buffer and conversation table; results are merged here (a conversation split across two
 * files counts as two connections of the same flow). Each worker gets its first file before it has even
 * started, so its start-up overlaps this thread's first file.
 */
import { Worker } from 'node:worker_threads';
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import { CAPTURE_UNREADABLE, readCaptures, type CaptureResult } from './index.ts';
import type { DecodeStats } from './decode.ts';
import type { WorkerTask } from './worker.ts';

export async function readCapturesParallel(
  tasks: readonly WorkerTask[],
  jobs: number,
  onFileDone?: (name: string, result: CaptureResult) => void,
): Promise<CaptureResult> {
  const queue = [...tasks];
  const merged: CaptureResult = { observations: [], stats: undefined as unknown as DecodeStats, files: [], diagnostics: [] };
  const addStats = (s: DecodeStats) => {
    if (!merged.stats) merged.stats = { ...s };
    else for (const k of Object.keys(s) as (keyof DecodeStats)[]) merged.stats[k] += s[k];
  };
  const errors: Diagnostic[] = [];
  const take = (m: { ok: boolean; result?: CaptureResult; error?: string; name?: string }) => {
    if (m.ok && m.result) {
      for (const o of m.result.observations) merged.observations.push(o);
      merged.files.push(...m.result.files);
      merged.diagnostics.push(...m.result.diagnostics);
      addStats(m.result.stats);
      onFileDone?.(m.result.files[0]?.file ?? '', m.result);
    } else {
      errors.push({ code: CAPTURE_UNREADABLE.code, severity: 'error', message: `${m.name}: ${m.error}`, file: m.name, ids: [] });
    }
  };
  const one = () =>
    new Promise<void>((resolve, reject) => {
      const w = new Worker(new URL('./worker-entry.mjs', import.meta.url));
      const next = () => {
        const t = queue.shift();
        if (!t) {
          w.postMessage(null);
          void w.terminate().then(() => resolve());
          return;
        }
        w.postMessage(t);
      };
      w.on('message', (m: { ok: boolean; result?: CaptureResult; error?: string; name?: string }) => {
        take(m);
        next();
      });
      w.on('error', reject);
      next();
    });
  const local = async () => {
    for (let t = queue.shift(); t; t = queue.shift()) {
      const name = t.name;
      try {
        take({ ok: true, result: await readCaptures([t.path], { displayName: () => name }) });
      } catch (e) {
        take({ ok: false, error: e instanceof Error ? e.message : String(e), name });
      }
      // Let finished workers hand over their results and get their next file.
      await new Promise((r) => setImmediate(r));
    }
  };
  const n = Math.max(1, Math.min(jobs, tasks.length));
  const workers = Array.from({ length: n - 1 }, one);
  await Promise.all([...workers, local()]);
  merged.diagnostics.push(...errors);
  merged.files.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return merged;
}

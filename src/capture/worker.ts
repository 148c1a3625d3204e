/**
 * Worker-thread side of the capture pool: decodes each file it is sent and posts back its conversations (not
 * flows: the pool merges conversations in file order, so one continuing from a file into the next stays one).
 */
import { parentPort } from 'node:worker_threads';
import { decodeCaptureFiles } from './index.ts';
import { PacketDecoder, type DecodeStats } from './decode.ts';
import { conversationTransferList, type ConversationData } from './conn-table.ts';
import type { FileReadResult } from './reader.ts';
import type { Diagnostic } from '../diagnostics/diagnostic.ts';

export interface WorkerTask {
  path: string;
  name: string;
  /** Position of the file among the inputs; echoed in the reply. */
  index?: number;
}

/** What a worker posts back for one file: its conversation table as transferable arrays. */
export interface WorkerReply {
  ok: boolean;
  name: string;
  index: number;
  error?: string;
  conversations?: ConversationData;
  stats?: DecodeStats;
  files?: FileReadResult[];
  diagnostics?: Diagnostic[];
}

/** Decodes one file into conversations: what a worker sends, and what the pool's own thread does alike. */
export async function decodeConversations(task: WorkerTask): Promise<Required<Omit<WorkerReply, 'error'>>> {
  const dec = new PacketDecoder();
  // Every core is decoding a file: reading ahead on another thread would only compete with them.
  const { files, diagnostics } = await decodeCaptureFiles([task.path], dec, { displayName: () => task.name, overlapReads: false });
  dec.conns.releaseStreamState();
  return { ok: true, name: task.name, index: task.index ?? 0, conversations: dec.conns.toData(dec.codes), stats: dec.stats, files, diagnostics };
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
      const reply: WorkerReply = await decodeConversations(task);
      port.postMessage(reply, conversationTransferList(reply.conversations!));
    } catch (e) {
      const reply: WorkerReply = { ok: false, index: task.index ?? 0, error: e instanceof Error ? e.message : String(e), name: task.name };
      port.postMessage(reply);
    }
  });
}

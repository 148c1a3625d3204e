/**
 * Worker-thread side of the capture pool: decodes each file it is sent and posts back its conversations (not
 * flows: the pool merges conversations in file order, so one that continues from a file into the next stays
 * one) with the raw read result and decode issues, which the pool merges as one thread would count them.
 */
import { parentPort } from 'node:worker_threads';
import { unreadableMessage, type IssueState } from './index.ts';
import { PacketDecoder, type DecodeStats } from './decode.ts';
import { conversationTransferList, type ConversationData } from './conn-table.ts';
import { readCaptureFile, type FileReadResult } from './reader.ts';

export interface WorkerTask {
  path: string;
  name: string;
  /** Position of the file among the inputs: the merge order, and the evidence its conversations name. */
  index: number;
}

/** What a worker posts back for one task: the conversation table as transferable arrays. */
export interface WorkerReply {
  index: number;
  name: string;
  /** The file could not be read at all (open failed): the message. */
  unreadable?: string;
  /** Anything else that went wrong (an internal error). */
  error?: string;
  conversations?: ConversationData;
  stats?: DecodeStats;
  result?: FileReadResult;
  issues?: IssueState;
}

/** Decodes one task into conversations: what a worker sends, and what the pool's own thread does alike. */
export async function decodeConversations(task: WorkerTask): Promise<WorkerReply> {
  const dec = new PacketDecoder();
  let result: FileReadResult;
  try {
    // Every core is decoding: reading ahead on another thread would only compete with them.
    result = await readCaptureFile(task.path, dec, task.name, undefined, false);
  } catch (e) {
    return { index: task.index, name: task.name, unreadable: unreadableMessage(task.name, e) };
  }
  dec.finish();
  dec.conns.releaseStreamState();
  const issues: IssueState = { issueCount: dec.issueCount, issueOffset: dec.issueOffset, issueFile: dec.issueFile, lastBadLinktype: dec.lastBadLinktype };
  return { index: task.index, name: task.name, conversations: dec.conns.toData(dec.codes), stats: dec.stats, result, issues };
}

export function runWorker(): void {
  const port = parentPort;
  if (!port) return;
  // The pool sends the next file only after this one's reply: one task at a time.
  port.on('message', async (task: WorkerTask | null) => {
    if (task === null) {
      port.close();
      return;
    }
    try {
      const reply = await decodeConversations(task);
      port.postMessage(reply, reply.conversations ? conversationTransferList(reply.conversations) : []);
    } catch (e) {
      const reply: WorkerReply = { index: task.index, name: task.name, error: e instanceof Error ? e.message : String(e) };
      port.postMessage(reply);
    }
  });
}

/**
 * Capture input: reads pcap/pcapng files (plain or gzip) into one conversation table and returns its flows
 * (a FlowTable; Observations on request) plus diagnostics (ZC850–ZC859) that name the file and the byte
 * offset of each problem.
 */
import { openSync, readSync, closeSync } from 'node:fs';
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import { defineCode } from '../diagnostics/codes.ts';
import { PacketDecoder, ISSUE_NAMES, ISSUE_UNSUPPORTED_LINKTYPE, type DecodeStats } from './decode.ts';
import { readCaptureFile, readCaptureStream, type FileReadResult, type ReadProgress } from './reader.ts';
import type { Readable } from 'node:stream';
import { addConversations, observationsFrom } from './conversations.ts';
import { FlowTable } from './flow-table.ts';
import type { Observation } from './observation.ts';

export const CAPTURE_UNREADABLE = defineCode({ code: 'ZC850', name: 'capture-unreadable', severity: 'error', title: 'The capture file cannot be opened or is not a capture' });
export const CAPTURE_CORRUPT = defineCode({ code: 'ZC851', name: 'capture-corrupt', severity: 'error', title: 'The capture is corrupt from a byte offset on; the rest of the file is not read' });
export const CAPTURE_TRUNCATED = defineCode({ code: 'ZC852', name: 'capture-truncated', severity: 'warning', title: 'The capture ends inside a record, a block is inconsistent, or reading stopped on request' });
export const CAPTURE_PACKET_ISSUES = defineCode({ code: 'ZC853', name: 'malformed-packets', severity: 'warning', title: 'Packets whose headers could not be decoded (counted, first offset given)' });
export const CAPTURE_LINKTYPE = defineCode({ code: 'ZC854', name: 'unsupported-linktype', severity: 'warning', title: 'Packets of a link type the reader does not decode' });

export interface CaptureResult {
  /** The flows (initiator, responder, transport, responder port) of every file read. */
  flows: FlowTable;
  /** With `perConversation`, one per conversation; otherwise one per flow, made from `flows` when first read. */
  readonly observations: Observation[];
  stats: DecodeStats;
  files: FileReadResult[];
  diagnostics: Diagnostic[];
}

/** Conversations from which the tables are worth a full garbage collection once dropped (~15 MB). */
export const BIG_TABLE = 100_000;

export interface ReadCapturesOptions {
  /** Name shown for each path in diagnostics (default: the path). */
  displayName?: (path: string) => string;
  progress?: (file: string, done: number, total: number) => void | Promise<void>;
  /** Reuse a decoder (the worker pool merges results instead). */
  decoder?: PacketDecoder;
  /** Also keep one Observation per conversation (5-tuple); for comparisons with tshark. */
  perConversation?: boolean;
  /**
   * Runs a full garbage collection (the CLI passes one). Called after the conversation table's memory is
   * dropped, so a capture with millions of conversations does not hold the table and its flows at once.
   */
  collectGarbage?: () => void;
  /**
   * Read the next chunk in the background while this one is decoded (default true). The worker pool turns it
   * off: there every core is already decoding a file, and the extra reader threads only compete with them.
   */
  overlapReads?: boolean;
  /** Inputs that are streams, not files (standard input), by the path given for them. */
  streams?: ReadonlyMap<string, Readable>;
  /** Ends reading a stream input early, keeping what was read (Ctrl-C on a live capture). */
  stop?: AbortSignal;
}

/**
 * Decodes the files, in order, into `dec`'s conversation table (nothing more: no flows), then lets go of what
 * waits at the end of the input (segments held for a gap). Per-file results and diagnostics, decoder issues last.
 */
export async function decodeCaptureFiles(paths: readonly string[], dec: PacketDecoder, opts: ReadCapturesOptions = {}): Promise<{ files: FileReadResult[]; diagnostics: Diagnostic[] }> {
  const files: FileReadResult[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const path of paths) {
    const name = opts.displayName?.(path) ?? path;
    let r: FileReadResult;
    try {
      const progress: ReadProgress | undefined = opts.progress ? (d, t) => opts.progress!(name, d, t) : undefined;
      const stream = opts.streams?.get(path);
      r = stream ? await readCaptureStream(stream, dec, name, progress, opts.stop) : await readCaptureFile(path, dec, name, progress, opts.overlapReads ?? true);
    } catch (e) {
      diagnostics.push({ code: CAPTURE_UNREADABLE.code, severity: 'error', message: unreadableMessage(name, e), file: name, ids: [] });
      continue;
    }
    files.push(r);
    diagnostics.push(...fileDiagnostics(r));
  }
  dec.finish();
  diagnostics.push(...issueDiagnostics(dec));
  return { files, diagnostics };
}

export async function readCaptures(paths: readonly string[], opts: ReadCapturesOptions = {}): Promise<CaptureResult> {
  const dec = opts.decoder ?? new PacketDecoder();
  const { files, diagnostics } = await decodeCaptureFiles(paths, dec, opts);
  const perConversation = opts.perConversation ? observationsFrom(dec.conns, dec.codes, dec.files) : undefined;
  // The conversation table's stream-parser state is not needed any more: free it before the flows are built,
  // and the tables themselves once they are.
  // A full collection costs ~10-20 ms: worth it only when the table is big.
  const collect = dec.conns.size >= BIG_TABLE ? opts.collectGarbage : undefined;
  dec.conns.releaseStreamState();
  collect?.();
  const flows = new FlowTable(Math.min(dec.conns.size, 1 << 22));
  addConversations(dec.conns, dec.codes, dec.files, flows);
  dec.releaseTables();
  collect?.();
  return captureResult(flows, dec.stats, files, diagnostics, perConversation);
}

export function captureResult(flows: FlowTable, stats: DecodeStats, files: FileReadResult[], diagnostics: Diagnostic[], perConversation?: Observation[]): CaptureResult {
  let observations = perConversation;
  return {
    flows,
    get observations() {
      return (observations ??= flows.observations());
    },
    stats,
    files,
    diagnostics,
  };
}

/** What to say of an input that could not be opened or read at all. */
export function unreadableMessage(name: string, e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  return `cannot read ${name}: ${err.code ?? ''} ${err.message}`.trim();
}

export function fileDiagnostics(r: FileReadResult): Diagnostic[] {
  const out: Diagnostic[] = [];
  if (r.error) {
    const notRead = r.packets === 0 && r.error.offset === 0;
    const code = notRead ? CAPTURE_UNREADABLE : CAPTURE_CORRUPT;
    out.push({
      code: code.code,
      severity: 'error',
      message: `${r.file}: byte offset ${r.error.offset}: ${r.error.message}${notRead ? '' : ` (${r.packets} packet(s) before it were counted)`}`,
      file: r.file,
      offset: r.error.offset,
      ids: [],
    });
  }
  for (const w of r.warnings) {
    out.push({ code: CAPTURE_TRUNCATED.code, severity: 'warning', message: `${r.file}: byte offset ${w.offset}: ${w.message}`, file: r.file, offset: w.offset, ids: [] });
  }
  return out;
}

/** A decoder's counts of packets it could not decode, with where each kind first occurred. */
export type IssueState = Pick<PacketDecoder, 'issueCount' | 'issueOffset' | 'issueFile' | 'lastBadLinktype'>;

export function issueDiagnostics(dec: IssueState): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (let k = 0; k < ISSUE_NAMES.length; k++) {
    const n = dec.issueCount[k];
    if (!n) continue;
    const file = dec.issueFile[k] ?? '';
    const what = k === ISSUE_UNSUPPORTED_LINKTYPE ? `${ISSUE_NAMES[k]} (${dec.lastBadLinktype})` : ISSUE_NAMES[k];
    out.push({
      code: (k === ISSUE_UNSUPPORTED_LINKTYPE ? CAPTURE_LINKTYPE : CAPTURE_PACKET_ISSUES).code,
      severity: 'warning',
      message: `${n} ${what}; the first in ${file} at byte offset ${dec.issueOffset[k]}`,
      file,
      offset: dec.issueOffset[k],
      ids: [],
    });
  }
  return out;
}

/** First bytes of a file, for input-kind detection. */
export function fileHead(path: string, n = 512): Buffer {
  const fd = openSync(path, 'r');
  try {
    const b = Buffer.alloc(n);
    const k = readSync(fd, b, 0, n, 0);
    return b.subarray(0, k);
  } finally {
    closeSync(fd);
  }
}

export { PacketDecoder } from './decode.ts';
export type { Observation } from './observation.ts';

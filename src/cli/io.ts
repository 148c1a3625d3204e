import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
/** What a command may touch of the outside world; tests pass in-memory streams. */
export interface CliIO {
  stdout: { write(s: string | Uint8Array): unknown; isTTY?: boolean };
  stderr: { write(s: string | Uint8Array): unknown; isTTY?: boolean };
  cwd: string;
  env: Record<string, string | undefined>;
  /** Resolves when the command's long-running work (a server, a lab process) may stop; tests abort it. */
  signal?: AbortSignal;
  /** Standard input, for an input named `-` (a live capture piped in); read only when one is. */
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
}

/**
 * Writes a large output in pieces, waiting for 'drain' when the stream asks to (a pipe to `jq` or `gzip`
 * would otherwise queue the whole document in memory), and for each byte chunk to be written before the
 * next is pulled (producers reuse their buffer). Objects that are not streams are written straight.
 */
export async function writeChunks(out: CliIO['stdout'], chunks: Iterable<string | Uint8Array>, pieceSize = 1 << 20): Promise<void> {
  let buf = '';
  const stream = out as unknown as { once?: (ev: string, fn: () => void) => void; fd?: number; write(d: Uint8Array, cb: (e?: Error | null) => void): boolean };
  const write = async (data: string | Uint8Array) => {
    // A byte chunk's buffer is reused by its producer once the next chunk is pulled. A stream on a file
    // descriptor calls back once the bytes are with the OS: wait for that. Any other stream may keep a
    // reference after calling back (a PassThrough does): give it a copy.
    if (typeof data !== 'string') {
      const bytes = data;
      if (typeof stream.fd === 'number') {
        await new Promise<void>((resolve, reject) => stream.write(bytes, (e) => (e ? reject(e) : resolve())));
        return;
      }
      data = Uint8Array.prototype.slice.call(data);
    }
    const ok = out.write(data);
    if (ok === false && typeof stream.once === 'function') await new Promise<void>((resolve) => stream.once!('drain', resolve));
  };
  for (const c of chunks) {
    if (typeof c !== 'string') {
      if (buf) await write(buf);
      buf = '';
      await write(c);
      continue;
    }
    buf += c;
    if (buf.length > pieceSize) {
      await write(buf);
      buf = '';
    }
  }
  if (buf) await write(buf);
}

let gcFunction: (() => void) | undefined;

/**
 * A full garbage collection, for the few points where a command has just dropped hundreds of MB (the
 * conversation table of a capture with millions of conversations) and is about to allocate more: V8 would
 * otherwise keep the old arrays until its next major collection, and the peak would hold both.
 */
export function collectGarbage(): void {
  if (!gcFunction) {
    v8.setFlagsFromString('--expose-gc');
    gcFunction = runInNewContext('gc') as () => void;
  }
  gcFunction();
}

/** A user error: printed as one line at the CLI, exit 2. Thrown only inside src/cli. */
export class UsageError extends Error {
  constructor(message: string, readonly exitCode = 2) {
    super(message);
  }
}

export type OutputFormat = 'text' | 'json' | 'sarif';

export function parseFormat(value: string, allowed: readonly string[] = ['text', 'json', 'sarif']): string {
  if (!allowed.includes(value)) throw new UsageError(`--format must be one of ${allowed.join(', ')} (got "${value}")`);
  return value;
}

/** What a command may touch of the outside world; tests pass in-memory streams. */
export interface CliIO {
  stdout: { write(s: string | Uint8Array): unknown; isTTY?: boolean };
  stderr: { write(s: string | Uint8Array): unknown; isTTY?: boolean };
  cwd: string;
  env: Record<string, string | undefined>;
  /** Resolves when the command's long-running work (a server, a lab process) may stop; tests abort it. */
  signal?: AbortSignal;
}

/**
 * Writes a large output in pieces, waiting for 'drain' when the stream asks to (a pipe to `jq` or `gzip`
 * would otherwise queue the whole document in memory). Streams without backpressure are written straight.
 */
export async function writeChunks(out: CliIO['stdout'], chunks: Iterable<string>, pieceSize = 1 << 20): Promise<void> {
  let buf = '';
  const flush = async () => {
    const ok = out.write(buf);
    buf = '';
    const em = out as unknown as { once?: (ev: string, fn: () => void) => void };
    if (ok === false && typeof em.once === 'function') await new Promise<void>((resolve) => em.once!('drain', resolve));
  };
  for (const c of chunks) {
    buf += c;
    if (buf.length > pieceSize) await flush();
  }
  if (buf) await flush();
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

/** What a command may touch of the outside world; tests pass in-memory streams. */
export interface CliIO {
  stdout: { write(s: string | Uint8Array): unknown; isTTY?: boolean };
  stderr: { write(s: string | Uint8Array): unknown; isTTY?: boolean };
  cwd: string;
  env: Record<string, string | undefined>;
  /** Resolves when the command's long-running work (a server, a lab process) may stop; tests abort it. */
  signal?: AbortSignal;
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

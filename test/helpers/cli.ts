/** Runs the CLI in-process and captures what it writes. */
import { main } from '../../src/cli/main.ts';
import { ROOT } from './paths.ts';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCli(argv: string[], opts: { cwd?: string; signal?: AbortSignal; stdin?: NodeJS.ReadableStream } = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: { write: (s: string | Uint8Array) => ((stdout += typeof s === 'string' ? s : Buffer.from(s).toString()), true) },
    stderr: { write: (s: string | Uint8Array) => ((stderr += typeof s === 'string' ? s : Buffer.from(s).toString()), true) },
    cwd: opts.cwd ?? ROOT,
    env: process.env,
    signal: opts.signal,
    stdin: opts.stdin,
  });
  return { code, stdout, stderr };
}

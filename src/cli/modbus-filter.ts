/** `otzones modbus-filter`: the enforcing Modbus/TCP proxy (forwards allowed function codes only). */
import type { Command } from 'commander';
import { appendFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createModbusFilter, parseFunctionCodes, type FilterDecision } from '../modbus/filter.ts';
import { compilePolicy } from '../policy/ir.ts';
import { loadModelForCommand } from './common.ts';
import { UsageError, type CliIO } from './io.ts';
import type { CommandState } from './main.ts';

/** `ADDR:PORT` or `[v6]:PORT`. */
export function parseHostPort(text: string, flag: string, minPort = 1): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(text);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port < minPort || port > 65535) throw new UsageError(`${flag} "${text}": expected ADDR:PORT (e.g. 127.0.0.1:5020)`);
  return { host: m[1] ?? m[2], port };
}

interface Opts {
  listen: string;
  upstream: string;
  allow?: string;
  model?: string;
  conduit?: string;
  log?: string;
}

export function registerModbusFilter(program: Command, io: CliIO, state: CommandState): void {
  program
    .command('modbus-filter')
    .description('Modbus/TCP proxy that forwards only allowed function codes and answers others with exception 01')
    .requiredOption('--listen <addr:port>', 'address and port to accept Modbus/TCP clients on')
    .requiredOption('--upstream <addr:port>', 'the Modbus/TCP device to forward allowed requests to')
    .option('--allow <codes>', 'allowed function codes, e.g. 3,4 or 1-4')
    .option('--model <file>', 'take the allowed codes from a model conduit (with --conduit)')
    .option('--conduit <id>', 'conduit whose Modbus flow gives the allowed function codes')
    .option('--log <file>', 'append one JSON line per decision to FILE (default: stdout)')
    .addHelpText(
      'after',
      `
Every request whose function code is not allowed is answered with exception 01 (illegal function) and never
reaches the device. A stream that cannot be parsed closes the connection (fail closed). Runs until SIGINT/SIGTERM.
Examples:
  otzones modbus-filter --listen 0.0.0.0:502 --upstream 10.20.1.10:502 --allow 3,4 --log filter.jsonl
  otzones modbus-filter --listen 0.0.0.0:502 --upstream 10.20.1.10:502 --model plant.yaml --conduit C1-BPCS-OPS`,
    )
    .action(async (opts: Opts) => {
      const listen = parseHostPort(opts.listen, '--listen', 0);
      const upstream = parseHostPort(opts.upstream, '--upstream');
      const allow = allowedCodes(opts, io);
      const logFile = opts.log ? resolve(io.cwd, opts.log) : undefined;
      const write = (d: FilterDecision) => {
        const line = JSON.stringify(d) + '\n';
        if (logFile) appendFileSync(logFile, line);
        else io.stdout.write(line);
      };
      const f = createModbusFilter({ upstreamHost: upstream.host, upstreamPort: upstream.port, allow: new Set(allow), log: write });
      await new Promise<void>((res, rej) => {
        f.server.once('error', (e: NodeJS.ErrnoException) => rej(new UsageError(`--listen ${opts.listen}: ${e.code ?? e.message}`)));
        f.server.listen(listen.port, listen.host, () => res());
      });
      io.stderr.write(`modbus-filter: listening on ${opts.listen}, forwarding function codes ${allow.join(',')} to ${opts.upstream}\n`);
      await new Promise<void>((res) => {
        const stop = () => res();
        io.signal?.addEventListener('abort', stop, { once: true });
        if (io.signal?.aborted) stop();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await new Promise<void>((res) => f.server.close(() => res()));
      io.stderr.write(`modbus-filter: stopped (${f.stats.connections} connections, ${f.stats.forwarded} forwarded, ${f.stats.rejected} rejected, ${f.stats.closed} closed)\n`);
      state.exitCode = 0;
    });
}

function allowedCodes(opts: Opts, io: CliIO): number[] {
  if (opts.allow && opts.model) throw new UsageError('give either --allow or --model/--conduit, not both');
  if (opts.allow) {
    const r = parseFunctionCodes(opts.allow);
    if ('error' in r) throw new UsageError(`--allow ${r.error}`);
    return r.codes;
  }
  if (!opts.model || !opts.conduit) throw new UsageError('give --allow CODES, or --model FILE with --conduit ID');
  const loaded = loadModelForCommand(opts.model, io);
  const ir = compilePolicy(loaded.model, loaded.locate);
  const rules = ir.rules.filter((r) => r.conduitId === opts.conduit && r.app.modbusFunctionCodes);
  if (!loaded.model.conduits.some((c) => c.id === opts.conduit)) throw new UsageError(`${opts.model}: no conduit "${opts.conduit}"`);
  const sets = [...new Set(rules.map((r) => r.app.modbusFunctionCodes!.join(',')))];
  if (sets.length === 0) throw new UsageError(`${opts.model}: conduit ${opts.conduit} has no flow with function_codes`);
  if (sets.length > 1) throw new UsageError(`${opts.model}: conduit ${opts.conduit} has flows with different function codes (${sets.join(' / ')}); use --allow`);
  return rules[0].app.modbusFunctionCodes!;
}

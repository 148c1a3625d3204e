/** `otzones serve` — the local web dashboard (src/web). Runs until io.signal aborts or SIGINT/SIGTERM. */
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { UsageError, type CliIO } from './io.ts';
import type { CommandState } from './main.ts';
import { loadModelForCommand } from './common.ts';

interface ServeOptions {
  store?: string;
  port: string;
  host: string;
  token?: string;
  verify?: string;
  config?: string[];
  vendor?: string;
  baseline?: string;
  probe?: string;
}

export function registerServe(program: Command, io: CliIO, state: CommandState): void {
  program
    .command('serve')
    .description('the local web dashboard: architecture, zone-pair matrix, diagnostics, flows, verify and probe results')
    .argument('<model>', 'model file (YAML)')
    .option('--port <n>', 'TCP port (0 = any free port)', '8062')
    .option('--host <address>', 'address to bind; anything but loopback requires a token', '127.0.0.1')
    .option('--token <token>', 'access token checked on every request (generated and printed when --host is not loopback)')
    .option('--verify <file>', 'output of `otzones verify --format json` to show')
    .option('--config <file>', 'firewall configuration to verify in-process and show (repeat for several firewalls)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--vendor <vendor>', 'vendor of the --config files (detected from each file when absent)')
    .option('--baseline <file>', 'output of `otzones baseline --format json` to show')
    .option('--probe <file>', 'output of `otzones probe --format json` to show')
    .option('--store <file>', 'baseline flow store (DuckDB) written by `otzones baseline --store`')
    .addHelpText(
      'after',
      `
Examples:
  otzones serve examples/refinery-unit3.yaml
  otzones serve plant.yaml --verify verify.json --baseline baseline.json --probe probe.json --port 9000
  otzones serve plant.yaml --config isa3000.cfg      # verifies the configuration itself, re-verifies on change
  otzones serve plant.yaml --host 0.0.0.0            # prints a URL with a generated token`,
    )
    .action(async (model: string, o: ServeOptions) => {
      state.exitCode = await serve(model, o, io);
    });
}

async function serve(model: string, o: ServeOptions, io: CliIO): Promise<number> {
  if (!/^\d{1,5}$/.test(o.port) || Number(o.port) > 65535) throw new UsageError(`--port must be an integer 0-65535 (got "${o.port}")`);
  const { isLoopback, startDashboard } = await import('../web/server.ts');
  let token = o.token;
  if (token !== undefined && token.length < 12) throw new UsageError('--token must be at least 12 characters');
  let generated = false;
  if (!isLoopback(o.host) && token === undefined) {
    token = randomBytes(18).toString('base64url');
    generated = true;
  }
  if (o.store !== undefined && o.baseline !== undefined) throw new UsageError('give either --baseline FILE (baseline JSON) or --store FILE (a flow store), not both');
  loadModelForCommand(model, io); // exit 2 with diagnostics when the model cannot be used at all
  const { loadResultFile } = await import('../web/results.ts');
  for (const kind of ['verify', 'baseline', 'probe'] as const) {
    const file = o[kind];
    if (file === undefined) continue;
    const r = loadResultFile(kind, resolve(io.cwd, file), file);
    if (!r.ok) throw new UsageError(r.error);
  }
  if (o.verify !== undefined && o.config?.length) throw new UsageError('give either --verify FILE (verify JSON) or --config FILE (verified here), not both');
  if (o.vendor !== undefined && !o.config?.length) throw new UsageError('--vendor applies to --config files; none given');
  const inputs = { model, cwd: io.cwd, verify: o.verify, configs: o.config, vendor: o.vendor, baseline: o.baseline, store: o.store, probe: o.probe };
  if (o.config?.length) {
    const { loadSnapshot } = await import('../web/api.ts');
    const verify = loadSnapshot({ ...inputs, baseline: undefined, probe: undefined }).results.verify;
    if (verify && !verify.ok) throw new UsageError(verify.error);
  }
  const { reportProvider } = await import('../web/report.ts');
  let running;
  try {
    running = await startDashboard(inputs, {
      report: reportProvider(io.env),
      host: o.host,
      port: Number(o.port),
      token,
      onReload: (s) => {
        const errors = s.validation.diagnostics.filter((d) => d.severity === 'error').length;
        io.stderr.write(`otzones: reloaded ${model}${s.model ? '' : ' (the model cannot be used)'}: ${errors} error(s)\n`);
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const baseline = running.dashboard.snapshot().results.baseline;
  if (o.store !== undefined && baseline && !baseline.ok) {
    await running.close();
    throw new UsageError(baseline.error);
  }
  io.stderr.write(`otzones: dashboard for ${model} at ${running.url}\n`);
  if (generated) io.stderr.write(`otzones: generated access token (required on every request): ${token}\n`);
  io.stderr.write('otzones: press Ctrl-C to stop\n');
  await new Promise<void>((done) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      done();
    };
    if (io.signal) {
      if (io.signal.aborted) return stop();
      io.signal.addEventListener('abort', stop, { once: true });
    }
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await running.close();
  return 0;
}

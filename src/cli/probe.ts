/** `otzones probe MODEL --lab | --from ZONE`: step 5 of the source document, run live. */
import type { Command } from 'commander';
import { createHash } from 'node:crypto';
import { networkInterfaces } from 'node:os';
import { resolve } from 'node:path';
import { jsonEnvelope, sarifLog } from '../diagnostics/format.ts';
import { codeInfo } from '../diagnostics/codes.ts';
import { LabError, labStatus } from '../lab/lab.ts';
import { planLab, type LabHost } from '../lab/plan.ts';
import { compilePolicy } from '../policy/ir.ts';
import { addressesInZone, planProbe, representativeSources, type ProbeTask } from '../probe/plan.ts';
import { InProcessExecutor, NamespaceExecutor, PROBE_CHECK_CODES, PROBE_ERROR, runProbe, summarizeResults, taskFields, type Executor, type ProbeResult } from '../probe/run.ts';
import { loadModelForCommand } from './common.ts';
import { UsageError, parseFormat, type CliIO } from './io.ts';
import { defaultRunDir } from './lab.ts';
import type { CommandState } from './main.ts';

interface Opts {
  lab?: boolean;
  from?: string;
  runDir?: string;
  rate: string;
  timeout: string;
  maxLatency: string;
  allowWriteTest?: boolean;
  dryRun?: boolean;
  format: string;
  progress?: boolean;
}

export const DEFAULT_RATE = 100;

function positive(text: string, flag: string, max: number): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0 || n > max) throw new UsageError(`${flag} "${text}": expected a number in (0, ${max}]`);
  return n;
}

export function registerProbe(program: Command, io: CliIO, state: CommandState): void {
  program
    .command('probe')
    .description('test live that prohibited cross-zone paths are blocked and conduit flows work (Modbus read/write, diodes)')
    .argument('<model>', 'model file (YAML)')
    .option('--lab', 'run inside the lab built by `otzones lab up` (one agent per zone namespace)')
    .option('--from <zone>', 'run on this host, which has addresses in ZONE')
    .option('--run-dir <dir>', 'lab run directory (default $OTZONES_LAB_DIR or /run/otzones/lab)')
    .option('--rate <pps>', 'global limit in packets per second', String(DEFAULT_RATE))
    .option('--timeout <ms>', 'how long a blocked probe is waited for', '1000')
    .option('--max-latency <ms>', 'longest acceptable one-way delivery through a diode', '200')
    .option('--allow-write-test', 'also write to each PLC\'s safe_test_register (the value just read) to prove writes are blocked')
    .option('--dry-run', 'list every packet that would be sent, send nothing')
    .option('--format <format>', 'text, json or sarif', 'text')
    .option('--progress', 'progress on stderr even when it is not a terminal')
    .addHelpText(
      'after',
      `
Only addresses of the model are ever targeted. Write tests touch nothing but an asset's modbus.safe_test_register,
write back the value just read, and run only with --allow-write-test.
Exit status: 0 all checks pass, 1 a check failed or could not run, 2 unusable input.
Examples:
  sudo otzones probe examples/refinery-unit3.yaml --lab --allow-write-test
  otzones probe plant.yaml --from Z3-OPS --dry-run
  otzones probe plant.yaml --from Z3-OPS --rate 20 --format json > probe.json`,
    )
    .action(async (file: string, opts: Opts) => {
      const format = parseFormat(opts.format);
      if (!!opts.lab === !!opts.from) throw new UsageError('give exactly one of --lab or --from ZONE');
      const rate = positive(opts.rate, '--rate', 100000);
      const timeoutMs = positive(opts.timeout, '--timeout', 60000);
      const maxLatencyMs = positive(opts.maxLatency, '--max-latency', 60000);
      const loaded = loadModelForCommand(file, io);
      const ir = compilePolicy(loaded.model, loaded.locate);
      if (opts.from && !ir.zones.some((z) => z.id === opts.from)) throw new UsageError(`--from ${opts.from}: no such zone in ${file} (zones: ${ir.zones.map((z) => z.id).join(', ')})`);
      const runDir = resolve(io.cwd, opts.runDir ?? defaultRunDir(io));

      let hosts: LabHost[];
      let sources: Map<string, string[]>;
      let exec: Executor | undefined;
      let deliveryLogs: Map<string, string> | undefined;
      let netnsOf: Map<string, string> | undefined;
      if (opts.lab) {
        let st;
        try {
          st = process.platform === 'linux' ? labStatus(runDir) : undefined;
        } catch (e) {
          if (e instanceof LabError) throw new UsageError(`${e.code}: ${e.message}`);
          throw e;
        }
        if (st) {
          const hash = createHash('sha256').update(loaded.source).digest('hex');
          if (st.state.modelHash !== hash) throw new UsageError(`ZC778: the lab in ${runDir} was built from ${st.state.model}, not from this version of ${file}; rebuild it with \`otzones lab up ${file} --replace\``);
          if (!opts.dryRun) {
            const missing = st.netns.filter((n) => !n.present).map((n) => n.name);
            const stopped = st.processes.filter((p) => !p.running).map((p) => p.zoneId);
            if (st.state.status !== 'up' || missing.length || stopped.length) throw new UsageError(`ZC778: the lab in ${runDir} is not healthy (missing namespaces: ${missing.join(', ') || 'none'}; stopped devices: ${stopped.join(', ') || 'none'}); run \`otzones lab status\``);
          }
          hosts = st.state.plan.zones.flatMap((z) => z.hosts);
          netnsOf = new Map(st.state.plan.zones.map((z) => [z.zoneId, z.netns]));
          deliveryLogs = new Map(st.state.plan.zones.map((z) => [z.zoneId, resolve(runDir, `${z.netns}-udp.jsonl`)]));
        } else if (opts.dryRun) {
          hosts = planLab(loaded.model, ir, 'otz').zones.flatMap((z) => z.hosts);
        } else throw new UsageError(`ZC778: no lab in ${runDir}; run \`otzones lab up ${file}\` first (or give --run-dir)`);
        sources = new Map([...new Set(hosts.map((h) => h.zoneId))].map((z) => [z, representativeSources(ir, hosts, z)]));
      } else {
        hosts = planLab(loaded.model, ir, 'otz').zones.flatMap((z) => z.hosts);
        const own = Object.values(networkInterfaces()).flatMap((l) => (l ?? []).filter((a) => a.family === 'IPv4').map((a) => a.address));
        const mine = addressesInZone(ir, opts.from!, own);
        if (mine.length === 0) throw new UsageError(`ZC778: this host has no IPv4 address in zone ${opts.from} (${ir.zones.find((z) => z.id === opts.from)!.prefixes.map((p) => p.text).join(', ') || 'no subnets'}); run probe on a host of that zone`);
        sources = new Map([[opts.from!, mine]]);
      }
      const tasks = planProbe({ ir, hosts, sources, allowWriteTest: !!opts.allowWriteTest, observeDelivery: !!opts.lab });
      if (tasks.length === 0) throw new UsageError(`ZC778: nothing to probe: ${opts.from ? `no flow or other zone is reachable from ${opts.from}` : 'no zone'} of ${file} has addresses to probe (zone \`subnets\`, asset \`ip\`)`);
      const notes: string[] = [];
      if (!opts.allowWriteTest) notes.push('Modbus write tests not run: pass --allow-write-test (writes only to safe_test_register, the value just read)');
      if (opts.from && ir.rules.some((r) => r.diode)) notes.push('diode forward delivery is observable only in the lab (--lab); not checked');
      const packets = tasks.reduce((a, t) => a + t.packets, 0);
      if (opts.dryRun) {
        writeDryRun(io, format, file, tasks, packets, rate, notes);
        state.exitCode = 0;
        return;
      }
      if (opts.lab && process.getuid?.() !== 0) throw new UsageError('ZC752: probe --lab needs root (it runs an agent inside each zone namespace); run it with sudo, or use --dry-run');
      exec = opts.lab ? new NamespaceExecutor(netnsOf!) : new InProcessExecutor();
      const showProgress = opts.progress || io.stderr.isTTY;
      const started = Date.now();
      let results: ProbeResult[];
      try {
        results = await runProbe(tasks, exec, {
          rate,
          timeoutMs,
          maxLatencyMs,
          deliveryLogs,
          onProgress: showProgress ? (d, n) => (d % 200 === 0 || d === n) && io.stderr.write(`probe: ${d}/${n}\n`) : undefined,
        });
      } finally {
        await exec.close();
      }
      const seconds = (Date.now() - started) / 1000;
      const summary = summarizeResults(results);
      if (format === 'json') {
        io.stdout.write(JSON.stringify(jsonEnvelope('probe', { model: file, mode: opts.lab ? 'lab' : `from ${opts.from}`, rate, results, summary, notes }), null, 2) + '\n');
      } else if (format === 'sarif') {
        io.stdout.write(
          sarifLog(
            results.filter((r) => r.status !== 'pass').map((r) => {
              const code = r.status === 'error' ? PROBE_ERROR : PROBE_CHECK_CODES[r.check];
              // A failed conduit check points at the flow in the model; a prohibited path has no line to blame.
              const flowPath = r.rule ? ir.rules.find((x) => x.id === r.rule)?.modelPath : undefined;
              const pos = flowPath ? loaded.locate(flowPath) : undefined;
              return { ruleId: code.code, ruleName: code.name, level: 'error' as const, message: resultLine(r), file, line: pos?.line, column: pos?.column, properties: { ...r } };
            }),
            (id) => codeInfo(id)?.title,
          ),
        );
      } else io.stdout.write(textReport(results, summary, seconds, rate, notes));
      state.exitCode = summary.fail + summary.error > 0 ? 1 : 0;
    });
}

function resultLine(r: ProbeResult): string {
  const conduit = r.conduit ? ` [${r.conduit}]` : '';
  return `${r.check} ${r.from_zone} -> ${r.to_zone}${conduit}: ${r.src} -> ${r.target}/${r.transport} expected ${r.expected}, observed ${r.observed}: ${r.detail}`;
}

function textReport(results: ProbeResult[], s: { pass: number; fail: number; error: number }, seconds: number, rate: number, notes: string[]): string {
  const out: string[] = [];
  for (const r of results) if (r.status !== 'pass') out.push(`${r.status.toUpperCase()} ${resultLine(r)}`);
  const kinds = [...new Set(results.map((r) => r.check))];
  for (const k of kinds) {
    const of = results.filter((r) => r.check === k);
    out.push(`${k.padEnd(22)} ${String(of.filter((r) => r.status === 'pass').length).padStart(5)} pass ${String(of.filter((r) => r.status === 'fail').length).padStart(4)} fail ${String(of.filter((r) => r.status === 'error').length).padStart(4)} error`);
  }
  for (const n of notes) out.push(`note: ${n}`);
  out.push(`${results.length} checks: ${s.pass} pass, ${s.fail} fail, ${s.error} error (${seconds.toFixed(1)} s at ${rate} packets/s)`);
  return out.join('\n') + '\n';
}

function writeDryRun(io: CliIO, format: string, file: string, tasks: ProbeTask[], packets: number, rate: number, notes: string[]): void {
  const planned = tasks.map((t) => ({
    id: t.id,
    ...taskFields(t),
    packets: t.packets,
    sends: t.what,
    conduit: t.conduit ?? null,
  }));
  const estimated = Math.round((packets / rate) * 10) / 10;
  if (format === 'json') {
    io.stdout.write(JSON.stringify(jsonEnvelope('probe', { model: file, dry_run: true, planned, summary: { tasks: tasks.length, packets, rate, estimated_seconds: estimated }, notes }), null, 2) + '\n');
    return;
  }
  const out = planned.map((p) => `#${p.id} ${p.check} ${p.from_zone} -> ${p.to_zone}: ${p.src} -> ${p.target}/${p.transport}: ${p.sends} (expected ${p.expected})`);
  for (const n of notes) out.push(`note: ${n}`);
  out.push(`dry run: ${tasks.length} checks, at most ${packets} packets, about ${estimated} s at ${rate} packets/s; nothing was sent`);
  io.stdout.write(out.join('\n') + '\n');
}

/** `otzones lab up|down|status`: the model as a live network of namespaces behind a real nftables firewall. */
import type { Command } from 'commander';
import { resolve } from 'node:path';
import { jsonEnvelope } from '../diagnostics/format.ts';
import { LabError, labDown, labStatus, labUp, type LabState } from '../lab/lab.ts';
import { LAB_PREFIX } from '../lab/plan.ts';
import { compilePolicy } from '../policy/ir.ts';
import { loadModelForCommand } from './common.ts';
import { UsageError, parseFormat, type CliIO } from './io.ts';
import type { CommandState } from './main.ts';

export function defaultRunDir(io: CliIO): string {
  return io.env.OTZONES_LAB_DIR ?? '/run/otzones/lab';
}

async function labCall<T>(f: () => Promise<T> | T): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (e instanceof LabError) throw new UsageError(`${e.code}: ${e.message}`);
    if (e instanceof RangeError) throw new UsageError(e.message);
    throw e;
  }
}

function summary(s: LabState) {
  return {
    run_dir: s.runDir,
    model: s.model,
    prefix: s.prefix,
    status: s.status,
    rules: s.rules,
    firewall_netns: s.plan.fwNetns,
    zones: s.plan.zones.map((z) => ({
      zone: z.zoneId,
      netns: z.netns,
      firewall_interface: z.fwIf,
      gateway: z.gateway,
      gateway_synthesized: z.gatewaySynthesized,
      hosts: z.hosts.map((h) => ({ ip: h.ip, asset: h.assetId ?? null })),
    })),
    devices: s.plan.devices.map((d) => ({
      zone: d.zoneId,
      modbus: d.modbus.map((m) => `${m.ip}:${m.port}`),
      tcp: d.tcp.map((t) => `${t.ip}:${t.port}`),
      udp: d.udp.map((u) => `${u.ip}:${u.port}/${u.mode}`),
      modbus_filters: d.filters.map((f) => ({ port: f.listenPort, upstream: `${f.upstreamIp}:${f.upstreamPort}`, allow: f.allow, rule: f.ruleId })),
    })),
    skipped: s.plan.skipped,
  };
}

export function registerLab(program: Command, io: CliIO, state: CommandState): void {
  const lab = program
    .command('lab')
    .description('build the model as network namespaces behind an nftables firewall (Linux, root)')
    .addHelpText(
      'after',
      `
Examples:
  sudo otzones lab up examples/refinery-unit3.yaml
  sudo otzones probe examples/refinery-unit3.yaml --lab
  sudo otzones lab up examples/refinery-unit3.yaml --rules my-firewall.nft --replace
  sudo otzones lab status
  sudo otzones lab down`,
    );
  const runDirOpt = `directory holding the lab's state (default $OTZONES_LAB_DIR or /run/otzones/lab)`;
  lab
    .command('up')
    .description('create namespaces, veth pairs, routes, the firewall and the simulated devices')
    .argument('<model>', 'model file (YAML)')
    .option('--rules <file>', 'load this nftables ruleset instead of the compiled one')
    .option('--run-dir <dir>', runDirOpt)
    .option('--prefix <p>', 'namespace name prefix (1-8 lower-case letters/digits)', 'otz')
    .option('--replace', 'tear down a lab already up in the run directory first')
    .option('--format <format>', 'text or json', 'text')
    .option('--progress', 'report each step on stderr even when it is not a terminal')
    .action(async (file: string, opts: { rules?: string; runDir?: string; prefix: string; replace?: boolean; format: string; progress?: boolean }) => {
      const format = parseFormat(opts.format, ['text', 'json']);
      if (!LAB_PREFIX.test(opts.prefix)) throw new UsageError(`--prefix "${opts.prefix}": 1-8 lower-case letters and digits, starting with a letter`);
      const loaded = loadModelForCommand(file, io);
      const ir = compilePolicy(loaded.model, loaded.locate);
      const s = await labCall(() =>
        labUp({
          model: loaded.model,
          ir,
          modelFile: resolve(io.cwd, file),
          modelSource: loaded.source,
          runDir: resolve(io.cwd, opts.runDir ?? defaultRunDir(io)),
          prefix: opts.prefix,
          rulesFile: opts.rules ? resolve(io.cwd, opts.rules) : undefined,
          replace: opts.replace,
          progress: opts.progress || io.stderr.isTTY ? (l) => io.stderr.write(`lab: ${l}\n`) : undefined,
        }),
      );
      if (format === 'json') io.stdout.write(JSON.stringify(jsonEnvelope('lab up', summary(s)), null, 2) + '\n');
      else io.stdout.write(statusText(s, undefined));
      state.exitCode = 0;
    });
  lab
    .command('down')
    .description('remove everything `lab up` created (and only that)')
    .option('--run-dir <dir>', runDirOpt)
    .action(async (opts: { runDir?: string }) => {
      const dir = resolve(io.cwd, opts.runDir ?? defaultRunDir(io));
      const r = await labCall(() => labDown(dir));
      if (!r) io.stdout.write(`no lab in ${dir}\n`);
      else io.stdout.write(`lab down: stopped ${r.killed.length} process(es), removed ${r.removedNetns.length} namespace(s) (${r.removedNetns.join(', ')}) and ${r.removedFiles.length} file(s)\n`);
      state.exitCode = 0;
    });
  lab
    .command('status')
    .description('list what the lab in the run directory consists of and whether it is still there')
    .option('--run-dir <dir>', runDirOpt)
    .option('--format <format>', 'text or json', 'text')
    .action(async (opts: { runDir?: string; format: string }) => {
      const format = parseFormat(opts.format, ['text', 'json']);
      const dir = resolve(io.cwd, opts.runDir ?? defaultRunDir(io));
      const st = await labCall(() => labStatus(dir));
      if (!st) {
        if (format === 'json') io.stdout.write(JSON.stringify(jsonEnvelope('lab status', { run_dir: dir, status: 'down' }), null, 2) + '\n');
        else io.stdout.write(`no lab in ${dir}\n`);
        state.exitCode = 0;
        return;
      }
      const healthy = st.netns.every((n) => n.present) && st.processes.every((p) => p.running) && st.state.status === 'up';
      if (format === 'json') {
        io.stdout.write(JSON.stringify(jsonEnvelope('lab status', { ...summary(st.state), healthy, netns: st.netns, processes: st.processes.map((p) => ({ pid: p.pid, zone: p.zoneId, netns: p.netns, running: p.running })) }), null, 2) + '\n');
      } else io.stdout.write(statusText(st.state, st));
      state.exitCode = healthy ? 0 : 1;
    });
}

function statusText(s: LabState, st: import('../lab/lab.ts').LabStatus | undefined): string {
  const out: string[] = [`lab ${s.status} in ${s.runDir} (model ${s.model}, prefix ${s.prefix})`];
  out.push(`firewall: namespace ${s.plan.fwNetns}, ruleset ${s.rules.source === 'file' ? s.rules.given : 'compiled from the model (nftables target)'}`);
  for (const z of s.plan.zones) {
    const present = st ? (st.netns.find((n) => n.name === z.netns)?.present ? '' : ' MISSING') : '';
    out.push(`  ${z.zoneId.padEnd(12)} netns ${z.netns}${present}  ${z.fwIf} gw ${z.gateway}${z.gatewaySynthesized ? ' (synthesized)' : ''}  hosts ${z.hosts.map((h) => h.ip).join(' ')}`);
    const d = s.plan.devices.find((x) => x.zoneId === z.zoneId);
    if (d && d.modbus.length + d.tcp.length + d.udp.length + d.filters.length) {
      const parts = [];
      if (d.modbus.length) parts.push(`${d.modbus.length} Modbus`);
      if (d.tcp.length) parts.push(`TCP ${d.tcp.map((t) => `${t.ip}:${t.port}`).join(' ')}`);
      if (d.udp.length) parts.push(`UDP ${d.udp.map((u) => `${u.ip}:${u.port} (${u.mode})`).join(' ')}`);
      if (d.filters.length) parts.push(`${d.filters.length} Modbus filter(s) FC ${[...new Set(d.filters.map((f) => f.allow.join(',')))].join(' / ')}`);
      out.push(`               devices: ${parts.join('; ')}`);
    }
  }
  if (st) for (const p of st.processes) out.push(`  process ${p.pid} (${p.zoneId} devices) ${p.running ? 'running' : 'NOT RUNNING'}`);
  for (const k of s.plan.skipped) out.push(`  not built: ${k}`);
  return out.join('\n') + '\n';
}

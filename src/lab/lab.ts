/**
 * `lab up / down / status`: builds a plan (plan.ts) as network namespaces, veth pairs, routes, an nftables
 * firewall and detached device daemons, recording everything it creates in `<runDir>/state.json` as it goes,
 * so `down` removes exactly that (even after a failed `up`) and nothing else. Linux, root.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, rmdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineCode } from '../diagnostics/codes.ts';
import type { Model } from '../model/types.ts';
import type { PolicyIR } from '../policy/ir.ts';
import { compileTargets } from '../targets/index.ts';
import { nftablesTarget } from '../targets/nftables.ts';
import type { DaemonConfig } from './devices.daemon.ts';
import { contains, planLab, zoneFilterRuleset, type LabPlan } from './plan.ts';
import { parsePrefix } from '../net/ip.ts';

export const LAB_COMMAND_FAILED = defineCode({ code: 'ZC750', name: 'lab-command-failed', severity: 'error', title: 'A system command building the lab failed' });
export const LAB_EXISTS = defineCode({ code: 'ZC751', name: 'lab-exists', severity: 'error', title: 'A lab (or a namespace of the same name) already exists' });
export const LAB_NOT_PERMITTED = defineCode({ code: 'ZC752', name: 'lab-not-permitted', severity: 'error', title: 'The lab needs Linux and root' });
export const LAB_RULES_REJECTED = defineCode({ code: 'ZC753', name: 'lab-rules-rejected', severity: 'error', title: 'The firewall ruleset could not be compiled or loaded' });
export const LAB_DEVICE_FAILED = defineCode({ code: 'ZC754', name: 'lab-device-failed', severity: 'error', title: 'A simulated device did not start' });

/** A lab failure with its diagnostic code; the CLI prints the message and exits 2. */
export class LabError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const STATE = 'state.json';

export interface LabProcess {
  pid: number;
  netns: string;
  zoneId: string;
  config: string;
  log: string;
}

export interface LabState {
  version: 1;
  prefix: string;
  model: string;
  modelHash: string;
  runDir: string;
  status: 'building' | 'up';
  rules: { source: 'compiled' | 'file'; file: string; given?: string };
  netns: string[];
  processes: LabProcess[];
  files: string[];
  plan: LabPlan;
}

export interface LabUpOptions {
  model: Model;
  ir: PolicyIR;
  modelFile: string;
  modelSource: string;
  runDir: string;
  prefix: string;
  /** A hand-written nftables ruleset to load instead of the compiled one. */
  rulesFile?: string;
  /** Tear down an existing lab in runDir first instead of refusing. */
  replace?: boolean;
  /** Called with one line per step. */
  progress?: (line: string) => void;
}

function run(cmd: string, args: string[], what: string, code = LAB_COMMAND_FAILED.code): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.error) throw new LabError(code, `${what}: cannot run ${cmd}: ${r.error.message}`);
  if (r.status !== 0) throw new LabError(code, `${what}: \`${cmd} ${args.join(' ')}\` failed: ${(r.stderr || r.stdout).trim()}`);
  return r.stdout;
}

export function listNetns(): Set<string> {
  const r = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  return new Set((r.stdout ?? '').split('\n').map((l) => l.split(' ')[0]).filter(Boolean));
}

export function readState(runDir: string): LabState | undefined {
  const p = join(runDir, STATE);
  if (!existsSync(p)) return undefined;
  try {
    return JSON.parse(readFileSync(p, 'utf8')) as LabState;
  } catch (e) {
    throw new LabError(LAB_EXISTS.code, `${p}: unreadable lab state (${(e as Error).message}); remove it by hand after checking \`ip netns list\``);
  }
}

function saveState(s: LabState): void {
  writeFileSync(join(s.runDir, STATE), JSON.stringify(s, null, 2) + '\n');
}

export function checkPermitted(): void {
  if (process.platform !== 'linux') throw new LabError(LAB_NOT_PERMITTED.code, 'the lab needs Linux (network namespaces, nftables)');
  if (process.getuid?.() !== 0) throw new LabError(LAB_NOT_PERMITTED.code, 'the lab needs root (network namespaces, nftables); run it with sudo');
}

/** The nftables ruleset the firewall namespace loads: the `nftables` compile output, or the given file. */
export function firewallRuleset(opts: Pick<LabUpOptions, 'model' | 'ir' | 'modelSource' | 'rulesFile'>): string {
  if (opts.rulesFile) {
    if (!existsSync(opts.rulesFile)) throw new LabError(LAB_RULES_REJECTED.code, `--rules ${opts.rulesFile}: no such file`);
    return readFileSync(opts.rulesFile, 'utf8');
  }
  const modelHash = createHash('sha256').update(opts.modelSource).digest('hex');
  const r = compileTargets({ model: opts.model, ir: opts.ir, modelHash }, [nftablesTarget]);
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length || r.files.length !== 1) {
    throw new LabError(LAB_RULES_REJECTED.code, `the nftables target cannot compile this model: ${errors.map((d) => `${d.code} ${d.message}`).join('; ')}`);
  }
  return r.files[0].content;
}

export async function labUp(opts: LabUpOptions): Promise<LabState> {
  checkPermitted();
  const say = opts.progress ?? (() => {});
  const runDir = resolve(opts.runDir);
  const existing = readState(runDir);
  if (existing) {
    if (!opts.replace) throw new LabError(LAB_EXISTS.code, `a lab is already up in ${runDir} (model ${existing.model}, prefix ${existing.prefix}); run \`otzones lab down\` first or pass --replace`);
    say(`replacing the lab in ${runDir}`);
    await labDown(runDir);
  }
  const plan = planLab(opts.model, opts.ir, opts.prefix);
  const ruleset = firewallRuleset(opts);
  const present = listNetns();
  const wanted = [plan.fwNetns, ...plan.zones.map((z) => z.netns)];
  const clash = wanted.filter((n) => present.has(n));
  if (clash.length) throw new LabError(LAB_EXISTS.code, `network namespace(s) ${clash.join(', ')} already exist and are not recorded in ${runDir}; choose another --prefix or remove them`);
  mkdirSync(runDir, { recursive: true });
  const state: LabState = {
    version: 1,
    prefix: opts.prefix,
    model: resolve(opts.modelFile),
    modelHash: createHash('sha256').update(opts.modelSource).digest('hex'),
    runDir,
    status: 'building',
    rules: { source: opts.rulesFile ? 'file' : 'compiled', file: join(runDir, 'firewall.nft'), ...(opts.rulesFile ? { given: resolve(opts.rulesFile) } : {}) },
    netns: [],
    processes: [],
    files: [STATE],
    plan,
  };
  saveState(state);
  const addFile = (name: string, content: string) => {
    writeFileSync(join(runDir, name), content);
    if (!state.files.includes(name)) state.files.push(name);
  };
  const netns = (name: string) => {
    run('ip', ['netns', 'add', name], `create namespace ${name}`);
    state.netns.push(name);
    saveState(state);
    run('ip', ['-n', name, 'link', 'set', 'lo', 'up'], `${name}: lo up`);
  };
  try {
    say(`firewall namespace ${plan.fwNetns}`);
    netns(plan.fwNetns);
    // /proc/sys/net belongs to the writer's namespace; no dependency on procps' sysctl.
    run('ip', ['netns', 'exec', plan.fwNetns, 'sh', '-c', 'echo 1 > /proc/sys/net/ipv4/ip_forward'], `${plan.fwNetns}: enable forwarding`);
    for (const z of plan.zones) {
      say(`zone ${z.zoneId}: namespace ${z.netns}, ${z.fwIf} <-> ${z.zoneIf}, gateway ${z.gateway}${z.gatewaySynthesized ? ' (not in the model: synthesized)' : ''}, ${z.hosts.length} host(s)`);
      netns(z.netns);
      run('ip', ['link', 'add', z.fwIf, 'netns', plan.fwNetns, 'type', 'veth', 'peer', 'name', z.zoneIf, 'netns', z.netns], `${z.zoneId}: veth pair`);
      run('ip', ['-n', plan.fwNetns, 'addr', 'add', `${z.gateway}/${z.gatewayLen}`, 'dev', z.fwIf], `${z.zoneId}: gateway address`);
      run('ip', ['-n', plan.fwNetns, 'link', 'set', z.fwIf, 'up'], `${z.zoneId}: firewall interface up`);
      run('ip', ['-n', z.netns, 'link', 'set', z.zoneIf, 'up'], `${z.zoneId}: zone interface up`);
      for (const h of z.hosts) {
        const sub = z.subnets.find((p) => hostIn(p, h.ip));
        run('ip', ['-n', z.netns, 'addr', 'add', `${h.ip}/${sub ? sub.len : 32}`, 'dev', z.zoneIf, 'nodad'], `${z.zoneId}: address ${h.ip}`);
      }
      for (const [k, p] of z.subnets.entries()) {
        if (k === 0 && z.gatewayLen !== 32) continue;
        run('ip', ['-n', plan.fwNetns, 'route', 'replace', p.text, 'dev', z.fwIf], `${z.zoneId}: route ${p.text}`);
        run('ip', ['-n', z.netns, 'route', 'replace', p.text, 'dev', z.zoneIf], `${z.zoneId}: route ${p.text}`);
      }
      if (z.gatewayLen === 32) run('ip', ['-n', z.netns, 'route', 'replace', `${z.gateway}/32`, 'dev', z.zoneIf], `${z.zoneId}: gateway route`);
      run('ip', ['-n', z.netns, 'route', 'replace', 'default', 'via', z.gateway, 'dev', z.zoneIf], `${z.zoneId}: default route`);
    }
    addFile('firewall.nft', ruleset);
    say(`loading the ${state.rules.source === 'file' ? `ruleset ${opts.rulesFile}` : 'compiled nftables ruleset'} into ${plan.fwNetns}`);
    run('ip', ['netns', 'exec', plan.fwNetns, 'nft', '-f', join(runDir, 'firewall.nft')], `firewall ruleset${opts.rulesFile ? ` ${opts.rulesFile}` : ''}`, LAB_RULES_REJECTED.code);
    for (const z of plan.zones) {
      const dev = plan.devices.find((d) => d.zoneId === z.zoneId)!;
      const nft = zoneFilterRuleset(dev, z.zoneIf);
      if (nft) {
        addFile(`${z.netns}-filter.nft`, nft);
        run('ip', ['netns', 'exec', z.netns, 'nft', '-f', join(runDir, `${z.netns}-filter.nft`)], `${z.zoneId}: Modbus filter redirects`);
      }
      if (dev.modbus.length + dev.tcp.length + dev.udp.length + dev.filters.length === 0) continue;
      const cfg: DaemonConfig = {
        devices: dev,
        udpLog: join(runDir, `${z.netns}-udp.jsonl`),
        filterLog: join(runDir, `${z.netns}-modbus-filter.jsonl`),
        readyFile: join(runDir, `${z.netns}.ready`),
      };
      addFile(`${z.netns}-devices.json`, JSON.stringify(cfg, null, 2) + '\n');
      for (const f of [`${z.netns}-udp.jsonl`, `${z.netns}-modbus-filter.jsonl`, `${z.netns}.ready`, `${z.netns}-devices.log`]) if (!state.files.includes(f)) state.files.push(f);
      writeFileSync(cfg.udpLog, '');
      writeFileSync(cfg.filterLog, '');
      say(`zone ${z.zoneId}: ${dev.modbus.length} Modbus device(s), ${dev.tcp.length} TCP and ${dev.udp.length} UDP listener(s), ${dev.filters.length} Modbus filter(s)`);
      const logPath = join(runDir, `${z.netns}-devices.log`);
      const out = openSync(logPath, 'w');
      const child = spawn('ip', ['netns', 'exec', z.netns, process.execPath, '--import', 'tsx', join(ROOT, 'src/lab/devices.daemon.ts'), join(runDir, `${z.netns}-devices.json`)], {
        cwd: ROOT,
        detached: true,
        stdio: ['ignore', out, out],
      });
      closeSync(out);
      child.unref();
      if (!child.pid) throw new LabError(LAB_DEVICE_FAILED.code, `${z.zoneId}: could not start the device daemon`);
      state.processes.push({ pid: child.pid, netns: z.netns, zoneId: z.zoneId, config: join(runDir, `${z.netns}-devices.json`), log: logPath });
      saveState(state);
    }
    await waitReady(state);
    state.status = 'up';
    saveState(state);
    return state;
  } catch (e) {
    saveState(state);
    if (e instanceof LabError) e.message += ` (what was built is recorded in ${join(runDir, STATE)}; \`otzones lab down --run-dir ${runDir}\` removes it)`;
    throw e;
  }
}

function hostIn(p: { text: string }, ip: string): boolean {
  const r = parsePrefix(p.text);
  return r.ok && contains(r.value, ip);
}

async function waitReady(state: LabState): Promise<void> {
  const deadline = Date.now() + 20000;
  for (const p of state.processes) {
    const ready = join(state.runDir, `${p.netns}.ready`);
    while (!existsSync(ready)) {
      if (!alive(p.pid)) {
        const log = existsSync(p.log) ? readFileSync(p.log, 'utf8').trim().split('\n').slice(-3).join(' | ') : '';
        throw new LabError(LAB_DEVICE_FAILED.code, `${p.zoneId}: device daemon exited: ${log || 'no output'}`);
      }
      if (Date.now() > deadline) throw new LabError(LAB_DEVICE_FAILED.code, `${p.zoneId}: device daemon not ready after 20 s (log: ${p.log})`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** True when `pid` is still the daemon the lab started (its command line names our config file). */
function ours(p: LabProcess): boolean {
  try {
    return readFileSync(`/proc/${p.pid}/cmdline`, 'utf8').includes(p.config);
  } catch {
    return false;
  }
}

export interface LabDownResult {
  killed: number[];
  removedNetns: string[];
  removedFiles: string[];
}

/** Removes what the state in runDir records: daemons (only if still ours), namespaces, files. */
export async function labDown(runDir: string): Promise<LabDownResult | undefined> {
  checkPermitted();
  const dir = resolve(runDir);
  const state = readState(dir);
  if (!state) return undefined;
  const killed: number[] = [];
  for (const p of state.processes) {
    if (!ours(p)) continue;
    try {
      process.kill(p.pid, 'SIGTERM');
      killed.push(p.pid);
    } catch {
      /* already gone */
    }
  }
  const deadline = Date.now() + 3000;
  for (const pid of killed) {
    while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    const p = state.processes.find((x) => x.pid === pid)!;
    if (alive(pid) && ours(p)) process.kill(pid, 'SIGKILL');
  }
  const present = listNetns();
  const removedNetns: string[] = [];
  for (const n of [...state.netns].reverse()) {
    if (!present.has(n)) continue;
    run('ip', ['netns', 'del', n], `remove namespace ${n}`);
    removedNetns.push(n);
  }
  const removedFiles: string[] = [];
  for (const f of state.files) {
    const p = join(dir, f);
    if (existsSync(p)) {
      rmSync(p);
      removedFiles.push(f);
    }
  }
  if (existsSync(dir) && readdirSync(dir).length === 0) rmdirSync(dir);
  return { killed, removedNetns, removedFiles };
}

export interface LabStatus {
  state: LabState;
  netns: { name: string; present: boolean }[];
  processes: (LabProcess & { running: boolean })[];
}

export function labStatus(runDir: string): LabStatus | undefined {
  const state = readState(resolve(runDir));
  if (!state) return undefined;
  const present = listNetns();
  return {
    state,
    netns: state.netns.map((name) => ({ name, present: present.has(name) })),
    processes: state.processes.map((p) => ({ ...p, running: alive(p.pid) && ours(p) })),
  };
}

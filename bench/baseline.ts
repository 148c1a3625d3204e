/**
 * Benchmark of `otzones baseline` against tshark doing the equivalent work, in the same run:
 *   - conversations: `tshark -n -r F -q -z conv,tcp`
 *   - Modbus function codes: `tshark -n -r F -Y modbus -T fields -e modbus.func_code`
 * on a generated capture of the example plant (bench/gen-capture.ts), as pcap and pcapng; one and two cores
 * (two files of the same size: `--jobs 1` held to one core with taskset, `--jobs 1` free, `--jobs 2`); and a
 * capture with a million flows. Wall time, CPU time, MB/s, packets/s and peak RSS (GNU time) per run.
 * `--jobs 1` reads the next chunk on libuv's pool while it decodes, so left free it already uses part of a
 * second core: the one-core run is the reference for the two-core speed-up.
 *
 *   node --import tsx bench/baseline.ts [--size 1G] [--dir /tmp/otz-bench] [--flows 1000000] [--no-tshark] [--write]
 *
 * `--write` replaces the `## baseline` section of bench/RESULTS.md.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateCapture, parseSize } from './gen-capture.ts';
import { PacketDecoder } from '../src/capture/index.ts';
import { readCaptureFile } from '../src/capture/reader.ts';
import { addConversations } from '../src/capture/conversations.ts';
import { FlowTable } from '../src/capture/flow-table.ts';

const ROOT = resolve(fileURLToPath(import.meta.url), '../..');
const MODEL = join(ROOT, 'examples/refinery-unit3.yaml');
const CLI = join(ROOT, 'bin/otzones.js');

interface Run {
  wall: number;
  cpu: number;
  rssMB: number;
  stdout: string;
}

/** Runs a command under GNU time; the best wall time of `reps` runs (the machine is shared). */
function timed(cmd: string, args: string[], reps = 1): Run {
  let best: Run | undefined;
  for (let i = 0; i < reps; i++) {
    const r = spawnSync('/usr/bin/time', ['-f', 'TIME %e %U %S %M', cmd, ...args], { encoding: 'utf8', maxBuffer: 1 << 30 });
    const m = /TIME ([\d.]+) ([\d.]+) ([\d.]+) (\d+)/.exec(r.stderr);
    if (!m) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr.slice(-500)}`);
    const run = { wall: Number(m[1]), cpu: Number(m[2]) + Number(m[3]), rssMB: Number(m[4]) / 1024, stdout: r.stdout };
    if (!best || run.wall < best.wall) best = run;
  }
  return best!;
}

/**
 * In-process, no start-up, no reporting, on one core: the packet loop (read, decode, conversation table,
 * function codes), then turning the table into flow records.
 */
async function inner(files: string[]): Promise<void> {
  const dec = new PacketDecoder();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  let bytes = 0;
  for (const f of files) bytes += (await readCaptureFile(f, dec)).bytesRead;
  dec.finish(); // segments still held ahead of a gap
  const secs = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  const rssLoop = process.memoryUsage().rss / 2 ** 20;
  const t1 = performance.now();
  const c1 = process.cpuUsage();
  dec.conns.releaseStreamState();
  const table = new FlowTable(dec.conns.size);
  addConversations(dec.conns, dec.codes, dec.files, table);
  const recSecs = (performance.now() - t1) / 1000;
  const recCpu = process.cpuUsage(c1);
  process.stdout.write(
    JSON.stringify({
      secs,
      cpu: (c.user + c.system) / 1e6,
      packets: dec.stats.packets,
      bytes,
      flows: table.size,
      rssMB: rssLoop,
      recSecs: secs + recSecs,
      recCpu: (c.user + c.system + recCpu.user + recCpu.system) / 1e6,
      recRssMB: process.memoryUsage().rss / 2 ** 20,
    }) + '\n',
  );
}

function innerRun(files: string[]): { secs: number; cpu: number; packets: number; bytes: number; flows: number; rssMB: number; recSecs: number; recCpu: number; recRssMB: number } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--inner', ...files], { encoding: 'utf8' });
  return JSON.parse(r.stdout);
}

/** Generates `path` unless it exists, through a temporary name: an interrupted run leaves no short capture. */
function ensure(path: string, make: (out: string) => void): void {
  if (!existsSync(path)) {
    const t0 = Date.now();
    make(`${path}.part`);
    renameSync(`${path}.part`, path);
    process.stderr.write(`generated ${path} (${(statSync(path).size / 1e6).toFixed(0)} MB) in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  }
}

const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--inner') return inner(args.slice(1));
  const opt = (k: string, d: string) => (args.includes(k) ? args[args.indexOf(k) + 1] : d);
  const size = parseSize(opt('--size', '1G'));
  const dir = opt('--dir', '/tmp/otz-bench');
  const flows = Number(opt('--flows', '1000000'));
  const tshark = !args.includes('--no-tshark');
  mkdirSync(dir, { recursive: true });
  const pcap = join(dir, 'plant.pcap');
  const pcapng = join(dir, 'plant.pcapng');
  const pair = [join(dir, 'plant-1.pcap'), join(dir, 'plant-2.pcap')];
  const churn = join(dir, `churn-${flows}.pcap`);
  ensure(pcap, (out) => generateCapture({ out, bytes: size, format: 'pcap', scenario: 'plant', seed: 1 }));
  ensure(pcapng, (out) => generateCapture({ out, bytes: size, format: 'pcapng', scenario: 'plant', seed: 1 }));
  pair.forEach((h, i) => ensure(h, (out) => generateCapture({ out, bytes: size, format: 'pcap', scenario: 'plant', seed: 2 + i })));
  ensure(churn, (out) => generateCapture({ out, bytes: Infinity, format: 'pcap', scenario: 'churn', flows }));

  const lines: string[] = [];
  const say = (s: string) => {
    lines.push(s);
    process.stderr.write(s + '\n');
  };
  const mb = (f: string | string[]) => (Array.isArray(f) ? f : [f]).reduce((s, x) => s + statSync(x).size, 0) / 1e6;
  say(`machine: ${cpus().length} cores (${cpus()[0]?.model.trim()}), Node ${process.version}, ${execFileSync('tshark', ['-v']).toString().split('\n')[0]}; load average at start ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  say('');
  say('| run | input | wall s | CPU s | MB/s (wall) | MB/s per CPU-s | packets/s (wall) | peak RSS MB |');
  say('|---|---|---|---|---|---|---|---|');
  const row = (name: string, input: string, size: number, packets: number, r: { wall: number; cpu: number; rssMB: number }) =>
    say(`| ${name} | ${input} | ${r.wall.toFixed(2)} | ${r.cpu.toFixed(2)} | ${fmt(size / r.wall)} | ${fmt(size / r.cpu)} | ${fmt(packets / r.wall)} | ${fmt(r.rssMB)} |`);

  const decode: Record<string, { packets: number; flows: number }> = {};
  for (const [label, file] of [
    ['pcap', pcap],
    ['pcapng', pcapng],
    [`${flows} flows`, churn],
  ] as const) {
    // In process (best of 3): the packet loop, then with the flow records built.
    let best: ReturnType<typeof innerRun> | undefined;
    for (let i = 0; i < 3; i++) {
      const j = innerRun([file]);
      if (!best || j.secs < best.secs) best = j;
    }
    decode[label] = { packets: best!.packets, flows: best!.flows };
    row('otzones packet loop (in process)', label, mb(file), best!.packets, { wall: best!.secs, cpu: best!.cpu, rssMB: best!.rssMB });
    row('otzones packet loop + flow records', label, mb(file), best!.packets, { wall: best!.recSecs, cpu: best!.recCpu, rssMB: best!.recRssMB });
    const e2e = timed(process.execPath, [CLI, 'baseline', MODEL, file, '--format', 'text'], 3);
    row('`otzones baseline` end to end', label, mb(file), best!.packets, e2e);
  }
  const two = pair.reduce((s, h) => s + statSync(h).size, 0) / 1e6;
  const pk2 = innerRun(pair).packets;
  const oneCore = spawnSync('taskset', ['-c', '0', 'true']).status === 0;
  const c1 = oneCore ? timed('taskset', ['-c', '0', process.execPath, CLI, 'baseline', MODEL, ...pair, '--jobs', '1'], 3) : undefined;
  const j1 = timed(process.execPath, [CLI, 'baseline', MODEL, ...pair, '--jobs', '1'], 3);
  const j2 = timed(process.execPath, [CLI, 'baseline', MODEL, ...pair, '--jobs', '2'], 3);
  if (c1) row('`otzones baseline --jobs 1`, one core (`taskset -c 0`)', '2 pcap files', two, pk2, c1);
  row('`otzones baseline --jobs 1`', '2 pcap files', two, pk2, j1);
  row('`otzones baseline --jobs 2`', '2 pcap files', two, pk2, j2);
  if (tshark) {
    for (const [label, file] of [
      ['pcap', pcap],
      ['pcapng', pcapng],
    ] as const) {
      const conv = timed('tshark', ['-n', '-r', file, '-q', '-z', 'conv,tcp']);
      row('`tshark -q -z conv,tcp`', label, mb(file), decode[label].packets, conv);
      const mod = timed('sh', ['-c', `tshark -n -r '${file}' -Y modbus -T fields -e modbus.func_code > /dev/null`]);
      row('`tshark -Y modbus -T fields -e modbus.func_code`', label, mb(file), decode[label].packets, mod);
    }
  }
  say('');
  if (c1) say(`two-core speed-up (wall, --jobs 2 vs --jobs 1 held to one core, same two files): ${(c1.wall / j2.wall).toFixed(2)}x`);
  say(`--jobs 2 vs --jobs 1 left free on two cores (its background reads already use the second core): ${(j1.wall / j2.wall).toFixed(2)}x`);
  say(`flows: plant capture ${decode.pcap.flows}, million-flow capture ${decode[`${flows} flows`].flows}; load average at end ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);

  if (args.includes('--write')) {
    const path = join(ROOT, 'bench/RESULTS.md');
    const text = existsSync(path) ? readFileSync(path, 'utf8') : '# Benchmark results\n';
    const cmd = `node --import tsx bench/baseline.ts ${args.filter((a) => a !== '--write').join(' ')}`.trim();
    const section = [
      '## baseline',
      '',
      `Command: \`${cmd}\` (captures from \`bench/gen-capture.ts\`: the example plant's zones, ~800 flows, Modbus polling with writes, OPC UA, DNP3, HTTPS, RDP, diode UDP, 802.1Q and QinQ, a rogue device; plus \`--flows ${flows}\` short Modbus connections, each its own flow). Wall times are the best of 2-3 runs on a machine shared with other engineers' test runs; CPU seconds (user + sys) are less sensitive to that and give the per-core figure.`,
      '',
      ...lines,
      '',
    ].join('\n');
    const re = /## baseline\n[\s\S]*?(?=\n## |$)/;
    writeFileSync(path, re.test(text) ? text.replace(re, section) : `${text.trimEnd()}\n\n${section}`);
  }
}

await main();

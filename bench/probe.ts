/**
 * Benchmark of `otzones probe --lab` over the whole example lab against `nmap -sT` over the same targets and
 * TCP ports, in the same run. The lab is built from examples/refinery-unit3.yaml (prefix `obn`, a temporary
 * run directory) and removed at the end. nmap runs once per source zone namespace, all zones in parallel
 * (as probe's agents do), against exactly the (target, port) pairs probe checks over TCP from that zone.
 * Run (root): node --import tsx bench/probe.ts [rate for the second probe run, default 2000]
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { main } from '../src/cli/main.ts';
import { labDown } from '../src/lab/lab.ts';
import type { ProbeResult } from '../src/probe/run.ts';

const ROOT = resolve(import.meta.dirname ?? '.', '..');
const EXAMPLE = join(ROOT, 'examples/refinery-unit3.yaml');
const fastRate = process.argv[2] ?? '2000';
const runDir = mkdtempSync(join(tmpdir(), 'otz-bench-probe-'));
const PREFIX = 'obn';

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, {
    stdout: { write: (s: string | Uint8Array) => ((out += String(s)), true) },
    stderr: { write: (s: string | Uint8Array) => ((err += String(s)), true) },
    cwd: ROOT,
    env: process.env,
  });
  return { code, out, err };
}

function nmap(netns: string, targets: string[], ports: number[]): Promise<{ ms: number; states: Map<string, string> }> {
  const t0 = performance.now();
  return new Promise((res) => {
    const p = spawn('ip', ['netns', 'exec', netns, 'nmap', '-sT', '-Pn', '-n', '-T4', '-p', ports.join(','), '-oG', '-', ...targets], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (c) => (out += c));
    p.on('close', () => {
      const states = new Map<string, string>();
      const ignoredFiltered = /Ignored State: filtered/.test(out);
      for (const line of out.split('\n')) {
        const m = /^Host: (\S+) .*Ports: (.*?)(\tIgnored|$)/.exec(line);
        if (m) for (const x of m[2].split(', ')) states.set(`${m[1]}:${x.split('/')[0]}`, x.split('/')[1]);
      }
      for (const t of targets) for (const port of ports) if (!states.has(`${t}:${port}`) && ignoredFiltered) states.set(`${t}:${port}`, 'filtered');
      res({ ms: performance.now() - t0, states });
    });
  });
}

try {
  const t0 = performance.now();
  const up = await cli(['lab', 'up', EXAMPLE, '--run-dir', runDir, '--prefix', PREFIX]);
  if (up.code !== 0) throw new Error(up.err);
  const upMs = performance.now() - t0;
  const runs: { label: string; ms: number; results: ProbeResult[]; summary: Record<string, number> }[] = [];
  for (const rate of ['100', fastRate]) {
    const t = performance.now();
    const r = await cli(['probe', EXAMPLE, '--lab', '--run-dir', runDir, '--rate', rate, '--allow-write-test', '--format', 'json']);
    const j = JSON.parse(r.out);
    runs.push({ label: rate === '100' ? 'probe --lab (default rate 100 packets/s)' : `probe --lab --rate ${rate}`, ms: performance.now() - t, results: j.results, summary: j.summary });
  }
  // nmap over the same TCP (target, port) pairs probe checked, per source zone, all zones at once.
  const tcp = runs[1].results.filter((r) => r.transport === 'tcp');
  const zones = [...new Set(tcp.map((r) => r.from_zone))];
  const t1 = performance.now();
  const scans = await Promise.all(
    zones.map((z) => {
      const mine = tcp.filter((r) => r.from_zone === z);
      const targets = [...new Set(mine.map((r) => r.target.split(':')[0]))].sort();
      const ports = [...new Set(mine.map((r) => Number(r.target.split(':')[1])))].sort((a, b) => a - b);
      return nmap(`${PREFIX}-${z.toLowerCase()}`, targets, ports).then((s) => ({ z, targets, ports, ...s }));
    }),
  );
  const nmapMs = performance.now() - t1;
  const nmapPairs = scans.reduce((a, s) => a + s.targets.length * s.ports.length, 0);
  let agree = 0;
  let compared = 0;
  const disagree: string[] = [];
  // nmap scans from the namespace's primary address (the zone's first host); compare only probes sent from it.
  const primary = new Map<string, string>();
  for (const r of runs[1].results) if (r.check === 'prohibited-path' && !primary.has(r.from_zone)) primary.set(r.from_zone, r.src);
  for (const r of tcp) {
    const s = scans.find((x) => x.z === r.from_zone)!.states.get(r.target);
    // A refused Modbus write is an application-layer verdict on an open port: not a port state.
    if (!s || primary.get(r.from_zone) !== r.src || r.check === 'modbus-write-blocked') continue;
    compared++;
    if ((s === 'filtered' ? 'blocked' : 'open') === r.observed) agree++;
    else disagree.push(`${r.check} ${r.src} -> ${r.target}: probe ${r.observed} (${r.detail}), nmap ${s}`);
  }
  const node = process.version;
  const cores = spawnSync('nproc', { encoding: 'utf8' }).stdout.trim();
  console.log(`lab up: ${(upMs / 1000).toFixed(2)} s (6 namespaces, 4 device daemons)`);
  for (const r of runs) {
    const tcpN = r.results.filter((x) => x.transport === 'tcp').length;
    console.log(`${r.label}: ${(r.ms / 1000).toFixed(2)} s for ${r.results.length} checks (${tcpN} TCP, all 20 zone pairs), pass ${r.summary.pass} fail ${r.summary.fail} error ${r.summary.error}`);
  }
  console.log(`nmap -sT -Pn -n -T4, one scan per source zone in parallel: ${(nmapMs / 1000).toFixed(2)} s for ${nmapPairs} (target, port) pairs (TCP only)`);
  console.log(`ratio probe(--rate ${fastRate}) / nmap: ${(runs[1].ms / nmapMs).toFixed(2)}; probe at the default rate / nmap: ${(runs[0].ms / nmapMs).toFixed(2)}`);
  console.log(`port states: ${agree}/${compared} TCP results agree with nmap`);
  for (const d of disagree) console.log(`  differs: ${d}`);
  console.log(`(${cores} cores, Node ${node})`);
} finally {
  await labDown(runDir).catch((e) => console.error(`lab down: ${e.message}`));
  rmSync(runDir, { recursive: true, force: true });
}

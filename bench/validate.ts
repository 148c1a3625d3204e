/**
 * `otzones validate` on a large synthetic plant: 200 zones, 20,000 assets, 1,000 conduits (2 flows each).
 * Times the CLI as a process (wall clock) and, in-process, each stage: YAML parse, the whole loader, every rule.
 * A quarter-size model is timed too: if rules scale linearly its rule time is ~1/4 (a quadratic rule: ~1/16).
 * Reference in the same run: parsing the same file with PyYAML's libyaml loader (Debian python3-yaml).
 *
 *   node --import tsx bench/validate.ts [zones=200] [assetsPerZone=100] [conduits=1000] [runs=5]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LineCounter, parseDocument } from 'yaml';
import { loadModelText } from '../src/model/load.ts';
import { RULES, runRules } from '../src/rules/index.ts';
import { runRule } from '../src/rules/rule.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const [ZONES, PER_ZONE, CONDUITS, RUNS] = [200, 100, 1000, 5].map((d, i) => Number(process.argv[2 + i] ?? d));

/** Purdue position within a group of five zones: BPCS 1, supervisory 2, operations 3, DMZ 3.5, enterprise 4. */
const LEVELS = [1, 2, 3, 3.5, 4];
const ROLES: Record<number, string[]> = { 1: ['plc', 'rtu', 'ied'], 2: ['hmi', 'scada-server', 'ews'], 3: ['historian', 'opc-server', 'mes', 'server'], 3.5: ['historian', 'patch-server', 'jump-server'], 4: ['workstation', 'server'] };

/** A clean model (no rule fires), so the figures measure checking, not printing thousands of findings. */
export function generate(zones: number, perZone: number, conduits: number): string {
  if (zones % 5 || zones > 250 || perZone > 60000) throw new Error('zones must be a multiple of 5 (≤ 250), assets per zone ≤ 60000');
  const groups = zones / 5;
  const zid = (i: number) => `Z${String(i).padStart(3, '0')}`;
  // Conduit k joins adjacent levels p and p+1 of groups g1 and g2: distinct for k < 4 * groups * groups.
  if (conduits > 4 * groups * groups) throw new Error('too many conduits for the zone count');
  const cs = Array.from({ length: conduits }, (_, k) => {
    const p = k % 4;
    const g1 = Math.floor(k / 4) % groups;
    const g2 = (g1 + Math.floor(k / (4 * groups))) % groups;
    return { id: `C${String(k).padStart(4, '0')}`, lo: g1 * 5 + p, hi: g2 * 5 + p + 1, p };
  });
  const byZone = new Map<number, string[]>();
  for (const c of cs) for (const z of [c.lo, c.hi]) byZone.set(z, [...(byZone.get(z) ?? []), c.id]);
  const asset = (z: number, a: number) => `A${String(z).padStart(3, '0')}-${String(a).padStart(5, '0')}`;
  const out: string[] = ['facility: "Synthetic plant (bench/validate.ts)"', 'standard: "IEC 62443-3-2:2020"', 'zones:'];
  for (let z = 0; z < zones; z++) {
    const level = LEVELS[z % 5];
    out.push(
      `  - zone_id: ${zid(z)}`,
      `    name: "Zone ${z}"`,
      `    purdue_level: ${level}`,
      `    security_level_target: ${level >= 4 ? 1 : 2}`,
      `    vlan: ${z + 2}`,
      `    subnets: ["10.${z}.0.0/16"]`,
      `    gateway: 10.${z}.0.1`,
      `    allowed_conduits: [${(byZone.get(z) ?? []).join(', ')}]`,
      '    assets:',
    );
    const roles = ROLES[level];
    for (let a = 0; a < perZone; a++) {
      out.push(`      - { id: ${asset(z, a)}, name: "Asset ${a} of zone ${z}", role: ${roles[a % roles.length]}, ip: 10.${z}.${1 + Math.floor(a / 250)}.${1 + (a % 250)} }`);
    }
  }
  out.push('conduits:');
  for (const c of cs) {
    // Lower level publishes up over HTTPS; the higher level reads with Modbus FC 3/4 only (or, DMZ-enterprise, HTTPS to the DMZ).
    const up = `{ protocol: https, from: ${asset(c.lo, 0)}, to: ${asset(c.hi, 1)} }`;
    const down = c.p === 3 ? `{ protocol: https, from: ${zid(c.hi)}, to: ${asset(c.lo, 2)} }` : `{ protocol: modbus, from: ${asset(c.hi, 3)}, to: ${zid(c.lo)}, function_codes: [3, 4] }`;
    out.push(
      `  - conduit_id: ${c.id}`,
      `    connects: [${zid(c.lo)}, ${zid(c.hi)}]`,
      `    security_level: ${c.p === 3 ? 1 : 2}`,
      ...(c.p === 3 ? ['    compensating_controls: ["MFA and session recording on the DMZ jump server"]'] : []),
      '    controls: ["Industrial firewall with OT protocol DPI"]',
      `    protocols_allowed: [${up}, ${down}]`,
    );
  }
  return out.join('\n') + '\n';
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const time = (f: () => unknown) => {
  const t0 = performance.now();
  f();
  return performance.now() - t0;
};

function inProcess(text: string, runs: number) {
  const parse: number[] = [];
  const load: number[] = [];
  const rules: number[] = [];
  const perRule = new Map<string, number[]>();
  let findings = 0;
  for (let i = 0; i < runs + 1; i++) {
    const warm = i === 0;
    const tp = time(() => parseDocument(text, { lineCounter: new LineCounter(), uniqueKeys: true, strict: true }));
    let r!: ReturnType<typeof loadModelText>;
    const tl = time(() => (r = loadModelText(text, 'bench.yaml')));
    if (!r.model) throw new Error(`the generated model does not load: ${JSON.stringify(r.diagnostics.slice(0, 3))}`);
    const loaderFindings = r.diagnostics.filter((d) => d.severity !== 'info');
    if (loaderFindings.length) throw new Error(`loader findings: ${JSON.stringify(loaderFindings.slice(0, 3))}`);
    let total = 0;
    findings = 0;
    for (const rule of RULES) {
      let n = 0;
      const t = time(() => (n = runRule(rule, r.model!, r.locate).length));
      findings += n;
      total += t;
      if (!warm) perRule.set(rule.meta.name, [...(perRule.get(rule.meta.name) ?? []), t]);
    }
    if (!warm) {
      parse.push(tp);
      load.push(tl);
      rules.push(total);
    }
  }
  return { parse: median(parse), load: median(load), rules: median(rules), perRule, findings };
}

/** Rule time with the JIT warm: per rule the fastest of 15 runs, summed; the cleanest signal for how rules scale. */
function warmRules(text: string): number {
  const r = loadModelText(text, 'bench.yaml');
  let sum = 0;
  for (const rule of RULES) {
    let best = Infinity;
    for (let i = 0; i < 15; i++) best = Math.min(best, time(() => runRule(rule, r.model!, r.locate)));
    sum += best;
  }
  return sum;
}

function cli(file: string, runs: number) {
  const walls: number[] = [];
  let status: number | null = null;
  let tail = '';
  for (let i = 0; i < runs + 1; i++) {
    const t0 = performance.now();
    const p = spawnSync(process.execPath, [join(ROOT, 'bin/otzones.js'), 'validate', file, '--quiet'], { encoding: 'utf8', maxBuffer: 1 << 28 });
    const wall = performance.now() - t0;
    if (i > 0) walls.push(wall);
    status = p.status;
    tail = p.stdout.trim().split('\n').pop() ?? '';
  }
  const noop = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    spawnSync(process.execPath, [join(ROOT, 'bin/otzones.js'), '--version'], { encoding: 'utf8' });
    noop.push(performance.now() - t0);
  }
  return { wall: median(walls), startup: median(noop), status, tail };
}

function pyyaml(file: string, runs: number): number | string {
  const code = `import sys,time,yaml\nts=[]\nfor i in range(${runs}):\n t=time.perf_counter(); yaml.load(open(sys.argv[1]), Loader=yaml.CSafeLoader); ts.append(time.perf_counter()-t)\nts.sort(); print(ts[len(ts)//2]*1000)`;
  const p = spawnSync('/usr/bin/python3', ['-c', code, file], { encoding: 'utf8' });
  return p.status === 0 ? Number(p.stdout.trim()) : `unavailable (${p.stderr.trim().split('\n').pop()})`;
}

const ms = (x: number) => `${x.toFixed(1)} ms`;
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();

function main(): void {
const dir = mkdtempSync(join(tmpdir(), 'otz-bench-validate-'));
try {
  const text = generate(ZONES, PER_ZONE, CONDUITS);
  const file = join(dir, 'plant.yaml');
  writeFileSync(file, text);
  const quarter = generate(ZONES, Math.round(PER_ZONE / 4), Math.round(CONDUITS / 4));
  console.log(`Node ${process.version}, ${cpus().length} cores; median of ${RUNS} runs after one warm-up`);
  console.log(`model: ${ZONES} zones, ${ZONES * PER_ZONE} assets, ${CONDUITS} conduits (${CONDUITS * 2} flows), ${(text.length / 1024).toFixed(0)} KiB YAML`);
  const c = cli(file, RUNS);
  console.log(`CLI \`otzones validate plant.yaml --quiet\`: wall ${ms(c.wall)} (exit ${c.status}: ${c.tail}); of which process start + tsx + CLI setup (\`otzones --version\`) ${ms(c.startup)}`);
  const full = inProcess(text, RUNS);
  console.log(`in-process: YAML parse ${ms(full.parse)}; whole loader (parse + schema + normalize) ${ms(full.load)}; all ${RULES.length} rules ${ms(full.rules)}; findings ${full.findings}`);
  const slow = [...full.perRule].map(([n, ts]) => [n, median(ts)] as const).sort((a, b) => b[1] - a[1]).slice(0, 5);
  console.log(`slowest rules: ${slow.map(([n, t]) => `${n} ${ms(t)}`).join(', ')}`);
  const [wq, wf] = [quarter, text].map(warmRules);
  console.log(`rules, warmed (sum over rules of the fastest of 15 runs): ${ms(wf)} here, ${ms(wq)} on a quarter-size model (${(ZONES * PER_ZONE) / 4} assets, ${CONDUITS / 4} conduits) → ×${(wf / wq).toFixed(1)} for ×4 input (linear ≈ 4, quadratic ≈ 16)`);
  // Findings cost too: every flow initiator renamed to an undefined id (a renamed zone, say), so ZC202 reports
  // each one and searches "did you mean" among the 20,000 asset ids.
  const [head, tail] = text.split('\nconduits:\n');
  const dangling = loadModelText(`${head}\nconduits:\n${tail.replace(/from: A(\d)/g, 'from: X$1')}`, 'bench.yaml');
  let found = 0;
  const td = median(Array.from({ length: RUNS }, () => time(() => (found = runRules(dangling.model!, dangling.locate).length))));
  console.log(`with ${found} dangling flow references: all rules ${ms(td)}`);
  const py = pyyaml(file, RUNS);
  console.log(`reference: PyYAML ${typeof py === 'number' ? 'CSafeLoader' : ''} load of the same file ${typeof py === 'number' ? ms(py) : py}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
}

/**
 * Benchmark of `verify`'s analysis: generated first-match ACLs across 20 zones (400 ordered zone pairs),
 * 80 % host-to-host service rules and 20 % broad rules (`any` on one side, subnet-to-subnet port ranges,
 * mixed permit/deny), at 10k / 50k / 100k rules. Each size runs in its own child process so peak RSS is
 * that size's alone. Measured: the full verify (parse-free: the ACL is built in memory) against a model of
 * 20 zones and 40 conduits, the ACL evaluation alone, a one-rule edit re-verified on the affected cell pairs
 * only (`editRule`: the analysis), then `result()` after it (listing the findings: the one step that is
 * proportional to their number, measured apart), 20 more edits of the same kind at random rules (median and
 * slowest), and the number of merged permitted boxes. `--naive` adds the naive exact baseline (subtracting
 * 5-dimensional boxes in rule order) — our own implementation of the method the issue measured, not a
 * third-party tool; there is no reference tool for this analysis to run side by side.
 *
 *   node --import tsx bench/verify.ts [--sizes 10000,50000,100000] [--naive]
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadModelText } from '../src/model/load.ts';
import { compilePolicy } from '../src/policy/ir.ts';
import { createVerifier } from '../src/analysis/verify.ts';
import { AclEngine, cellsFrom } from '../src/analysis/engine.ts';
import { emptyConfig, type AclRule, type FirewallConfig, type Term } from '../src/parsers/acl.ts';
import { PORT_MAX, PROTO_MAX, ADDR_MAX, boxIntersect, boxSubtract, mergeBoxes, type Box, type MatchRule } from '../src/net/space.ts';

const ZONES = 20;
const HOSTS = 60;
const PORTS = [22, 53, 80, 102, 123, 161, 443, 502, 514, 1433, 2222, 2404, 3389, 4840, 5450, 8080, 20000, 44818, 47808, 5000];

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const zoneNet = (z: number) => BigInt(((10 << 24) | ((z + 1) << 16)) >>> 0);
const host = (z: number, h: number) => zoneNet(z) + BigInt(256 + h);

function generateRules(n: number, seed = 1): AclRule[] {
  const r = rng(seed);
  const pick = <T>(a: T[]) => a[Math.floor(r() * a.length)];
  const rules: AclRule[] = [];
  for (let i = 0; i < n; i++) {
    const a = Math.floor(r() * ZONES);
    let b = Math.floor(r() * (ZONES - 1));
    if (b >= a) b++;
    const proto: [number, number] = r() < 0.75 ? [6, 6] : [17, 17];
    const port = pick(PORTS);
    const h = (z: number) => [{ family: 4 as const, lo: host(z, Math.floor(r() * HOSTS)), hi: 0n }].map((x) => ({ ...x, hi: x.lo }));
    const net = (z: number) => [{ family: 4 as const, lo: zoneNet(z), hi: zoneNet(z) + 65535n }];
    let term: Term;
    let permit = r() < 0.9;
    if (r() < 0.8) {
      term = { src: h(a), dst: h(b), protos: [proto], sports: null, dports: [[port, port]] };
    } else {
      const kind = Math.floor(r() * 4);
      const lo = Math.floor(r() * 60000);
      if (kind === 0) term = { src: null, dst: h(b), protos: [proto], sports: null, dports: [[port, port]] };
      else if (kind === 1) term = { src: h(a), dst: null, protos: [proto], sports: null, dports: [[lo, lo + Math.floor(r() * 2000)]] };
      else if (kind === 2) term = { src: net(a), dst: net(b), protos: [proto], sports: null, dports: [[lo, lo + Math.floor(r() * 500)]] };
      else {
        term = { src: net(a), dst: null, protos: [[6, 6]], sports: null, dports: [[lo, lo + 100]] };
        permit = false;
      }
    }
    rules.push({ action: permit ? 'permit' : 'deny', terms: [term], source: { file: 'gen.rules', line: i + 1, text: `rule ${i}` } });
  }
  return rules;
}

function modelText(): string {
  const r = rng(7);
  const zones = Array.from({ length: ZONES }, (_, z) => `  - { zone_id: Z${String(z).padStart(2, '0')}, name: zone ${z}, purdue_level: 2, security_level_target: 2, subnets: ["10.${z + 1}.0.0/16"] }`);
  const conduits: string[] = [];
  for (let k = 0; k < 40; k++) {
    const a = Math.floor(r() * ZONES);
    let b = Math.floor(r() * (ZONES - 1));
    if (b >= a) b++;
    const za = `Z${String(a).padStart(2, '0')}`;
    const zb = `Z${String(b).padStart(2, '0')}`;
    conduits.push(`  - { conduit_id: C${k}, name: c${k}, connects: [${za}, ${zb}], protocols_allowed: [ { protocol: tcp, port: ${PORTS[k % PORTS.length]}, from: ${za}, to: ${zb} } ] }`);
  }
  return `facility: bench\nzones:\n${zones.join('\n')}\nconduits:\n${conduits.join('\n')}\n`;
}

function toMatch(rules: AclRule[]): MatchRule[] {
  return rules.map((rule, origin) => {
    const t = rule.terms[0];
    const s = t.src ? [Number(t.src[0].lo), Number(t.src[0].hi)] : [0, ADDR_MAX];
    const d = t.dst ? [Number(t.dst[0].lo), Number(t.dst[0].hi)] : [0, ADDR_MAX];
    const p = t.protos ? t.protos[0] : [0, PROTO_MAX];
    const dp = t.dports ? t.dports[0] : [0, PORT_MAX];
    return { box: [s[0], s[1], d[0], d[1], p[0], p[1], 0, PORT_MAX, dp[0], dp[1]], permit: rule.action === 'permit', origin };
  });
}

/** The naive exact method: walk the rules in order, subtracting each from what is still undecided. */
function naive(rules: MatchRule[], budgetMs: number): { permitted: number; ms: number; finished: boolean; done: number } {
  const t0 = performance.now();
  let remaining: Box[] = [[0, ADDR_MAX, 0, ADDR_MAX, 0, PROTO_MAX, 0, PORT_MAX, 0, PORT_MAX]];
  let permitted = 0;
  let done = 0;
  for (const r of rules) {
    done++;
    const next: Box[] = [];
    for (const b of remaining) {
      const c = boxIntersect(b, r.box);
      if (!c) {
        next.push(b);
        continue;
      }
      if (r.permit) permitted++;
      for (const p of boxSubtract(b, r.box)) next.push(p);
    }
    remaining = next;
    if (performance.now() - t0 > budgetMs) return { permitted, ms: performance.now() - t0, finished: false, done };
  }
  return { permitted, ms: performance.now() - t0, finished: true, done };
}

function child(n: number, _withNaive: boolean) {
  const rules = generateRules(n);
  const loaded = loadModelText(modelText(), 'bench.yaml');
  const model = loaded.model!;
  const ir = compilePolicy(model);
  const cfg: FirewallConfig = emptyConfig('iptables', 'gen.rules');
  cfg.acls.set('FORWARD', { name: 'FORWARD', rules: rules.slice(), defaultAction: 'deny' });
  cfg.forward = 'FORWARD';

  const cpu = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const t0 = performance.now();
  const c0 = cpu();
  const verifier = createVerifier(model, ir, [cfg]);
  const res = verifier.result();
  const verifyMs = performance.now() - t0;
  const verifyCpu = cpu() - c0;
  // Re-verify after editing one rule (a host rule in the middle becomes a subnet rule with a port range):
  // only the zone pairs it touches are compared again, plus the per-rule checks.
  const mid = Math.floor(n / 2);
  const orig = rules[mid];
  const t3 = performance.now();
  const c3 = cpu();
  const widen = (rule: AclRule): AclRule => {
    const tm = rule.terms[0];
    return { ...rule, action: 'permit', terms: [{ ...tm, src: tm.src && [{ family: 4, lo: tm.src[0].lo - (tm.src[0].lo % 65536n), hi: tm.src[0].lo - (tm.src[0].lo % 65536n) + 65535n }], protos: [[6, 6]], dports: [[1000, 1100]] }] };
  };
  const edit = verifier.editRule('gen.rules', 'FORWARD', mid, widen(orig));
  const reverifyMs = performance.now() - t3;
  const reverifyCpu = cpu() - c3;
  // Listing the document after the edit: the one step proportional to the number of findings (the sorted
  // list merged with the entries the edit replaced), measured apart from the analysis.
  const t4 = performance.now();
  const c4 = cpu();
  const after = verifier.result();
  const assembleMs = performance.now() - t4;
  const assembleCpu = cpu() - c4;
  // 20 more edits of the same kind at random rules (host rules and broad ones alike).
  const pick = rng(11);
  const more: { ms: number; pairs: number }[] = [];
  for (let e = 0; e < 20; e++) {
    const i = Math.floor(pick() * n);
    const t = performance.now();
    const r = verifier.editRule('gen.rules', 'FORWARD', i, widen(cfg.acls.get('FORWARD')!.rules[i]));
    more.push({ ms: performance.now() - t, pairs: r?.pairs ?? -1 });
  }
  more.sort((x, y) => x.ms - y.ms);

  // The ACL evaluation alone, with the cells verify uses (zones and the gaps between them).
  const cells = cellsFrom(model.zones.flatMap((z) => z.prefixes.map((p) => ({ lo: Number(p.lo), hi: Number(p.hi), zone: z.id }))));
  const match = toMatch(rules);
  const t1 = performance.now();
  const c1 = cpu();
  const engine = new AclEngine(cells, match, false);
  engine.evaluate();
  const evalMs = performance.now() - t1;
  const evalCpu = cpu() - c1;
  const zonePairKeys: number[] = [];
  for (let i = 0; i < cells.length; i++) for (let j = 0; j < cells.length; j++) if (cells[i].zone && cells[j].zone && cells[i].zone !== cells[j].zone) zonePairKeys.push(i * cells.length + j);
  let permitBoxes = 0;
  let pieces = 0;
  for (const p of engine.pieces) pieces += p.length;
  for (const key of zonePairKeys) permitBoxes += mergeBoxes(engine.permitsIn(key).map((l) => l.box)).length;
  // One rule edit: a host rule becomes a broader subnet rule; only what overlaps it is recomputed.
  const k = Math.floor(n / 2);
  const old = match[k].box;
  const edited: MatchRule = { box: [old[0] - (old[0] % 65536), old[0] - (old[0] % 65536) + 65535, old[2], old[3], 6, 6, 0, PORT_MAX, 1000, 1100], permit: true, origin: k };
  const t2 = performance.now();
  const c2 = cpu();
  const touched = engine.replaceRule(k, edited);
  let reBoxes = 0;
  for (const key of touched) reBoxes += mergeBoxes(engine.permitsIn(key).map((l) => l.box)).length;
  const editMs = performance.now() - t2;
  const editCpu = cpu() - c2;

  const out = {
    rules: n,
    verifyMs: Math.round(verifyMs),
    verifyCpu: Math.round(verifyCpu),
    evalMs: Math.round(evalMs),
    evalCpu: Math.round(evalCpu),
    reverifyMs: Math.round(reverifyMs * 10) / 10,
    moreMedianMs: Math.round(more[10].ms * 10) / 10,
    moreMaxMs: Math.round(more[19].ms * 10) / 10,
    moreMaxPairs: Math.max(...more.map((m) => m.pairs)),
    reverifyCpu: Math.round(reverifyCpu * 10) / 10,
    reverifyPairs: edit?.pairs ?? -1,
    assembleMs: Math.round(assembleMs * 10) / 10,
    assembleCpu: Math.round(assembleCpu * 10) / 10,
    findingsAfter: after.findings.length,
    editMs: Math.round(editMs * 10) / 10,
    editCpu: Math.round(editCpu * 10) / 10,
    editPairs: touched.length,
    permitBoxes,
    pieces,
    findings: res.findings.length,
    maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
    reBoxes,
  };
  process.stdout.write(JSON.stringify(out) + '\n');
}

function naiveChild(n: number) {
  const r = naive(toMatch(generateRules(n)), 60_000);
  process.stdout.write(JSON.stringify({ ...r, maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024) }) + '\n');
}

const args = process.argv.slice(2);
if (args[0] === '--child') child(Number(args[1]), false);
else if (args[0] === '--naive-child') naiveChild(Number(args[1]));
else {
  const sizesArg = args.indexOf('--sizes');
  const sizes = sizesArg >= 0 ? args[sizesArg + 1].split(',').map(Number) : [10_000, 50_000, 100_000];
  const withNaive = args.includes('--naive');
  console.log(`node ${process.version}, ${ZONES} zones (${ZONES * ZONES} ordered pairs), 80% host-to-host rules, 20% broad`);
  console.log('Times are wall clock (CPU time of the process in brackets: the machine is shared, wall time varies with load).');
  console.log('| rules | verify (full) | re-verify after one rule edit (zone pairs redone) | result() after the edit (findings listed) | 20 more edits: median / slowest (most zone pairs) | ACL evaluation | engine-only edit (cell pairs) | merged permitted boxes (zone pairs) | findings | peak RSS | naive baseline |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const n of sizes) {
    const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', String(n)], { encoding: 'utf8', maxBuffer: 1 << 26 });
    if (r.status !== 0) {
      console.log(`| ${n} | failed: ${r.stderr.split('\n').slice(0, 3).join(' ')} |`);
      continue;
    }
    const o = JSON.parse(r.stdout.trim().split('\n').pop()!);
    let nv = '—';
    if (withNaive && n <= 10_000) {
      const q = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--naive-child', String(n)], { encoding: 'utf8' });
      const z = JSON.parse(q.stdout.trim().split('\n').pop()!);
      nv = z.finished ? `${(z.ms / 1000).toFixed(1)} s, ${z.maxRssMB} MB` : `stopped after ${(z.ms / 1000).toFixed(0)} s at rule ${z.done} of ${n}, ${z.maxRssMB} MB`;
    }
    console.log(`| ${o.rules} | ${(o.verifyMs / 1000).toFixed(2)} s (${(o.verifyCpu / 1000).toFixed(2)} s) | ${o.reverifyMs} ms (${o.reverifyCpu} ms; ${o.reverifyPairs}) | ${o.assembleMs} ms (${o.assembleCpu} ms; ${o.findingsAfter}) | ${o.moreMedianMs} / ${o.moreMaxMs} ms (${o.moreMaxPairs}) | ${(o.evalMs / 1000).toFixed(2)} s (${(o.evalCpu / 1000).toFixed(2)} s) | ${o.editMs} ms (${o.editCpu} ms; ${o.editPairs}) | ${o.permitBoxes} | ${o.findings} | ${o.maxRssMB} MB | ${nv} |`);
  }
}

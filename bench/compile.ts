/**
 * Benchmark of `otzones compile`: a synthetic plant (Z zones, A assets each, one conduit per neighbouring
 * zone pair with F flows) lowered to the IR once and printed by every target; the real tools measured in
 * the same run on the nftables and iptables outputs (`nft -c -f`, `iptables-restore --test` in a namespace).
 * Run: node --import tsx bench/compile.ts [zones] [assetsPerZone] [flowsPerConduit]
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { loadModelText } from '../src/model/load.ts';
import { compilePolicy } from '../src/policy/ir.ts';
import { TARGETS, compileTargets } from '../src/targets/index.ts';

const [Z, A, F] = [Number(process.argv[2] ?? 200), Number(process.argv[3] ?? 20), Number(process.argv[4] ?? 6)];
const zones = [];
for (let z = 0; z < Z; z++) {
  const o2 = Math.floor(z / 200);
  const o3 = z % 200;
  zones.push({
    zone_id: `Z${z}`,
    name: `zone ${z}`,
    purdue_level: (z % 4) + 1,
    vlan: 100 + z,
    subnets: [`10.${o2}.${o3}.0/24`],
    gateway: `10.${o2}.${o3}.1`,
    assets: Array.from({ length: A }, (_, a) => ({ id: `Z${z}-A${a}`, name: `asset ${a}`, role: a === 0 ? 'plc' : 'server', ip: `10.${o2}.${o3}.${10 + a}`, switch: `SW-${z}`, switch_port: `Gi1/0/${a + 1}` })),
  });
}
const protocols = ['modbus', 'opcua', 'https', 'ssh', 'dnp3', 'rdp'];
const conduits = [];
for (let z = 0; z + 1 < Z; z++) {
  conduits.push({
    conduit_id: `C${z}`,
    name: `conduit ${z}`,
    connects: [`Z${z}`, `Z${z + 1}`],
    protocols_allowed: Array.from({ length: F }, (_, f) => {
      const p = protocols[f % protocols.length];
      return { protocol: p, from: f % 2 ? `Z${z}-A${f % A}` : `Z${z}`, to: `Z${z + 1}-A${(f + 1) % A}`, ...(p === 'modbus' ? { function_codes: [3, 4] } : {}) };
    }),
  });
}
const model = {
  facility: 'bench plant',
  logging_hosts: ['10.0.0.20'],
  firewalls: [{ id: 'FW-1', vendor: 'cisco-isa3000', interfaces: zones.map((z, i) => ({ zone: z.zone_id, name: `GigabitEthernet1/${i + 1}`, nameif: z.zone_id.toLowerCase() })) }],
  switches: zones.map((_, z) => ({ id: `SW-${z}`, ports: [`GigabitEthernet1/0/1-${A + 4}`], trunk_port: `GigabitEthernet1/0/${A + 4}` })),
  zones,
  conduits,
};
const text = stringify(model);

const t0 = performance.now();
const loaded = loadModelText(text, 'bench.yaml');
const t1 = performance.now();
const ir = compilePolicy(loaded.model!, loaded.locate);
const t2 = performance.now();
const ctx = { model: loaded.model!, ir, modelHash: createHash('sha256').update(text).digest('hex'), locate: loaded.locate };
const per: string[] = [];
let files: { path: string; content: string }[] = [];
for (const t of TARGETS) {
  const s = performance.now();
  const r = compileTargets(ctx, [t]);
  const e = performance.now();
  if (r.diagnostics.some((d) => d.severity === 'error')) throw new Error(`${t.name}: ${r.diagnostics.find((d) => d.severity === 'error')!.message}`);
  files = files.concat(r.files);
  const bytes = r.files.reduce((n, f) => n + f.content.length, 0);
  per.push(`| ${t.name} | ${(e - s).toFixed(1)} ms | ${(bytes / 1024).toFixed(0)} KiB |`);
}
const dir = mkdtempSync(join(tmpdir(), 'otz-bench-'));
const time = (cmd: string[], file: string) => {
  const s = performance.now();
  const r = spawnSync(cmd[0], [...cmd.slice(1), file], { encoding: 'utf8' });
  const ms = performance.now() - s;
  return r.status === 0 ? `${ms.toFixed(1)} ms` : `failed (${(r.stderr || '').split('\n')[0]})`;
};
const nftFile = join(dir, 'o.nft');
writeFileSync(nftFile, files.find((f) => f.path.startsWith('nftables/'))!.content);
const iptFile = join(dir, 'o.rules');
writeFileSync(iptFile, files.find((f) => f.path === 'iptables/otzones.rules')!.content);
const root = process.getuid?.() === 0;
const ns = `otz-bench-${process.pid}`;
if (root) spawnSync('ip', ['netns', 'add', ns]);
const nft = root ? time(['ip', 'netns', 'exec', ns, 'nft', '-c', '-f'], nftFile) : 'skipped (needs root)';
const ipt = root ? time(['ip', 'netns', 'exec', ns, 'iptables-restore', '--test'], iptFile) : 'skipped (needs root)';
if (root) spawnSync('ip', ['netns', 'del', ns]);
console.log(`model: ${Z} zones x ${A} assets, ${conduits.length} conduits x ${F} flows = ${ir.rules.length} IR rules, ${(text.length / 1024).toFixed(0)} KiB YAML`);
console.log(`load ${(t1 - t0).toFixed(1)} ms, IR ${(t2 - t1).toFixed(1)} ms`);
console.log('| target | check + emit | output |\n|---|---|---|\n' + per.join('\n'));
console.log(`reference tools on the same outputs: nft -c -f ${nft}; iptables-restore --test ${ipt}`);

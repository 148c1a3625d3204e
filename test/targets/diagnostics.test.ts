/**
 * A model that lacks what a target needs gets a diagnostic naming the zone (or device) and the missing key,
 * exit 1 and no output at all (no half config); the CLI contract for compile (--out, all, json, usage errors).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.ts';
import { TARGETS } from '../../src/targets/index.ts';
import { linuxInterfaceNames, nftInterfaceName } from '../../src/targets/nftables.ts';
import { loadModelFile } from '../../src/model/load.ts';
import { variant, zone } from './helpers.ts';
import { ROOT, SEED } from '../helpers/paths.ts';

interface Case {
  name: string;
  target: string;
  edit: (m: ReturnType<typeof JSON.parse>) => void;
  code: string;
  message: RegExp;
  ids: string[];
}

const CASES: Case[] = [
  { name: 'zone without gateway', target: 'asa', edit: (m) => delete zone(m, 'Z3-OPS').gateway, code: 'ZC710', message: /zone Z3-OPS has no `gateway`/, ids: ['Z3-OPS'] },
  { name: 'zone without subnets', target: 'asa', edit: (m) => { delete zone(m, 'Z5-ENT').subnets; zone(m, 'Z5-ENT').assets = []; m.conduits[3].protocols_allowed[0].from = 'Z5-ENT'; }, code: 'ZC701', message: /zone Z5-ENT has no `subnets`/, ids: ['Z5-ENT'] },
  { name: 'zone without purdue level', target: 'asa', edit: (m) => delete zone(m, 'Z4-DMZ').purdue_level, code: 'ZC710', message: /zone Z4-DMZ has no `purdue_level`/, ids: ['Z4-DMZ'] },
  { name: 'gateway outside the subnets', target: 'asa', edit: (m) => (zone(m, 'Z2-BPCS').gateway = '10.99.0.1'), code: 'ZC713', message: /gateway 10\.99\.0\.1 of zone Z2-BPCS is in none of its `subnets`/, ids: ['Z2-BPCS'] },
  { name: 'logging host outside the firewall zones', target: 'asa', edit: (m) => (m.logging_hosts = ['192.0.2.9']), code: 'ZC710', message: /logging host 192\.0\.2\.9 is in no zone/, ids: ['FW-ISA3000-01'] },
  { name: 'no firewalls', target: 'asa', edit: (m) => delete m.firewalls, code: 'ZC710', message: /no `firewalls`/, ids: [] },
  { name: 'zone without firewall interface', target: 'fortigate', edit: (m) => m.firewalls[0].interfaces.pop(), code: 'ZC710', message: /zone Z5-ENT has no interface in `firewalls\[\]\.interfaces`/, ids: ['Z5-ENT'] },
  { name: 'zone without firewall interface', target: 'panos', edit: (m) => m.firewalls[0].interfaces.shift(), code: 'ZC710', message: /zone Z2-BPCS has no interface/, ids: ['Z2-BPCS'] },
  { name: 'no switches', target: 'ios-switch', edit: (m) => delete m.switches, code: 'ZC710', message: /no `switches`/, ids: [] },
  { name: 'no switch ports', target: 'ios-switch', edit: (m) => { for (const z of m.zones) for (const a of z.assets) delete a.switch_port; }, code: 'ZC710', message: /no asset has a `switch_port`/, ids: [] },
  { name: 'zone with switch ports but no vlan', target: 'ios-switch', edit: (m) => delete zone(m, 'Z2-BPCS').vlan, code: 'ZC710', message: /zone Z2-BPCS has no `vlan`/, ids: ['Z2-BPCS'] },
  { name: 'switch port outside the switch', target: 'ios-switch', edit: (m) => (zone(m, 'Z2-BPCS').assets[0].switch_port = 'Gi1/0/30'), code: 'ZC713', message: /GigabitEthernet1\/0\/30 \(asset PLC-01\) is not among the `ports`/, ids: ['Z2-BPCS'] },
  { name: 'no trunk port', target: 'ios-switch', edit: (m) => delete m.switches[0].trunk_port, code: 'ZC710', message: /switch IE-SW-01 has no `trunk_port`/, ids: ['IE-SW-01'] },
  { name: 'hostile trunk port', target: 'ios-switch', edit: (m) => (m.switches[0].trunk_port = 'Gi1/0/24\n shutdown'), code: 'ZC711', message: /trunk_port .* is not an interface name/, ids: ['IE-SW-01'] },
  { name: 'parking vlan of a zone', target: 'ios-switch', edit: (m) => (m.switches[0].parking_vlan = 20), code: 'ZC713', message: /parking VLAN 20 of IE-SW-01 is zone Z2-BPCS's VLAN/, ids: ['IE-SW-01', 'Z2-BPCS'] },
  { name: 'linux interface name too long', target: 'nftables', edit: (m) => m.firewalls.push({ id: 'FW-LAB', vendor: 'linux', interfaces: [{ zone: 'Z2-BPCS', name: 'averyveryverylongname0' }] }), code: 'ZC711', message: /"averyveryverylongname0" is not a Linux interface name/, ids: ['FW-LAB', 'Z2-BPCS'] },
];

for (const c of CASES) {
  test(`${c.target}: ${c.name} → ${c.code}, exit 1, nothing written`, async () => {
    const file = variant(c.edit);
    const r = await runCli(['compile', file, '--target', c.target]);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stdout, '', 'no half config on stdout');
    assert.match(r.stderr, new RegExp(`${c.code} .*`));
    assert.match(r.stderr, c.message);
    assert.match(r.stderr, /nothing written/);
    assert.doesNotMatch(r.stderr, /at .*\.ts:\d+/, 'no stack trace');
    const j = await runCli(['compile', file, '--target', c.target, '--format', 'json']);
    assert.equal(j.code, 1);
    const body = JSON.parse(j.stdout);
    assert.equal(body.command, 'compile');
    assert.deepEqual(body.files, []);
    const d = body.diagnostics.find((x: { code: string; message: string }) => x.code === c.code && c.message.test(x.message));
    assert.ok(d, j.stdout);
    for (const id of c.ids) assert.ok(d.ids.includes(id), `ids ${JSON.stringify(d.ids)} name ${id}`);
    if (c.ids.length && c.code !== 'ZC711') assert.equal(typeof d.line, 'number', 'points at the model line');
    const dir = mkdtempSync(join(tmpdir(), 'otz-out-'));
    const o = await runCli(['compile', file, '--target', c.target, '--out', dir]);
    assert.equal(o.code, 1);
    assert.deepEqual(readdirSync(dir), [], 'nothing written into --out');
  });
}

test('warnings (what a target leaves to another device) do not fail the compile', async () => {
  const r = await runCli(['compile', 'examples/refinery-unit3.yaml', '--target', 'fortigate']);
  assert.equal(r.code, 0);
  assert.match(r.stderr, /warning ZC712 .*fortigate: Modbus function codes 3,4 of C1-BPCS-OPS are not enforced/);
  assert.match(r.stderr, /warning ZC714 .*fortigate: no firewall of this vendor in the model; writing for FW-ISA3000-01/);
  const pan = variant((m) => (m.firewalls[0].vendor = 'paloalto-pa-220'));
  const p = await runCli(['compile', pan, '--target', 'panos']);
  assert.equal(p.code, 0);
  assert.doesNotMatch(p.stderr, /ZC714/);
  const s7 = variant((m) => m.conduits[0].protocols_allowed.push({ protocol: 's7comm', from: 'HIST-01', to: 'PLC-01', s7_functions: ['read'] }));
  for (const t of ['ftd-snort', 'nftables']) {
    const w = await runCli(['compile', s7, '--target', t]);
    assert.equal(w.code, 0, w.stderr);
    assert.match(w.stderr, /warning ZC712/);
  }
});

test('DNP3 function codes: snort and suricata drop every other code, netfilter targets warn', async () => {
  const file = variant((m) => m.conduits[0].protocols_allowed.push({ protocol: 'dnp3', from: 'HIST-01', to: 'PLC-01', dnp3_function_codes: [1, 129] }));
  const snort = await runCli(['compile', file, '--target', 'ftd-snort']);
  assert.equal(snort.code, 0, snort.stderr);
  const codes = [...snort.stdout.matchAll(/dnp3_func:(\d+);/g)].map((m) => Number(m[1]));
  assert.equal(codes.length, 254);
  assert.ok(!codes.includes(1) && codes.includes(2) && codes.includes(5));
  assert.match(snort.stdout, /^drop tcp 10\.30\.1\.50 any -> 10\.20\.1\.10 20000 \(.*service:dnp3; dnp3_func:2;/m);
  const suri = await runCli(['compile', file, '--target', 'suricata']);
  assert.match(suri.stdout, /^drop dnp3 10\.30\.1\.50 any -> 10\.20\.1\.10 20000 \(.*dnp3_func:4;/m);
  const nft = await runCli(['compile', file, '--target', 'nftables']);
  assert.equal(nft.code, 0);
  assert.match(nft.stderr, /warning ZC712 .*DNP3 function restrictions of C1-BPCS-OPS are not enforced by netfilter/);
});

test('--target all --out DIR writes every target and a README per device', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'otz-all-'));
  const r = await runCli(['compile', 'examples/refinery-unit3.yaml', '--target', 'all', '--out', dir]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(readdirSync(dir).sort(), TARGETS.map((t) => t.name).sort());
  for (const t of TARGETS) {
    const files = readdirSync(join(dir, t.name));
    assert.ok(files.includes('README.md'));
    assert.ok(files.length >= 2, `${t.name}: ${files}`);
    const readme = readFileSync(join(dir, t.name, 'README.md'), 'utf8');
    for (const f of files.filter((x) => x !== 'README.md')) assert.ok(readme.includes(`\`${f}\``), `${t.name} README lists ${f}`);
    assert.match(readme, /What to paste where/);
  }
  assert.equal(readFileSync(join(dir, 'asa/FW-ISA3000-01.cfg'), 'utf8'), (await runCli(['compile', 'examples/refinery-unit3.yaml', '--target', 'asa'])).stdout);
  const j = await runCli(['compile', 'examples/refinery-unit3.yaml', '--target', 'all', '--out', dir, '--format', 'json']);
  const body = JSON.parse(j.stdout);
  assert.equal(body.tool, 'otzones');
  assert.equal(body.files.length, 8);
  assert.match(body.files[0].sha256, /^[0-9a-f]{64}$/);
});

test('usage errors exit 2 with one clear line', async () => {
  const unknown = await runCli(['compile', 'examples/refinery-unit3.yaml', '--target', 'junos']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown --target "junos"/);
  const all = await runCli(['compile', 'examples/refinery-unit3.yaml', '--target', 'all']);
  assert.equal(all.code, 2);
  assert.match(all.stderr, /--target all .* --out DIR/);
  const missing = await runCli(['compile', 'nope.yaml', '--target', 'asa']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /nope\.yaml.*ZC001|ZC001.*nope\.yaml/s);
  const dir = mkdtempSync(join(tmpdir(), 'otz-file-'));
  const f = join(dir, 'plain');
  writeFileSync(f, 'x');
  const notDir = await runCli(['compile', 'examples/refinery-unit3.yaml', '--target', 'asa', '--out', f]);
  assert.equal(notDir.code, 2);
  assert.match(notDir.stderr, /not a directory/);
  const noTarget = await runCli(['compile', 'examples/refinery-unit3.yaml']);
  assert.equal(noTarget.code, 2);
  const help = await runCli(['compile', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /Examples:/);
  assert.ok(!existsSync(join(dir, 'asa')));
});

test('nftables interface names: from a linux firewall, else z-<zone> cut to 15, unique', () => {
  const file = variant((m) => {
    m.zones.push({ zone_id: 'Z9-PACKAGING-LINE-A', name: 'a', purdue_level: 2, subnets: ['10.91.0.0/24'] });
    m.zones.push({ zone_id: 'Z9-PACKAGING-LINE-B', name: 'b', purdue_level: 2, subnets: ['10.92.0.0/24'] });
    m.firewalls.push({ id: 'FW-LAB', vendor: 'linux', interfaces: [{ zone: 'Z2-BPCS', name: 'eth-bpcs' }] });
  });
  const model = loadModelFile(file).model!;
  const names = linuxInterfaceNames(model);
  assert.equal(names.get('Z2-BPCS'), 'eth-bpcs');
  assert.equal(names.get('Z3-OPS'), 'z-z3-ops');
  assert.equal(nftInterfaceName(model, 'Z3-OPS'), 'z-z3-ops');
  const a = names.get('Z9-PACKAGING-LINE-A')!;
  const b = names.get('Z9-PACKAGING-LINE-B')!;
  assert.notEqual(a, b);
  for (const n of names.values()) assert.ok(n.length <= 15 && /^[a-z0-9_.-]+$/i.test(n), n);
  assert.equal(new Set(names.values()).size, names.size);
});

test('a flow whose initiators sit in two zones gives two rules with distinct names in every target', async () => {
  const file = variant((m) => (m.conduits[0].protocols_allowed[1].from = ['HIST-01', 'DMZ-HIST-01']));
  const names = async (target: string, re: RegExp) => {
    const r = await runCli(['compile', file, '--target', target]);
    assert.equal(r.code, 0, r.stderr);
    return [...r.stdout.matchAll(re)].map((m) => m[1]);
  };
  const forti = await names('fortigate', /^\s+set name "([^"]+)"/gm);
  assert.equal(new Set(forti).size, forti.length, forti.join(' '));
  assert.ok(forti.includes('C1-BPCS-OPS-001-Z4-DMZ-Z2-BPCS'));
  const pan = [...new Set(await names('panos', /^set rulebase security rules (\S+) from/gm))];
  assert.equal(pan.length, 8);
  const sets = await names('nftables', /^\tset (\S+) \{/gm);
  assert.equal(new Set(sets).size, sets.length);
  const acls = await names('asa', /^access-group (\S+) in interface/gm);
  assert.equal(new Set(acls).size, acls.length);
});

test('the seed document (no addresses, no devices) compiles to diagnostics, never a config', async () => {
  // ../shared/seed/zone-definition.yaml: the source document's Zone Definition Document as written.
  for (const t of TARGETS) {
    const r = await runCli(['compile', SEED, '--target', t.name]);
    assert.equal(r.code, 1, `${t.name}: ${r.stderr}`);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /error ZC701 \(endpoint-without-addresses\): flow opcua in C1-BPCS-OPS: zone Z2-BPCS has no `subnets`/);
  }
});

test('docs/targets.md lists every compile code (ZC710-ZC749) with its severity', async () => {
  const { allCodes } = await import('../../src/diagnostics/codes.ts');
  await import('../../src/targets/index.ts');
  const docs = readFileSync(join(ROOT, 'docs/targets.md'), 'utf8');
  const codes = allCodes().filter((c) => /^ZC7[1-4]\d$/.test(c.code));
  assert.ok(codes.length >= 5);
  for (const c of codes) assert.ok(docs.includes(`| ${c.code} | ${c.severity} |`), `${c.code} ${c.name} in docs/targets.md`);
});

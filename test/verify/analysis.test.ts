/**
 * verify's analysis beyond the single-ASA cases: several firewalls, IPv6, Linux interfaces, default-accept
 * policies, unzoned addresses and unparsed lines — each with the exact findings expected.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadModelFile, loadModelText } from '../../src/model/load.ts';
import { compilePolicy } from '../../src/policy/ir.ts';
import { parseConfig } from '../../src/parsers/index.ts';
import { createVerifier, verifyConfigs } from '../../src/analysis/verify.ts';
import type { Model } from '../../src/model/types.ts';
import { EXAMPLE, ROOT } from '../helpers/paths.ts';

function run(model: Model, files: Record<string, string>) {
  const configs = Object.entries(files).map(([name, text]) => parseConfig(text, name));
  const r = verifyConfigs(model, compilePolicy(model), configs);
  return { ...r, shown: r.findings.filter((f) => f.severity !== 'info').map((f) => `${f.kind} ${f.from_zone ?? '-'}>${f.to_zone ?? '-'} ${f.rule ? `${f.rule.file}:${f.rule.line}` : '-'} ${f.example ? `${f.example.protocol} ${f.example.src}->${f.example.dst}:${f.example.dst_port}` : ''}`.trim()) };
}

const correct = readFileSync(join(ROOT, 'test/verify/fixtures/refinery-correct.cfg'), 'utf8');

test('two firewalls: each joins the zones of its interfaces; together they verify clean, apart they leave pairs unjoined', () => {
  const model = loadModelFile(EXAMPLE).model!;
  // FW-A: control and operations. FW-B: operations, DMZ and enterprise (hostnames not in the model's firewalls).
  const lines = correct.split('\n');
  const keepIfs = (names: string[]) => {
    const out: string[] = [];
    let skip = false;
    for (const l of lines) {
      if (!/^ /.test(l)) skip = false;
      if (/^ nameif /.test(l) && !names.includes(l.trim().split(' ')[1])) {
        out.pop();
        skip = true;
        continue;
      }
      if (!skip || !/^ /.test(l)) out.push(l);
    }
    return out.join('\n');
  };
  const fwA = keepIfs(['zone-bpcs', 'zone-ops']).replace('hostname FW-ISA3000-01', 'hostname FW-A');
  const fwB = keepIfs(['zone-ops', 'zone-dmz', 'zone-ent']).replace('hostname FW-ISA3000-01', 'hostname FW-B');
  const both = run(model, { 'a.cfg': fwA, 'b.cfg': fwB });
  // The ACLs bound to interfaces a firewall lacks are unused there; nothing is permitted or blocked wrongly.
  assert.deepEqual(both.shown.filter((s) => !s.startsWith('unused-rule')), []);
  const m = Object.fromEntries(both.matrix.map((x) => [`${x.from_zone}>${x.to_zone}`, x.firewalls.join(',')]));
  assert.equal(m['Z2-BPCS>Z3-OPS'], 'a.cfg');
  assert.equal(m['Z3-OPS>Z4-DMZ'], 'b.cfg');
  assert.equal(m['Z2-BPCS>Z4-DMZ'], '', 'no single firewall joins control and DMZ');
  const onlyA = run(model, { 'a.cfg': fwA });
  assert.equal(onlyA.matrix.find((x) => x.from_zone === 'Z5-ENT' && x.to_zone === 'Z4-DMZ')!.permitted, 'not joined by any of the given configurations');
});

const V6_MODEL = `
facility: v6 plant
zones:
  - { zone_id: OT, name: OT, purdue_level: 1, security_level_target: 2, subnets: ["2001:db8:10::/64", "10.10.0.0/16"], assets: [ { id: PLC6, name: plc, role: plc, ip: "2001:db8:10::10" } ] }
  - { zone_id: IT, name: IT, purdue_level: 4, security_level_target: 1, subnets: ["2001:db8:40::/64", "10.40.0.0/16"] }
conduits:
  - { conduit_id: C-OT-IT, name: c, connects: [IT, OT], protocols_allowed: [ { protocol: modbus, from: IT, to: PLC6, function_codes: [3] } ] }
`;

test('IPv6 and IPv4 in one nftables ruleset: exact sets per family, examples in the right family', () => {
  const model = loadModelText(V6_MODEL, 'v6.yaml').model!;
  const nft = `table inet f {
  chain forward {
    type filter hook forward priority 0; policy drop;
    ct state established,related accept
    ip6 saddr 2001:db8:40::/64 ip6 daddr 2001:db8:10::10 tcp dport 502 accept
    ip6 saddr 2001:db8:40::/64 ip6 daddr 2001:db8:10::/64 tcp dport 22 accept
    ip saddr 10.40.0.0/16 ip daddr 10.10.0.5 tcp dport 502 accept
    ip saddr 10.99.0.0/16 accept
  }
}
`;
  const r = run(model, { 'fw.nft': nft });
  assert.deepEqual(r.shown, [
    'prohibited-flow-permitted IT>OT fw.nft:6 tcp 2001:db8:40::->2001:db8:10::10:22',
    'prohibited-flow-permitted IT>OT fw.nft:7 tcp 10.40.0.1->10.10.0.5:502',
    'unused-rule ->- fw.nft:8 tcp 10.99.0.1->0.0.0.1:502',
    'unzoned-address ->- fw.nft:8 tcp 10.99.0.1->0.0.0.1:502',
  ]);
  const dpi = r.findings.filter((f) => f.kind === 'needs-dpi');
  assert.deepEqual(dpi.map((f) => `${f.conduit} ${f.space}`), ['C-OT-IT tcp 2001:db8:40::/64 -> 2001:db8:10::10 dport 502']);
});

test('Linux rulesets: interfaces tied to zones by name, unknown ones reported, a default-accept policy permits everything else', () => {
  const model = loadModelFile(EXAMPLE).model!;
  const rules = `*filter
:FORWARD ACCEPT [0:0]
-A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
-A FORWARD -i z-z5-ent -o z-z4-dmz -p tcp -m multiport --dports 443,3389 -j ACCEPT
-A FORWARD -i wan9 -j DROP
-A FORWARD -i z-z5-ent -j DROP
COMMIT
`;
  const r = run(model, { 'fw.rules': rules });
  const kinds = r.shown.map((s) => s.split(' ').slice(0, 3).join(' '));
  // Enterprise → DMZ 443 opens more than the conduit (only two DMZ hosts): prohibited, on line 4.
  assert.ok(kinds.includes('prohibited-flow-permitted Z5-ENT>Z4-DMZ fw.rules:4'));
  // Everything not from the enterprise is accepted by the policy: prohibited, blamed on no line.
  assert.ok(kinds.includes('prohibited-flow-permitted Z2-BPCS>Z3-OPS -'));
  assert.ok(!kinds.some((k) => k.startsWith('prohibited-flow-permitted Z5-ENT>Z2-BPCS')), 'line 6 drops the rest of the enterprise');
  assert.ok(kinds.includes('unparsed-line ->- fw.rules:5'), 'wan9 is tied to no zone');
  assert.ok(!kinds.some((k) => k.startsWith('conduit-flow-blocked')));
});

test('Linux interface negation and wildcards map onto zones: "! -i z-z5-ent" is every other zone, "z-z4*" the DMZ', () => {
  const model = loadModelFile(EXAMPLE).model!;
  const nft = `table inet f {
  chain forward {
    type filter hook forward priority 0; policy drop;
    iifname != "z-z5-ent" oifname "z-z4*" tcp dport 443 accept
  }
}
`;
  const r = run(model, { 'fw.nft': nft });
  const prohibited = r.findings.filter((f) => f.kind === 'prohibited-flow-permitted').map((f) => `${f.from_zone}>${f.to_zone} ${f.space}`);
  // Z3 → DMZ-WSUS 443 is a conduit; the rest of Z3's and all of Z1's and Z2's 443 towards the DMZ is not (a Linux
  // router joins every zone). Z5 is excluded by the negation.
  assert.deepEqual(prohibited, [
    'Z1-SIS>Z4-DMZ tcp 10.10.1.0/24 -> 172.16.1.0/24 dport 443',
    'Z2-BPCS>Z4-DMZ tcp 10.20.0.0/16 -> 172.16.1.0/24 dport 443',
    'Z3-OPS>Z4-DMZ tcp 10.30.0.0/16 -> 172.16.1.0-172.16.1.59 dport 443; tcp 10.30.0.0/16 -> 172.16.1.61-172.16.1.255 dport 443',
  ]);
  assert.ok(r.findings.some((f) => f.kind === 'conduit-flow-blocked' && f.conduit === 'C3-DMZ-ENT'));
});

test('editing one rule re-verifies only the affected zone pairs and gives exactly what a fresh verification gives', () => {
  const model = loadModelFile(EXAMPLE).model!;
  const ir = compilePolicy(model);
  const text = readFileSync(join(ROOT, 'test/verify/fixtures/refinery-port-leak.cfg'), 'utf8');
  const cfg = parseConfig(text, 'fw.cfg');
  const v = createVerifier(model, ir, [cfg]);
  assert.equal(v.result().findings.filter((f) => f.severity === 'error').length, 1);
  // Fix the leaking range (3389-3390 → 3389) in place: the enterprise → DMZ pair is compared again.
  const acl = cfg.acls.get('zone-ent_in')!;
  const idx = acl.rules.findIndex((r) => r.source.text.includes('range 3389 3390'));
  const fixed = { ...acl.rules[idx], terms: acl.rules[idx].terms.map((t) => ({ ...t, dports: [[3389, 3389]] as [number, number][] })) };
  const r = v.editRule('fw.cfg', 'zone-ent_in', idx, fixed);
  assert.deepEqual(r, { pairs: 1 });
  const after = v.result();
  assert.deepEqual(after.findings.filter((f) => f.severity !== 'info'), []);
  const fresh = verifyConfigs(model, ir, [parseConfig(text.replace('range 3389 3390', 'eq 3389'), 'fw.cfg')]);
  const strip = (x: typeof after) => JSON.stringify({ ...x, findings: x.findings.map((f) => ({ ...f, rule: f.rule && { ...f.rule, text: '' } })) });
  assert.equal(strip(after), strip(fresh));
  // An edit that changes how many boxes the rule expands to asks for a rebuild.
  const wider = { ...fixed, terms: [...fixed.terms, ...fixed.terms] };
  assert.equal(v.editRule('fw.cfg', 'zone-ent_in', idx, wider), null);
});

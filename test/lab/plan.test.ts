/** The lab plan of examples/refinery-unit3.yaml, computed without root: names, addresses, devices, filters. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EXAMPLE } from '../helpers/paths.ts';
import { loadModelFile, loadModelText } from '../../src/model/load.ts';
import { compilePolicy } from '../../src/policy/ir.ts';
import { hostAddress, netnsName, planLab, zoneFilterRuleset } from '../../src/lab/plan.ts';
import { parsePrefix } from '../../src/net/ip.ts';
import { runCli } from '../helpers/cli.ts';

const model = loadModelFile(EXAMPLE).model!;
const ir = compilePolicy(model);

test('names are deterministic and within kernel limits', () => {
  const a = planLab(model, ir, 'otz');
  const b = planLab(model, ir, 'otz');
  assert.deepEqual(a, b);
  assert.equal(a.fwNetns, 'otz-fw');
  assert.deepEqual(a.zones.map((z) => [z.zoneId, z.netns, z.fwIf]), [
    ['Z1-SIS', 'otz-z1-sis', 'z-z1-sis'],
    ['Z2-BPCS', 'otz-z2-bpcs', 'z-z2-bpcs'],
    ['Z3-OPS', 'otz-z3-ops', 'z-z3-ops'],
    ['Z4-DMZ', 'otz-z4-dmz', 'z-z4-dmz'],
    ['Z5-ENT', 'otz-z5-ent', 'z-z5-ent'],
  ]);
  const long = netnsName('otz', 'A-very-long-zone-identifier-that-goes-on-and-on');
  assert.ok(long.length <= 32, long);
  assert.notEqual(long, netnsName('otz', 'A-very-long-zone-identifier-that-goes-on-and-on-too'));
  assert.throws(() => planLab(model, ir, 'Bad-Prefix'), /lab prefix "Bad-Prefix"/);
});

test('hosts, gateways and the synthesized gateway of the air-gapped zone', () => {
  const p = planLab(model, ir, 'otz');
  const z1 = p.zones.find((z) => z.zoneId === 'Z1-SIS')!;
  assert.equal(z1.gatewaySynthesized, true);
  assert.equal(z1.gateway, '10.10.1.1');
  const z5 = p.zones.find((z) => z.zoneId === 'Z5-ENT')!;
  // ENT-USERS is a /24: the lab stands it in with the first usable address.
  assert.deepEqual(z5.hosts.map((h) => [h.ip, h.assetId]), [['10.40.3.1', 'ENT-USERS']]);
  assert.equal(z5.gatewayLen, 16);
  const z2 = p.zones.find((z) => z.zoneId === 'Z2-BPCS')!;
  assert.equal(z2.hosts.length, 19);
  assert.deepEqual(z2.hosts.filter((h) => h.safeTestRegister !== undefined).map((h) => h.assetId), ['PLC-01', 'PLC-02']);
  const p30 = parsePrefix('10.0.0.0/30');
  assert.ok(p30.ok);
  assert.equal(hostAddress(p30.value, new Set(['10.0.0.1'])), '10.0.0.2');
});

test('devices follow the policy IR: listeners on responders, a UDP sink for the diode, Modbus filters for FC-limited flows', () => {
  const p = planLab(model, ir, 'otz');
  const dev = (z: string) => p.devices.find((d) => d.zoneId === z)!;
  assert.deepEqual(dev('Z3-OPS').tcp.map((t) => `${t.ip}:${t.port}`), ['10.30.1.50:4840']);
  assert.deepEqual(dev('Z4-DMZ').tcp.map((t) => `${t.ip}:${t.port}`).sort(), ['172.16.1.50:443', '172.16.1.60:443', '172.16.1.70:3389', '172.16.1.70:443']);
  assert.deepEqual(dev('Z4-DMZ').udp, [{ ip: '172.16.1.100', port: 5450, label: 'C4-OPS-DMZ-DIODE pi', mode: 'sink' }]);
  assert.equal(dev('Z2-BPCS').modbus.length, 12);
  const f = dev('Z2-BPCS').filters;
  assert.equal(f.length, 12);
  assert.deepEqual(f[0], { listenPort: 15020, upstreamIp: '10.20.1.10', upstreamPort: 502, allow: [3, 4], sources: ['10.30.1.50/32'], ruleId: 'C1-BPCS-OPS/001/Z3-OPS>Z2-BPCS' });
  const nft = zoneFilterRuleset(dev('Z2-BPCS'), 'eth0')!;
  assert.match(nft, /^\t\tiifname "eth0" ip saddr \{ 10\.30\.1\.50\/32 \} ip daddr 10\.20\.1\.10 tcp dport 502 redirect to :15020$/m);
  assert.equal(zoneFilterRuleset(dev('Z3-OPS'), 'eth0'), undefined);
});

test('IPv6 parts are listed as not built', () => {
  const r = loadModelText(`facility: x
zones:
  - zone_id: A
    subnets: ["10.1.0.0/16", "fd00::/64"]
    assets: [{ id: A1, ip: 10.1.0.5 }]
  - zone_id: B
    subnets: ["fd01::/64"]
conduits: []
`, 'v6.yaml');
  const p = planLab(r.model!, compilePolicy(r.model!), 'otz');
  assert.deepEqual(p.skipped, ['A: IPv6 subnet fd00::/64 (the lab builds IPv4 only)', 'B: IPv6 subnet fd01::/64 (the lab builds IPv4 only)', 'B: no IPv4 subnet, zone not built']);
  assert.deepEqual(p.zones.map((z) => z.zoneId), ['A']);
});

test('lab CLI: usage errors exit 2 with a clear message', async () => {
  let r = await runCli(['lab', 'up', EXAMPLE, '--prefix', 'No_Good']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--prefix "No_Good": 1-8 lower-case letters and digits/);
  r = await runCli(['lab', 'status', '--run-dir', '/nonexistent/otz-lab']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /no lab in \/nonexistent\/otz-lab/);
});

/**
 * Round trip: every configuration `compile` generates for a target that has a parser (asa, nftables,
 * iptables) verifies against its own model with no error or warning finding — the example model and a
 * second model with port ranges, port lists, ICMP and whole-zone flows. The only finding allowed is the
 * info `needs-dpi` for Modbus function codes, which no L3/L4 configuration can enforce.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadModelFile, loadModelText } from '../../src/model/load.ts';
import { compilePolicy } from '../../src/policy/ir.ts';
import { compileTargets, getTarget } from '../../src/targets/index.ts';
import { parseConfig } from '../../src/parsers/index.ts';
import { verifyConfigs } from '../../src/analysis/verify.ts';
import type { Vendor } from '../../src/parsers/acl.ts';
import type { Model } from '../../src/model/types.ts';
import { EXAMPLE } from '../helpers/paths.ts';
import { rootSkipReason } from '../helpers/root.ts';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SECOND = `
facility: "Round-trip plant"
firewalls:
  - id: FW-1
    interfaces:
      - { zone: CTRL, name: GigabitEthernet1/1, nameif: ctrl }
      - { zone: SCADA, name: GigabitEthernet1/2, nameif: scada }
      - { zone: SITE, name: GigabitEthernet1/3, nameif: site }
zones:
  - { zone_id: CTRL, name: Control, purdue_level: 1, security_level_target: 2, vlan: 11, subnets: ["10.1.0.0/16"], gateway: 10.1.0.1,
      assets: [ { id: PLC-A, name: PLC, role: plc, ip: 10.1.0.10 }, { id: RTU-A, name: RTU, role: rtu, ip: 10.1.0.20 } ] }
  - { zone_id: SCADA, name: SCADA, purdue_level: 2, security_level_target: 2, vlan: 12, subnets: ["10.2.0.0/24"], gateway: 10.2.0.1,
      assets: [ { id: SCADA-1, name: SCADA server, role: scada-server, ip: 10.2.0.5 }, { id: EWS-1, name: EWS, role: ews, ip: 10.2.0.6 } ] }
  - { zone_id: SITE, name: Site, purdue_level: 3, security_level_target: 1, vlan: 13, subnets: ["192.168.50.0/24"], gateway: 192.168.50.1,
      assets: [ { id: NTP-1, name: NTP, role: server, ip: 192.168.50.10 } ] }
conduits:
  - conduit_id: K1
    name: SCADA to control
    connects: [SCADA, CTRL]
    protocols_allowed:
      - { protocol: dnp3, from: SCADA-1, to: RTU-A }
      - { protocol: enip, port: [44818, 2222], from: EWS-1, to: PLC-A }
      - { protocol: icmp, from: SCADA, to: CTRL }
  - conduit_id: K2
    name: Site services
    connects: [SITE, SCADA, CTRL]
    protocols_allowed:
      - { protocol: ntp, from: [CTRL, SCADA], to: NTP-1 }
      - { protocol: udp, port: "5000-5010", from: SCADA, to: SITE }
`;

function findingsFor(model: Model, target: Vendor): string[] {
  const ir = compilePolicy(model);
  assert.deepEqual(ir.diagnostics, []);
  const t = getTarget(target)!;
  const r = compileTargets({ model, ir, modelHash: '0'.repeat(64) }, [t]);
  assert.deepEqual(r.diagnostics.filter((d) => d.severity === 'error'), [], `${target} compiles`);
  const cfgFiles = r.files.filter((f) => !f.path.endsWith('.md'));
  assert.ok(cfgFiles.length > 0, `${target} emits a configuration`);
  const configs = cfgFiles.map((f) => parseConfig(f.content, f.path, target));
  for (const c of configs) assert.deepEqual(c.unparsed, [], `${target}: every line understood`);
  const v = verifyConfigs(model, ir, configs);
  return v.findings.filter((f) => f.severity !== 'info').map((f) => `${f.kind} ${f.from_zone}>${f.to_zone} ${f.rule?.file}:${f.rule?.line} ${f.message}`);
}

for (const target of ['asa', 'nftables', 'iptables'] as const) {
  test(`round trip: compile --target ${target} of the example model verifies clean`, () => {
    const model = loadModelFile(EXAMPLE).model!;
    assert.deepEqual(findingsFor(model, target), []);
  });

  test(`round trip: compile --target ${target} of a model with ranges, lists, ICMP and zone flows verifies clean`, () => {
    const r = loadModelText(SECOND, 'second.yaml');
    assert.ok(r.model, JSON.stringify(r.diagnostics));
    assert.deepEqual(findingsFor(r.model!, target), []);
  });
}

const skip = rootSkipReason(['nft', 'ip']);
test('round trip through the real nft: the compiled ruleset, loaded and listed back as `nft -j` JSON, verifies clean', { skip }, () => {
  const model = loadModelFile(EXAMPLE).model!;
  const ir = compilePolicy(model);
  const file = compileTargets({ model, ir, modelHash: '0'.repeat(64) }, [getTarget('nftables')!]).files.find((f) => f.path.endsWith('.nft'))!;
  const dir = mkdtempSync(join(tmpdir(), 'otzones-rt-'));
  writeFileSync(join(dir, 'otzones.nft'), file.content);
  const ns = `otz-vfy-rt-${process.pid}`;
  assert.equal(spawnSync('ip', ['netns', 'add', ns]).status, 0);
  try {
    const load = spawnSync('ip', ['netns', 'exec', ns, 'nft', '-f', join(dir, 'otzones.nft')], { encoding: 'utf8' });
    assert.equal(load.status, 0, load.stderr);
    const json = spawnSync('ip', ['netns', 'exec', ns, 'nft', '-j', 'list', 'ruleset'], { encoding: 'utf8' });
    assert.equal(json.status, 0, json.stderr);
    const cfg = parseConfig(json.stdout, 'listed.json');
    assert.equal(cfg.vendor, 'nftables');
    assert.deepEqual(cfg.unparsed, []);
    const v = verifyConfigs(model, ir, [cfg]);
    assert.deepEqual(v.findings.filter((f) => f.severity !== 'info').map((f) => `${f.kind} ${f.rule?.text}`), []);
    assert.deepEqual(v.findings.map((f) => f.kind), ['needs-dpi']);
  } finally {
    spawnSync('ip', ['netns', 'del', ns]);
  }
});

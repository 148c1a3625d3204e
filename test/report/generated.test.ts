/**
 * Allow/deny counts of the generated configuration per boundary firewall: the vendor's real target emits the
 * config and its entries are counted. Cross-check: one permit per policy-IR rule for every counted target.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadModelText } from '../../src/model/load.ts';
import { compilePolicy } from '../../src/policy/ir.ts';
import { generatedRuleCounts, targetForVendor } from '../../src/report/generated.ts';
import { EXAMPLE, SEED } from '../helpers/paths.ts';

const BASE = readFileSync(EXAMPLE, 'utf8');

function counts(text: string) {
  const r = loadModelText(text, 'm.yaml');
  assert.ok(r.model);
  const ir = compilePolicy(r.model!);
  return { ir, counts: generatedRuleCounts(r.model!, ir, r.locate) };
}

/** The example with its firewall turned into a Linux box (interface names eth1-eth4). */
function linux(vendor: string): string {
  return BASE.replace('vendor: cisco-isa3000', `vendor: ${vendor}`).replace(/name: GigabitEthernet1\/(\d)/g, 'name: eth$1');
}

test('vendor strings map to compile targets', () => {
  assert.deepEqual(['cisco-isa3000', 'Cisco ASA 5506', 'linux-nftables', 'iptables', 'FortiGate 60F', 'Palo Alto PA-220', 'hirschmann'].map(targetForVendor), ['asa', 'asa', 'nftables', 'iptables', 'fortigate', 'panos', null]);
});

test('ASA, nftables and iptables: one permit per policy-IR rule; deny = explicit denies and drop policies', () => {
  const asa = counts(BASE);
  assert.equal(asa.ir.rules.length, 6);
  // 4 interface access lists, each ending in "deny ip any any log".
  assert.deepEqual(asa.counts, [{ firewall: 'FW-ISA3000-01', vendor: 'cisco-isa3000', target: 'asa', allow: 6, deny: 4 }]);
  // forward and input chain policies drop, invalid state drop, the diode's reverse-direction drop.
  const nft = counts(linux('linux-nftables'));
  assert.deepEqual([nft.counts[0]!.target, nft.counts[0]!.allow, nft.counts[0]!.deny], ['nftables', 6, 4]);
  const ipt = counts(linux('iptables'));
  assert.deepEqual([ipt.counts[0]!.target, ipt.counts[0]!.allow, ipt.counts[0]!.deny], ['iptables', 6, 4]);
});

test('no count rather than a guess: target errors, uncounted targets, unknown vendors, no firewalls', () => {
  // nftables needs Linux interface names: the target refuses, and the report says why.
  const bad = counts(BASE.replace('vendor: cisco-isa3000', 'vendor: linux-nftables'));
  assert.equal(bad.counts[0]!.allow, null);
  assert.match(bad.counts[0]!.reason!, /not generated: \d+ compile error\(s\) \(run otzones compile --target nftables\)/);
  const fg = counts(BASE.replace('vendor: cisco-isa3000', 'vendor: fortigate'));
  assert.equal(fg.counts[0]!.reason, 'counting is not implemented for the fortigate target');
  const unknown = counts(BASE.replace('vendor: cisco-isa3000', 'vendor: hirschmann'));
  assert.equal(unknown.counts[0]!.reason, 'no compile target for vendor "hirschmann"');
  assert.deepEqual(counts(readFileSync(SEED, 'utf8')).counts, []);
});

/**
 * The example compiles to what the source document deploys:
 * ../shared/seed/implementing-iec-62443-security-zones.md step 2 (ISA-3000 access lists) and step 3
 * (industrial switch). The document's lines are read from the file, not copied into this test.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.ts';
import { SHARED } from '../helpers/paths.ts';

const DOC = readFileSync(join(SHARED, 'seed/implementing-iec-62443-security-zones.md'), 'utf8').split('\n');

function section(start: RegExp, end: RegExp): string[] {
  const i = DOC.findIndex((l) => start.test(l));
  const j = DOC.findIndex((l, k) => k > i && end.test(l));
  assert.ok(i >= 0 && j > i, `section ${start} not found in the source document`);
  // Config lines only: the prose sentence under each heading ends with a period.
  return DOC.slice(i + 1, j).map((l) => l.trim()).filter((l) => l && !l.startsWith('#') && !l.endsWith('.'));
}

test('asa: every access list, binding and logging line of step 2 is in the output', async () => {
  const r = await runCli(['compile', 'examples/refinery-unit3.yaml', '--target', 'asa']);
  assert.equal(r.code, 0, r.stderr);
  const out = r.stdout.split('\n').map((l) => l.trim());
  const step2 = section(/^Step 2:/, /^Step 3:/);
  const wanted = step2.filter((l) => /^(access-list|access-group|logging|nameif|security-level|ip address|interface)/.test(l));
  assert.ok(wanted.length >= 16, 'the step 2 lines were found');
  // ASA binds one inbound ACL per interface; zone-ops also initiates to the DMZ, so its ACL is OPS-to-BPCS-DMZ.
  const rename = (l: string) => l.replace(/\bOPS-to-BPCS\b/g, 'OPS-to-BPCS-DMZ');
  for (const l of wanted) assert.ok(out.includes(rename(l)), `missing from the asa output: ${l}`);
  // The document's Modbus inspect policy is not ASA syntax (ASA has no Modbus inspection): not emitted.
  assert.ok(!out.some((l) => l.startsWith('policy-map')));
});

test('ios-switch: every line of step 3 is in the output (VLAN names are the zone ids)', async () => {
  const r = await runCli(['compile', 'examples/refinery-unit3.yaml', '--target', 'ios-switch']);
  assert.equal(r.code, 0, r.stderr);
  const out = r.stdout.split('\n').map((l) => l.trim());
  const step3 = section(/^Step 3:/, /^Step 4:/);
  assert.ok(step3.length >= 39, `${step3.length} config lines found in step 3`);
  const names = new Map([['Z1-SIS-Safety', 'Z1-SIS'], ['Z2-BPCS-Control', 'Z2-BPCS'], ['Z3-OPS-Operations', 'Z3-OPS'], ['Z4-DMZ', 'Z4-DMZ'], ['Z5-Enterprise', 'Z5-ENT']]);
  for (const l of step3) {
    const want = l.startsWith('name ') ? `name ${names.get(l.slice(5))}` : l.replace(/ - Zone 2$/, ' - Z2-BPCS');
    assert.ok(out.includes(want), `missing from the ios-switch output: ${l} (as ${want})`);
  }
  // Order of blocks as in the document: PLC range, HMI range, trunk, unused.
  const idx = (s: string) => out.indexOf(s);
  assert.ok(idx('interface range GigabitEthernet1/0/1-12') < idx('interface range GigabitEthernet1/0/13-18'));
  assert.ok(idx('interface range GigabitEthernet1/0/13-18') < idx('interface GigabitEthernet1/0/24'));
  assert.ok(idx('interface GigabitEthernet1/0/24') < idx('interface range GigabitEthernet1/0/19-23'));
});

test('ftd-snort and suricata: the Modbus flow drops every code but 3 and 4 (HIST-01 -> Z2-BPCS:502) and units other than the PLCs\' 1', async () => {
  const snort = (await runCli(['compile', 'examples/refinery-unit3.yaml', '--target', 'ftd-snort'])).stdout;
  const codes = [...snort.matchAll(/modbus_func:(\d+);/g)].map((m) => Number(m[1]));
  assert.equal(codes.length, 254);
  assert.ok(!codes.includes(3) && !codes.includes(4));
  assert.equal(new Set(codes).size, 254);
  for (const l of snort.split('\n').filter((x) => x.includes('modbus_func:'))) assert.ok(l.startsWith('drop tcp 10.30.1.50 any -> 10.20.0.0/16 502 ('), l);
  // The PLCs declare modbus.unit_id 1: requests to them for any other unit are dropped.
  const plcs = `[${Array.from({ length: 12 }, (_, i) => `10.20.1.${10 + i}`).join(',')}]`;
  const units = snort.split('\n').filter((x) => x.includes('modbus_unit:'));
  assert.equal(units.length, 255);
  for (const l of units) assert.ok(l.startsWith(`drop tcp 10.30.1.50 any -> ${plcs} 502 (`), l);
  assert.ok(!units.some((l) => l.includes('modbus_unit:1;')));
  const sids = [...snort.matchAll(/sid:(\d+);/g)].map((m) => m[1]);
  assert.equal(new Set(sids).size, sids.length, 'unique sids');
  const suri = (await runCli(['compile', 'examples/refinery-unit3.yaml', '--target', 'suricata'])).stdout;
  assert.match(suri, /^drop modbus 10\.30\.1\.50 any -> 10\.20\.0\.0\/16 502 \(.*modbus: function !assigned;/m);
  const sc = [...suri.matchAll(/modbus: function (\d+);/g)].map((m) => Number(m[1]));
  assert.ok(sc.includes(5) && sc.includes(16) && !sc.includes(3) && !sc.includes(4));
  assert.match(suri, new RegExp(`^drop modbus 10\\.30\\.1\\.50 any -> \\[10\\.20\\.1\\.10,.*modbus: unit <1;`, 'm'));
  assert.match(suri, /modbus: unit >1;/);
});

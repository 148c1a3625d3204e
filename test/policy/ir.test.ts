import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadModelFile } from '../../src/model/load.ts';
import { compilePolicy } from '../../src/policy/ir.ts';
import { EXAMPLE, SEED } from '../helpers/paths.ts';

test('the example lowers to one rule per flow and zone pair', () => {
  const ir = compilePolicy(loadModelFile(EXAMPLE).model!);
  assert.deepEqual(ir.diagnostics, []);
  const summary = ir.rules.map((r) => `${r.id} ${r.transport}/${r.ports.map((p) => p.lo).join(',')} ${r.src.map((e) => e.ref)}>${r.dst.map((e) => e.ref)}`);
  assert.deepEqual(summary, [
    'C1-BPCS-OPS/000/Z2-BPCS>Z3-OPS tcp/4840 Z2-BPCS>HIST-01',
    'C1-BPCS-OPS/001/Z3-OPS>Z2-BPCS tcp/502 HIST-01>Z2-BPCS',
    'C2-OPS-DMZ/000/Z3-OPS>Z4-DMZ tcp/443 Z3-OPS>DMZ-WSUS-01',
    'C3-DMZ-ENT/000/Z5-ENT>Z4-DMZ tcp/443 Z5-ENT>DMZ-HIST-01,DMZ-JUMP-01',
    'C3-DMZ-ENT/001/Z5-ENT>Z4-DMZ tcp/3389 Z5-ENT>DMZ-JUMP-01',
    'C4-OPS-DMZ-DIODE/000/Z3-OPS>Z4-DMZ udp/5450 DIODE-TX-01>DMZ-DD-01',
  ]);
  const modbus = ir.rules.find((r) => r.protocol === 'modbus')!;
  assert.deepEqual(modbus.app.modbusFunctionCodes, [3, 4]);
  assert.deepEqual(modbus.src[0].prefixes.map((p) => p.text), ['10.30.1.50/32']);
  assert.deepEqual(modbus.dst[0].prefixes.map((p) => p.text), ['10.20.0.0/16']);
  const diode = ir.rules.find((r) => r.conduitId === 'C4-OPS-DMZ-DIODE')!;
  assert.equal(diode.diode, true);
  assert.equal(diode.oneWay, true);
});

test('the seed has no addresses: every flow endpoint is reported, no rule is invented', () => {
  const ir = compilePolicy(loadModelFile(SEED).model!);
  assert.equal(ir.rules.length, 0);
  assert.ok(ir.diagnostics.length >= 6);
  assert.ok(ir.diagnostics.every((d) => d.code === 'ZC701'));
  assert.match(ir.diagnostics[0].message, /has no `subnets`/);
});

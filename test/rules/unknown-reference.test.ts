import { unknownReference } from '../../src/rules/unknown-reference.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateText } from '../../src/index.ts';
import { BASE, table } from './table.ts';

table(unknownReference, [
  { name: 'every reference defined', yaml: BASE },
  {
    name: 'unknown ids in connects, flow from/to, allowed_conduits, diode and firewall interfaces, with suggestions',
    yaml: `facility: t
firewalls:
  - { id: FW1, interfaces: [{ zone: ⟨Z22, name: eth1 }] }
zones:
  - { zone_id: Z2-BPCS, subnets: [10.2.0.0/16], allowed_conduits: [⟨C1-BPCS-OP], assets: [{ id: PLC-01, ip: 10.2.0.10 }] }
  - { zone_id: Z3-OPS, subnets: [10.3.0.0/16], assets: [{ id: HIST-01, ip: 10.3.0.50 }] }
conduits:
  - conduit_id: C1-BPCS-OPS
    connects: [Z2-BPCS, ⟨Z3-OSP]
    diode: { from: Z2-BPCS, to: ⟨Z3-OP }
    protocols_allowed:
      - { protocol: modbus, from: ⟨HIST-1, to: [PLC-01, ⟨PLC-011], function_codes: [3], one_way: true }
      - { protocol: https, from: Z2-BPCS, to: ⟨QQQQQQQQ }
`,
    expect: [
      { ids: ['FW1', 'Z22'], message: /^zone "Z22" is not defined$/ },
      { ids: ['Z2-BPCS', 'C1-BPCS-OP'], message: /conduit "C1-BPCS-OP" is not defined; did you mean "C1-BPCS-OPS"\?/ },
      { ids: ['C1-BPCS-OPS', 'Z3-OSP'], message: /did you mean "Z3-OPS"/ },
      { ids: ['C1-BPCS-OPS', 'Z3-OP'], message: /did you mean "Z3-OPS"/ },
      { ids: ['C1-BPCS-OPS', 'HIST-1'], message: /zone or asset "HIST-1" is not defined; did you mean "HIST-01"\?/ },
      { ids: ['C1-BPCS-OPS', 'PLC-011'], message: /did you mean "PLC-01"/ },
      { ids: ['C1-BPCS-OPS', 'QQQQQQQQ'], message: /^zone or asset "QQQQQQQQ" is not defined$/ },
    ],
  },
  {
    name: 'a seed-dialect direction naming an unknown zone points at the direction text',
    yaml: `facility: t
zones:
  - { zone_id: Z2-BPCS, subnets: [10.2.0.0/16] }
  - { zone_id: Z3-OPS, subnets: [10.3.0.0/16] }
conduits:
  - conduit_id: C1
    connects: [Z2-BPCS, Z3-OPS]
    protocols_allowed:
      - protocol: HTTPS
        direction: ⟨"Z9 -> Z3 (patch downloads)"
`,
    expect: [{ ids: ['C1', 'Z9'] }],
  },
]);

test('unknown-reference: a thousand dangling references among 6,000 assets end quickly, with at most 100 suggestion searches', () => {
  const assets = Array.from({ length: 6000 }, (_, i) => `      - { id: A${String(i).padStart(5, '0')}, ip: 10.2.${i >> 8}.${i & 255} }`);
  const flows = Array.from({ length: 1000 }, (_, i) => `      - { protocol: https, from: Z3, to: X${String(i).padStart(5, '0')} }`);
  const text = `facility: t\nzones:\n  - zone_id: Z2\n    subnets: [10.2.0.0/16]\n    assets:\n${assets.join('\n')}\n  - { zone_id: Z3, subnets: [10.3.0.0/16] }\nconduits:\n  - conduit_id: C23\n    connects: [Z2, Z3]\n    protocols_allowed:\n${flows.join('\n')}\n`;
  const t0 = performance.now();
  const r = validateText(text, 'm.yaml');
  const ms = performance.now() - t0;
  const missing = r.diagnostics.filter((d) => d.code === 'ZC202');
  assert.equal(missing.length, 1000);
  assert.equal(missing.filter((d) => d.message.includes('did you mean')).length, 100);
  assert.match(missing[0].message, /^zone or asset "X00000" is not defined; did you mean "A00000"\?$/);
  assert.ok(ms < 15_000, `${ms.toFixed(0)} ms`); // minutes before suggestions were bounded
});

/**
 * Table tests for design rules. A case is a model whose text marks with `⟨` every place the rule must report,
 * in source order; the markers are removed before the model is validated, and each one becomes the expected
 * line and column of one diagnostic (with the ids it must carry). A case without markers must not trigger the rule.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateText } from '../../src/index.ts';
import { RULES } from '../../src/rules/index.ts';
import type { Rule } from '../../src/rules/rule.ts';

export interface Case {
  name: string;
  yaml: string;
  /** One entry per `⟨` marker, in source order. */
  expect?: { ids: string[]; message?: RegExp }[];
}

const RULE_CODES = new Set(RULES.map((r) => r.meta.code));

/** Strips the markers, returning the text and the 1-based line/column of each. */
export function marks(withMarks: string): { text: string; at: { line: number; column: number }[] } {
  const at: { line: number; column: number }[] = [];
  let text = '';
  let line = 1;
  let column = 1;
  for (const ch of withMarks) {
    if (ch === '⟨') {
      at.push({ line, column });
      continue;
    }
    text += ch;
    if (ch === '\n') {
      line++;
      column = 1;
    } else column++;
  }
  return { text, at };
}

/** Validates a marked model and returns the diagnostics of one code (after checking that the model loaded). */
export function lint(withMarks: string, code: string) {
  const { text, at } = marks(withMarks);
  const r = validateText(text, 'm.yaml');
  assert.ok(r.model && r.usable, `the case must load: ${JSON.stringify(r.diagnostics.slice(0, 3))}`);
  const loaderErrors = r.diagnostics.filter((d) => d.severity === 'error' && !RULE_CODES.has(d.code));
  assert.deepEqual(loaderErrors, [], 'the case must not have loader errors');
  return { got: r.diagnostics.filter((d) => d.code === code), at, all: r.diagnostics };
}

export function table(rule: Rule, cases: Case[]): void {
  for (const c of cases) {
    test(`${rule.meta.name} (${rule.meta.code}): ${c.name}`, () => {
      const { got, at } = lint(c.yaml, rule.meta.code);
      const expect = c.expect ?? [];
      assert.equal(at.length, expect.length, 'one expectation per marker');
      assert.deepEqual(
        got.map((d) => ({ line: d.line, column: d.column, ids: d.ids })),
        at.map((p, i) => ({ ...p, ids: expect[i].ids })),
        got.map((d) => `${d.line}:${d.column} ${d.message}`).join('\n'),
      );
      for (const d of got) {
        assert.equal(d.severity, rule.meta.severity);
        assert.equal(d.file, 'm.yaml');
        assert.ok(d.path, 'a model path');
      }
      expect.forEach((e, i) => e.message && assert.match(got[i].message, e.message));
    });
  }
}

/**
 * A small clean model: BPCS (level 2) and operations (level 3) joined by one conduit with a read-only Modbus flow.
 * Cases replace parts of it; the registry test checks that it triggers nothing.
 */
export const BASE = `facility: test plant
zones:
  - { zone_id: Z2, purdue_level: 2, security_level_target: 2, vlan: 20, subnets: [10.2.0.0/16], gateway: 10.2.0.1, assets: [{ id: PLC1, role: plc, ip: 10.2.0.10 }] }
  - { zone_id: Z3, purdue_level: 3, security_level_target: 2, vlan: 30, subnets: [10.3.0.0/16], gateway: 10.3.0.1, assets: [{ id: HIST, role: historian, ip: 10.3.0.50 }] }
conduits:
  - conduit_id: C23
    connects: [Z2, Z3]
    security_level: 2
    protocols_allowed:
      - { protocol: modbus, from: HIST, to: PLC1, function_codes: [3, 4] }
`;

/** Zone lines for a five-level plant (safety 1, BPCS 2, operations 3, DMZ 3.5, enterprise 4), for partitioning and flow cases. */
export const PLANT_ZONES = `facility: test plant
zones:
  - { zone_id: Z1, purdue_level: 1, security_level_target: 3, safety: true, subnets: [10.1.0.0/16], assets: [{ id: SIS1, role: sis, ip: 10.1.0.10 }] }
  - { zone_id: Z2, purdue_level: "1-2", security_level_target: 2, subnets: [10.2.0.0/16], assets: [{ id: PLC1, role: plc, ip: 10.2.0.10 }, { id: HMI1, role: hmi, ip: 10.2.0.20 }] }
  - { zone_id: Z3, purdue_level: 3, security_level_target: 2, subnets: [10.3.0.0/16], assets: [{ id: HIST, role: historian, ip: 10.3.0.50 }, { id: EWS3, role: ews, ip: 10.3.0.60 }] }
  - { zone_id: DMZ, purdue_level: 3.5, security_level_target: 2, subnets: [172.16.1.0/24], assets: [{ id: JUMP, role: jump-server, ip: 172.16.1.70 }, { id: DHIST, role: historian, ip: 172.16.1.50 }] }
  - { zone_id: ENT, purdue_level: 4, security_level_target: 1, subnets: [10.40.0.0/16], assets: [{ id: USERS, role: workstation, ip: 10.40.3.0/24 }] }
`;

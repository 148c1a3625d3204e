/** The "did you mean" search behind ZC202: bounded Levenshtein, case-insensitive, first candidate on ties. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closest, editDistance } from '../../src/rules/rule.ts';

test('editDistance', () => {
  assert.equal(editDistance('kitten', 'sitting'), 3);
  assert.equal(editDistance('', 'abc'), 3);
  assert.equal(editDistance('Z3-OPS', 'z3-ops'), 0);
  assert.equal(editDistance('Z3-OSP', 'Z3-OPS'), 2);
});

test('closest: nearest within max(2, half the length), first on ties, case-insensitive, none when too far', () => {
  const ids = ['Z1-SIS', 'Z2-BPCS', 'Z3-OPS', 'Z4-DMZ', 'Z5-ENT', 'C1-BPCS-OPS'];
  assert.equal(closest('Z3-OSP', ids), 'Z3-OPS');
  assert.equal(closest('z2-bpcs', ids), 'Z2-BPCS');
  assert.equal(closest('C1-BPCS-OP', ids), 'C1-BPCS-OPS');
  assert.equal(closest('Z9-XYZ', ids), 'Z4-DMZ'); // 3 edits: the limit for 6 characters
  assert.equal(closest('Q9-QQQ', ids), undefined); // 5 or more edits from every id
  assert.equal(closest('Z6-ENT', ids), 'Z5-ENT');
  assert.equal(closest('AB', ['AC', 'AD']), 'AC');
  assert.equal(closest('x', []), undefined);
  // A nearer candidate late in a long list still wins over an early one.
  const many = [...Array.from({ length: 5000 }, (_, i) => `A${i}-FAR`), 'PLC-011', 'PLC-01'];
  assert.equal(closest('PLC-01', many), 'PLC-01');
  assert.equal(closest('PLC-1', many), 'PLC-01');
});

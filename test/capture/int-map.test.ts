import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Int32Map } from '../../src/capture/int-map.ts';

test('Int32Map agrees with a Map for any sequence of sets and gets (unsigned and signed keys, growth)', () => {
  const key = fc.oneof(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), fc.integer({ min: 0, max: 40 }));
  fc.assert(
    fc.property(fc.array(fc.tuple(key, fc.integer({ min: 0, max: 2 ** 31 - 2 })), { maxLength: 3000, size: 'max' }), fc.array(key, { maxLength: 200 }), (sets, probes) => {
      const m = new Int32Map(4);
      const ref = new Map<number, number>();
      for (const [k, v] of sets) {
        m.set(k, v);
        ref.set(k | 0, v); // 0xffffffff and -1 are the same 32 bits
      }
      assert.equal(m.size, ref.size);
      for (const [k] of sets) assert.equal(m.get(k), ref.get(k | 0));
      for (const k of probes) assert.equal(m.get(k), ref.get(k | 0) ?? -1);
    }),
    { numRuns: 200 },
  );
});

test('Int32Map: a value of 0 is stored (not taken for an empty slot); a missing key is -1', () => {
  const m = new Int32Map();
  assert.equal(m.get(0), -1);
  m.set(0, 0);
  m.set(0xc0a80101, 0);
  assert.equal(m.get(0), 0);
  assert.equal(m.get(0xc0a80101), 0);
  assert.equal(m.get(1), -1);
  assert.equal(m.size, 2);
});

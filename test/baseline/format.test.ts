import { test } from 'node:test';
import assert from 'node:assert/strict';
import { grouped } from '../../src/baseline/format.ts';

test('counts are grouped by thousands as en-US would, without loading ICU', () => {
  const cases: [number, string][] = [
    [0, '0'],
    [7, '7'],
    [999, '999'],
    [1000, '1,000'],
    [12345, '12,345'],
    [123456, '123,456'],
    [1234567, '1,234,567'],
    [4_000_000_000, '4,000,000,000'],
    [-98765, '-98,765'],
  ];
  for (const [n, want] of cases) assert.equal(grouped(n), want, String(n));
  const nf = new Intl.NumberFormat('en-US');
  for (let n = 1, k = 0; n < 2 ** 53; k++, n = n * 3 + k) assert.equal(grouped(n), nf.format(n), String(n));
});

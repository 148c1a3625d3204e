/** The log readers' address and time helpers: the fast paths give what the general parsers give. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ipText, syslogTime } from '../../src/logs/common.ts';
import { parseIp } from '../../src/net/ip.ts';

test('ipText = the general IP parser on dotted quads (leading zeros, out of range, short, long) and other text', () => {
  const part = fc.oneof(fc.integer({ min: 0, max: 300 }).map(String), fc.constantFrom('00', '010', '0x1', '', '1a'));
  const text = fc.oneof(
    fc.array(part, { minLength: 1, maxLength: 6 }).map((a) => a.join('.')),
    fc.constantFrom('::1', 'fe80::1', '2001:db8::', '1.2.3.4.', '.1.2.3.4', 'host.example'),
    fc.string({ maxLength: 20 }),
  );
  fc.assert(
    fc.property(text, (s) => {
      const p = parseIp(s);
      assert.deepEqual(ipText(s), p.ok ? { family: p.value.family, text: p.value.text } : null, s);
    }),
    { numRuns: 3000 },
  );
});

test('syslogTime: BSD header with a year, ISO 8601, BSD header followed by an ISO time, none', () => {
  assert.equal(syslogTime('<134>May  5 2024 19:02:26 fw01 : %ASA-6-106100: x'), Date.UTC(2024, 4, 5, 19, 2, 26) * 1000);
  assert.equal(syslogTime('2024-05-05T19:02:26.5Z fw01 %ASA-6-106100: x'), Date.UTC(2024, 4, 5, 19, 2, 26, 500) * 1000);
  assert.equal(syslogTime('May  5 19:02:26 fw01 2024-05-05T19:02:26Z %ASA-6-106100: x'), Date.UTC(2024, 4, 5, 19, 2, 26) * 1000);
  assert.ok(Number.isNaN(syslogTime('May  5 19:02:26 fw01: %ASA-6-106100: x')), 'a BSD header without a year gives no time');
  assert.ok(Number.isNaN(syslogTime('kernel: IN=eth0 SRC=1.2.3.4')));
});

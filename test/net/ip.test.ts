import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatIp, lengthToMask, maskToLength, parseIp, parsePrefix, prefixesOverlap } from '../../src/net/ip.ts';

test('prefixes parse to intervals and reject host bits', () => {
  const p = parsePrefix('10.20.0.0/16');
  assert.ok(p.ok);
  assert.equal(formatIp(4, p.value.lo), '10.20.0.0');
  assert.equal(formatIp(4, p.value.hi), '10.20.255.255');
  const bad = parsePrefix('10.20.1.1/16');
  assert.ok(!bad.ok);
  assert.match(bad.error, /did you mean 10\.20\.0\.0\/16/);
  assert.ok(!parsePrefix('10.0.0.0/33').ok);
  assert.ok(!parsePrefix('10.0.0/8').ok, 'short dotted forms are not addresses in a model');
  const h = parsePrefix('10.30.1.50');
  assert.ok(h.ok && h.value.len === 32 && h.value.text === '10.30.1.50/32');
});

test('IPv6 prefixes', () => {
  const p = parsePrefix('2001:db8::/32');
  assert.ok(p.ok);
  assert.equal(p.value.family, 6);
  assert.equal(formatIp(6, p.value.hi), '2001:db8:ffff:ffff:ffff:ffff:ffff:ffff');
  const q = parsePrefix('2001:db8:1::/48');
  assert.ok(q.ok && prefixesOverlap(p.value, q.value));
  const v4 = parsePrefix('32.1.13.184/29');
  assert.ok(v4.ok && !prefixesOverlap(p.value, v4.value), 'families never overlap');
});

test('netmasks', () => {
  assert.equal(maskToLength('255.255.0.0'), 16);
  assert.equal(maskToLength('255.255.255.255'), 32);
  assert.equal(maskToLength('0.0.0.0'), 0);
  assert.equal(maskToLength('255.0.255.0'), null);
  assert.equal(lengthToMask(20), '255.255.240.0');
  assert.ok(!parseIp('300.1.1.1').ok);
});

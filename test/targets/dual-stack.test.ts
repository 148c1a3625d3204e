/**
 * The asa (and fortigate) output for a dual-stack model (IPv6 subnets and hosts beside IPv4, ICMP, port ranges, asset sets)
 * read back by otzones verify: it permits exactly the IR (no error findings), and no ACE pairs an IPv4
 * operand with an IPv6 one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.ts';
import { dualStack } from './helpers.ts';


test('asa dual-stack output: verify finds nothing wrong, ACEs stay within one family', async () => {
  const model = dualStack();
  const c = await runCli(['compile', model, '--target', 'asa']);
  assert.equal(c.code, 0, c.stderr);
  const cfg = join(mkdtempSync(join(tmpdir(), 'otz-asa6-')), 'fw.cfg');
  writeFileSync(cfg, c.stdout);
  assert.match(c.stdout, /^access-list OPS-to-BPCS-DMZ extended permit tcp host fd00:30::50 fd00:20::\/64 eq 502$/m);
  assert.match(c.stdout, /^access-list OPS-to-BPCS-DMZ extended permit tcp host 10\.30\.1\.50 object-group PLC-01_PLC-02 range 1000 2000$/m);
  for (const l of c.stdout.split('\n').filter((x) => / extended permit /.test(x))) {
    const v4 = /\d+\.\d+\.\d+\.\d+/.test(l);
    const v6 = /[0-9a-f]*:[0-9a-f:]*:/.test(l);
    assert.ok(!(v4 && v6), `mixed families: ${l}`);
  }
  const v = await runCli(['verify', model, '--config', cfg, '--vendor', 'asa', '--format', 'json']);
  const body = JSON.parse(v.stdout);
  const errors = body.findings.filter((f: { severity: string }) => f.severity === 'error');
  assert.deepEqual(errors, [], v.stdout);
  assert.equal(v.code, 0, v.stderr);
});

test('fortigate dual-stack output: IPv6 objects in address6, policies with srcaddr6/dstaddr6', async () => {
  const r = await runCli(['compile', dualStack(), '--target', 'fortigate']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /config firewall address6\n {4}edit "HIST-V6-v6"\n {8}set ip6 fd00:30::50\/128/);
  assert.match(r.stdout, /set srcaddr6 "HIST-V6-v6"\n {8}set dstaddr6 "Z2-BPCS-v6"/);
  const v4block = r.stdout.slice(r.stdout.indexOf('config firewall address\n'), r.stdout.indexOf('config firewall address6'));
  assert.doesNotMatch(v4block, /fd00/);
});

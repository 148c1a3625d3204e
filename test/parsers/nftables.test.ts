import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseNftables } from '../../src/parsers/nftables/parse.ts';
import { CORPUS } from '../helpers/paths.ts';
import { forward, corpusShare } from './helpers.ts';
import { rootSkipReason } from '../helpers/root.ts';


const RULESET = `#!/usr/sbin/nft -f
define LAN = 10.1.0.0/16
flush ruleset
table inet fw {
	set admins {
		type ipv4_addr
		flags interval
		elements = { 10.1.9.0/24,
			     10.1.10.5 }
	}
	chain forward {
		type filter hook forward priority filter; policy drop;
		ct state established,related accept
		ct state invalid drop
		iifname "lan0" oifname "dmz0" ip saddr $LAN ip daddr 172.16.1.10 tcp dport { 80, 443, 8000-8080 } accept
		ip saddr @admins tcp dport ssh counter jump admin
		ip daddr != 172.16.0.0/12 udp dport 53 accept
		meta l4proto icmp icmp type echo-request accept
		ip6 saddr 2001:db8::/32 ip6 daddr 2001:db8:1::1 tcp dport 22 accept
		tcp dport 23 reject with tcp reset
	}
	chain admin {
		ip daddr 192.168.0.0/16 return
		accept
	}
	chain input { type filter hook input priority 0; policy accept; }
}
`;

test('nftables text: sets, defines, ranges, negation, jumps with return, ct state and families', () => {
  const cfg = parseNftables(RULESET, 'fw.nft');
  assert.deepEqual(cfg.unparsed, []);
  assert.deepEqual(forward(cfg), [
    'permit: v4 in=lan0 out=dmz0 10.1.0.0-10.1.255.255 > 172.16.1.10 p=6 sp=any dp=80,443,8000-8080',
    // jump admin: the return excludes 192.168.0.0/16 from the accept that follows it
    'permit: v4 10.1.9.0-10.1.9.255,10.1.10.5 > 0.0.0.0-192.167.255.255,192.169.0.0-255.255.255.255 p=6 sp=any dp=22',
    'permit: v4 any > 0.0.0.0-172.15.255.255,172.32.0.0-255.255.255.255 p=17 sp=any dp=53',
    'permit: any > any p=1 sp=any dp=8',
    'permit: v6 2001:db8::-2001:db8:ffff:ffff:ffff:ffff:ffff:ffff > 2001:db8:1::1 p=6 sp=any dp=22',
    'deny: any > any p=6 sp=any dp=23',
    'default deny',
  ]);
  assert.equal(cfg.stats.unparsed, 0);
});

test('nftables: what is not modelled is reported with its line, and a syntax error in JSON is exit-2 material', () => {
  const cfg = parseNftables('table ip t {\n chain f {\n  type filter hook forward priority 0;\n  ip saddr . tcp dport { 10.0.0.1 . 22 } accept\n  quota 10 mbytes drop\n  include "x"\n }\n}\n', 'x.nft');
  assert.deepEqual(cfg.unparsed.map((u) => `${u.line} ${u.reason}`), [
    '4 concatenated matches (a . b) are not modelled',
    '5 statement "quota" is not modelled',
    '6 "include" is not understood',
  ]);
  assert.throws(() => parseNftables('{"nftables": [', 'bad.json'), (e: Error & { line?: number }) => e.line === 1 && /not valid JSON/.test(e.message));
});

test('nftables corpus: every file parses, and most lines are understood', () => {
  // Third-party rulesets: ../shared/corpus/fwconfig/nftables/*.nft (Debian examples, nftables test dumps).
  const dir = join(CORPUS, 'fwconfig/nftables');
  const { understood, lines, share } = corpusShare('nftables', parseNftables);
  assert.ok(share > 0.95, `understood ${understood}/${lines}`);
  const ws = parseNftables(readFileSync(join(dir, 'debian-nftables-example-workstation.nft'), 'utf8'), 'ws.nft');
  assert.deepEqual(ws.unparsed, []);
});

const skip = rootSkipReason(['nft', 'ip']);
test('nftables: text and `nft -j` JSON of the same ruleset, loaded into a real nft, mean the same ACL', { skip }, () => {
  const ns = `otz-vfy-${process.pid}`;
  const dir = mkdtempSync(join(tmpdir(), 'otzones-nft-'));
  writeFileSync(join(dir, 'rules.nft'), RULESET.replace('flush ruleset\n', ''));
  const run = (args: string[]) => {
    const r = spawnSync('ip', ['netns', 'exec', ns, ...args], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
  };
  assert.equal(spawnSync('ip', ['netns', 'add', ns]).status, 0);
  try {
    run(['nft', '-f', join(dir, 'rules.nft')]);
    const text = run(['nft', 'list', 'ruleset']);
    const json = run(['nft', '-j', 'list', 'ruleset']);
    const fromText = parseNftables(text, 'listed.nft');
    const fromJson = parseNftables(json, 'listed.json');
    assert.deepEqual(fromText.unparsed, []);
    assert.deepEqual(fromJson.unparsed, []);
    assert.deepEqual(forward(fromJson), forward(fromText));
    assert.deepEqual(forward(fromText), forward(parseNftables(RULESET, 'fw.nft')));
  } finally {
    spawnSync('ip', ['netns', 'del', ns]);
  }
});

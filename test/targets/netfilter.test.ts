/**
 * The nftables and iptables outputs against the real tools: `nft -c -f`, loading into a throw-away network
 * namespace (twice: reloading must replace, not duplicate), and `iptables-restore --test` / a real load
 * inside a namespace. Needs root; skips with the reason otherwise.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.ts';
import { rootSkipReason } from '../helpers/root.ts';
import { dualStack } from './helpers.ts';

const skip = rootSkipReason(['nft', 'ip', 'iptables-restore', 'ip6tables-restore']);
if (skip) console.log(`# skipping netfilter tests: ${skip}`);

function sh(cmd: string[], input?: string) {
  const r = spawnSync(cmd[0], cmd.slice(1), { input, encoding: 'utf8', timeout: 20_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Runs `fn` with a fresh namespace `otz-ct-<pid>-<n>`, deleted afterwards whatever happens. */
let seq = 0;
function withNetns<T>(fn: (ns: string) => T): T {
  const ns = `otz-ct-${process.pid}-${seq++}`;
  const add = sh(['ip', 'netns', 'add', ns]);
  assert.equal(add.code, 0, add.err);
  try {
    return fn(ns);
  } finally {
    sh(['ip', 'netns', 'del', ns]);
  }
}

async function compileTo(model: string, target: string, ext: string): Promise<string> {
  const r = await runCli(['compile', model, '--target', target]);
  assert.equal(r.code, 0, r.stderr);
  const file = join(mkdtempSync(join(tmpdir(), 'otz-nf-')), `out.${ext}`);
  writeFileSync(file, r.stdout);
  return file;
}


test('nftables: nft -c -f accepts the example ruleset and a dual-stack one', { skip }, async () => {
  for (const model of ['examples/refinery-unit3.yaml', dualStack()]) {
    const file = await compileTo(model, 'nftables', 'nft');
    const c = sh(['nft', '-c', '-f', file]);
    assert.equal(c.code, 0, `nft -c -f ${file}: ${c.err}`);
  }
});

test('nftables: loads into a throw-away namespace, replaces itself on reload, default drop', { skip }, async () => {
  const file = await compileTo(dualStack(), 'nftables', 'nft');
  withNetns((ns) => {
    for (let i = 0; i < 2; i++) {
      const load = sh(['ip', 'netns', 'exec', ns, 'nft', '-f', file]);
      assert.equal(load.code, 0, `load #${i + 1}: ${load.err}`);
    }
    const list = sh(['ip', 'netns', 'exec', ns, 'nft', 'list', 'table', 'inet', 'otzones']);
    assert.equal(list.code, 0, list.err);
    assert.match(list.out, /chain forward \{\s*type filter hook forward priority filter; policy drop;/);
    assert.match(list.out, /chain input \{\s*type filter hook input priority filter; policy drop;/);
    // One accept per rule and address family, no duplicates after the reload.
    const accepts = list.out.split('\n').filter((l) => /ct state new accept/.test(l));
    assert.equal(accepts.length, 9, list.out);
    assert.match(list.out, /ip6 saddr @\S+ ip6 daddr @\S+ tcp dport 502 ct state new accept/);
    assert.match(list.out, /meta l4proto icmp ct state new accept/);
    assert.match(list.out, /tcp dport \{ 1000-2000, 2222, 44818 \} ct state new accept/);
    assert.match(list.out, /ct direction reply ct protocol udp ct original proto-dst 5450 drop/);
    const tables = sh(['ip', 'netns', 'exec', ns, 'nft', 'list', 'tables']);
    assert.equal(tables.out.trim(), 'table inet otzones');
  });
});

test('iptables: iptables-restore --test and a real load inside a namespace; ip6tables for IPv6', { skip }, async () => {
  const ex = await compileTo('examples/refinery-unit3.yaml', 'iptables', 'rules');
  const dir = mkdtempSync(join(tmpdir(), 'otz-ipt-'));
  const r = await runCli(['compile', dualStack(), '--target', 'iptables', '--out', dir]);
  assert.equal(r.code, 0, r.stderr);
  withNetns((ns) => {
    for (const [tool, file] of [['iptables-restore', ex], ['iptables-restore', join(dir, 'iptables/otzones.rules')], ['ip6tables-restore', join(dir, 'iptables/otzones6.rules')]]) {
      const t = sh(['ip', 'netns', 'exec', ns, tool, '--test', file]);
      assert.equal(t.code, 0, `${tool} --test ${file}: ${t.err}`);
    }
    const load = sh(['ip', 'netns', 'exec', ns, 'iptables-restore', ex]);
    assert.equal(load.code, 0, load.err);
    const saved = sh(['ip', 'netns', 'exec', ns, 'iptables-save', '-t', 'filter']);
    assert.match(saved.out, /:FORWARD DROP/);
    // The example has 6 flows, one of them to two hosts (expanded by iptables), and one one-way drop.
    assert.equal(saved.out.split('\n').filter((l) => /--ctstate NEW .* -j ACCEPT/.test(l)).length, 7, saved.out);
    assert.match(saved.out, /--ctdir REPLY .* -j DROP/);
    const v6 = sh(['ip', 'netns', 'exec', ns, 'ip6tables-restore', join(dir, 'iptables/otzones6.rules')]);
    assert.equal(v6.code, 0, v6.err);
    const saved6 = sh(['ip', 'netns', 'exec', ns, 'ip6tables-save', '-t', 'filter']);
    assert.match(saved6.out, /-s fd00:30::50\/128 -d fd00:20::\/64 .*--dport 502/);
  });
});

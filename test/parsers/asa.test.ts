import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAsa } from '../../src/parsers/asa/parse.ts';
import { CORPUS } from '../helpers/paths.ts';
import { addr, nums, term, corpusShare } from './helpers.ts';
import type { FirewallConfig } from '../../src/parsers/acl.ts';

const rules = (cfg: FirewallConfig, acl: string) => cfg.acls.get(acl)!.rules.map((r) => `${r.source.line} ${r.action}${r.inactive ? ' inactive' : ''}: ${r.terms.map(term).join(' | ')}`);

const CONFIG = `ASA Version 9.16(4)
hostname fw1
name 10.9.9.9 jump-host description the jump host
interface GigabitEthernet1/1
 nameif inside
 ip address 10.1.0.1 255.255.0.0
interface GigabitEthernet1/2
 nameif outside
 security-level 0
 ip address 192.0.2.1 255.255.255.0 standby 192.0.2.2
interface GigabitEthernet1/3
 shutdown
 no nameif
object network web
 host 10.1.0.80
object network lan
 subnet 10.1.0.0 255.255.0.0
object network pool
 range 10.1.5.10 10.1.5.20
object network cloud
 fqdn www.example.com
object network v6net
 subnet 2001:db8::/64
object service https-from-high
 service tcp source gt 1023 destination eq https
object-group network inner
 network-object host 10.1.0.7
 network-object object web
object-group network outer
 network-object 10.2.0.0 255.255.255.0
 group-object inner
object-group service web-ports tcp
 port-object eq www
 port-object range 8080 8081
object-group service mixed
 service-object udp destination eq snmp
 service-object icmp echo
 service-object object https-from-high
object-group protocol tcpudp
 protocol-object tcp
 protocol-object udp
object-group protocol l4
 group-object tcpudp
object-group icmp-type pings
 icmp-object echo
 icmp-object echo-reply
access-list in remark the forms of addresses
access-list in extended permit ip any any4
access-list in extended permit ip any6 host jump-host
access-list in extended permit tcp 10.1.0.0 255.255.255.0 object web eq https
access-list in extended permit tcp object-group outer object pool object-group web-ports
access-list in extended deny object-group l4 interface outside any
access-list in extended permit object-group mixed object lan any
access-list in extended permit icmp any any object-group pings
access-list in extended permit icmp any any unreachable
access-list in extended permit tcp any eq 53 any neq 22
access-list in extended permit udp any any lt 10
access-list in extended permit udp any any gt 65530 log 6 interval 300
access-list in extended permit object https-from-high object v6net any inactive
access-list in extended permit tcp any object cloud eq 80
access-list in extended permit tcp any any time-range office-hours
access-list in extended permit object-group tcpudp any any eq domain
access-list out extended deny ip any any
access-list unused extended permit ip any any
access-group in in interface inside
access-group out out interface outside
access-group in global
same-security-traffic permit inter-interface
crypto ikev2 enable outside
 some child line
route outside 0.0.0.0 0.0.0.0 192.0.2.254 1
frobnicate the firewall
`;

test('ASA: every address, port, object and group form becomes the right terms', () => {
  const cfg = parseAsa(CONFIG, 'fw1.cfg');
  assert.equal(cfg.hostname, 'fw1');
  assert.deepEqual(
    cfg.interfaces.map((i) => `${i.name} ${i.nameif ?? '-'} ${i.securityLevel ?? '-'} ${addr(i.addresses)} host ${addr(i.hosts)}${i.shutdown ? ' shutdown' : ''}`),
    [
      'GigabitEthernet1/1 inside 100 10.1.0.0-10.1.255.255 host 10.1.0.1',
      'GigabitEthernet1/2 outside 0 192.0.2.0-192.0.2.255 host 192.0.2.1,192.0.2.2',
      'GigabitEthernet1/3 - - any host  shutdown',
    ].map((s) => s.replace('any host  shutdown', ' host  shutdown')),
  );
  assert.deepEqual(rules(cfg, 'in'), [
    '48 permit: any > 0.0.0.0-255.255.255.255 p=any sp=any dp=any',
    '49 permit: ::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff > 10.9.9.9 p=any sp=any dp=any',
    '50 permit: 10.1.0.0-10.1.0.255 > 10.1.0.80 p=6 sp=any dp=443',
    '51 permit: 10.2.0.0-10.2.0.255,10.1.0.7,10.1.0.80 > 10.1.5.10-10.1.5.20 p=6 sp=any dp=80,8080-8081',
    '52 deny: 192.0.2.1,192.0.2.2 > any p=6,17 sp=any dp=any',
    '53 permit: 10.1.0.0-10.1.255.255 > any p=17 sp=any dp=161 | 10.1.0.0-10.1.255.255 > any p=1 sp=any dp=8 | 10.1.0.0-10.1.255.255 > any p=6 sp=1024-65535 dp=443',
    '54 permit: any > any p=1 sp=any dp=8,0',
    '55 permit: any > any p=1 sp=any dp=3',
    '56 permit: any > any p=6 sp=53 dp=0-21,23-65535',
    '57 permit: any > any p=17 sp=any dp=0-9',
    '58 permit: any > any p=17 sp=any dp=65531-65535',
    '59 permit inactive: 2001:db8::-2001:db8::ffff:ffff:ffff:ffff > any p=6 sp=1024-65535 dp=443',
    '62 permit: any > any p=6,17 sp=any dp=53',
  ]);
  assert.deepEqual(rules(cfg, 'out'), ['63 deny: any > any p=any sp=any dp=any']);
  assert.equal(cfg.ingress.get('inside'), 'in');
  assert.equal(cfg.egress.get('outside'), 'out');
  assert.equal(cfg.global, 'in');
  assert.equal(cfg.sameSecurityInter, true);
  // Not modelled, and said so with the line: FQDN objects, time ranges, unknown commands.
  assert.deepEqual(
    cfg.unparsed.map((u) => `${u.line} ${u.reason}`),
    [
      '60 network object "cloud" is an FQDN, which cannot be resolved offline',
      '61 time-range rules are active only part of the time; not modelled',
      '72 unknown command "frobnicate"',
    ],
  );
  assert.equal(cfg.stats.unparsed, 3);
  assert.equal(cfg.stats.lines, CONFIG.trim().split('\n').length);
});

test('ASA: group cycles and undefined references are reported on the ACE, not a crash', () => {
  const cfg = parseAsa(
    ['object-group network a', ' group-object b', 'object-group network b', ' group-object a', 'access-list x extended permit ip object-group a any', 'access-list x extended permit ip object-group nope any', 'access-list x extended permit tcp any any eq nosuchport'].join('\n'),
    'c.cfg',
  );
  assert.deepEqual(cfg.unparsed.map((u) => `${u.line} ${u.reason}`), [
    '5 object-group "a" contains itself',
    '6 network object-group "nope" is not defined',
    '7 unknown port "nosuchport" for tcp',
  ]);
});

test('ASA corpus: every file parses without error and nearly every line is understood', () => {
  // Third-party configurations: ../shared/corpus/fwconfig/asa/*.cfg (Batfish test configs; see FWCONFIG-SOURCES.md).
  const dir = join(CORPUS, 'fwconfig/asa');
  const { understood, lines, share } = corpusShare('asa', parseAsa);
  assert.ok(share > 0.97, `understood ${understood}/${lines}`);
  // Nested groups from the corpus resolve through every level.
  const nestedText = readFileSync(join(dir, 'asa-nested-service-object-group.cfg'), 'utf8') + '\nobject-group service all\n group-object service1\n group-object service2\n group-object service3\naccess-list t extended permit object-group all any any\n';
  const nested = parseAsa(nestedText, 'n.cfg');
  const svcs = nested.acls.get('t')!.rules[0].terms.map((t) => `${nums(t.protos)}/${nums(t.sports)}/${nums(t.dports)}`).sort();
  assert.deepEqual(svcs, ['17/any/1234,2345', '6,17/any/53', '6/any/2345-2445']);
  const levels = parseAsa(readFileSync(join(dir, 'asa-security-level.cfg'), 'utf8'), 'l.cfg');
  assert.deepEqual(levels.interfaces.map((i) => `${i.nameif}=${i.securityLevel}`), ['all-trust=100', 'inside=100', 'some-trust=45', 'outside=1']);
});

/**
 * `createVerifier(...).editRule` against a full verify: after every edit of a random sequence on random small
 * ACLs (a Linux forward filter with one or two chains, an ASA with interface, egress and global ACLs), the
 * incremental result must be the very document `verifyConfigs` gives for the edited configs — same findings,
 * same order, same matrix. An edit the verifier declines (null: the rule expands to another number of boxes,
 * or the edit reaches beyond the rule) is applied to the config and the verifier built anew, as documented.
 * fast-check prints the seed and the shrunk case on failure.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { loadModelText } from '../../src/model/load.ts';
import { compilePolicy } from '../../src/policy/ir.ts';
import { createVerifier, verifyConfigs, type Verifier } from '../../src/analysis/verify.ts';
import { emptyConfig, type AclRule, type AddrRange, type FirewallConfig, type NumRange, type Term } from '../../src/parsers/acl.ts';

const MODEL = `
facility: incremental
zones:
  - { zone_id: ZA, name: a, purdue_level: 1, security_level_target: 2, subnets: ["10.1.0.0/16"], assets: [ { id: PLC, name: plc, role: plc, ip: "10.1.0.5" } ] }
  - { zone_id: ZB, name: b, purdue_level: 2, security_level_target: 2, subnets: ["10.2.0.0/16"] }
  - { zone_id: ZC, name: c, purdue_level: 3, security_level_target: 2, subnets: ["10.3.0.0/16", "10.4.0.0/24"] }
conduits:
  - { conduit_id: C-AB, name: ab, connects: [ZB, ZA], protocols_allowed: [ { protocol: modbus, from: ZB, to: PLC, function_codes: [3] }, { protocol: tcp, port: 22, from: ZB, to: ZA } ] }
  - { conduit_id: C-BC, name: bc, connects: [ZB, ZC], protocols_allowed: [ { protocol: tcp, port: 443, from: ZC, to: ZB }, { protocol: udp, port: 161, from: ZB, to: ZC } ] }
`;

const v4 = (s: string, len = 32): AddrRange => {
  const v = s.split('.').reduce((a, x) => (a << 8n) | BigInt(x), 0n);
  const host = (1n << BigInt(32 - len)) - 1n;
  return { family: 4, lo: v & ~host, hi: (v & ~host) | host };
};
/** Hosts, subnets and wider ranges across the zones, a gap (in no zone), and any. */
const ADDRS: (AddrRange[] | null)[] = [
  null,
  [v4('10.1.0.5')],
  [v4('10.1.0.6')],
  [v4('10.1.0.0', 24)],
  [v4('10.1.0.0', 16)],
  [v4('10.1.0.0', 17)],
  [v4('10.1.128.0', 17)],
  [v4('10.2.0.7')],
  [v4('10.2.0.0', 16)],
  [v4('10.2.0.0', 24)],
  [v4('10.3.0.9')],
  [v4('10.3.0.0', 16)],
  [v4('10.4.0.0', 24)],
  [v4('10.9.0.1')],
  [v4('10.0.0.0', 8)],
  [v4('10.1.0.5'), v4('10.2.0.7')],
];
const PROTOS: (NumRange[] | null)[] = [null, [[6, 6]], [[17, 17]], [[6, 6]], [[6, 6], [17, 17]]];
const PORTS: (NumRange[] | null)[] = [null, [[22, 22]], [[502, 502]], [[443, 443]], [[161, 161]], [[500, 510]], [[0, 1000]], [[400, 600]], [[0, 499]], [[500, 65535]]];

const term = fc.record({
  src: fc.constantFrom(...ADDRS),
  dst: fc.constantFrom(...ADDRS),
  protos: fc.constantFrom(...PROTOS),
  sports: fc.constantFrom<NumRange[] | null>(null, null, null, [[1024, 65535]]),
  dports: fc.constantFrom(...PORTS),
}) as fc.Arbitrary<Term>;
const ruleSpec = fc.record({
  permit: fc.boolean(),
  terms: fc.oneof({ weight: 6, arbitrary: fc.array(term, { minLength: 1, maxLength: 1 }) }, { weight: 1, arbitrary: fc.array(term, { minLength: 2, maxLength: 2 }) }),
  inactive: fc.constantFrom(false, false, false, false, false, true),
  line: fc.integer({ min: 1, max: 40 }),
});
type RuleSpec = { permit: boolean; terms: Term[]; inactive: boolean; line: number };
const toRule = (file: string, s: RuleSpec): AclRule => ({
  action: s.permit ? 'permit' : 'deny',
  terms: s.terms,
  source: { file, line: s.line, text: `rule at ${s.line}` },
  ...(s.inactive ? { inactive: true } : {}),
});

/** Linux: FORWARD, and sometimes a second forward base chain; default accept or drop. */
function linux(chains: RuleSpec[][], permitDefault: boolean): FirewallConfig {
  const cfg = emptyConfig('iptables', 'fw.rules');
  const names = chains.map((_, i) => (i === 0 ? 'FORWARD' : 'FORWARD2'));
  chains.forEach((rules, i) => cfg.acls.set(names[i], { name: names[i], rules: rules.map((r) => toRule(cfg.file, r)), defaultAction: i === 0 && permitDefault ? 'permit' : 'deny' }));
  cfg.forward = 'FORWARD';
  if (names.length > 1) cfg.forwardChain = names;
  return cfg;
}

/** ASA: three interfaces, an ingress ACL on two of them, an egress ACL, a global ACL, and one ACL not applied. */
function asa(acls: RuleSpec[][]): FirewallConfig {
  const cfg = emptyConfig('asa', 'fw.cfg');
  cfg.hostname = 'FW1';
  const itf = (name: string, nameif: string, level: number, ip: string) => ({ name, nameif, securityLevel: level, addresses: [v4(ip, 16)], hosts: [v4(ip)] });
  cfg.interfaces.push(itf('Gi0/0', 'za', 100, '10.1.0.1'), itf('Gi0/1', 'zb', 50, '10.2.0.1'), itf('Gi0/2', 'zc', 50, '10.3.0.1'));
  const names = ['za_in', 'zb_in', 'zc_out', 'global_acl', 'spare'];
  acls.forEach((rules, i) => cfg.acls.set(names[i], { name: names[i], rules: rules.map((r) => toRule(cfg.file, r)), defaultAction: 'deny' }));
  cfg.ingress.set('za', 'za_in');
  cfg.ingress.set('zb', 'zb_in');
  cfg.egress.set('zc', 'zc_out');
  cfg.global = 'global_acl';
  return cfg;
}

/** Dense: few addresses, so rules overlap, shadow one another and start or stop deciding packets. */
const denseTerm = fc.record({
  src: fc.constantFrom<AddrRange[] | null>(null, [v4('10.2.0.0', 16)], [v4('10.2.0.7')]),
  dst: fc.constantFrom<AddrRange[] | null>([v4('10.1.0.5')], [v4('10.1.0.5')], [v4('10.1.0.0', 16)], null),
  protos: fc.constantFrom<NumRange[] | null>([[6, 6]], [[6, 6]], null),
  sports: fc.constant(null),
  dports: fc.constantFrom(...PORTS),
}) as fc.Arbitrary<Term>;
const denseRule = fc.record({ permit: fc.boolean(), terms: fc.array(denseTerm, { minLength: 1, maxLength: 1 }), inactive: fc.constant(false), line: fc.integer({ min: 1, max: 40 }) });

const edit = fc.record({ acl: fc.nat(), index: fc.nat(), rule: ruleSpec });

function check(model: ReturnType<typeof loadModelText>['model'] & object, configs: FirewallConfig[], edits: { acl: number; index: number; rule: RuleSpec }[]): void {
  const ir = compilePolicy(model);
  let v: Verifier = createVerifier(model, ir, configs);
  const aclsOf = configs.flatMap((c) => [...c.acls.values()].filter((a) => a.rules.length > 0).map((a) => ({ cfg: c, acl: a })));
  if (aclsOf.length === 0) return;
  for (const e of edits) {
    const { cfg, acl } = aclsOf[e.acl % aclsOf.length];
    const index = e.index % acl.rules.length;
    const rule = toRule(cfg.file, e.rule);
    const r = v.editRule(cfg.file, acl.name, index, rule);
    if (r === null) {
      acl.rules[index] = rule;
      v = createVerifier(model, ir, configs);
    }
    assert.equal(JSON.stringify(v.result()), JSON.stringify(verifyConfigs(model, ir, configs)));
  }
}

const model = loadModelText(MODEL, 'incremental.yaml').model!;

test('Linux forward filter: the result after random edits equals a full verify (findings, order, matrix)', () => {
  fc.assert(
    fc.property(fc.array(fc.array(ruleSpec, { minLength: 1, maxLength: 14 }), { minLength: 1, maxLength: 2 }), fc.boolean(), fc.array(edit, { minLength: 1, maxLength: 6 }), (chains, dflt, edits) => {
      check(model, [linux(chains, dflt)], edits);
    }),
    { numRuns: 150 },
  );
});

test('dense overlapping rules: the result after random edits equals a full verify', () => {
  fc.assert(
    fc.property(fc.array(denseRule, { minLength: 2, maxLength: 10 }), fc.boolean(), fc.array(fc.record({ acl: fc.constant(0), index: fc.nat(), rule: denseRule }), { minLength: 1, maxLength: 6 }), (rules, dflt, edits) => {
      check(model, [linux([rules], dflt)], edits);
    }),
    { numRuns: 200 },
  );
});

test('ASA interface, egress and global ACLs (one rule in several engines): the result after random edits equals a full verify', () => {
  fc.assert(
    fc.property(fc.array(fc.array(ruleSpec, { minLength: 1, maxLength: 8 }), { minLength: 5, maxLength: 5 }), fc.array(edit, { minLength: 1, maxLength: 6 }), (acls, edits) => {
      check(model, [asa(acls)], edits);
    }),
    { numRuns: 100 },
  );
});

test('two configurations together: edits to either keep the result equal to a full verify', () => {
  fc.assert(
    fc.property(fc.array(fc.array(ruleSpec, { minLength: 1, maxLength: 8 }), { minLength: 5, maxLength: 5 }), fc.array(ruleSpec, { minLength: 1, maxLength: 10 }), fc.array(edit, { minLength: 1, maxLength: 6 }), (acls, fwd, edits) => {
      check(model, [asa(acls), linux([fwd], false)], edits);
    }),
    { numRuns: 60 },
  );
});

test('a rule object shared by two ACLs, or an edit that changes its number of boxes, asks for a new verifier', () => {
  const cfg = linux([[{ permit: true, terms: [{ src: null, dst: [v4('10.1.0.5')], protos: [[6, 6]], sports: null, dports: [[22, 22]] }], inactive: false, line: 1 }]], false);
  const acl = cfg.acls.get('FORWARD')!;
  const v = createVerifier(model, compilePolicy(model), [cfg]);
  const two = { ...acl.rules[0], terms: [...acl.rules[0].terms, ...acl.rules[0].terms] };
  assert.equal(v.editRule('fw.rules', 'FORWARD', 0, two), null);
  cfg.acls.set('OTHER', { name: 'OTHER', rules: [acl.rules[0]], defaultAction: 'deny' });
  const w = createVerifier(model, compilePolicy(model), [cfg]);
  assert.equal(w.editRule('fw.rules', 'FORWARD', 0, { ...acl.rules[0], action: 'deny' }), null);
});

const spec = (line: number, permit: boolean, dst: AddrRange, dports: NumRange | null): RuleSpec => ({ permit, terms: [{ src: null, dst: [dst], protos: [[6, 6]], sports: null, dports: dports && [dports] }], inactive: false, line });

test('a line that starts deciding packets appears in the message of a shadowed rule the edit does not overlap', () => {
  // Line 3 is shadowed by lines 1 and 2; line 4 by line 2 alone (line 3 decides nothing). Moving line 1
  // elsewhere lets line 3 decide ports 0-499, so line 4's message names lines 2 and 3 — though line 4
  // overlaps neither the old nor the new line 1.
  const host = v4('10.1.0.5');
  const cfg = linux([[spec(1, false, host, [0, 499]), spec(2, false, host, [500, 65535]), spec(3, false, host, null), spec(4, true, host, [500, 510])]], false);
  const ir = compilePolicy(model);
  const v = createVerifier(model, ir, [cfg]);
  const shadowMessage = () => v.result().findings.find((f) => f.kind === 'shadowed-rule' && f.rule?.line === 4)?.message;
  assert.match(shadowMessage()!, /line 2 above matches/);
  assert.notEqual(v.editRule('fw.rules', 'FORWARD', 0, toRule('fw.rules', spec(1, false, v4('10.2.0.7'), [0, 499]))), null);
  assert.match(shadowMessage()!, /lines 2, 3 above match/);
  assert.equal(JSON.stringify(v.result()), JSON.stringify(verifyConfigs(model, ir, [cfg])));
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  ADDR_MAX,
  AddressCoder,
  PacketSet,
  V4_MAX,
  boxSubtract,
  describeBox,
  describeSet,
  examplePacket,
  firstMatch,
  fullBox,
  mergeBoxes,
  type Box,
  type MatchRule,
} from '../../src/net/space.ts';
import { AclEngine, cellsFrom } from '../../src/analysis/engine.ts';

// Small coordinates make random rules overlap a lot; the algebra is the same at full width.
const SMALL = 12;
const range = fc.tuple(fc.integer({ min: 0, max: SMALL }), fc.integer({ min: 0, max: SMALL })).map(([a, b]) => [Math.min(a, b), Math.max(a, b)] as [number, number]);
const smallBox = fc.tuple(range, range, range, range, range).map((r) => r.flat() as Box);
const region: Box = [0, SMALL, 0, SMALL, 0, SMALL, 0, SMALL, 0, SMALL];
const point = fc.tuple(...Array.from({ length: 5 }, () => fc.integer({ min: 0, max: SMALL })));
const inBox = (b: Box, p: number[]) => p.every((v, d) => b[2 * d] <= v && v <= b[2 * d + 1]);

/** Reference first-match: the first rule containing the point decides. */
function decide(rules: MatchRule[], p: number[], dflt: boolean): { rule: number; permit: boolean } {
  for (let i = 0; i < rules.length; i++) if (inBox(rules[i].box, p)) return { rule: i, permit: rules[i].permit };
  return { rule: -1, permit: dflt };
}

test('firstMatch partitions the region and every leaf agrees with rule-by-rule evaluation', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(smallBox, fc.boolean()), { maxLength: 12 }), fc.boolean(), fc.array(point, { minLength: 30, maxLength: 30 }), (rs, dflt, pts) => {
      const rules: MatchRule[] = rs.map(([box, permit], origin) => ({ box, permit, origin }));
      const leaves = firstMatch(region, rules, rules.map((_, i) => i), dflt);
      for (const p of pts) {
        const hits = leaves.filter((l) => inBox(l.box, p));
        assert.equal(hits.length, 1, 'exactly one leaf holds each point');
        const want = decide(rules, p, dflt);
        assert.equal(hits[0].permit, want.permit);
        assert.equal(hits[0].rule, want.rule);
      }
      // Volumes add up to the region: disjoint and covering.
      const vol = leaves.reduce((s, l) => s + new PacketSet([l.box]).volume(), 0);
      assert.equal(vol, 13 ** 5);
    }),
    { numRuns: 300 },
  );
});

test('a rule that decides no leaf is covered by earlier rules, and one that decides a leaf is not', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(smallBox, fc.boolean()), { minLength: 1, maxLength: 8 }), (rs) => {
      const rules: MatchRule[] = rs.map(([box, permit], origin) => ({ box, permit, origin }));
      const leaves = firstMatch(region, rules, rules.map((_, i) => i), false);
      for (let k = 0; k < rules.length; k++) {
        const decides = leaves.some((l) => l.rule === k);
        const earlier = new PacketSet(rules.slice(0, k).map((r) => r.box));
        const rest = new PacketSet([rules[k].box]).subtract(earlier);
        assert.equal(decides, !rest.isEmpty(), `rule ${k}`);
      }
    }),
    { numRuns: 300 },
  );
});

test('set operations: subtract, intersect, union and merge keep exactly the right points', () => {
  fc.assert(
    fc.property(fc.array(smallBox, { maxLength: 5 }), fc.array(smallBox, { maxLength: 5 }), fc.array(point, { minLength: 40, maxLength: 40 }), (as, bs, pts) => {
      const A = PacketSet.of(...as);
      const B = PacketSet.of(...bs);
      const inA = (p: number[]) => as.some((b) => inBox(b, p));
      const inB = (p: number[]) => bs.some((b) => inBox(b, p));
      const diff = A.subtract(B);
      const inter = A.intersect(B);
      const uni = A.union(B);
      const merged = uni.normalize();
      for (const p of pts) {
        assert.equal(diff.contains(p), inA(p) && !inB(p));
        assert.equal(inter.contains(p), inA(p) && inB(p));
        assert.equal(uni.contains(p), inA(p) || inB(p));
        assert.equal(merged.contains(p), inA(p) || inB(p));
      }
      assert.equal(merged.volume(), uni.volume(), 'merging keeps boxes disjoint');
    }),
    { numRuns: 300 },
  );
});

test('boxSubtract returns disjoint pieces of a outside b', () => {
  const a: Box = [0, 9, 0, 9, 0, 9, 0, 9, 0, 9];
  const b: Box = [3, 4, 3, 4, 3, 4, 3, 4, 3, 4];
  const pieces = boxSubtract(a, b);
  assert.equal(pieces.length, 10);
  assert.equal(new PacketSet(pieces).volume(), 10 ** 5 - 2 ** 5);
});

test('mergeBoxes joins neighbours into one box and sorts deterministically', () => {
  const b = (lo: number, hi: number): Box => [0, 0, 0, 0, 6, 6, 0, 65535, lo, hi];
  assert.deepEqual(mergeBoxes([b(444, 1000), b(0, 442), b(443, 443)]), [b(0, 1000)]);
});

test('the address coder keeps IPv6 exact and apart from IPv4', () => {
  const c = new AddressCoder();
  const p = 0x20010db8n << 96n;
  c.addV6(p, p + (1n << 64n) - 1n);
  c.addV6(p + 5n, p + 5n);
  c.freeze();
  const [lo, hi] = c.encode(6, p, p + (1n << 64n) - 1n);
  const [h] = c.encode(6, p + 5n, p + 5n);
  assert.ok(lo > V4_MAX && lo < h && h < hi);
  assert.equal(c.formatAddress(h), '2001:db8::5');
  assert.equal(describeBox(c, [lo, hi, 10, 10, 6, 6, 0, 65535, 443, 443]), 'tcp 2001:db8::/64 -> 0.0.0.10 dport 443');
  assert.deepEqual(c.v6All(), [V4_MAX + 1, ADDR_MAX]);
  assert.throws(() => c.encode(6, p + 1n, p + 2n), /not registered/);
});

test('descriptions and examples read like firewall rules', () => {
  const c = new AddressCoder();
  const ip = (s: string) => s.split('.').reduce((v, o) => v * 256 + Number(o), 0);
  const box: Box = [ip('10.40.0.0'), ip('10.40.255.255'), ip('172.16.1.70'), ip('172.16.1.70'), 6, 6, 0, 65535, 3389, 3390];
  assert.equal(describeSet(c, [box]), 'tcp 10.40.0.0/16 -> 172.16.1.70 dport 3389-3390');
  assert.deepEqual(examplePacket(c, box, [ip('10.40.3.7')]), { src: '10.40.3.7', dst: '172.16.1.70', protocol: 'tcp', src_port: 40000, dst_port: 3389 });
  assert.equal(describeSet(c, []), 'nothing');
  assert.equal(describeSet(c, [fullBox()]), 'ip any -> any');
});

test('AclEngine: editing one rule re-evaluates only the cell pairs it touches and matches a fresh evaluation', () => {
  const cells = cellsFrom([
    { lo: 100, hi: 199, zone: 'A' },
    { lo: 200, hi: 299, zone: 'B' },
    { lo: 400, hi: 499, zone: 'C' },
  ]);
  const r = (s: [number, number], d: [number, number], port: number, permit: boolean): MatchRule => ({ box: [s[0], s[1], d[0], d[1], 6, 6, 0, 65535, port, port], permit, origin: 0 });
  const rules = [r([100, 150], [200, 210], 80, true), r([0, ADDR_MAX], [400, 499], 22, false), r([100, 199], [400, 499], 22, true), r([200, 299], [100, 199], 443, true)];
  const e = new AclEngine(cells, rules.slice(), false);
  e.evaluate();
  assert.equal(e.decides(2), false, 'rule 2 is shadowed by the broader deny above it');
  const touched = e.replaceRule(1, r([200, 299], [400, 499], 22, false));
  assert.ok(touched.length < cells.length * cells.length);
  assert.equal(e.decides(2), true, 'after narrowing the deny, rule 2 decides packets');
  const fresh = new AclEngine(cells, e.rules.slice(), false);
  fresh.evaluate();
  for (let k = 0; k < rules.length; k++) assert.ok(new PacketSet(e.pieces[k]).equals(new PacketSet(fresh.pieces[k])), `rule ${k}`);
  for (let key = 0; key < cells.length ** 2; key++) {
    const a = new PacketSet(e.permitsIn(key).map((l) => l.box));
    const b = new PacketSet(fresh.permitsIn(key).map((l) => l.box));
    assert.ok(a.equals(b));
  }
});

test('AclEngine agrees with rule-by-rule first match on random ACLs over random cells, with either default', () => {
  const addrRange = fc.tuple(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 40 })).map(([a, b]) => [Math.min(a, b), Math.max(a, b)] as [number, number]);
  const ruleArb = fc.tuple(addrRange, addrRange, range, range, range, fc.boolean()).map(([s, d, p, sp, dp, permit]) => ({ box: [...s, ...d, ...p, ...sp, ...dp] as Box, permit }));
  fc.assert(
    fc.property(fc.array(ruleArb, { maxLength: 10 }), fc.boolean(), fc.array(fc.tuple(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: SMALL }), fc.integer({ min: 0, max: SMALL }), fc.integer({ min: 0, max: SMALL })), { minLength: 30, maxLength: 30 }), (rs, dflt, pts) => {
      const rules: MatchRule[] = rs.map((r, origin) => ({ ...r, origin }));
      const cells = cellsFrom([{ lo: 5, hi: 12, zone: 'A' }, { lo: 13, hi: 20, zone: 'B' }, { lo: 30, hi: 35, zone: 'C' }]);
      const e = new AclEngine(cells, rules, dflt);
      e.evaluate();
      for (const p of pts) {
        const want = decide(rules, p, dflt);
        assert.equal(e.ruleAt(p), want.rule);
        const key = cells.findIndex((c) => c.lo <= p[0] && p[0] <= c.hi) * cells.length + cells.findIndex((c) => c.lo <= p[1] && p[1] <= c.hi);
        assert.equal(e.permitsIn(key).some((l) => inBox(l.box, p)), want.permit);
        if (want.rule >= 0) assert.ok(e.pieces[want.rule].some((b) => inBox(b, p)), 'the deciding rule holds the point');
      }
      for (let k = 0; k < rules.length; k++) {
        const rest = new PacketSet([rules[k].box]).subtract(new PacketSet(rules.slice(0, k).map((r) => r.box)));
        assert.equal(e.decides(k), !rest.isEmpty());
      }
    }),
    { numRuns: 300 },
  );
});

/**
 * The columnar flow table against a plain reference aggregation (objects and string keys), and the code
 * counter's inline first-code slots against a Map: same sums whatever the order, the merge and the transfer.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { FlowTable, NO_MAP } from '../../src/capture/flow-table.ts';
import { CodeCounter } from '../../src/capture/conn-table.ts';
import { emptyObservation, type Observation } from '../../src/capture/observation.ts';

const arbObservation = fc
  .record({
    src: fc.constantFrom('10.0.0.1', '10.0.0.2', 'fe80::1', '192.168.1.9'),
    dst: fc.constantFrom('10.0.0.3', '10.0.0.4', 'fe80::2'),
    transport: fc.constantFrom('tcp', 'udp', 'icmp', 'other') as fc.Arbitrary<Observation['transport']>,
    dstPort: fc.constantFrom(0, 502, 20000, 65535),
    protocol: fc.constantFrom('unknown', 'modbus', 'dnp3'),
    packetsOut: fc.nat(1000),
    packetsIn: fc.nat(1000),
    bytesOut: fc.nat(100000),
    bytesIn: fc.nat(100000),
    first: fc.oneof(fc.constant(NaN), fc.integer({ min: 0, max: 1e12 })),
    span: fc.nat(1e6),
    connections: fc.integer({ min: 1, max: 5 }),
    requestCodes: fc.dictionary(fc.constantFrom('1', '3', '6', '16', '131'), fc.integer({ min: 1, max: 50 }), { maxKeys: 3 }),
    appCodes: fc.dictionary(fc.constantFrom('job:read-var', 'security:none', 'weird,name:x'), fc.integer({ min: 1, max: 9 }), { maxKeys: 2 }),
    action: fc.constantFrom(undefined, 'allowed', 'denied') as fc.Arbitrary<Observation['action']>,
    file: fc.constantFrom('a.pcap', 'b.log'),
  })
  .map((r) => {
    const o = emptyObservation({ family: r.src.includes(':') ? 6 : 4, src: r.src, dst: r.dst, transport: r.transport, ipProto: 6, srcPort: 1234, dstPort: r.dstPort, file: r.file });
    Object.assign(o, {
      protocol: r.protocol,
      packetsOut: r.packetsOut,
      packetsIn: r.packetsIn,
      bytesOut: r.bytesOut,
      bytesIn: r.bytesIn,
      first: r.first,
      last: Number.isNaN(r.first) ? NaN : r.first + r.span,
      connections: r.connections,
      requestCodes: Object.fromEntries(Object.entries(r.requestCodes).map(([k, v]) => [Number(k), v])),
      appCodes: r.appCodes,
    });
    if (r.action) o.action = r.action;
    return o;
  });

/** The aggregation the table must match, written the obvious way. */
function reference(obs: Observation[]) {
  const m = new Map<string, { protocol: string; packets: number; bytes: number; back: number; first: number; last: number; connections: number; req: Record<string, number>; app: Record<string, number>; fwA: number; fwD: number; evidence: string }>();
  for (const o of obs) {
    const k = `${o.src}|${o.dst}|${o.transport}|${o.dstPort}`;
    let f = m.get(k);
    if (!f) m.set(k, (f = { protocol: o.protocol, packets: 0, bytes: 0, back: 0, first: NaN, last: NaN, connections: 0, req: {}, app: {}, fwA: 0, fwD: 0, evidence: o.file }));
    if (f.protocol === 'unknown') f.protocol = o.protocol;
    f.packets += o.packetsOut + o.packetsIn;
    f.bytes += o.bytesOut + o.bytesIn;
    f.back += o.bytesIn;
    if (!Number.isNaN(o.first) && !(f.first <= o.first)) f.first = o.first;
    if (!Number.isNaN(o.last) && !(f.last >= o.last)) f.last = o.last;
    f.connections += o.connections;
    for (const [c, n] of Object.entries(o.requestCodes)) f.req[c] = (f.req[c] ?? 0) + n;
    for (const [c, n] of Object.entries(o.appCodes)) f.app[c] = (f.app[c] ?? 0) + n;
    if (o.action === 'allowed') f.fwA += o.connections;
    if (o.action === 'denied') f.fwD += o.connections;
  }
  return m;
}

function sortedEntries(m: Readonly<Record<string, number>>): [string, number][] {
  return Object.entries(m).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function assertMatches(t: FlowTable, ref: ReturnType<typeof reference>) {
  assert.equal(t.size, ref.size);
  for (const f of t.records()) {
    const r = ref.get(`${f.src}|${f.dst}|${f.transport}|${f.dstPort}`);
    assert.ok(r, `unexpected flow ${f.src} -> ${f.dst}`);
    assert.equal(f.protocol, r.protocol);
    assert.equal(f.packets, r.packets);
    assert.equal(f.bytes, r.bytes);
    assert.equal(f.bytesBack, r.back);
    assert.ok(Object.is(f.first, r.first) && Object.is(f.last, r.last), `first/last ${f.first}/${f.last} vs ${r.first}/${r.last}`);
    assert.equal(f.connections, r.connections);
    assert.deepEqual(sortedEntries(f.requestCodes), sortedEntries(r.req));
    assert.deepEqual(sortedEntries(f.appCodes), sortedEntries(r.app));
    assert.equal(f.fwAllowed, r.fwA);
    assert.equal(f.fwDenied, r.fwD);
    assert.equal(f.evidence, r.evidence);
  }
}

test('flow table: observations aggregate as the reference does, in any order, from any starting capacity', () => {
  fc.assert(
    fc.property(fc.array(arbObservation, { maxLength: 60, size: 'max' }), fc.integer({ min: 1, max: 40 }), (obs, capacity) => {
      // Capacities that are not powers of two (a table sized to a capture's conversation count) must grow too.
      const t = new FlowTable(capacity);
      for (const o of obs) t.addObservation(o);
      assertMatches(t, reference(obs));
    }),
    { numRuns: 300 },
  );
});

test('flow table: equal code maps are one interned object; the empty map is id 0; rows grow past the initial size', () => {
  const t = new FlowTable(16);
  const obs = Array.from({ length: 5000 }, (_, i) =>
    Object.assign(emptyObservation({ family: 4, src: `10.1.${i >> 8}.${i & 255}`, dst: '10.2.0.1', transport: 'tcp', ipProto: 6, srcPort: 40000, dstPort: 502, file: 'x' }), {
      protocol: 'modbus',
      requestCodes: { 3: 1 },
      packetsOut: 2,
    }),
  );
  for (const o of obs) t.addObservation(o);
  assert.equal(t.size, 5000);
  const ids = new Set(Array.from(t.requestCodes.subarray(0, t.size)));
  assert.equal(ids.size, 1, 'one shared map for 5000 flows with {3: 1}');
  assert.equal(t.responseCodes[0], NO_MAP);
  assert.deepEqual({ ...t.maps[[...ids][0]] }, { 3: 1 });
  assert.ok(Object.isFrozen(t.maps[[...ids][0]]));
  assert.equal(t.record(4999).src, '10.1.19.135');
});

test('code counter: inline first codes and the hashed rest give the sums a Map gives', () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.nat(300), fc.nat(1), fc.constantFrom(1, 3, 4, 6, 16, 0x83, 0xffff, 0x10203), fc.integer({ min: 1, max: 3 })), { maxLength: 400, size: 'max' }),
      (adds) => {
        const c = new CodeCounter(4);
        const ref = new Map<string, number>();
        for (const [e, d, code, n] of adds) {
          c.add(e, d, code, n);
          const k = `${e}/${d}/${code}`;
          ref.set(k, (ref.get(k) ?? 0) + n);
        }
        const got = new Map<string, number>();
        c.forEach((e, d, code, n) => {
          const k = `${e}/${d}/${code}`;
          assert.ok(!got.has(k), `counter ${k} reported twice`);
          got.set(k, n);
        });
        assert.deepEqual([...got].sort(), [...ref].sort());
        assert.equal(c.size, ref.size);
      },
    ),
    { numRuns: 300 },
  );
});

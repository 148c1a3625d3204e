/**
 * Inputs for the dashboard tests: result files in the JSON shapes of /work/shared/spec/CLI.md for the example
 * model, a 40-zone model, 100,000 baseline flows, and a model full of hostile names.
 * The verify finding's config line is a real line of a third-party ASA config from the corpus
 * (fwconfig/asa/asa-filters.cfg, Batfish tests, Apache-2.0), read at test time — never edited.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CORPUS } from '../helpers/paths.ts';

export const ASA_CORPUS_FILE = join(CORPUS, 'fwconfig/asa/asa-filters.cfg');
/** Line 38 of that file: `access-list FILTER_IN extended permit ip any any`. */
export const ASA_CORPUS_LINE = 38;

export function corpusAsaLine(): string {
  return readFileSync(ASA_CORPUS_FILE, 'utf8').split(/\r?\n/)[ASA_CORPUS_LINE - 1];
}

const envelope = (command: string, body: Record<string, unknown>) => ({ tool: 'otzones', version: '0.1.0', command, ...body });

export function flow(p: Partial<Record<string, unknown>> & { src: string; dst: string }) {
  return {
    transport: 'tcp',
    dst_port: 502,
    protocol: 'modbus',
    src_zone: null,
    dst_zone: null,
    packets: 10,
    bytes: 1200,
    first_seen: '2026-02-23T08:00:00.000Z',
    last_seen: '2026-02-23T08:05:00.000Z',
    function_codes: {},
    verdict: 'allowed',
    reasons: [],
    conduit: null,
    ...p,
  };
}

/** Result files for examples/refinery-unit3.yaml, written into `dir`. */
export function writeExampleResults(dir: string): { verify: string; baseline: string; probe: string } {
  mkdirSync(dir, { recursive: true });
  const flows = [
    flow({ src: '10.30.1.50', dst: '10.20.1.10', src_zone: 'Z3-OPS', dst_zone: 'Z2-BPCS', function_codes: { '3': 120 }, conduit: 'C1-BPCS-OPS' }),
    flow({ src: '10.30.1.50', dst: '10.20.1.11', src_zone: 'Z3-OPS', dst_zone: 'Z2-BPCS', function_codes: { '3': 80, '6': 2 }, verdict: 'violation', reasons: ['function-code-not-allowed'], conduit: 'C1-BPCS-OPS', first_seen: '2026-02-23T09:10:00.000Z' }),
    flow({ src: '10.40.3.7', dst: '10.20.1.10', src_zone: 'Z5-ENT', dst_zone: 'Z2-BPCS', function_codes: { '16': 4 }, verdict: 'violation', reasons: ['no-conduit'], first_seen: '2026-02-23T10:20:00.000Z' }),
    flow({ src: '10.40.3.8', dst: '172.16.1.70', src_zone: 'Z5-ENT', dst_zone: 'Z4-DMZ', transport: 'tcp', dst_port: 3389, protocol: 'rdp', conduit: 'C3-DMZ-ENT' }),
    flow({ src: '10.20.1.10', dst: '10.20.2.11', src_zone: 'Z2-BPCS', dst_zone: 'Z2-BPCS', verdict: 'intra-zone', dst_port: 44818, protocol: 'enip' }),
    flow({ src: '192.0.2.9', dst: '10.30.1.60', src_zone: null, dst_zone: 'Z3-OPS', transport: 'udp', dst_port: 514, protocol: 'syslog', verdict: 'violation', reasons: ['unzoned-endpoint'] }),
  ];
  const baseline = envelope('baseline', {
    flows,
    violations: flows.filter((f) => f.verdict === 'violation'),
    assets: [],
    summary: { flows: flows.length, violations: 3 },
  });
  const verify = envelope('verify', {
    findings: [
      {
        kind: 'prohibited-flow-permitted',
        severity: 'error',
        from_zone: 'Z5-ENT',
        to_zone: 'Z2-BPCS',
        conduit: null,
        example: { src: '10.40.3.7', dst: '10.20.1.10', protocol: 'tcp', src_port: 40000, dst_port: 502 },
        space: 'any IP from 10.40.0.0/16 to 10.20.0.0/16',
        rule: { file: 'asa-filters.cfg', line: ASA_CORPUS_LINE, text: corpusAsaLine() },
      },
      {
        kind: 'conduit-flow-blocked',
        severity: 'error',
        from_zone: 'Z3-OPS',
        to_zone: 'Z4-DMZ',
        conduit: 'C2-OPS-DMZ',
        example: { src: '10.30.1.50', dst: '172.16.1.60', protocol: 'tcp', src_port: 40000, dst_port: 443 },
        space: 'tcp 10.30.0.0/16 → 172.16.1.60:443',
        rule: null,
      },
    ],
    matrix: [
      { from_zone: 'Z5-ENT', to_zone: 'Z2-BPCS', permitted: 'any IP' },
      { from_zone: 'Z5-ENT', to_zone: 'Z4-DMZ', permitted: 'tcp/443, tcp/3389' },
      { from_zone: 'Z3-OPS', to_zone: 'Z2-BPCS', permitted: 'tcp/502' },
      { from_zone: 'Z2-BPCS', to_zone: 'Z3-OPS', permitted: 'tcp/4840' },
    ],
  });
  const probe = envelope('probe', {
    results: [
      { check: 'prohibited-path', from_zone: 'Z5-ENT', to_zone: 'Z2-BPCS', target: '10.20.1.10:502', expected: 'blocked', observed: 'blocked', status: 'pass', detail: 'no SYN-ACK within 500 ms', ms: 500 },
      { check: 'modbus-write-blocked', from_zone: 'Z3-OPS', to_zone: 'Z2-BPCS', target: '10.20.1.10:502', expected: 'blocked', observed: 'open', status: 'fail', detail: 'write single register (6) to register 99 was answered', ms: 3 },
      { check: 'diode-reverse-blocked', from_zone: 'Z4-DMZ', to_zone: 'Z3-OPS', target: '10.30.1.100:5450', expected: 'blocked', observed: 'error', status: 'error', detail: 'lab not running', ms: 0 },
    ],
    summary: { pass: 1, fail: 1, error: 1 },
  });
  const out = { verify: join(dir, 'verify.json'), baseline: join(dir, 'baseline.json'), probe: join(dir, 'probe.json') };
  writeFileSync(out.verify, JSON.stringify(verify, null, 2));
  writeFileSync(out.baseline, JSON.stringify(baseline, null, 2));
  writeFileSync(out.probe, JSON.stringify(probe, null, 2));
  return out;
}

/** A plant with `n` zones spread over Purdue levels 0-4 and a chain of conduits (structured dialect). */
export function manyZonesModel(n = 40): string {
  const levels = [0, 1, 2, 3, 3.5, 4];
  const lines = ['facility: "Large site with many zones"', 'zones:'];
  for (let i = 0; i < n; i++) {
    const id = `Z${String(i + 1).padStart(2, '0')}-AREA`;
    const next = (i + 1) % n;
    const prev = (i - 1 + n) % n;
    const conduits = [`C${String(i + 1).padStart(2, '0')}`, `C${String(prev + 1).padStart(2, '0')}`].filter((c, k, a) => a.indexOf(c) === k);
    void next;
    lines.push(
      `  - zone_id: ${id}`,
      `    name: "Process area ${i + 1}"`,
      `    purdue_level: ${levels[i % levels.length]}`,
      `    security_level_target: "SL ${1 + (i % 3)}"`,
      `    vlan: ${100 + i}`,
      `    subnets: ["10.${i}.0.0/16"]`,
      `    assets:`,
      `      - { id: A${i}-PLC, name: "Controller ${i}", role: plc, ip: 10.${i}.1.10 }`,
      `      - { id: A${i}-HMI, name: "HMI ${i}", role: hmi, ip: 10.${i}.2.10 }`,
      `    allowed_conduits: [${conduits.join(', ')}]`,
    );
  }
  lines.push('conduits:');
  for (let i = 0; i < n; i++) {
    const a = `Z${String(i + 1).padStart(2, '0')}-AREA`;
    const b = `Z${String(((i + 1) % n) + 1).padStart(2, '0')}-AREA`;
    lines.push(
      `  - conduit_id: C${String(i + 1).padStart(2, '0')}`,
      `    name: "Link ${i + 1}"`,
      `    connects: [${a}, ${b}]`,
      `    security_level: "SL 2"`,
      `    protocols_allowed:`,
      `      - { protocol: modbus, port: 502, from: ${a}, to: ${b}, function_codes: [3] }`,
    );
  }
  return lines.join('\n') + '\n';
}

/** `n` baseline flows between the zones of manyZonesModel (deterministic; every 7th one a violation). */
export function manyFlowsBaseline(n = 100_000, zones = 40): string {
  const flows = new Array(n);
  const t0 = Date.parse('2026-02-20T00:00:00.000Z');
  for (let i = 0; i < n; i++) {
    const a = i % zones;
    const b = (a + 1 + (i % 3)) % zones;
    const violation = i % 7 === 0;
    flows[i] = {
      src: `10.${a}.1.${10 + (i % 200)}`,
      dst: `10.${b}.1.10`,
      transport: 'tcp',
      dst_port: 502,
      protocol: 'modbus',
      src_zone: `Z${String(a + 1).padStart(2, '0')}-AREA`,
      dst_zone: `Z${String(b + 1).padStart(2, '0')}-AREA`,
      packets: 1 + (i % 50),
      bytes: 64 * (1 + (i % 50)),
      first_seen: new Date(t0 + i * 5000).toISOString(),
      last_seen: new Date(t0 + i * 5000 + 1000).toISOString(),
      function_codes: violation ? { '16': 1 } : { '3': 1 + (i % 9) },
      verdict: violation ? 'violation' : 'allowed',
      reasons: violation ? ['function-code-not-allowed'] : [],
      conduit: `C${String(a + 1).padStart(2, '0')}`,
    };
  }
  return JSON.stringify(envelope('baseline', { flows, violations: [], assets: [], summary: { flows: n } }));
}

/** Script-injection attempts used as names; each must appear as text and never run. */
export const HOSTILE = {
  zoneName: '<img src=x onerror="window.__pwned=1">Zone',
  assetName: '"><script>window.__pwned=2</script>',
  conduitName: '</text><script>window.__pwned=3</script><text>',
  requirement: '<a href="javascript:window.__pwned=4">click</a>',
  control: '<svg onload="window.__pwned=5">',
};

export function hostileModel(): string {
  return `facility: "<b onmouseover=window.__pwned=6>Plant</b>"
zones:
  - zone_id: ZA
    name: ${JSON.stringify(HOSTILE.zoneName)}
    purdue_level: 3
    subnets: ["10.1.0.0/16"]
    assets:
      - { id: A1, name: ${JSON.stringify(HOSTILE.assetName)}, role: server, ip: 10.1.0.5 }
    security_requirements: [${JSON.stringify(HOSTILE.requirement)}]
    allowed_conduits: [C1]
  - zone_id: ZB
    name: "Plain zone"
    purdue_level: 2
    subnets: ["10.2.0.0/16"]
    allowed_conduits: [C1]
conduits:
  - conduit_id: C1
    name: ${JSON.stringify(HOSTILE.conduitName)}
    connects: [ZA, ZB]
    protocols_allowed:
      - { protocol: modbus, port: 502, from: ZA, to: ZB, function_codes: [3] }
    controls: [${JSON.stringify(HOSTILE.control)}]
`;
}

export function hostileBaseline(): string {
  return JSON.stringify(
    envelope('baseline', {
      flows: [flow({ src: '10.1.0.5', dst: '10.2.0.9', src_zone: 'ZA', dst_zone: 'ZB', protocol: '<img src=x onerror="window.__pwned=7">', verdict: 'violation', reasons: ['<script>window.__pwned=8</script>'] })],
      violations: [],
      assets: [],
      summary: {},
    }),
  );
}

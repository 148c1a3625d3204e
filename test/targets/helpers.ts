/** Variants of the example model for target tests: parse it, change it, write it to a temp file. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { EXAMPLE } from '../helpers/paths.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type RawModel = any;

export function exampleRaw(): RawModel {
  return parse(readFileSync(EXAMPLE, 'utf8'));
}

/** Writes a changed copy of the example (the callback edits the parsed YAML) and returns its path. */
export function variant(edit: (m: RawModel) => void, name = 'model.yaml'): string {
  const m = exampleRaw();
  edit(m);
  const dir = mkdtempSync(join(tmpdir(), 'otz-targets-'));
  const file = join(dir, name);
  writeFileSync(file, stringify(m));
  return file;
}

export function zone(m: RawModel, id: string): RawModel {
  return m.zones.find((z: RawModel) => z.zone_id === id);
}

/** A model with an IPv6 zone and flow, an ICMP flow, a port range and several ports. */
export const dualStack = () =>
  variant((m) => {
    zone(m, 'Z3-OPS').subnets.push('fd00:30::/64');
    zone(m, 'Z3-OPS').assets.push({ id: 'HIST-V6', name: 'v6 historian', role: 'historian', ip: 'fd00:30::50' });
    zone(m, 'Z2-BPCS').subnets.push('fd00:20::/64');
    m.conduits[0].protocols_allowed.push(
      { protocol: 'modbus', port: 502, from: 'HIST-V6', to: 'Z2-BPCS', function_codes: [3] },
      { protocol: 'icmp', from: 'HIST-01', to: 'PLC-01' },
      { protocol: 'tcp', port: ['1000-2000', 44818, 2222], from: 'HIST-01', to: ['PLC-01', 'PLC-02'] },
    );
  });

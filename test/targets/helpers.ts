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

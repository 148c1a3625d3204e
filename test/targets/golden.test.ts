/**
 * Whole-output golden files for every target on examples/refinery-unit3.yaml. Each golden file was read
 * line by line against the source document (../shared/seed/implementing-iec-62443-security-zones.md,
 * steps 2 and 3) before it was accepted. Refresh with UPDATE_GOLDEN=1 and read the diff before committing.
 * The model's SHA-256 in the header is checked separately and masked here, so comment-only edits of the
 * example do not churn the golden files.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { runCli } from '../helpers/cli.ts';
import { EXAMPLE, ROOT } from '../helpers/paths.ts';
import { TARGETS } from '../../src/targets/index.ts';

const EXT: Record<string, string> = {
  asa: 'cfg', 'ftd-snort': 'rules', suricata: 'rules', 'ios-switch': 'cfg', nftables: 'nft', iptables: 'rules', fortigate: 'conf', panos: 'set',
};
const HASH = createHash('sha256').update(readFileSync(EXAMPLE)).digest('hex');
const mask = (s: string) => s.split(HASH).join('<sha256 of the model>');

test('every registered target has a golden file extension', () => {
  assert.deepEqual(TARGETS.map((t) => t.name).sort(), Object.keys(EXT).sort());
});

for (const t of TARGETS) {
  test(`golden: ${t.name} on the example`, async () => {
    const r = await runCli(['compile', 'examples/refinery-unit3.yaml', '--target', t.name]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.includes(`model sha256: ${HASH}`), 'header names the model hash');
    assert.ok(r.stdout.includes('model: examples/refinery-unit3.yaml'), 'header names the model file');
    const file = join(ROOT, 'test/golden', t.name, `refinery-unit3.${EXT[t.name]}`);
    const got = mask(r.stdout);
    if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) {
      if (process.env.UPDATE_GOLDEN !== '1') assert.fail(`missing golden ${file}: run with UPDATE_GOLDEN=1 and read it`);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, got);
    }
    assert.equal(got, readFileSync(file, 'utf8'));
    const again = await runCli(['compile', 'examples/refinery-unit3.yaml', '--target', t.name]);
    assert.equal(again.stdout, r.stdout, 'deterministic');
  });
}

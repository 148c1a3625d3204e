/** Paths tests share: the repo root, the bundled examples and the third-party corpus beside the checkout. */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const EXAMPLE = join(ROOT, 'examples/refinery-unit3.yaml');

/** ../shared relative to the checkout (CI lays a copy of shared/ beside the clone). */
export const SHARED = [resolve(ROOT, '../shared'), resolve(ROOT, '../../shared')].find((p) => existsSync(p)) ?? resolve(ROOT, '../shared');
export const CORPUS = join(SHARED, 'corpus');
export const SEED = join(SHARED, 'seed/zone-definition.yaml');

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { modelJsonSchemaText } from '../../src/model/json-schema.ts';
import { ROOT } from '../helpers/paths.ts';

test('the committed editor JSON Schema is what the zod schema generates (run `npm run schema`)', () => {
  const committed = readFileSync(join(ROOT, 'schema/otzones-model.schema.json'), 'utf8');
  assert.equal(committed, modelJsonSchemaText());
  const parsed = JSON.parse(committed);
  assert.ok(parsed.properties.zones.items.properties.zone_id, 'zone_id is described');
  assert.deepEqual(parsed.required.sort(), ['facility', 'zones']);
});

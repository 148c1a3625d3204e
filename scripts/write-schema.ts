/** Writes the editor JSON Schema from the zod model schema (the single source). Run: npm run schema */
import { writeFileSync } from 'node:fs';
import { modelJsonSchemaText } from '../src/model/json-schema.ts';

writeFileSync(new URL('../schema/otzones-model.schema.json', import.meta.url), modelJsonSchemaText());

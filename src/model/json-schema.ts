/** The editor JSON Schema, derived from the zod schema. Refinements (CIDR checks) stay in code. */
import { modelJsonSchema } from './schema.ts';

export function modelJsonSchemaText(): string {
  const schema = modelJsonSchema() as Record<string, unknown>;
  return (
    JSON.stringify(
      {
        ...schema,
        $id: 'https://otzones.dev/schema/otzones-model.schema.json',
        title: 'otzones model (IEC 62443 zones and conduits)',
        description: 'See docs/model.md. Both the seed and the structured dialect validate against this schema.',
      },
      null,
      2,
    ) + '\n'
  );
}

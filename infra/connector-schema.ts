/**
 * Writes lib/providers/connector/connector.schema.json, the connector specification as JSON Schema
 * (draft 2020-12), from the schema the bridge validates with (lib/schema.ts): `npm run connector-schema`.
 * test/connectors/schema.test.ts fails when the committed file and the schema drift apart.
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectorSpecSchema } from '../lib/providers/connector/spec.ts';
import { toJSONSchema } from '../lib/schema.ts';

export const SCHEMA_FILE = fileURLToPath(new URL('../lib/providers/connector/connector.schema.json', import.meta.url));

export function connectorJsonSchema(): string {
  const schema = toJSONSchema(connectorSpecSchema());
  return `${JSON.stringify({ title: 'Simpli Webhook Bridge connector (HELPDESK_CONFIG.<name>.connector)', ...schema }, null, 2)}\n`;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await writeFile(SCHEMA_FILE, connectorJsonSchema());
  console.log(`wrote ${SCHEMA_FILE}`);
}

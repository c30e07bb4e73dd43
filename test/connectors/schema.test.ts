import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { connectorJsonSchema, SCHEMA_FILE } from '../../infra/connector-schema.ts';
import { compileConnector } from '../../lib/providers/connector/compile.ts';
import { PRESETS } from '../../lib/providers/connector/presets/index.ts';

describe('the connector JSON Schema', () => {
  it('is committed as the validating schema generates it (run `npm run connector-schema` after changing spec.ts)', async () => {
    expect(await readFile(SCHEMA_FILE, 'utf8')).toBe(connectorJsonSchema());
  });

  it('closes every object, so a misspelt key is an error rather than ignored', () => {
    const schema = JSON.parse(connectorJsonSchema()) as { additionalProperties?: unknown; required?: string[] };
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required).toEqual(['authenticity', 'events', 'fields', 'writeBack']);
  });

  it('accepts every preset given its documented settings', () => {
    const settings = { baseUrl: 'https://api.example.com', token: 't', email: 'e@example.com' };
    for (const name of Object.keys(PRESETS)) {
      expect(compileConnector(name, settings).name, name).toBe(name);
    }
  });
});

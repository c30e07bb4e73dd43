import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { INTERCOM_SAMPLES, intercomSampleEvent } from '../../../infra/make-events/intercom.ts';
import { toIngestInput } from '../../../lib/endpoint.ts';
import { intercomProvider } from '../../../lib/providers/intercom/index.ts';

describe('events/intercom samples', () => {
  it.each(INTERCOM_SAMPLES)('$file is up to date, verifies with local-dev-secret and parses as $eventType', ({ file, fixture, eventType }) => {
    const onDisk = JSON.parse(readFileSync(new URL(`../../../events/intercom/${file}`, import.meta.url), 'utf8')) as APIGatewayProxyEventV2;
    expect(onDisk).toEqual(JSON.parse(JSON.stringify(intercomSampleEvent(fixture))));

    const { request, provider } = toIngestInput(onDisk, undefined);
    expect(provider).toBe('intercom');
    expect(() => intercomProvider.verify({ request, secrets: ['local-dev-secret'], settings: {}, nowMs: onDisk.requestContext.timeEpoch })).not.toThrow();
    const parsed = intercomProvider.parse(request, {});
    if (eventType === undefined) expect(parsed.kind).toBe('ignored');
    else expect(parsed).toMatchObject({ kind: 'events', events: [{ eventType }] });
  });
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { SALESFORCE_SAMPLES, salesforceSampleEvent } from '../../../infra/make-events/salesforce.ts';
import { toIngestInput } from '../../../lib/endpoint.ts';
import { salesforceProvider } from '../../../lib/providers/salesforce/index.ts';
import { ROUTE_EVENTS } from '../../../lib/providers/types.ts';

describe('events/salesforce samples', () => {
  it.each(SALESFORCE_SAMPLES)('$file is up to date, carries the token and yields $events event(s)', ({ file, fixture, event, events }) => {
    const onDisk = JSON.parse(readFileSync(new URL(`../../../events/salesforce/${file}`, import.meta.url), 'utf8')) as APIGatewayProxyEventV2;
    expect(onDisk).toEqual(JSON.parse(JSON.stringify(salesforceSampleEvent(fixture, event))));
    expect(onDisk.rawQueryString).toBe('token=local-dev-secret');

    const input = toIngestInput(onDisk, undefined);
    expect(input).toMatchObject({ provider: 'salesforce', routeEvent: event });
    const request = { ...input.request, routeEvent: ROUTE_EVENTS[event] };
    const settings = { organizationIds: ['00D5e000000XyZa'] };
    expect(() => salesforceProvider.verify({ request, secrets: ['local-dev-secret'], settings, nowMs: 0 })).not.toThrow();
    const parsed = salesforceProvider.parse(request, settings);
    expect(parsed.kind === 'events' ? parsed.events.length : 0).toBe(events);
  });
});

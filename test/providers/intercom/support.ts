/** Fixtures and request builders shared by the Intercom tests. */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ParsedEvent, ParseResult, QueuedEvent, WebhookRequest } from '../../../lib/providers/types.ts';

export const SECRET = 'local-dev-secret';

export function fixture(name: string): string {
  return readFileSync(new URL(`../../fixtures/intercom/${name}.json`, import.meta.url), 'utf8');
}

export function fixtureJson(name: string): Record<string, unknown> {
  return JSON.parse(fixture(name)) as Record<string, unknown>;
}

/** Exactly what Intercom sends: the body and `sha1=` + hex HMAC-SHA1 with the client secret. */
export function signed(body: string, secret = SECRET, extraHeaders: Record<string, string> = {}): WebhookRequest {
  return request(body, { 'x-hub-signature': `sha1=${createHmac('sha1', secret).update(body).digest('hex')}`, ...extraHeaders });
}

export function request(body: string, headers: Record<string, string> = {}): WebhookRequest {
  return {
    method: 'POST',
    url: 'https://bridge.example.com/webhooks/intercom',
    rawBody: Buffer.from(body),
    headers: { 'content-type': 'application/json', 'user-agent': 'intercom-parrot-service-client/1.0', ...headers },
    query: {},
  };
}

export function onlyEvent(result: ParseResult): ParsedEvent {
  if (result.kind !== 'events' || result.events.length !== 1 || result.events[0] === undefined) {
    throw new Error(`expected one event, got ${JSON.stringify(result)}`);
  }
  return result.events[0];
}

export function queued(event: ParsedEvent): QueuedEvent {
  return {
    provider: 'intercom',
    eventType: event.eventType,
    eventId: `intercom:${event.identity}`,
    ticketId: event.ticketId,
    payload: JSON.parse(JSON.stringify(event.payload)) as unknown,
    receivedAt: '2024-06-01T10:00:00.000Z',
    requestId: 'req-1',
  };
}

import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AuthenticityError, BadRequestError, UnprocessableEventError } from '../../lib/errors.ts';
import { genericProvider } from '../../lib/providers/generic.ts';
import type { ParsedEvent, QueuedEvent, WebhookRequest } from '../../lib/providers/types.ts';
import { createHttpClient } from '../../lib/http.ts';

const SECRET = 'guide-secret';
const hex = (body: string, secret = SECRET) => createHmac('sha256', secret).update(body).digest('hex');

function request(body: string, headers: Record<string, string> = {}, routeEvent?: WebhookRequest['routeEvent']): WebhookRequest {
  return { method: 'POST', url: 'https://x/webhooks/generic', rawBody: Buffer.from(body), headers, query: {}, routeEvent };
}

function rejection(fn: () => unknown): { cls: unknown; reason: string } {
  try {
    fn();
  } catch (error) {
    return { cls: (error as Error).constructor, reason: (error as { reason: string }).reason };
  }
  throw new Error('expected a rejection');
}

function events(body: unknown, routeEvent?: WebhookRequest['routeEvent']): readonly ParsedEvent[] {
  const result = genericProvider.parse(request(JSON.stringify(body), {}, routeEvent), {});
  if (result.kind !== 'events') throw new Error(`ignored: ${result.reason}`);
  return result.events;
}

describe('generic provider: authenticity (the Simpli guide’s hex HMAC-SHA256)', () => {
  const body = '{"ticket_id":"T-1"}';

  it('accepts the hex HMAC-SHA256 of the raw body, bare or with a sha256= prefix', () => {
    // Known answer computed independently: printf '%s' '{"ticket_id":"T-1"}' | openssl dgst -sha256 -hmac guide-secret
    const expected = 'ec31735b7c7eafa53b5c0571ec74649ea771eea2b57e55c581ad06533dc1f211';
    for (const signature of [expected, `sha256=${expected}`, expected.toUpperCase()]) {
      expect(() => genericProvider.verify({ request: request(body, { 'x-webhook-signature': signature }), secrets: [SECRET], settings: {}, nowMs: 0 })).not.toThrow();
    }
  });

  it('accepts any active secret during a rotation', () => {
    const r = request(body, { 'x-webhook-signature': hex(body, 'new-secret') });
    expect(() => genericProvider.verify({ request: r, secrets: [SECRET, 'new-secret'], settings: {}, nowMs: 0 })).not.toThrow();
  });

  it.each([
    ['missing_signature', {}],
    ['malformed_signature', { 'x-webhook-signature': 'not-hex' }],
    ['malformed_signature', { 'x-webhook-signature': 'abcd' }],
    ['no_matching_signature', { 'x-webhook-signature': hex(body, 'wrong') }],
    ['no_matching_signature', { 'x-webhook-signature': hex(`${body} `) }],
  ])('rejects with %s', (reason, headers) => {
    const r = rejection(() => genericProvider.verify({ request: request(body, headers), secrets: [SECRET], settings: {}, nowMs: 0 }));
    expect(r).toEqual({ cls: AuthenticityError, reason });
  });

  it('fails closed when no secret is configured', () => {
    const r = rejection(() => genericProvider.verify({ request: request(body, { 'x-webhook-signature': hex(body, '') }), secrets: [], settings: {}, nowMs: 0 }));
    expect(r).toEqual({ cls: AuthenticityError, reason: 'no_secret_configured' });
  });
});

describe('generic provider: parsing and identity', () => {
  it('takes the event from the route, else from the payload’s event field', () => {
    expect(events({ ticket_id: 7 }, 'ticket.created')[0]).toMatchObject({ eventType: 'ticket.created', ticketId: '7', identity: 'ticket.created:7' });
    expect(events({ event: 'ticket_resolved', id: 'T-9' })[0]?.eventType).toBe('ticket.resolved');
    expect(events({ type: 'message.created', case_id: 'C-1', message: 'hi' })[0]?.eventType).toBe('message.created');
  });

  it('ignores an event type it does not process', () => {
    expect(genericProvider.parse(request(JSON.stringify({ event: 'ticket.updated', ticket_id: 1 })), {})).toEqual({
      kind: 'ignored',
      reason: 'event "ticket.updated" is not processed',
    });
  });

  it('ignores the bridge’s own note echoed back as a message', () => {
    const result = genericProvider.parse(request(JSON.stringify({ event: 'message.created', ticket_id: 1, message: '[Simpli AI]\nTriage: …' })), {});
    expect(result.kind).toBe('ignored');
  });

  it('rejects a body that is not JSON (400), names no event (400), or has no ticket id (422)', () => {
    expect(rejection(() => genericProvider.parse(request('{nope'), {}))).toEqual({ cls: BadRequestError, reason: 'invalid_json' });
    expect(rejection(() => genericProvider.parse(request('[1]'), {}))).toEqual({ cls: BadRequestError, reason: 'not_an_object' });
    expect(rejection(() => genericProvider.parse(request('{"ticket_id":1}'), {}))).toEqual({ cls: BadRequestError, reason: 'missing_event_type' });
    expect(rejection(() => genericProvider.parse(request('{"subject":"x"}', {}, 'ticket.created'), {}))).toEqual({
      cls: UnprocessableEventError,
      reason: 'missing_ticket_id',
    });
  });

  it('keys a creation by ticket id alone, so a re-delivery with other bytes is the same event', () => {
    const a = events({ ticket_id: 'T-1', subject: 'a', delivery: 1 }, 'ticket.created')[0];
    const b = events({ delivery: 2, subject: 'a (edited)', ticket_id: 'T-1' }, 'ticket.created')[0];
    expect(a?.identity).toBe(b?.identity);
  });

  it('keys other events by the sender’s event id, else by content independent of key order and whitespace', () => {
    expect(events({ event: 'ticket.resolved', ticket_id: 1, event_id: 'ev-1' })[0]?.identity).toBe('ticket.resolved:1:ev-1');
    const a = genericProvider.parse(request('{"event":"message.created","ticket_id":1,"message":"hi"}'), {});
    const b = genericProvider.parse(request('{ "message": "hi",  "ticket_id": 1, "event": "message.created" }'), {});
    const c = genericProvider.parse(request('{"event":"message.created","ticket_id":1,"message":"hello"}'), {});
    const id = (r: typeof a) => (r.kind === 'events' ? r.events[0]?.identity : undefined);
    expect(id(a)).toBe(id(b));
    expect(id(a)).not.toBe(id(c));
  });
});

describe('generic provider: normalization (the guide’s field fallbacks)', () => {
  const queued = (payload: unknown, eventType: QueuedEvent['eventType'] = 'ticket.created'): QueuedEvent => ({
    provider: 'generic',
    eventType,
    eventId: 'x',
    ticketId: 'T-1',
    payload,
    receivedAt: new Date(0).toISOString(),
    requestId: 'r',
  });
  const context = { settings: {}, http: createHttpClient() };

  it('falls back through title/description/requester_id and defaults the channel to web', async () => {
    const n = await genericProvider.normalize(queued({ id: 'T-1', title: 'Hi', description: 'Help', requester_id: 42, channel: 'fax' }), context);
    expect(n).toMatchObject({ subject: 'Hi', body: 'Help', customerId: '42', channel: 'web' });
  });

  it('takes a custom field path from the deployment’s fieldMap', async () => {
    const n = await genericProvider.normalize(queued({ id: 'T-1', account: { ref: 'ACME-7' } }), { settings: { fieldMap: { customerId: ['account.ref'] } }, http: context.http });
    expect(n.customerId).toBe('ACME-7');
  });

  it('builds the conversation for QA from messages with roles', async () => {
    const n = await genericProvider.normalize(
      queued({ id: 'T-1', messages: [{ role: 'customer', content: 'Broken' }, { author_type: 'agent', body: 'Fixed' }, { from: 'admin', text: 'Closing' }] }, 'ticket.resolved'),
      context,
    );
    expect(n.conversation).toEqual([
      { role: 'customer', content: 'Broken' },
      { role: 'agent', content: 'Fixed' },
      { role: 'agent', content: 'Closing' },
    ]);
  });
});

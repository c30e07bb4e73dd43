import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AuthenticityError, BadRequestError, UnprocessableEventError } from '../../../lib/errors.ts';
import { freshdeskProvider } from '../../../lib/providers/freshdesk/index.ts';
import type { EventType, ParseResult, WebhookRequest } from '../../../lib/providers/types.ts';
import { signFreshdesk } from '../../../infra/sign/freshdesk.ts';

const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../../fixtures/freshdesk/${name}`, import.meta.url), 'utf8')) as Record<string, unknown>;
const TOKEN = 'fd-shared-token';
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

function request(body: unknown, headers: Record<string, string> = {}, routeEvent?: EventType): WebhookRequest {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  return { method: 'POST', url: 'https://bridge.example.com/webhooks/freshdesk', rawBody: Buffer.from(raw), headers, query: {}, routeEvent };
}

const verify = (headers: Record<string, string>, secrets: readonly string[] = [TOKEN]) =>
  freshdeskProvider.verify({ request: request('{}', headers), secrets, settings: {}, nowMs: 0 });

function reasonOf(fn: () => unknown): { name: string; reason: string } {
  try {
    fn();
  } catch (error) {
    if (error instanceof AuthenticityError || error instanceof BadRequestError || error instanceof UnprocessableEventError) return { name: error.name, reason: error.reason };
    throw error;
  }
  throw new Error('expected an error');
}

describe('Freshdesk authenticity (a shared token: Freshdesk signs nothing)', () => {
  it('accepts the token as the HTTP Basic password, whatever the user name', () => {
    expect(() => verify({ authorization: basic('freshdesk', TOKEN) })).not.toThrow();
    expect(() => verify({ authorization: basic('anyone@acme.example', TOKEN) })).not.toThrow();
  });

  it('accepts the token as the user name with Freshdesk’s API-key password "X"', () => {
    expect(() => verify({ authorization: basic(TOKEN, 'X') })).not.toThrow();
  });

  it('accepts the token in an x-webhook-token header, even beside other credentials', () => {
    expect(() => verify({ 'x-webhook-token': TOKEN })).not.toThrow();
    expect(() => verify({ 'x-webhook-token': TOKEN, authorization: 'Bearer proxy' })).not.toThrow();
  });

  it('accepts any of several active tokens (rotation)', () => {
    expect(() => verify({ 'x-webhook-token': TOKEN }, ['next-token', TOKEN])).not.toThrow();
  });

  it('accepts what the signer for `npm run send` produces', () => {
    expect(() => verify(signFreshdesk({ method: 'POST', url: 'x', body: Buffer.from('{}'), secret: TOKEN, nowMs: 0 }).headers)).not.toThrow();
  });

  describe('rejects, each with its own reason', () => {
    it('no token configured (fails closed)', () => {
      expect(reasonOf(() => verify({ 'x-webhook-token': TOKEN }, []))).toEqual({ name: 'AuthenticityError', reason: 'no_secret_configured' });
    });
    it('no credentials at all', () => {
      expect(reasonOf(() => verify({}))).toEqual({ name: 'AuthenticityError', reason: 'missing_credentials' });
      expect(reasonOf(() => verify({ 'x-webhook-token': '  ' }))).toEqual({ name: 'AuthenticityError', reason: 'missing_credentials' });
    });
    it('an Authorization header that is not Basic credentials', () => {
      expect(reasonOf(() => verify({ authorization: `Bearer ${TOKEN}` }))).toEqual({ name: 'AuthenticityError', reason: 'malformed_authorization' });
      expect(reasonOf(() => verify({ authorization: `Basic ${Buffer.from(TOKEN).toString('base64')}` }))).toEqual({ name: 'AuthenticityError', reason: 'malformed_authorization' });
    });
    it('a wrong token, in either place', () => {
      expect(reasonOf(() => verify({ authorization: basic('freshdesk', 'guess') }))).toEqual({ name: 'AuthenticityError', reason: 'no_matching_token' });
      expect(reasonOf(() => verify({ 'x-webhook-token': `${TOKEN}x` }))).toEqual({ name: 'AuthenticityError', reason: 'no_matching_token' });
      expect(reasonOf(() => verify({ authorization: basic(TOKEN, 'a-real-password') }))).toEqual({ name: 'AuthenticityError', reason: 'no_matching_token' });
    });
  });
});

const parse = (body: unknown, routeEvent?: EventType, settings = {}) => freshdeskProvider.parse(request(body, {}, routeEvent), settings);

function only(result: ParseResult) {
  if (result.kind !== 'events') throw new Error(`expected events, got ignored: ${result.reason}`);
  expect(result.events).toHaveLength(1);
  const [event] = result.events;
  if (event === undefined) throw new Error('no event');
  return event;
}

function ignoredReason(result: ParseResult): string {
  if (result.kind !== 'ignored') throw new Error('expected the event to be ignored');
  return result.reason;
}

describe('Freshdesk automation webhooks', () => {
  it('simple mode: {ticket_action:created} → ticket.created keyed by the ticket alone', () => {
    expect(only(parse(fixture('simple-ticket-created.json')))).toMatchObject({ eventType: 'ticket.created', ticketId: '20', identity: 'ticket.created:20' });
    expect(only(parse(fixture('simple-ticket-created.json'), 'ticket.created')).identity).toBe('ticket.created:20');
  });

  it('simple mode: {status:{from:2,to:4}} → ticket.resolved (numeric status 4 = Resolved)', () => {
    const event = only(parse(fixture('simple-ticket-resolved.json')));
    expect(event.eventType).toBe('ticket.resolved');
    // Keyed by the ticket alone, as reconciliation derives it from the listing API.
    expect(event.identity).toBe('ticket.resolved:20');
  });

  it('recognises resolution by label as well as by code', () => {
    const inner = fixture('simple-ticket-resolved.json').freshdesk_webhook as Record<string, unknown>;
    expect(only(parse({ freshdesk_webhook: { ...inner, triggered_event: '{status:{from:Open,to:Closed}}' } })).eventType).toBe('ticket.resolved');
    expect(ignoredReason(parse({ freshdesk_webhook: { ...inner, triggered_event: '{status:{from:2,to:3}}' } }))).toContain('not processed');
    expect(ignoredReason(parse({ freshdesk_webhook: { ...inner, triggered_event: '{status:{from:2,to:6}}' } }, 'ticket.resolved'))).toContain('not a resolution');
  });

  describe('on /ticket-resolved the ticket status, when the payload carries it, decides', () => {
    const inner = (): Record<string, unknown> => {
      const copy = { ...(fixture('simple-ticket-resolved.json').freshdesk_webhook as Record<string, unknown>) };
      delete copy.triggered_event;
      return copy;
    };
    // The reason is logged: a status is named when it reads as vocabulary, else by its length (log-leaks.test.ts).
    it.each([
      ['Waiting on Customer', '(a value of 19 characters)'],
      ['Pending', 'Pending'],
      ['Open', 'Open'],
      ['3', '3'],
      ['6', '6'],
    ])('ignores status %s with 200 and a reason', (status, named) => {
      expect(ignoredReason(parse({ freshdesk_webhook: { ...inner(), ticket_status: status } }, 'ticket.resolved'))).toBe(
        `the ticket status is ${named}, not Resolved or Closed`,
      );
    });
    it.each([['Resolved'], ['Closed'], ['closed'], ['4'], ['5']])('processes status %s as the resolution', (status) => {
      expect(only(parse({ freshdesk_webhook: { ...inner(), ticket_status: status } }, 'ticket.resolved')).eventType).toBe('ticket.resolved');
    });
    it('processes a resolution whose payload does not carry the status (the route decides)', () => {
      const { ticket_status: _omitted, ...rest } = inner();
      expect(only(parse({ freshdesk_webhook: rest }, 'ticket.resolved')).eventType).toBe('ticket.resolved');
    });
  });

  it('advanced template on /webhooks/freshdesk/message-created → message.created', () => {
    const event = only(parse(fixture('advanced-message-created.json'), 'message.created'));
    expect(event).toMatchObject({ eventType: 'message.created', ticketId: '20' });
    expect(event.identity).toMatch(/^message\.created:20:[0-9a-f]{32}$/);
  });

  it('a thin webhook (only the ticket id) is accepted on a route', () => {
    expect(only(parse(fixture('thin-ticket-created.json'), 'ticket.created'))).toMatchObject({ ticketId: '295186', identity: 'ticket.created:295186' });
  });

  it('identity: a retried delivery with other bytes (formatting, key order, extra fields) is the same event; another reply is not', () => {
    const body = fixture('advanced-message-created.json');
    const first = only(parse(JSON.stringify(body), 'message.created')).identity;
    const reordered = Object.fromEntries(Object.entries(body).reverse());
    const retried = only(parse(JSON.stringify({ ...reordered, ticket_status: 'Pending', ticket_updated_at: '2024-04-18T09:10:00Z' }, null, 2), 'message.created')).identity;
    const other = only(parse({ ...body, ticket_latest_public_comment: '<div>Any news?</div>' }, 'message.created')).identity;
    expect(retried).toBe(first);
    expect(other).not.toBe(first);
  });

  describe('the bridge’s own updates, echoed by "ticket is updated" rules, start nothing', () => {
    it('its priority change', () => {
      expect(ignoredReason(parse(fixture('simple-priority-changed.json'), 'message.created'))).toContain('changed priority');
    });
    it('its private note', () => {
      expect(ignoredReason(parse(fixture('simple-private-note.json'), 'message.created'))).toContain('private note');
    });
    it('its note as the latest comment (HTML, as Freshdesk renders it)', () => {
      const body = { ...fixture('advanced-message-created.json'), ticket_latest_public_comment: '<div>[Simpli AI]<br>Sentiment: negative</div>' };
      expect(ignoredReason(parse(body, 'message.created'))).toContain('bridge’s own note');
    });
    it('tag and custom-field updates', () => {
      expect(ignoredReason(parse({ ticket_id: 20, triggered_event: '{tags:{added:billing}}' }, 'message.created'))).toContain('not the status');
    });
  });

  it('a body naming no event without a route is a bad request (400); an unknown triggered event is ignored', () => {
    expect(reasonOf(() => parse({ ticket_id: 20 }))).toEqual({ name: 'BadRequestError', reason: 'missing_event_type' });
    expect(ignoredReason(parse({ ticket_id: 20, triggered_event: '{ticket_action:updated}' }))).toContain('not processed');
  });

  it('a webhook without a ticket id is unprocessable (422)', () => {
    expect(reasonOf(() => parse({ freshdesk_webhook: { ticket_subject: 'x' } }, 'ticket.created'))).toEqual({ name: 'UnprocessableEventError', reason: 'missing_ticket_id' });
  });

  it('a body that is not a JSON object is a bad request (400)', () => {
    expect(reasonOf(() => parse('{oops', 'ticket.created'))).toEqual({ name: 'BadRequestError', reason: 'invalid_json' });
    expect(reasonOf(() => parse('"text"', 'ticket.created'))).toEqual({ name: 'BadRequestError', reason: 'not_an_object' });
  });

  it('honours a fieldMap override', () => {
    expect(only(parse({ data: { num: 'F-1' } }, 'ticket.created', { fieldMap: { ticketId: ['data.num'] } })).ticketId).toBe('F-1');
  });
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BadRequestError, UnprocessableEventError } from '../../../lib/errors.ts';
import { zendeskProvider } from '../../../lib/providers/zendesk/index.ts';
import type { EventType, ParseResult, ProviderSettings, WebhookRequest } from '../../../lib/providers/types.ts';

const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../../fixtures/zendesk/${name}`, import.meta.url), 'utf8')) as Record<string, unknown>;

function request(body: unknown, routeEvent?: EventType, headers: Record<string, string> = {}): WebhookRequest {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  return {
    method: 'POST',
    url: 'https://bridge.example.com/webhooks/zendesk',
    rawBody: Buffer.from(raw),
    headers: { 'content-type': 'application/json', ...headers },
    query: {},
    routeEvent,
  };
}

const parse = (body: unknown, routeEvent?: EventType, settings: ProviderSettings = {}, headers?: Record<string, string>) =>
  zendeskProvider.parse(request(body, routeEvent, headers), settings);

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

describe('Zendesk event subscriptions', () => {
  it('ticket.created → ticket.created keyed by the ticket alone', () => {
    const event = only(parse(fixture('ticket-created.json')));
    expect(event).toMatchObject({ eventType: 'ticket.created', ticketId: '35436', identity: 'ticket.created:35436' });
  });

  it('a second ticket.created for the same ticket, with another event id, is the same event', () => {
    const again = { ...fixture('ticket-created.json'), id: '0f0f0f0f-1111-4222-8333-444455556666', time: '2024-04-17T17:19:00Z' };
    expect(only(parse(again)).identity).toBe(only(parse(fixture('ticket-created.json'))).identity);
  });

  it('takes the ticket id from `subject` when detail.id is absent', () => {
    const body = fixture('ticket-created.json');
    const detail = { ...(body.detail as Record<string, unknown>) };
    delete detail.id;
    expect(only(parse({ ...body, detail })).ticketId).toBe('35436');
  });

  it('ticket.comment_added from the customer → message.created keyed by the comment id', () => {
    const event = only(parse(fixture('comment-added.json')));
    expect(event).toMatchObject({ eventType: 'message.created', ticketId: '35436', identity: 'message.created:35436:26734811937297' });
  });

  it('ticket.status_changed to solved → ticket.resolved keyed by the ticket (as reconciliation derives it from the API)', () => {
    const event = only(parse(fixture('status-changed-solved.json')));
    expect(event).toMatchObject({ eventType: 'ticket.resolved', ticketId: '35436', identity: 'ticket.resolved:35436' });
  });

  it('ticket.status_changed to closed from open is a resolution too', () => {
    const body = fixture('status-changed-solved.json');
    expect(only(parse({ ...body, event: { current: 'closed', previous: 'open' } })).eventType).toBe('ticket.resolved');
  });

  it('ignores status changes that are not a resolution, and solved → closed', () => {
    const body = fixture('status-changed-solved.json');
    expect(ignoredReason(parse({ ...body, event: { current: 'PENDING', previous: 'OPEN' } }))).toContain('not a resolution');
    expect(ignoredReason(parse({ ...body, event: { current: 'CLOSED', previous: 'SOLVED' } }))).toContain('already resolved');
  });

  it('ignores events that are not about tickets (user.active_changed, from the docs)', () => {
    expect(ignoredReason(parse(fixture('user-active-changed.json')))).toContain('not about a ticket');
  });

  it('a retried delivery with a new signature timestamp and re-serialized bytes keeps its identity', () => {
    const body = fixture('comment-added.json');
    const first = only(parse(JSON.stringify(body), undefined, {}, { 'x-zendesk-webhook-signature-timestamp': '2024-04-18T09:02:45Z', 'x-zendesk-webhook-invocation-id': '8350205582' }));
    const retried = only(parse(JSON.stringify(body, null, 2), undefined, {}, { 'x-zendesk-webhook-signature-timestamp': '2024-04-18T09:07:45Z', 'x-zendesk-webhook-invocation-id': '8350205582' }));
    expect(retried.identity).toBe(first.identity);
    expect(retried.identity).toBe('message.created:35436:26734811937297');
  });

  describe('the bridge’s own updates, echoed back, start nothing', () => {
    it('its tag write (ticket.tags_changed)', () => {
      expect(ignoredReason(parse(fixture('tags-changed.json')))).toContain('is not processed');
    });

    it('its priority and custom field writes', () => {
      const body = fixture('tags-changed.json');
      expect(ignoredReason(parse({ ...body, type: 'zen:event-type:ticket.priority_changed', event: { current: 'high', previous: null } }))).toContain('is not processed');
      expect(ignoredReason(parse({ ...body, type: 'zen:event-type:ticket.custom_field_changed' }))).toContain('is not processed');
    });

    it('its internal note (ticket.comment_added), whatever the flags say', () => {
      const body = fixture('comment-added.json');
      const note = { id: '26734811999999', body: '[Simpli AI]\nTriage: billing, urgency high (confidence 0.87).', is_public: false, author: { id: '8447388099999', is_staff: true, name: 'Simpli Bot' } };
      expect(ignoredReason(parse({ ...body, event: { comment: note } }))).toContain('bridge’s own note');
      expect(ignoredReason(parse({ ...body, event: { comment: { ...note, is_public: true, author: { ...note.author, is_staff: false } } } }))).toContain('bridge’s own note');
    });
  });

  it('ignores internal notes and agents’ replies: message.created is the customer’s', () => {
    const body = fixture('comment-added.json');
    const comment = (body.event as { comment: Record<string, unknown> }).comment;
    expect(ignoredReason(parse({ ...body, event: { comment: { ...comment, is_public: false } } }))).toContain('internal note');
    expect(ignoredReason(parse({ ...body, event: { comment: { ...comment, author: { id: '1', is_staff: true, name: 'Agent' } } } }))).toContain('agent');
  });

  it('ignores the comment_added of a new ticket’s description (ticket.created covers it)', () => {
    const body = fixture('comment-added.json');
    const description = (body.detail as { description: string }).description;
    const comment = { ...(body.event as { comment: Record<string, unknown> }).comment, body: description };
    expect(ignoredReason(parse({ ...body, event: { comment } }))).toContain('description');
  });

  it('a ticket event without any ticket id is unprocessable (422)', () => {
    const body = fixture('ticket-created.json');
    const detail = { ...(body.detail as Record<string, unknown>) };
    delete detail.id;
    const error = catchError(() => parse({ ...body, detail, subject: 'zen:ticket:' }));
    expect(error).toBeInstanceOf(UnprocessableEventError);
    expect((error as UnprocessableEventError).reason).toBe('missing_ticket_id');
  });
});

describe('Zendesk trigger webhooks (the documented template)', () => {
  it('maps the route to the event type', () => {
    expect(only(parse(fixture('trigger-ticket-created.json'), 'ticket.created'))).toMatchObject({
      eventType: 'ticket.created',
      ticketId: '35437',
      identity: 'ticket.created:35437',
    });
    expect(only(parse(fixture('trigger-message-created.json'), 'message.created'))).toMatchObject({ eventType: 'message.created', ticketId: '35437' });
    expect(only(parse(fixture('trigger-ticket-resolved.json'), 'ticket.resolved'))).toMatchObject({ eventType: 'ticket.resolved', ticketId: '35437', identity: 'ticket.resolved:35437' });
  });

  it('names a reply by its comment: the same comment is the same event, another comment another event', () => {
    const body = fixture('trigger-message-created.json');
    const ticket = body.ticket as Record<string, unknown>;
    const first = only(parse(body, 'message.created')).identity;
    // A retry re-renders the template: other fields (status, tags) may have moved.
    const retried = only(parse({ ticket: { ...ticket, status: 'Pending', tags: 'login escalation-risk' } }, 'message.created')).identity;
    const next = only(parse({ ticket: { ...ticket, latest_comment: 'Any news?' } }, 'message.created')).identity;
    expect(first).toMatch(/^message\.created:35437:[0-9a-f]{32}$/);
    expect(retried).toBe(first);
    expect(next).not.toBe(first);
  });

  it('accepts an "event" field when the webhook posts to /webhooks/zendesk', () => {
    expect(only(parse({ ...fixture('trigger-ticket-created.json'), event: 'ticket-created' })).eventType).toBe('ticket.created');
    expect(ignoredReason(parse({ ...fixture('trigger-ticket-created.json'), event: 'ticket-deleted' }))).toContain('not processed');
  });

  it('accepts the flat shapes seen in the field (ticket_id, ticket_title, space-separated tags)', () => {
    expect(only(parse(fixture('trigger-flat.json'), 'ticket.created'))).toMatchObject({ ticketId: '4', identity: 'ticket.created:4' });
  });

  it('accepts a form-encoded trigger body', () => {
    const form = 'ticket_id=77&ticket_title=Help&ticket_description=Broken';
    const event = only(parse(form, 'ticket.created', {}, { 'content-type': 'application/x-www-form-urlencoded' }));
    expect(event).toMatchObject({ ticketId: '77', payload: { ticket_title: 'Help' } });
  });

  it('honours a fieldMap override for a custom template', () => {
    const event = only(parse({ data: { ticket_number: 'Z-9' } }, 'ticket.created', { fieldMap: { ticketId: ['data.ticket_number'] } }));
    expect(event.ticketId).toBe('Z-9');
  });

  it('ignores a trigger fired by the bridge’s own update (its note is the latest comment)', () => {
    const body = fixture('trigger-ticket-resolved.json');
    const ticket = { ...(body.ticket as Record<string, unknown>), latest_comment: 'Simpli Bot, Apr 19, 2024, 14:31\n\n[Simpli AI]\nQA score: 0.92.' };
    expect(ignoredReason(parse({ ticket }, 'ticket.resolved'))).toContain('bridge’s own note');
  });

  it('a body without an event and no route is a bad request (400)', () => {
    const error = catchError(() => parse(fixture('trigger-ticket-created.json')));
    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as BadRequestError).reason).toBe('missing_event_type');
  });

  it('a body without a ticket id is unprocessable (422)', () => {
    const error = catchError(() => parse({ ticket: { subject: 'no id' } }, 'ticket.created'));
    expect(error).toBeInstanceOf(UnprocessableEventError);
    expect((error as UnprocessableEventError).reason).toBe('missing_ticket_id');
  });

  it('bodies that are not JSON objects are bad requests (400)', () => {
    for (const [body, reason] of [['{not json', 'invalid_json'], ['', 'empty_body'], ['[1,2]', 'not_an_object']] as const) {
      const error = catchError(() => parse(body, 'ticket.created'));
      expect(error).toBeInstanceOf(BadRequestError);
      expect((error as BadRequestError).reason).toBe(reason);
    }
  });
});

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

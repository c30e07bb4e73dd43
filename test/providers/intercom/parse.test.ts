import { describe, expect, it } from 'vitest';
import { BadRequestError, UnprocessableEventError } from '../../../lib/errors.ts';
import { intercomProvider } from '../../../lib/providers/intercom/index.ts';
import type { ParseResult, ProviderSettings } from '../../../lib/providers/types.ts';
import { fixture, fixtureJson, onlyEvent, request } from './support.ts';

const parse = (body: string, settings: ProviderSettings = {}): ParseResult => intercomProvider.parse(request(body), settings);

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('Intercom notifications → events', () => {
  it.each([
    ['conversation-user-created', 'ticket.created', '1295', 'ticket.created:1295'],
    ['conversation-user-created-v1', 'ticket.created', '147', 'ticket.created:147'],
    ['conversation-user-replied', 'message.created', '1295', 'message.created:1295:notif_3f2e1d0c-9b8a-4766-8554-433221100fed'],
    ['conversation-user-replied-v1', 'message.created', '147', 'message.created:147:notif_5b6c7d8e-9fa0-4b1c-8d2e-3f4a5b6c7d8e'],
    ['conversation-admin-closed', 'ticket.resolved', '1295', 'ticket.resolved:1295'],
    ['ticket-created', 'ticket.created', '1296', 'ticket.created:1296'],
    ['ticket-contact-replied', 'message.created', '1296', 'message.created:1296:notif_22222222-3333-4444-8555-666666666666'],
    ['ticket-state-updated-resolved', 'ticket.resolved', '1296', 'ticket.resolved:1296'],
  ])('%s → %s of %s, identity %s', (name, eventType, ticketId, identity) => {
    const event = onlyEvent(parse(fixture(name)));
    expect(event).toMatchObject({ eventType, ticketId, identity });
  });

  it('keeps the object type so tickets are written back under /tickets', () => {
    expect(onlyEvent(parse(fixture('ticket-created'))).payload).toMatchObject({ object: 'ticket', topic: 'ticket.created' });
    expect(onlyEvent(parse(fixture('conversation-user-created'))).payload).toMatchObject({ object: 'conversation' });
  });

  it('answers ping (sent when a subscription is saved) as ignored', () => {
    expect(parse(fixture('ping'))).toEqual({ kind: 'ignored', reason: 'ping' });
  });

  it.each([
    ['conversation.admin.replied'],
    ['conversation.admin.assigned'],
    ['conversation.admin.snoozed'],
    ['conversation.priority.updated'],
    ['contact.created'],
  ])('ignores topic %s', (topic) => {
    const body = { ...fixtureJson('conversation-user-created'), topic };
    expect(parse(JSON.stringify(body))).toEqual({ kind: 'ignored', reason: `topic ${topic} is not processed` });
  });

  it('ignores a ticket state change that is not a resolution', () => {
    const body = JSON.parse(fixture('ticket-state-updated-resolved')) as { data: { item: Record<string, unknown> } };
    body.data.item.ticket_state = { type: 'ticket_state', id: '7494', category: 'in_progress' };
    expect(parse(JSON.stringify(body))).toEqual({ kind: 'ignored', reason: 'topic ticket.state.updated is not processed' });
  });

  it('reads the older string form of ticket_state', () => {
    const body = JSON.parse(fixture('ticket-state-updated-resolved')) as { data: { item: Record<string, unknown> } };
    body.data.item.ticket_state = 'resolved';
    expect(onlyEvent(parse(JSON.stringify(body))).eventType).toBe('ticket.resolved');
  });

  describe('ticket topics about one part send a ticket_ticket_part (real shape, see lib/providers/intercom/item.ts)', () => {
    type Wrapped = { topic: string; data: { item: { type: string; ticket: { ticket_parts: { ticket_parts: unknown[] } }; ticket_part: Record<string, unknown> } } };
    const wrapped = (): Wrapped => JSON.parse(fixture('ticket-contact-replied')) as Wrapped;

    it('reads ticket.contact.replied as a message on the wrapped ticket', () => {
      const event = onlyEvent(parse(fixture('ticket-contact-replied')));
      expect(event).toMatchObject({ eventType: 'message.created', ticketId: '1296', payload: { object: 'ticket' } });
    });

    it('finds the reply in ticket_part when the ticket’s own list does not hold it', () => {
      const body = wrapped();
      body.data.item.ticket.ticket_parts.ticket_parts = [];
      const event = onlyEvent(parse(JSON.stringify(body)));
      expect(event.identity).toBe('message.created:1296:notif_22222222-3333-4444-8555-666666666666');
      expect((event.payload as { item: { ticket_parts: { ticket_parts: { id: string }[] } } }).item.ticket_parts.ticket_parts.map((p) => p.id)).toEqual(['9001']);
    });

    it.each([['ticket.admin.replied'], ['ticket.note.created'], ['ticket.admin.assigned'], ['ticket.attribute.updated']])('ignores %s', (topic) => {
      const body = { ...wrapped(), topic };
      expect(parse(JSON.stringify(body))).toEqual({ kind: 'ignored', reason: `topic ${topic} is not processed` });
    });

    it('ignores ticket.contact.replied whose part is not a contact’s', () => {
      const body = wrapped();
      body.data.item.ticket.ticket_parts.ticket_parts = [];
      body.data.item.ticket_part.author = { type: 'admin', id: '814860' };
      expect(parse(JSON.stringify(body))).toEqual({ kind: 'ignored', reason: 'ticket.contact.replied carries no customer message' });
    });

    it('treats ticket.closed as the resolution, with the same identity as the ticket.state.updated of that close', () => {
      const stateUpdated = fixtureJson('ticket-state-updated-resolved');
      const closed = { ...stateUpdated, topic: 'ticket.closed', id: 'notif_closed-0000' };
      const a = onlyEvent(parse(JSON.stringify(stateUpdated)));
      const b = onlyEvent(parse(JSON.stringify(closed)));
      expect(b).toMatchObject({ eventType: 'ticket.resolved', ticketId: '1296' });
      expect(b.identity).toBe(a.identity);
    });
  });

  describe('echo loop: what the bridge writes comes back as notifications and is ignored', () => {
    it('its admin note (conversation.admin.noted)', () => {
      expect(parse(fixture('conversation-admin-noted-bridge'))).toEqual({
        kind: 'ignored',
        reason: 'conversation.admin.noted of the bridge’s own note',
      });
    });

    it('its tags (conversation_part.tag.created)', () => {
      expect(parse(fixture('conversation-part-tag-created'))).toEqual({
        kind: 'ignored',
        reason: 'topic conversation_part.tag.created is not processed',
      });
    });

    it('its note arriving under a processed topic', () => {
      const body = JSON.parse(fixture('conversation-admin-noted-bridge')) as Record<string, unknown>;
      body.topic = 'conversation.user.replied';
      expect(parse(JSON.stringify(body))).toMatchObject({ kind: 'ignored' });
    });
  });

  it('ignores a reply notification without any customer message', () => {
    const body = JSON.parse(fixture('conversation-user-replied')) as { data: { item: { conversation_parts: { conversation_parts: { author: { type: string } }[] } } } };
    for (const part of body.data.item.conversation_parts.conversation_parts) part.author.type = 'admin';
    expect(parse(JSON.stringify(body))).toEqual({ kind: 'ignored', reason: 'conversation.user.replied carries no customer message' });
  });

  describe('identity across Intercom retries', () => {
    it('is the same when a resend changes delivery_attempts, delivered_at and the formatting', () => {
      const first = fixture('conversation-user-replied');
      const retry = JSON.parse(first) as Record<string, unknown>;
      retry.delivery_attempts = 2;
      retry.delivered_at = 1717239700;
      retry.delivery_status = 'retry';
      const retried = JSON.stringify(retry);
      expect(retried).not.toBe(first);
      expect(onlyEvent(parse(retried)).identity).toBe(onlyEvent(parse(first)).identity);
    });

    it('keys a ticket creation by ticket id whatever the notification id', () => {
      const other = { ...fixtureJson('ticket-created'), id: 'notif_ffffffff-0000-4000-8000-000000000000' };
      expect(onlyEvent(parse(JSON.stringify(other))).identity).toBe('ticket.created:1296');
    });

    it('differs for two replies to the same conversation', () => {
      const other = { ...fixtureJson('conversation-user-replied'), id: 'notif_other' };
      expect(onlyEvent(parse(JSON.stringify(other))).identity).not.toBe(onlyEvent(parse(fixture('conversation-user-replied'))).identity);
    });

    it('falls back to the part id, stable across retries, when a notification has no id', () => {
      const body = { ...fixtureJson('conversation-user-replied'), id: null };
      expect(onlyEvent(parse(JSON.stringify(body))).identity).toBe('message.created:1295:7001');
      expect(onlyEvent(parse(JSON.stringify({ ...body, delivery_attempts: 3 }))).identity).toBe('message.created:1295:7001');
    });
  });

  describe('rejections', () => {
    it.each([
      ['invalid JSON', '{"topic": ', BadRequestError, 'invalid_json'],
      ['an empty body', '', BadRequestError, 'empty_body'],
      ['a JSON array', '[]', BadRequestError, 'not_an_object'],
      ['no topic', '{"data":{"item":{"id":"1"}}}', BadRequestError, 'missing_topic'],
      ['no data.item', '{"topic":"conversation.user.created","data":{}}', BadRequestError, 'missing_item'],
      ['an item without id', '{"topic":"conversation.user.created","data":{"item":{"type":"conversation"}}}', UnprocessableEventError, 'missing_ticket_id'],
    ])('%s → %s', (_case, body, errorClass, reason) => {
      const error = thrown(() => parse(body));
      expect(error).toBeInstanceOf(errorClass);
      expect((error as { reason: string }).reason).toBe(reason);
    });
  });

  it('takes the ticket id from a fieldMap override', () => {
    const event = onlyEvent(parse(fixture('ticket-created'), { fieldMap: { ticketId: ['ticket_id'] } }));
    expect(event.ticketId).toBe('22');
  });
});

import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHttpClient } from '../../../lib/http.ts';
import { intercomProvider } from '../../../lib/providers/intercom/index.ts';
import type { NormalizedEvent, ProviderSettings } from '../../../lib/providers/types.ts';
import { startFakeServer, type FakeServer } from '../../support/fake-server.ts';
import { helpdeskContract } from '../../support/helpdesk-contracts.ts';
import { fixture, onlyEvent, queued, request } from './support.ts';

let api: FakeServer;
const http = createHttpClient({ retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 } });

beforeAll(async () => {
  api = await startFakeServer(undefined, { contract: helpdeskContract });
});
afterAll(async () => {
  await api.stop();
});
// Every request the bridge made must keep the vendor's contract (helpdesk-contracts.ts).
afterEach(() => api.assertNoViolations());
beforeEach(() => {
  api.requests.length = 0;
});

async function normalize(name: string, settings: ProviderSettings = {}): Promise<NormalizedEvent> {
  const event = onlyEvent(intercomProvider.parse(request(fixture(name)), settings));
  return intercomProvider.normalize(queued(event), { settings, http });
}

describe('Intercom normalization', () => {
  it('maps a 2.x conversation.user.created', async () => {
    const event = await normalize('conversation-user-created');
    expect(event).toEqual({
      eventType: 'ticket.created',
      ticketId: '1295',
      subject: 'Charged twice',
      body: 'I was charged twice for my subscription this month.\nPlease refund one of the payments.',
      customerId: '6650f1a2b3c4d5e6f7a8b9c0',
      channel: 'email',
      messageText: undefined,
      conversation: [{ role: 'customer', content: 'I was charged twice for my subscription this month.\nPlease refund one of the payments.' }],
      metadata: { source: 'intercom', intercom_object: 'conversation', topic: 'conversation.user.created', status: 'open', priority: 'not_priority' },
    });
  });

  it('maps the older shape (conversation_message, user)', async () => {
    const event = await normalize('conversation-user-created-v1');
    expect(event).toMatchObject({
      ticketId: '147',
      subject: 'Cannot log in',
      body: 'I get an error when I try to log in since this morning.',
      customerId: '536e564f316c83104c000020',
      channel: 'chat',
    });
  });

  it('maps a ticket (title, description, channel)', async () => {
    const event = await normalize('ticket-created');
    expect(event).toMatchObject({
      ticketId: '1296',
      subject: 'Refund request',
      body: 'I would like a refund for order 1001, the item arrived broken.',
      customerId: '6650f1a2b3c4d5e6f7a8b9c1',
      channel: 'email',
      metadata: { intercom_object: 'ticket', status: 'submitted' },
    });
  });

  it.each([
    ['conversation-user-replied', 'This is still not fixed and I am getting really annoyed.'],
    ['conversation-user-replied-v1', 'Thanks, resetting the password worked.'],
    ['ticket-contact-replied', 'Any update? It has been a week.'],
  ])('takes the customer message of %s', async (name, text) => {
    const event = await normalize(name);
    expect(event.eventType).toBe('message.created');
    expect(event.messageText).toBe(text);
  });

  it('takes the reply from a ticket_ticket_part’s ticket_part when the ticket’s own list lacks it', async () => {
    const body = JSON.parse(fixture('ticket-contact-replied')) as { data: { item: { ticket: { ticket_parts: { ticket_parts: unknown[] } } } } };
    body.data.item.ticket.ticket_parts.ticket_parts = [];
    const event = onlyEvent(intercomProvider.parse(request(JSON.stringify(body)), {}));
    const normalized = await intercomProvider.normalize(queued(event), { settings: {}, http });
    expect(normalized).toMatchObject({
      eventType: 'message.created',
      ticketId: '1296',
      subject: 'Refund request',
      messageText: 'Any update? It has been a week.',
      agentId: '814860',
      metadata: { intercom_object: 'ticket', status: 'in_progress' },
    });
  });

  it('uses a fieldMap override for a custom field', async () => {
    const event = await normalize('ticket-created', { fieldMap: { customerId: ['contacts.contacts.0.external_id'] } });
    expect(event.customerId).toBe('C-44');
  });

  describe('on resolution it fetches the whole thread for QA', () => {
    const settings = (): ProviderSettings => ({ baseUrl: api.url, accessToken: 'tok-123', adminId: '814860' });

    it('GET /conversations/{id} with the token and API version; notes and the bridge’s notes left out', async () => {
      api.respond(() => ({
        json: {
          type: 'conversation',
          id: '1295',
          source: { type: 'email', subject: 'Charged twice', body: '<p>I was charged twice.</p>', author: { type: 'user', id: 'u1' } },
          conversation_parts: {
            type: 'conversation_part.list',
            conversation_parts: [
              { id: '1', part_type: 'note', body: '<p>[Simpli AI]</p><p>Triage: billing</p>', author: { type: 'admin', id: '814860' } },
              { id: '2', part_type: 'comment', body: '<p>Sorry! Refunding now.</p>', author: { type: 'admin', id: '814860' } },
              { id: '3', part_type: 'note', body: '<p>internal: check Stripe</p>', author: { type: 'admin', id: '814860' } },
              { id: '4', part_type: 'assignment', body: null, author: { type: 'bot', id: '9' } },
              { id: '5', part_type: 'comment', body: '<p>Thank you!</p>', author: { type: 'user', id: 'u1' } },
              { id: '6', part_type: 'close', body: '<p>Refund issued.</p>', author: { type: 'admin', id: '814860' } },
            ],
          },
        },
      }));
      const event = await normalize('conversation-admin-closed', settings());

      expect(api.requests).toHaveLength(1);
      expect(api.requests[0]).toMatchObject({ method: 'GET', path: '/conversations/1295' });
      expect(api.requests[0]?.headers.authorization).toBe('Bearer tok-123');
      expect(api.requests[0]?.headers['intercom-version']).toBe('2.11');
      expect(event.conversation).toEqual([
        { role: 'customer', content: 'I was charged twice.' },
        { role: 'agent', content: 'Sorry! Refunding now.' },
        { role: 'customer', content: 'Thank you!' },
        { role: 'agent', content: 'Refund issued.' },
      ]);
    });

    it('GET /tickets/{id} for a ticket', async () => {
      api.respond(() => ({
        json: {
          type: 'ticket',
          id: '1296',
          ticket_attributes: { _default_title_: 'Refund request', _default_description_: 'Item arrived broken.' },
          ticket_parts: { ticket_parts: [{ id: '1', part_type: 'comment', body: '<p>Refund sent.</p>', author: { type: 'admin', id: '814860' } }] },
        },
      }));
      const event = await normalize('ticket-state-updated-resolved', settings());

      expect(api.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /tickets/1296']);
      expect(event.conversation).toEqual([
        { role: 'customer', content: 'Item arrived broken.' },
        { role: 'agent', content: 'Refund sent.' },
      ]);
    });

    it('uses the notification’s own parts when no access token is configured (dry run)', async () => {
      const event = await normalize('conversation-admin-closed');
      expect(api.requests).toHaveLength(0);
      expect(event.conversation).toEqual([
        { role: 'customer', content: 'I was charged twice for my subscription this month.' },
        { role: 'agent', content: 'Refund issued, sorry for the trouble!' },
      ]);
    });
  });
});

/**
 * Names of JavaScript built-ins in a request are names like any other (issue #13 finding 6):
 * `constructor`, `toString`, `__proto__` as a topic, a route event, an event name, a status or an
 * XML entity are unknown values — never a function found on Object.prototype (which gave 503,
 * 500 TypeError or a queued `intercom:[object Undefined]:…` event).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { at, firstString } from '../../lib/mapping.ts';
import { compileConnector } from '../../lib/providers/connector/compile.ts';
import { connectorProcess } from '../../lib/providers/connector/index.ts';
import { roleOf } from '../../lib/providers/connector/parse.ts';
import { createKit } from './redteam-kit.ts';

const fixture = (path: string) => readFileSync(new URL(`../fixtures/${path}`, import.meta.url), 'utf8');
const BUILTINS = ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf'];

describe('built-in names are unknown names', () => {
  const kit = createKit();

  for (const name of BUILTINS) {
    it(`Intercom "topic": "${name}" is an unprocessed topic (200, nothing queued)`, async () => {
      const body = JSON.parse(fixture('intercom/conversation-user-replied.json')) as Record<string, unknown>;
      const r = await kit.post('intercom', '/webhooks/intercom', JSON.stringify({ ...body, topic: name }));
      expect(r).toMatchObject({ status: 200, body: { status: 'ignored' }, events: [] });
    });

    it(`route /webhooks/generic/${name} is an unknown event (404)`, async () => {
      const r = await kit.post('generic', `/webhooks/generic/${name}`, JSON.stringify({ ticket_id: 'G-1', subject: 's' }));
      expect(r).toMatchObject({ status: 404, body: { error: 'unknown_event' }, events: [] });
    });

    it(`route /webhooks/${name} is an unknown provider (404), not a connector`, async () => {
      const r = await kit.post('generic', `/webhooks/${name}`, JSON.stringify({ ticket_id: 'G-1', subject: 's' }));
      expect(r).toMatchObject({ status: 404, body: { error: 'unknown_provider' }, events: [] });
    });

    it(`generic "event": "${name}" is an unprocessed event (200)`, async () => {
      const r = await kit.post('generic', '/webhooks/generic', JSON.stringify({ event: name, ticket_id: 'G-1', subject: 's' }));
      expect(r).toMatchObject({ status: 200, body: { status: 'ignored' }, events: [] });
    });

    it(`Zendesk trigger "event": "${name}" is an unprocessed event (200)`, async () => {
      const r = await kit.post('zendesk', '/webhooks/zendesk', JSON.stringify({ event: name, ticket_id: '35436', subject: 's' }));
      expect(r).toMatchObject({ status: 200, body: { status: 'ignored' }, events: [] });
    });

    it(`Freshdesk status to:${name} is not a resolution (200), and source "${name}" is no channel`, async () => {
      const body = { freshdesk_webhook: { triggered_event: `{status:{from:2,to:${name}}}`, ticket_id: 20, ticket_subject: 's', ticket_status: name, ticket_source: name } };
      const r = await kit.post('freshdesk', '/webhooks/freshdesk/ticket-resolved', JSON.stringify(body));
      expect(r).toMatchObject({ status: 200, body: { status: 'ignored' }, events: [] });
      const named = await kit.post('freshdesk', '/webhooks/freshdesk', JSON.stringify({ ticket_id: 20, event: name }));
      expect(named.status).toBe(400);
    });
  }

  it('a Salesforce body with &constructor; or &toString; is refused (400), never expanded', async () => {
    for (const name of ['constructor', 'toString', '__proto__']) {
      const xml = fixture('salesforce/case-created.xml').replace('</sf:Subject>', `&${name};</sf:Subject>`);
      expect(xml).toContain(`&${name};`);
      const r = await kit.post('salesforce', '/webhooks/salesforce/ticket-created', xml);
      expect(r).toMatchObject({ status: 400, body: { error: 'xml_entity_forbidden' }, events: [] });
    }
  });

  it('a Salesforce field element named __proto__ is kept as a field', async () => {
    const xml = fixture('salesforce/case-created.xml').replace('</sObject>', '<sf:__proto__>x</sf:__proto__></sObject>');
    expect(xml).toContain('__proto__>x');
    const r = await kit.post('salesforce', '/webhooks/salesforce/ticket-created', xml);
    expect(r.status).toBe(200);
    const sObject = (r.events[0]?.payload as { sObject: Record<string, unknown> } | undefined)?.sObject ?? {};
    expect(Object.hasOwn(sObject, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(sObject)).toBe(Object.prototype);
  });

  it('field paths find own properties only', () => {
    expect(at({}, 'constructor')).toBeUndefined();
    expect(at({ a: {} }, 'a.toString')).toBeUndefined();
    expect(at({ a: [1, 2] }, 'a.length')).toBe(2);
    expect(firstString({ ticket: {} }, ['ticket.constructor.name', 'ticket.id'])).toBeUndefined();
    expect(firstString({ constructor: 'C-1' }, ['constructor'])).toBe('C-1');
  });

  it('a generic fieldMap override keyed by a built-in name is ignored, not merged', async () => {
    const k = createKit({ settings: { generic: { fieldMap: JSON.parse('{"__proto__": ["x"], "constructor": ["x"]}') } } });
    const r = await k.post('generic', '/webhooks/generic/ticket-created', JSON.stringify({ ticket_id: 'G-7', subject: 's' }));
    expect(r).toMatchObject({ status: 202, events: [{ ticketId: 'G-7' }] });
  });
});

describe('a connector’s author roles are looked up as own names', () => {
  const spec = {
    authenticity: { type: 'token', in: 'header', name: 'x-token' },
    events: { source: 'kind', map: { reply: 'message.created', opened: 'ticket.created' } },
    fields: { ticketId: ['id'], message: ['text'], messageRole: ['author'], thread: { path: 'thread', content: ['text'], role: ['author'] } },
    auth: { type: 'none' },
    writeBack: [{ method: 'POST', url: '{settings.baseUrl}/cases/{ticket_id}', body: { text: '{note}' } }],
  };
  const settings = () => ({ baseUrl: 'https://api.acme.example', connector: spec });

  for (const name of BUILTINS) {
    it(`a message whose author is "${name}" is by an unknown author, not Object.prototype.${name}`, () => {
      const connector = compileConnector('acme', settings());
      expect(roleOf(connector, name)).toBeUndefined();
    });

    it(`a thread message by "${name}" is a customer's in the conversation sent to Simpli`, async () => {
      const payload = { kind: 'opened', id: '7', text: 'help', thread: [{ text: 'my card was charged twice', author: name }] };
      const event = { provider: 'acme', eventType: 'ticket.created' as const, eventId: 'acme:ticket.created:7', ticketId: '7', payload, receivedAt: new Date(0).toISOString(), requestId: 'r' };
      const normalized = await connectorProcess('acme').normalize(event, { settings: settings(), http: { request: async () => ({ status: 200, headers: new Headers(), body: '{}' }) } });
      expect(normalized.conversation).toEqual([{ role: 'customer', content: 'my card was charged twice' }]);
    });
  }
});

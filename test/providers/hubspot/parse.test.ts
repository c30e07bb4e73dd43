import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BadRequestError, PermanentEventError, UnprocessableEventError } from '../../../lib/errors.ts';
import { hubspotProvider } from '../../../lib/providers/hubspot/index.ts';
import type { ParseResult, ProviderSettings, WebhookRequest } from '../../../lib/providers/types.ts';

const fixture = (name: string): Record<string, unknown>[] =>
  JSON.parse(readFileSync(new URL(`../../fixtures/hubspot/${name}`, import.meta.url), 'utf8')) as Record<string, unknown>[];

function parse(body: unknown, settings: ProviderSettings = {}): ParseResult {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  const request: WebhookRequest = { method: 'POST', url: 'https://bridge.example.com/webhooks/hubspot', rawBody: Buffer.from(raw), headers: {}, query: {} };
  return hubspotProvider.parse(request, settings);
}

function events(result: ParseResult) {
  if (result.kind !== 'events') throw new Error(`expected events, got ignored: ${result.reason}`);
  return result.events;
}

function thrown(fn: () => unknown): { name: string; reason: string } {
  try {
    fn();
  } catch (error) {
    const e = error as { name: string; reason: string };
    return { name: e.name, reason: e.reason };
  }
  throw new Error('expected a throw');
}

describe('HubSpot payload shapes', () => {
  it('ticket.creation → ticket.created keyed by the ticket id alone', () => {
    const [e, ...rest] = events(parse(fixture('ticket-creation.json')));
    expect(rest).toEqual([]);
    expect(e).toMatchObject({ eventType: 'ticket.created', ticketId: '3052741912', identity: 'ticket.created:3052741912' });
    expect(e?.payload).toEqual(fixture('ticket-creation.json')[0]);
  });

  it('generic object.creation of objectTypeId 0-5 (a ticket) → ticket.created; of another object → ignored', () => {
    expect(events(parse(fixture('object-creation-ticket.json')))[0]).toMatchObject({ eventType: 'ticket.created', ticketId: '3052741999' });
    const contact = { ...fixture('object-creation-ticket.json')[0], objectTypeId: '0-1' };
    expect(parse([contact])).toEqual({ kind: 'ignored', reason: 'object.creation is not processed' });
  });

  it('hs_pipeline_stage → the default closed stage "4" → ticket.resolved keyed by the ticket id (what the search API can name too)', () => {
    expect(events(parse(fixture('ticket-closed.json')))[0]).toMatchObject({
      eventType: 'ticket.resolved',
      ticketId: '3052741912',
      identity: 'ticket.resolved:3052741912',
    });
  });

  it('closed stage ids are configurable (custom pipelines)', () => {
    const custom = [{ ...fixture('ticket-closed.json')[0], propertyValue: '81726354' }];
    expect(parse(custom)).toEqual({ kind: 'ignored', reason: 'stage 81726354 is not a closed stage' });
    expect(events(parse(custom, { closedStageIds: ['4', 81726354] }))[0]?.eventType).toBe('ticket.resolved');
    // With custom ids, the default "4" no longer counts unless listed.
    expect(parse(fixture('ticket-closed.json'), { closedStageIds: ['81726354'] }).kind).toBe('ignored');
  });

  it('generic object.propertyChange of a ticket to a closed stage → ticket.resolved', () => {
    const generic = [{ ...fixture('ticket-closed.json')[0], subscriptionType: 'object.propertyChange', objectTypeId: '0-5' }];
    expect(events(parse(generic))[0]?.eventType).toBe('ticket.resolved');
  });

  it('conversation.newMessage of type MESSAGE → message.created on the thread (ticket resolved later)', () => {
    expect(events(parse(fixture('conversation-new-message.json')))[0]).toMatchObject({
      eventType: 'message.created',
      ticketId: 'thread:8806311987',
      identity: 'message.created:48807704:2604415:1912345123:1752615720000:8806311987',
    });
  });

  it('accepts a single notification object as a batch of one', () => {
    expect(events(parse(fixture('ticket-creation.json')[0]))[0]?.identity).toBe('ticket.created:3052741912');
  });
});

describe('deliberately ignored events (HubSpot retries every 4xx, so they are answered 200)', () => {
  it.each([
    ['a subscription type we do not process', { subscriptionType: 'contact.creation', objectId: 1 }, 'contact.creation is not processed'],
    ['a ticket deletion', { subscriptionType: 'ticket.deletion', objectId: 1 }, 'ticket.deletion is not processed'],
    ['a change of another property', { subscriptionType: 'ticket.propertyChange', objectId: 1, propertyName: 'hs_ticket_priority', propertyValue: 'HIGH' }, 'change of hs_ticket_priority is not processed'],
    ['a stage that is not closed', { subscriptionType: 'ticket.propertyChange', objectId: 1, propertyName: 'hs_pipeline_stage', propertyValue: '2' }, 'stage 2 is not a closed stage'],
    ['an internal COMMENT in a conversation', { subscriptionType: 'conversation.newMessage', objectId: 1, messageId: 'm', messageType: 'COMMENT' }, 'COMMENT messages are not processed'],
    ['a WELCOME_MESSAGE', { subscriptionType: 'conversation.newMessage', objectId: 1, messageId: 'm', messageType: 'WELCOME_MESSAGE' }, 'WELCOME_MESSAGE messages are not processed'],
    ['a notification without subscriptionType', { objectId: 1 }, 'a notification without subscriptionType'],
    ['an empty batch', null, 'the batch is empty'],
  ])('%s', (_name, item, reason) => {
    expect(parse(item === null ? [] : [item])).toEqual({ kind: 'ignored', reason });
  });

  it('ignores the echo of the bridge’s own writes: ai_* properties and the tags property (renamed ones too)', () => {
    const change = (propertyName: string) => [{ subscriptionType: 'ticket.propertyChange', objectId: 1, propertyName, propertyValue: 'x', changeSource: 'INTEGRATION' }];
    expect(parse(change('ai_category'))).toEqual({ kind: 'ignored', reason: 'change of ai_category, which the bridge writes' });
    expect(parse(change('ai_tags'))).toEqual({ kind: 'ignored', reason: 'change of ai_tags, which the bridge writes' });
    const renamed = { customFields: { ai_category: 'simpli_category' }, tagsProperty: 'simpli_tags' };
    expect(parse(change('simpli_category'), renamed)).toEqual({ kind: 'ignored', reason: 'change of simpli_category, which the bridge writes' });
    expect(parse(change('simpli_tags'), renamed)).toEqual({ kind: 'ignored', reason: 'change of simpli_tags, which the bridge writes' });
  });

  it('ignores any event from a source listed in ignoredSourceIds', () => {
    const closed = [{ ...fixture('ticket-closed.json')[0], changeSource: 'INTEGRATION', sourceId: '16111050' }];
    expect(parse(closed, { ignoredSourceIds: [16111050] })).toEqual({ kind: 'ignored', reason: 'ticket.propertyChange from ignored source 16111050' });
    expect(parse(closed).kind).toBe('events');
  });

  it('enqueues only the processed events of a mixed batch', () => {
    const result = events(parse(fixture('mixed-batch.json')));
    expect(result.map((e) => [e.eventType, e.ticketId])).toEqual([
      ['ticket.created', '3052742001'],
      ['ticket.resolved', '3052742003'],
    ]);
  });
});

describe('identity: the business event, stable across HubSpot retries', () => {
  it('a retried batch (attemptNumber 1, re-serialized with other key order and spacing) has the same identities', () => {
    const first = events(parse(fixture('ticket-closed.json')));
    const retry = fixture('ticket-closed.json').map((n) => Object.fromEntries(Object.entries({ ...n, attemptNumber: 1 }).reverse()));
    const retried = events(parse(JSON.stringify(retry, null, 2)));
    expect(retried.map((e) => e.identity)).toEqual(first.map((e) => e.identity));
    expect(retried[0]?.identity).toBe('ticket.resolved:3052741912');
  });

  it('a second creation notification of the same ticket (another eventId) is the same business event', () => {
    const again = [{ ...fixture('ticket-creation.json')[0], eventId: 999, occurredAt: 1752613999999, attemptNumber: 3 }];
    expect(events(parse(again))[0]?.identity).toBe('ticket.created:3052741912');
  });

  it('two message notifications that differ only in occurredAt are different events (eventId is not unique)', () => {
    const a = fixture('conversation-new-message.json')[0];
    const ids = events(parse([a, { ...a, occurredAt: 1752617520001 }])).map((e) => e.identity);
    expect(new Set(ids).size).toBe(2);
  });

  it('a resolution is named by its ticket: two closing notifications of one ticket are one event', () => {
    const a = fixture('ticket-closed.json')[0];
    expect(events(parse([a, { ...a, eventId: 1912345099, occurredAt: 1752617520001 }])).map((e) => e.identity)).toEqual(['ticket.resolved:3052741912']);
  });

  it('the same notification twice in one batch is enqueued once', () => {
    const a = fixture('ticket-closed.json')[0];
    expect(events(parse([a, a]))).toHaveLength(1);
  });
});

describe('rejections', () => {
  it('unparseable bodies are BadRequestError (400)', () => {
    expect(thrown(() => parse('not json'))).toEqual({ name: 'BadRequestError', reason: 'invalid_json' });
    expect(thrown(() => parse(''))).toEqual({ name: 'BadRequestError', reason: 'empty_body' });
    expect(thrown(() => parse('"a string"'))).toEqual({ name: 'BadRequestError', reason: 'not_an_array' });
    expect(thrown(() => parse([1, 2]))).toEqual({ name: 'BadRequestError', reason: 'invalid_notification' });
    expect(() => parse('42')).toThrow(BadRequestError);
  });

  it('a processable event without objectId is UnprocessableEventError (422) when nothing else can be processed', () => {
    expect(thrown(() => parse([{ subscriptionType: 'ticket.creation', eventId: 1 }]))).toEqual({ name: 'UnprocessableEventError', reason: 'missing_ticket_id' });
    const closedWithoutId = { subscriptionType: 'ticket.propertyChange', propertyName: 'hs_pipeline_stage', propertyValue: '4' };
    expect(() => parse([closedWithoutId])).toThrow(UnprocessableEventError);
    expect(() => parse([{ subscriptionType: 'conversation.newMessage', objectId: 5, messageType: 'MESSAGE' }])).toThrow(UnprocessableEventError);
  });

  it('in a mixed batch, an event without objectId does not hold back the valid ones', () => {
    const result = events(parse([{ subscriptionType: 'ticket.creation', eventId: 1 }, ...fixture('ticket-creation.json')]));
    expect(result.map((e) => e.identity)).toEqual(['ticket.created:3052741912']);
  });

  it('invalid settings name the setting', () => {
    const error = (() => {
      try {
        parse(fixture('ticket-closed.json'), { closedStageIds: 'four' });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(PermanentEventError);
    expect((error as PermanentEventError).message).toContain('HELPDESK_CONFIG.hubspot.closedStageIds');
  });
});

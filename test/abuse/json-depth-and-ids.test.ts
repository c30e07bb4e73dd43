/**
 * JSON bodies: nesting too deep for any walk after JSON.parse is a 400, not a 500 RangeError (issue
 * #13 finding 9), and ids a double cannot hold stay exactly as the helpdesk wrote them (finding
 * 10: `9007199254740993` was written back to ticket …992, `1e309` became `Infinity`).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH, quoteLossyNumbers, scanJsonText } from '../../lib/json-text.ts';
import { readJsonBody } from '../../lib/providers/parse-json-body.ts';
import { createKit } from './redteam-kit.ts';

const fixture = (path: string) => readFileSync(new URL(`../fixtures/${path}`, import.meta.url), 'utf8');
const deep = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;

describe('deeply nested JSON → 400 json_too_deep', () => {
  const kit = createKit();
  const LEVELS = 100_000; // 200 KB, under the body limit; deep enough to overflow any recursion
  const cases = [
    ['generic', '/webhooks/generic', `{"event":"message.created","ticket_id":"G-1","message":"hi","x":${deep(LEVELS)}}`],
    ['zendesk', '/webhooks/zendesk/message-created', `{"ticket_id":"35436","comment":"hi","x":${deep(LEVELS)}}`],
    ['freshdesk', '/webhooks/freshdesk/message-created', `{"ticket_id":20,"ticket_latest_public_comment":"hi","x":${deep(LEVELS)}}`],
    ['intercom', '/webhooks/intercom', fixture('intercom/conversation-user-replied.json').replace('"type": "conversation",', `"type": "conversation", "x": ${deep(LEVELS)},`)],
    ['hubspot', '/webhooks/hubspot', `[{"subscriptionType":"ticket.creation","objectId":1,"x":${deep(LEVELS)}}]`],
  ] as const;
  for (const [provider, path, body] of cases) {
    it(`${provider}: ${LEVELS} levels`, async () => {
      expect(body.length).toBeGreaterThan(2 * LEVELS);
      const r = await kit.post(provider, path, body);
      expect(r).toMatchObject({ status: 400, body: { error: 'json_too_deep' }, events: [] });
    });
  }

  it(`nesting up to ${MAX_JSON_DEPTH} is fine; strings full of brackets do not count`, () => {
    expect(() => readJsonBody({ rawBody: Buffer.from(`{"a":${deep(MAX_JSON_DEPTH - 1)}}`) })).not.toThrow();
    expect(() => readJsonBody({ rawBody: Buffer.from(`{"a":${deep(MAX_JSON_DEPTH)}}`) })).toThrow(expect.objectContaining({ reason: 'json_too_deep' }));
    expect(() => readJsonBody({ rawBody: Buffer.from(JSON.stringify({ a: '[[[[{{{{'.repeat(1000), b: '\\"[[' })) })).not.toThrow();
  });
});

describe('ids beyond 2^53 are kept exactly', () => {
  const kit = createKit();

  it('generic ticket_id 9007199254740993 stays …993, and 1e309 stays "1e309"', async () => {
    const r = await kit.post('generic', '/webhooks/generic/ticket-created', '{"ticket_id": 9007199254740993, "subject": "s"}');
    expect(r).toMatchObject({ status: 202, events: [{ ticketId: '9007199254740993', eventId: 'generic:ticket.created:9007199254740993' }] });
    expect(r.events[0]?.payloadJson).toContain('"9007199254740993"');
    const inf = await kit.post('generic', '/webhooks/generic/ticket-created', '{"ticket_id": 1e309, "subject": "s"}');
    expect(inf).toMatchObject({ status: 202, events: [{ ticketId: '1e309' }] });
  });

  it('Zendesk, Freshdesk and HubSpot numeric ids above 2^53', async () => {
    const zendesk = await kit.post('zendesk', '/webhooks/zendesk/ticket-created', '{"ticket_id": 12345678901234567891, "subject": "s"}');
    expect(zendesk.events.map((e) => e.ticketId)).toEqual(['12345678901234567891']);
    const freshdesk = await kit.post('freshdesk', '/webhooks/freshdesk/ticket-created', '{"freshdesk_webhook": {"ticket_id": 9007199254740993, "ticket_subject": "s"}}');
    expect(freshdesk.events.map((e) => e.ticketId)).toEqual(['9007199254740993']);
    const [first] = JSON.parse(fixture('hubspot/ticket-creation.json')) as Record<string, unknown>[];
    const hubspot = await kit.post('hubspot', '/webhooks/hubspot', JSON.stringify([first]).replace(/"objectId":\d+/, '"objectId":9007199254740993'));
    expect(hubspot.events.map((e) => e.ticketId)).toEqual(['9007199254740993']);
  });

  it('the scan quotes only lossy number tokens outside strings', () => {
    const text = '{"a":"\\"12345678901234567890","b":12345678901234567890,"c":0.5,"d":-9007199254740993,"e":9007199254740991,"f":1.5e300}';
    const scan = scanJsonText(text);
    expect(JSON.parse(quoteLossyNumbers(text, scan.lossyNumbers))).toEqual({
      a: '"12345678901234567890',
      b: '12345678901234567890',
      c: 0.5,
      d: '-9007199254740993',
      e: 9007199254740991,
      f: '1.5e300',
    });
  });
});

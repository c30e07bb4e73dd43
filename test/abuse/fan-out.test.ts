/**
 * One request cannot fan out into thousands of queued events (issue #13 finding 3): HubSpot sends at
 * most 100 notifications per request, Salesforce at most 100 per outbound message, and ingest caps
 * every provider at MAX_EVENTS_PER_REQUEST.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpClient } from '../../lib/http.ts';
import { ingest, MAX_EVENTS_PER_REQUEST } from '../../lib/ingest.ts';
import { SALESFORCE_PAGE_SIZE, salesforceLister } from '../../lib/providers/salesforce/list.ts';
import { startFakeServer, type FakeServer } from '../support/fake-server.ts';
import type { ProviderIngest, QueuedEvent } from '../../lib/providers/types.ts';
import { createKit } from './redteam-kit.ts';

const notification = (i: number) => ({ eventId: i, subscriptionId: 1, portalId: 2, occurredAt: 1752613920733, subscriptionType: 'ticket.creation', attemptNumber: 0, objectId: 1000 + i });

describe('events per request are capped', () => {
  const kit = createKit();

  it('HubSpot: 101 notifications → 422 too_many_events, nothing queued, the reason logged', async () => {
    const before = kit.logs.length;
    const r = await kit.post('hubspot', '/webhooks/hubspot', JSON.stringify(Array.from({ length: 101 }, (_, i) => notification(i))));
    expect(r).toMatchObject({ status: 422, body: { error: 'too_many_events' }, events: [] });
    expect(kit.logs.slice(before).join('\n')).toMatch(/"reason":"too_many_events"/);
  });

  it('HubSpot: the 4,237 minimal notifications of the finding are refused the same way', async () => {
    const r = await kit.post('hubspot', '/webhooks/hubspot', JSON.stringify(Array.from({ length: 4_237 }, (_, i) => ({ subscriptionType: 'ticket.creation', objectId: i + 1 }))));
    expect(r).toMatchObject({ status: 422, body: { error: 'too_many_events' }, events: [] });
  });

  it('HubSpot: 100 notifications are a normal batch', async () => {
    const r = await kit.post('hubspot', '/webhooks/hubspot', JSON.stringify(Array.from({ length: 100 }, (_, i) => notification(i))));
    expect(r.status).toBe(202);
    expect(r.events).toHaveLength(100);
  });

  it('Salesforce: 101 notifications → 400 too_many_notifications, nothing queued', async () => {
    const xml = readFileSync(new URL('../fixtures/salesforce/case-created.xml', import.meta.url), 'utf8');
    const one = /<Notification>[\s\S]*<\/Notification>/.exec(xml)?.[0] ?? '';
    expect(one).not.toBe('');
    const r = await kit.post('salesforce', '/webhooks/salesforce/ticket-created', xml.replace(one, one.repeat(101)));
    expect(r).toMatchObject({ status: 400, events: [] });
    expect(r.body.text).toBeUndefined();
    expect(r.body).toMatchObject({ error: 'too_many_notifications' });
  });

  it(`ingest refuses more than ${MAX_EVENTS_PER_REQUEST} events from any provider`, async () => {
    const queued: QueuedEvent[] = [];
    const greedy: ProviderIngest = {
      name: 'generic',
      verify: () => undefined,
      parse: () => ({ kind: 'events', events: Array.from({ length: MAX_EVENTS_PER_REQUEST + 1 }, (_, i) => ({ eventType: 'ticket.created' as const, identity: `ticket.created:${i}`, ticketId: String(i), payload: {} })) }),
    };
    const run = ingest(
      { provider: 'generic', routeEvent: undefined, requestId: 'r', request: { method: 'POST', url: 'https://h/webhooks/generic', rawBody: Buffer.from('{}'), headers: {}, query: {} } },
      { providers: { generic: greedy }, secretsFor: async () => ['s'], settingsFor: async () => ({}), enqueue: async (e) => void queued.push(...e), nowMs: 0, maxBodyBytes: 1_000 },
    );
    await expect(run).rejects.toMatchObject({ reason: 'too_many_events' });
    expect(queued).toEqual([]);
  });
});

/**
 * The reconciliation lister follows `nextRecordsUrl` while `done` is false (queryMore). A query
 * that never says done — a broken proxy, or a response replayed at the bridge — must not hold the
 * lister in an endless loop of requests: one page asks for LIMIT pageSize rows, which Salesforce
 * returns in batches of at least 200 (REST API Developer Guide, "Query Options Header": batchSize
 * 200–2000, https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/headers_queryoptions.htm).
 */
describe('the Salesforce lister follows a bounded number of query batches', () => {
  let org: FakeServer;
  beforeAll(async () => {
    let n = 0;
    org = await startFakeServer((req) => {
      const id = `5005e00000Q${String(++n).padStart(4, '0')}`; // 15 characters: an 18-character id would need its checksum suffix
      const at = new Date(Date.UTC(2026, 0, 1) + n * 1000).toISOString().replace('Z', '+0000');
      // "Never done" — until request 50, so that a lister without a bound ends the test instead of hanging it.
      return { json: { totalSize: 1, done: n >= 50, nextRecordsUrl: req.path, records: [{ Id: id, Subject: 's', Status: 'New', IsClosed: false, CreatedDate: at, LastModifiedDate: at }] } };
    });
  });
  afterAll(async () => {
    await org?.stop();
  });

  it('stops after the batches a page can need, and goes on from the last row at the next page', async () => {
    const http = createHttpClient({ retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 } });
    const settings = { instanceUrl: org.url, accessToken: 'sf-token' };
    const page = await salesforceLister.listPage(http, settings, { sinceMs: 0, untilMs: Date.now(), cursor: undefined });
    expect(org.requests.length).toBeLessThanOrEqual(SALESFORCE_PAGE_SIZE / 200 + 1);
    // Not the end of the listing: the rows not read yet come with the next page.
    expect(page.next).toBeDefined();
    expect(page.records.length).toBe(org.requests.length);
  });
});

/**
 * A replay after the Ledger forgot the event (issue #13 finding 5). For schemes whose signature has
 * no timestamp, the body's own time (signed with it where the scheme signs the body) is compared
 * with the Ledger's TTL: an event older than the Ledger remembers is ignored, never processed again.
 */
import { createHash, createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { DeleteItemCommand, DynamoDBClient, GetItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { signStandardWebhook } from '../../infra/sign/generic.ts';
import { connectorSigner } from '../../infra/sign/connector.ts';
import { signers } from '../../infra/sign/index.ts';
import { LEDGER_KEY, LEDGER_TTL_ATTRIBUTE } from '../../lib/ledger.ts';
import { compileConnector } from '../../lib/providers/connector/compile.ts';
import { connectorIngest } from '../../lib/providers/connector/index.ts';
import { PRESETS } from '../../lib/providers/connector/presets/index.ts';
import type { ConnectorSpec } from '../../lib/providers/connector/spec.ts';
import { verifyConnector } from '../../lib/providers/connector/verify.ts';
import { hubspotIngest } from '../../lib/providers/hubspot/index.ts';
import { TIME_SIGNED } from '../../lib/providers/types.ts';
import { allHelpdeskSettings, DEFAULT_SECRET, startHarness, type Harness } from '../support/bridge-harness.ts';
import { createKit, HOST, secretOf } from './redteam-kit.ts';

const DAY_MS = 86_400_000;
const NOW_MS = Date.UTC(2026, 11, 3, 12, 0, 0);
const fixture = (path: string) => readFileSync(new URL(`../fixtures/${path}`, import.meta.url), 'utf8');
const intercomAt = (ms: number) => JSON.stringify({ ...JSON.parse(fixture('intercom/conversation-user-replied.json')), created_at: Math.floor(ms / 1000), first_sent_at: Math.floor(ms / 1000) });
const salesforceAt = (ms: number) => fixture('salesforce/case-created.xml').replace(/<sf:LastModifiedDate>[^<]*</, `<sf:LastModifiedDate>${new Date(ms).toISOString()}<`);

describe('events older than the Ledger remembers are ignored as replays', () => {
  const kit = createKit({ nowMs: NOW_MS, ledgerTtlDays: 30 });

  it('Intercom: a notification created 31 days ago is ignored (200), one of yesterday is queued', async () => {
    const old = await kit.post('intercom', '/webhooks/intercom', intercomAt(NOW_MS - 31 * DAY_MS));
    expect(old).toMatchObject({ status: 200, body: { status: 'ignored' }, events: [] });
    expect(String(old.body.reason)).toMatch(/longer ago than the Ledger remembers/);
    const fresh = await kit.post('intercom', '/webhooks/intercom', intercomAt(NOW_MS - DAY_MS));
    expect(fresh).toMatchObject({ status: 202 });
    expect(fresh.events).toHaveLength(1);
  });

  it('the day of margin for clock skew: 29.5 days old is refused with a 30-day Ledger', async () => {
    const r = await kit.post('intercom', '/webhooks/intercom', intercomAt(NOW_MS - 29.5 * DAY_MS));
    expect(r.events).toEqual([]);
  });

  it('Salesforce: a Case modified 40 days ago is acknowledged and not queued; a fresh one is queued', async () => {
    const old = await kit.post('salesforce', '/webhooks/salesforce/ticket-created', salesforceAt(NOW_MS - 40 * DAY_MS));
    expect(old.status).toBe(200);
    expect(old.events).toEqual([]);
    const fresh = await kit.post('salesforce', '/webhooks/salesforce/ticket-created', salesforceAt(NOW_MS - 60_000));
    expect(fresh.events).toHaveLength(1);
  });

  it('without a Ledger TTL configured nothing is refused by age', async () => {
    const open = createKit({ nowMs: NOW_MS });
    const r = await open.post('intercom', '/webhooks/intercom', intercomAt(NOW_MS - 400 * DAY_MS));
    expect(r.events).toHaveLength(1);
  });
});

/**
 * Schemes that sign no time and bodies that carry none (the guide's HMAC, Freshdesk's token): the
 * Ledger remembers their identity for good, so a body re-sent after LEDGER_TTL_DAYS stays a
 * duplicate. Real handlers on fauxqs + dynalite; DynamoDB's TTL deletion is played by `sweep()`
 * (dynalite does not expire items), after a clock moved past the Ledger's TTL (1 day here).
 */
describe('a replay after the Ledger TTL, for schemes with no signed time (real dynalite)', () => {
  let h: Harness;
  let dynamodb: DynamoDBClient;
  let clockMs = NOW_MS;
  const freshdeskAuth = { authorization: `Basic ${Buffer.from(`freshdesk-rule:${DEFAULT_SECRET}`).toString('base64')}` };
  const freshdeskBody = JSON.stringify(JSON.parse(fixture('freshdesk/simple-ticket-created.json')));

  beforeAll(async () => {
    h = await startHarness({
      now: () => clockMs,
      settings: (url) => ({ ...allHelpdeskSettings(url), generic: { updateUrl: `${url}/tickets/{ticket_id}`, token: 'helpdesk-token' } }),
      helpdesk: (r) => (r.method === 'GET' && r.path === '/api/v2/tickets/20' ? { json: { id: 20, tags: [] } } : { status: 200, json: {} }),
    });
    dynamodb = new DynamoDBClient({ ...h.emulators.clientConfig, endpoint: h.emulators.dynamodbEndpoint });
  });
  afterAll(async () => {
    dynamodb?.destroy();
    await h?.stop();
  });
  afterEach(() => h.reset());

  /** What DynamoDB's TTL does, some time after `expiresAt`: delete the item. */
  async function sweep(): Promise<number> {
    const out = await dynamodb.send(new ScanCommand({ TableName: h.tableName }));
    const expired = (out.Items ?? []).filter((item) => item[LEDGER_TTL_ATTRIBUTE]?.N !== undefined && Number(item[LEDGER_TTL_ATTRIBUTE].N) * 1000 <= clockMs);
    for (const item of expired) await dynamodb.send(new DeleteItemCommand({ TableName: h.tableName, Key: { [LEDGER_KEY]: item[LEDGER_KEY] ?? { S: '' } } }));
    return expired.length;
  }
  const rawItem = async (eventId: string) => (await dynamodb.send(new GetItemCommand({ TableName: h.tableName, Key: { [LEDGER_KEY]: { S: eventId } }, ConsistentRead: true }))).Item;

  it('the guide’s HMAC: the same signed body 2 days later (Ledger TTL 1 day) is a duplicate, no second Simpli call or PUT', async () => {
    const body = JSON.stringify({ ticket_id: 'R-1', subject: 'Charged twice', body: 'I was charged twice, please refund.', customer_id: 'C-1', channel: 'email' });
    const headers = { 'x-webhook-signature': createHmac('sha256', DEFAULT_SECRET).update(body).digest('hex') };
    expect((await h.post('/webhook/ticket-created', body, headers)).statusCode).toBe(202);
    await h.drain();
    expect(h.simpli.calls('POST', '/classify')).toHaveLength(1);
    expect(h.helpdesk.requests.filter((r) => r.method === 'PUT')).toHaveLength(1);
    const item = await rawItem('generic:ticket.created:R-1');
    // Kept for good, trimmed: no TTL, no step results (no customer-derived text kept for ever).
    expect(item?.status?.S).toBe('done');
    expect(item?.[LEDGER_TTL_ATTRIBUTE]).toBeUndefined();
    expect(item?.steps).toBeUndefined();
    expect(await h.ledger.get('generic:ticket.created:R-1')).toMatchObject({ status: 'done', identityOnly: true, ticketId: 'R-1' });

    clockMs += 2 * DAY_MS;
    await sweep();
    expect((await h.post('/webhook/ticket-created', body, headers)).statusCode).toBe(202);
    await h.drain();
    expect(h.simpli.calls('POST', '/classify')).toHaveLength(1);
    expect(h.helpdesk.requests.filter((r) => r.method === 'PUT')).toHaveLength(1);
  });

  it('a Freshdesk creation (a bearer token, no event time): re-sent 2 days later, no second note', async () => {
    expect((await h.post('/webhooks/freshdesk/ticket-created', freshdeskBody, freshdeskAuth)).statusCode).toBe(202);
    await h.drain();
    const notes = () => h.helpdesk.requests.filter((r) => r.method === 'POST' && r.path === '/api/v2/tickets/20/notes');
    expect(notes()).toHaveLength(1);
    clockMs += 2 * DAY_MS;
    await sweep();
    expect((await h.post('/webhooks/freshdesk/ticket-created', freshdeskBody, freshdeskAuth)).statusCode).toBe(202);
    await h.drain();
    expect(notes()).toHaveLength(1);
    expect(h.simpli.calls('POST', '/classify')).toHaveLength(1);
  });

  it('Standard Webhooks signs its time: the done item keeps its TTL and its steps (the ±5 min window refuses the replay)', async () => {
    const body = Buffer.from(JSON.stringify({ event: 'ticket.created', ticket_id: 'S-1', subject: 'Login fails', body: 'I cannot log in.', customer_id: 'C-2' }));
    const headers = signStandardWebhook({ body, secret: DEFAULT_SECRET, nowMs: clockMs, id: 'msg_S1' });
    expect((await h.post('/webhooks/generic', body, headers)).statusCode).toBe(202);
    await h.drain();
    const item = await rawItem('generic:ticket.created:S-1');
    expect(item?.status?.S).toBe('done');
    expect(item?.[LEDGER_TTL_ATTRIBUTE]?.N).toBeDefined();
    expect(item?.steps?.M?.classify).toBeDefined();
    clockMs += 2 * DAY_MS;
    expect((await h.post('/webhooks/generic', body, headers)).statusCode).toBe(401);
  });
});

describe('which events ingest marks for the identity memory', () => {
  const kit = createKit({ nowMs: NOW_MS, ledgerTtlDays: 30 });
  const generic = JSON.stringify({ event: 'ticket.created', ticket_id: 'M-1', subject: 's', body: 'b' });

  it('the guide’s HMAC and a Freshdesk creation: marked', async () => {
    expect((await kit.post('generic', '/webhook/ticket-created', generic)).events[0]?.rememberIdentity).toBe(true);
    const fd = await kit.post('freshdesk', '/webhooks/freshdesk/ticket-created', fixture('freshdesk/simple-ticket-created.json'));
    expect(fd.events[0]?.rememberIdentity).toBe(true);
  });

  it('a Freshdesk resolution (named by its ticket: it recurs when the ticket is resolved again) is not', async () => {
    const fd = await kit.post('freshdesk', '/webhooks/freshdesk/ticket-resolved', fixture('freshdesk/simple-ticket-resolved.json'));
    expect(fd.events).toHaveLength(1);
    expect(fd.events[0]?.rememberIdentity).toBeUndefined();
  });

  it('Salesforce: marked without LastModifiedDate, not with it', async () => {
    const without = fixture('salesforce/case-created.xml').replace(/<sf:LastModifiedDate>[^<]*<\/sf:LastModifiedDate>/, '');
    expect(without).not.toContain('LastModifiedDate');
    expect((await kit.post('salesforce', '/webhooks/salesforce/ticket-created', without)).events[0]?.rememberIdentity).toBe(true);
    const withDate = await kit.post('salesforce', '/webhooks/salesforce/ticket-created', salesforceAt(NOW_MS - 60_000));
    expect(withDate.events).toHaveLength(1);
    expect(withDate.events[0]?.rememberIdentity).toBeUndefined();
  });

  it('Intercom (signed created_at), Zendesk, HubSpot v3 and Standard Webhooks (signed times): not marked', async () => {
    const intercom = await kit.post('intercom', '/webhooks/intercom', intercomAt(NOW_MS - DAY_MS));
    const zendesk = await kit.post('zendesk', '/webhooks/zendesk', fixture('zendesk/ticket-created.json'));
    const hubspot = await kit.post('hubspot', '/webhooks/hubspot', fixture('hubspot/ticket-creation.json'));
    const sw = await kit.post('generic', '/webhooks/generic', generic, { headers: signStandardWebhook({ body: Buffer.from(generic), secret: secretOf('generic'), nowMs: NOW_MS, id: 'msg_M1' }) });
    for (const r of [intercom, zendesk, hubspot, sw]) {
      expect(r.events.length).toBeGreaterThan(0);
      for (const e of r.events) expect(e.rememberIdentity).toBeUndefined();
    }
  });

  it('Intercom without a Ledger TTL configured (no age check): marked', async () => {
    const open = createKit({ nowMs: NOW_MS });
    expect((await open.post('intercom', '/webhooks/intercom', intercomAt(NOW_MS - DAY_MS))).events[0]?.rememberIdentity).toBe(true);
  });
});

describe('verify() says whether the scheme signed a time', () => {
  const NOW = Date.UTC(2026, 11, 3, 12, 0, 0);
  const body = Buffer.from('{"type":"inbound"}');
  const verifyAs = (name: string, spec: ConnectorSpec, settings: Record<string, unknown>) => {
    const url = `https://${HOST}/webhooks/${name}`;
    const signed = connectorSigner(spec)({ method: 'POST', url, body, secret: 's3cret', nowMs: NOW });
    return connectorIngest(name).verify({ request: { method: 'POST', url, rawBody: body, headers: signed.headers, query: {} }, secrets: ['s3cret'], settings, nowMs: NOW });
  };

  it('a connector HMAC over {timestamp} (Front) signs a time; one over the body only (Jira) does not', () => {
    const presetSettings = () => ({ baseUrl: 'https://x.example', token: 't', email: 'e' });
    expect(verifyAs('front', PRESETS.front as ConnectorSpec, presetSettings())).toEqual(TIME_SIGNED);
    expect(verifyAs('jira', PRESETS.jira as ConnectorSpec, presetSettings())).toBeUndefined();
  });

  it('a timestamp header that is checked but not in the signed message does not count', () => {
    const spec = {
      authenticity: { type: 'hmac', algorithm: 'sha256', header: 'x-sig', encoding: 'hex', timestamp: { header: 'x-ts', format: 'unix-ms' } },
      events: { source: 'type', map: { inbound: 'ticket.created' } },
      fields: { ticketId: ['id'] },
      auth: { type: 'none' },
      writeBack: [{ method: 'POST', url: '{settings.baseUrl}/cases/{ticket_id}', body: { text: '{note}' } }],
    } as unknown as ConnectorSpec;
    const compiled = compileConnector('acme', { baseUrl: 'https://api.acme.example', connector: spec });
    const signed = connectorSigner(spec)({ method: 'POST', url: 'https://x/webhooks/acme', body, secret: 's3cret', nowMs: NOW });
    const request = { method: 'POST', url: 'https://x/webhooks/acme', rawBody: body, headers: signed.headers, query: {} };
    expect(verifyConnector(compiled, request, ['s3cret'], NOW)).toBeUndefined();
  });

  it('HubSpot v1 (an unkeyed hash, no time) does not; v3 does', () => {
    const url = `https://${HOST}/webhooks/hubspot`;
    const settings = { signatureVersions: ['v1', 'v3'] };
    const v1 = { 'x-hubspot-signature': createHash('sha256').update('hs-secret').update(body).digest('hex'), 'x-hubspot-signature-version': 'v1' };
    expect(hubspotIngest.verify({ request: { method: 'POST', url, rawBody: body, headers: v1, query: {} }, secrets: ['hs-secret'], settings, nowMs: NOW })).toBeUndefined();
    const v3 = signers.hubspot?.({ method: 'POST', url, body, secret: 'hs-secret', nowMs: NOW }).headers ?? {};
    expect(hubspotIngest.verify({ request: { method: 'POST', url, rawBody: body, headers: v3, query: {} }, secrets: ['hs-secret'], settings, nowMs: NOW })).toEqual(TIME_SIGNED);
  });
});

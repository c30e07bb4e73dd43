/**
 * Each preset end to end, switched on by configuration alone: a webhook signed as the vendor signs,
 * through the real ingest and process handlers on emulated SQS and DynamoDB, with the fake Simpli,
 * written back to a strict fake of the vendor's API (auth scheme, method, path, body shape).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/bridge-harness.ts';
import {
  frontInbound,
  helpscoutConversation,
  jiraCommentCreated,
  jiraIssueCreated,
  SECRETS,
  signFront,
  signHelpScout,
  signJira,
  signZammad,
  zammadBody,
} from './payloads.ts';
import { FRONT_TOKEN, HELPSCOUT_TOKEN, JIRA_EMAIL, JIRA_TOKEN, vendorFakes, ZAMMAD_TOKEN } from './vendor-fakes.ts';

const jsonPath = (value: unknown, path: string): unknown => path.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], value);
const TAGS = ['billing', 'team-billing-team', 'negative', 'escalation-risk'];

describe('presets end to end (real fauxqs + dynalite, fake Simpli, strict vendor fakes)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      helpdesk: vendorFakes(),
      secrets: { zammad: [SECRETS.zammad], jira: ['old-secret', SECRETS.jira], helpscout: [SECRETS.helpscout], front: [SECRETS.front] },
      settings: (url) => ({
        zammad: { baseUrl: `${url}/zammad`, token: ZAMMAD_TOKEN },
        jira: { baseUrl: `${url}/jira`, email: JIRA_EMAIL, token: JIRA_TOKEN },
        helpscout: { baseUrl: `${url}/helpscout`, token: HELPSCOUT_TOKEN },
        front: { baseUrl: `${url}/front`, token: FRONT_TOKEN },
      }),
    });
  });
  afterAll(async () => {
    await h.stop();
  });
  afterEach(() => h.reset());

  describe('zammad', () => {
    it('accepts a trigger webhook signed sha1=, triages it, and writes priority, an internal note and each tag', async () => {
      const body = zammadBody();
      const response = await h.post('/webhooks/zammad/ticket-created', body, signZammad(body));
      expect(response.statusCode).toBe(202);
      expect(JSON.parse(response.body)).toEqual({ status: 'accepted', eventIds: ['zammad:ticket.created:81'] });
      await h.drain();

      expect(h.simpli.calls('POST', '/classify')[0]?.body).toMatchObject({ subject: 'Charged twice', body: 'I was charged twice for my order, please refund.' });
      const put = h.helpdesk.calls('PUT', '/zammad/api/v1/tickets/81');
      expect(put).toHaveLength(1);
      expect(put[0]?.headers.authorization).toBe(`Token token=${ZAMMAD_TOKEN}`);
      expect(put[0]?.body).toMatchObject({ priority_id: 3, article: { type: 'note', internal: true, content_type: 'text/plain' } });
      expect(String(jsonPath(put[0]?.body, 'article.body'))).toMatch(/^\[Simpli AI\]\nTriage: billing/);
      const tags = h.helpdesk.calls('POST', '/zammad/api/v1/tags/add').map((r) => r.body);
      expect(tags).toEqual(TAGS.map((item) => ({ item, object: 'Ticket', o_id: '81' })));
      expect((await h.ledger.get('zammad:ticket.created:81'))?.status).toBe('done');
    });

    it('ignores the echo of its own note and a message by an agent (200), and refuses a wrong signature (401)', async () => {
      const echo = zammadBody({ id: 105, body: '[Simpli AI]\nTriage: billing', sender: 'Agent' });
      expect((await h.post('/webhooks/zammad/message-created', echo, signZammad(echo))).statusCode).toBe(200);
      const agent = zammadBody({ id: 106, body: 'We are on it.', sender: 'Agent' });
      const ignored = await h.post('/webhooks/zammad/message-created', agent, signZammad(agent));
      expect(JSON.parse(ignored.body)).toEqual({ status: 'ignored', reason: 'the message is by an agent' });
      const body = zammadBody();
      expect((await h.post('/webhooks/zammad/ticket-created', body, signZammad(body, 'wrong-token'))).statusCode).toBe(401);
      expect((await h.post('/webhooks/zammad/ticket-created', body, {})).statusCode).toBe(401);
      expect(await h.queueDepth()).toEqual({ visible: 0, inFlight: 0 });
    });

    it('asks for a route when the trigger posts to /webhooks/zammad (its body names no event)', async () => {
      const body = zammadBody();
      const response = await h.post('/webhooks/zammad', body, signZammad(body));
      expect(response.statusCode).toBe(400);
      expect(JSON.parse(response.body).message).toMatch(/\/webhooks\/zammad\/\{ticket-created/);
    });
  });

  describe('jira (Service Management)', () => {
    it('accepts jira:issue_created signed sha256=, merges labels (read-merge-write), sets the priority and adds an internal comment', async () => {
      const body = jiraIssueCreated();
      const response = await h.post('/webhooks/jira', body, signJira(body));
      expect(response.statusCode).toBe(202);
      await h.drain();

      const get = h.helpdesk.calls('GET', '/jira/rest/api/3/issue/SD-1');
      expect(get).toHaveLength(1);
      const put = h.helpdesk.calls('PUT', '/jira/rest/api/3/issue/SD-1');
      expect(put).toHaveLength(1);
      expect(put[0]?.headers.authorization).toBe(`Basic ${Buffer.from(`${JIRA_EMAIL}:${JIRA_TOKEN}`).toString('base64')}`);
      expect(put[0]?.body).toEqual({ fields: { labels: ['customer-vip', ...TAGS], priority: { name: 'High' } } });
      const comment = h.helpdesk.calls('POST', '/jira/rest/servicedeskapi/request/SD-1/comment');
      expect(comment).toHaveLength(1);
      expect(comment[0]?.body).toMatchObject({ public: false });
      expect(String(jsonPath(comment[0]?.body, 'body'))).toMatch(/^\[Simpli AI\]/);
      expect((await h.ledger.get('jira:ticket.created:SD-1'))?.status).toBe('done');
    });

    it('analyses a customer comment, ignores its own comment and other events, and refuses a wrong signature', async () => {
      const reply = jiraCommentCreated('This is unacceptable, I want my money back!');
      const accepted = await h.post('/webhooks/jira', reply, signJira(reply));
      expect(JSON.parse(accepted.body)).toEqual({ status: 'accepted', eventIds: ['jira:message.created:SD-1:10042'] });
      await h.drain();
      expect(h.simpli.calls('POST', '/analyze')[0]?.body).toMatchObject({ text: 'This is unacceptable, I want my money back!' });
      expect(h.helpdesk.calls('POST', '/jira/rest/servicedeskapi/request/SD-1/comment')).toHaveLength(1);

      const echo = jiraCommentCreated('[Simpli AI]\nSentiment: negative', '10043');
      expect((await h.post('/webhooks/jira', echo, signJira(echo))).statusCode).toBe(200);
      const deleted = JSON.stringify({ webhookEvent: 'jira:issue_deleted', issue: { key: 'SD-1' } });
      expect(JSON.parse((await h.post('/webhooks/jira', deleted, signJira(deleted))).body)).toEqual({ status: 'ignored', reason: 'event "jira:issue_deleted" is not processed' });
      const updated = JSON.stringify({ webhookEvent: 'jira:issue_updated', issue: { key: 'SD-1', fields: { resolution: null } } });
      expect(JSON.parse((await h.post('/webhooks/jira', updated, signJira(updated))).body).reason).toBe('event "jira:issue_updated" with issue.fields.resolution.name unset is not processed');
      expect((await h.post('/webhooks/jira', reply, signJira(reply, 'not-the-secret'))).statusCode).toBe(401);
    });
  });

  it('jira: an update that resolves the issue runs QA once, keyed by its resolution date', async () => {
    const resolved = (summary: string) =>
      JSON.stringify({
        webhookEvent: 'jira:issue_updated',
        issue_event_type_name: 'issue_generic',
        issue: { id: '10001', key: 'SD-1', fields: { summary, description: 'Refunded.', resolution: { name: 'Done' }, resolutiondate: '2024-12-03T11:00:00.000+0000', status: { name: 'Resolved' } } },
        changelog: { items: [{ field: 'resolution', toString: 'Done' }] },
      });
    const first = resolved('Charged twice');
    expect(JSON.parse((await h.post('/webhooks/jira', first, signJira(first))).body).eventIds).toEqual(['jira:ticket.resolved:SD-1:2024-12-03T11:00:00.000+0000']);
    const later = resolved('Charged twice (edited)');
    await h.post('/webhooks/jira', later, signJira(later));
    await h.drain();
    expect(h.simpli.calls('POST', '/evaluate')).toHaveLength(1);
    const comment = h.helpdesk.calls('POST', '/jira/rest/servicedeskapi/request/SD-1/comment');
    expect(comment.map((c) => String(jsonPath(c.body, 'body')))).toEqual([expect.stringContaining('QA score: 0.92')]);
  });

  describe('helpscout', () => {
    it('accepts convo.created (event in X-HelpScout-Event, base64 HMAC-SHA1), replaces tags with the merged list and adds a note', async () => {
      const body = helpscoutConversation();
      const response = await h.post('/webhooks/helpscout', body, signHelpScout(body));
      expect(response.statusCode).toBe(202);
      await h.drain();

      expect(h.simpli.calls('POST', '/classify')[0]?.body).toMatchObject({ body: 'I was charged twice for my subscription, please refund.' });
      const put = h.helpdesk.calls('PUT', '/helpscout/v2/conversations/123/tags');
      expect(put).toHaveLength(1);
      expect(put[0]?.headers.authorization).toBe(`Bearer ${HELPSCOUT_TOKEN}`);
      expect(put[0]?.body).toEqual({ tags: ['vip', ...TAGS] });
      const note = h.helpdesk.calls('POST', '/helpscout/v2/conversations/123/notes');
      expect(String(jsonPath(note[0]?.body, 'text'))).toMatch(/^\[Simpli AI\]/);
    });

    it('runs QA on convo.status when the conversation is closed, over the thread oldest first, and ignores other statuses', async () => {
      const closed = JSON.stringify({
        ...JSON.parse(helpscoutConversation()),
        status: 'closed',
        _embedded: {
          threads: [
            { id: 3, type: 'reply', body: '<p>Refunded, sorry!</p>', createdBy: { id: 256, type: 'user' } },
            { id: 2, type: 'customer', body: '<div>I was charged twice.</div>', createdBy: { id: 12, type: 'customer' } },
          ],
        },
      });
      expect((await h.post('/webhooks/helpscout', closed, signHelpScout(closed, 'convo.status'))).statusCode).toBe(202);
      await h.drain();
      expect(h.simpli.calls('POST', '/evaluate')[0]?.body).toMatchObject({
        conversation_id: '123',
        agent_id: '256',
        messages: [
          { role: 'customer', content: 'I was charged twice.' },
          { role: 'agent', content: 'Refunded, sorry!' },
        ],
      });
      const active = helpscoutConversation();
      expect(JSON.parse((await h.post('/webhooks/helpscout', active, signHelpScout(active, 'convo.status'))).body).status).toBe('ignored');
    });

    it('ignores events it does not process and refuses a wrong signature', async () => {
      const body = helpscoutConversation();
      expect(JSON.parse((await h.post('/webhooks/helpscout', body, signHelpScout(body, 'convo.assigned'))).body).status).toBe('ignored');
      expect((await h.post('/webhooks/helpscout', body, signHelpScout(body, 'convo.created', 'wrong'))).statusCode).toBe(401);
    });
  });

  describe('front', () => {
    it('accepts inbound_received signed over timestamp:body and adds an internal comment', async () => {
      const body = frontInbound();
      const response = await h.post('/webhooks/front', body, signFront(body));
      expect(response.statusCode).toBe(202);
      expect(JSON.parse(response.body).eventIds).toEqual(['front:ticket.created:cnv_55c8c149']);
      await h.drain();
      const comment = h.helpdesk.calls('POST', '/front/conversations/cnv_55c8c149/comments');
      expect(comment).toHaveLength(1);
      expect(comment[0]?.headers.authorization).toBe(`Bearer ${FRONT_TOKEN}`);
      expect(String(jsonPath(comment[0]?.body, 'body'))).toMatch(/^\[Simpli AI\]\nTriage: billing/);
    });

    it('answers the validation request of a new webhook with its challenge, only when signed', async () => {
      const sync = JSON.stringify({ type: 'sync', authorization: { id: 'cmp_1a2b' } });
      const response = await h.post('/webhooks/front', sync, { ...signFront(sync), 'x-front-challenge': 'r4nd0m' });
      expect([response.statusCode, response.headers['content-type'], JSON.parse(response.body)]).toEqual([200, 'application/json', { challenge: 'r4nd0m' }]);
      const forged = await h.post('/webhooks/front', sync, { ...signFront(sync, Date.now(), 'wrong'), 'x-front-challenge': 'r4nd0m' });
      expect(forged.statusCode).toBe(401);
    });

    it('refuses a wrong signature and a stale timestamp (401)', async () => {
      const body = frontInbound();
      expect((await h.post('/webhooks/front', body, signFront(body, Date.now(), 'wrong'))).statusCode).toBe(401);
      expect((await h.post('/webhooks/front', body, signFront(body, Date.now() - 10 * 60_000))).statusCode).toBe(401);
    });
  });

  it('finished every event (no write refused by a vendor fake) and dead-lettered none', async () => {
    for (const id of ['zammad:ticket.created:81', 'jira:ticket.created:SD-1', 'jira:message.created:SD-1:10042', 'helpscout:ticket.created:123', 'front:ticket.created:cnv_55c8c149']) {
      expect((await h.ledger.get(id))?.status, id).toBe('done');
    }
    expect(await h.deadLetters()).toEqual([]);
  });
});

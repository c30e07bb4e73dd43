import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHmac } from 'node:crypto';
import { intercomProvider } from '../../../lib/providers/intercom/index.ts';
import { defaultSimpli, startHarness, type Harness } from '../../support/bridge-harness.ts';
import type { Responder } from '../../support/fake-server.ts';
import { fixture, SECRET } from './support.ts';

const sign = (body: string, secret = SECRET) => ({
  'content-type': 'application/json',
  'user-agent': 'intercom-parrot-service-client/1.0',
  'x-hub-signature': `sha1=${createHmac('sha1', secret).update(body).digest('hex')}`,
});

const fakeIntercom: Responder = (req) => {
  if (req.method === 'GET' && req.path === '/tags') return { json: { type: 'list', data: [{ type: 'tag', id: '81', name: 'billing' }] } };
  if (req.method === 'POST' && req.path === '/tags') return { json: { type: 'tag', id: '900', name: (req.body as { name: string }).name } };
  if (req.method === 'GET' && req.path === '/conversations/1295') {
    return {
      json: {
        type: 'conversation',
        id: '1295',
        source: { type: 'email', body: '<p>I was charged twice.</p>', author: { type: 'user', id: 'u1' } },
        conversation_parts: { conversation_parts: [{ id: '2', part_type: 'comment', body: '<p>Refunded.</p>', author: { type: 'admin', id: '814860' } }] },
      },
    };
  }
  return { json: {} };
};

describe('Intercom end to end (real handlers on fauxqs + dynalite, fake Simpli and Intercom)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      providers: { intercom: intercomProvider },
      settings: (url) => ({ intercom: { baseUrl: url, accessToken: 'tok-123', adminId: '814860' } }),
      helpdesk: fakeIntercom,
    });
  });
  afterAll(async () => {
    await h.stop();
  });
  beforeEach(() => {
    h.simpli.requests.length = 0;
    h.helpdesk.requests.length = 0;
    h.simpli.respond(defaultSimpli);
  });

  it('accepts a signed conversation.user.created, processes it once despite redeliveries, and writes tags and a note', async () => {
    const body = fixture('conversation-user-created');
    const first = await h.post('/webhooks/intercom', body, sign(body));
    expect(first.statusCode).toBe(202);
    expect(JSON.parse(first.body)).toEqual({ status: 'accepted', eventIds: ['intercom:ticket.created:1295'] });

    // Intercom resends when it got no 200 within 5 s: same notification, new attempt counter.
    const retried = JSON.stringify({ ...(JSON.parse(body) as object), delivery_attempts: 2, delivered_at: 1717236010 });
    expect((await h.post('/webhooks/intercom', retried, sign(retried))).statusCode).toBe(202);
    await h.drain();
    expect((await h.post('/webhooks/intercom', body, sign(body))).statusCode).toBe(202);
    await h.drain();

    expect(h.simpli.calls('POST', '/classify')).toHaveLength(1);
    expect(h.simpli.calls('POST', '/classify')[0]?.body).toMatchObject({ subject: 'Charged twice' });
    expect(h.helpdesk.calls('GET', '/tags')).toHaveLength(1);
    expect(h.helpdesk.calls('POST', '/conversations/1295/tags').map((r) => r.body)).toEqual([
      { id: '81', admin_id: '814860' },
      { id: '900', admin_id: '814860' },
      { id: '900', admin_id: '814860' },
      { id: '900', admin_id: '814860' },
    ]);
    const notes = h.helpdesk.calls('POST', '/conversations/1295/reply');
    expect(notes).toHaveLength(1);
    expect(notes[0]?.headers.authorization).toBe('Bearer tok-123');
    expect(notes[0]?.body).toMatchObject({ message_type: 'note', type: 'admin', admin_id: '814860' });
    expect((await h.ledger.get('intercom:ticket.created:1295'))?.status).toBe('done');
  });

  it('fetches the thread on conversation.admin.closed and writes the QA note', async () => {
    const body = fixture('conversation-admin-closed');
    expect((await h.post('/webhooks/intercom', body, sign(body))).statusCode).toBe(202);
    await h.drain();

    expect(h.helpdesk.calls('GET', '/conversations/1295')).toHaveLength(1);
    expect(h.simpli.calls('POST', '/evaluate')[0]?.body).toMatchObject({
      conversation_id: '1295',
      agent_id: '',
      messages: [
        { role: 'customer', content: 'I was charged twice.' },
        { role: 'agent', content: 'Refunded.' },
      ],
    });
    expect(h.helpdesk.calls('POST', '/conversations/1295/reply')[0]?.body).toMatchObject({ body: expect.stringContaining('QA score: 0.92') });
  });

  it('sends the conversation’s admin_assignee_id as QA’s agent_id, and "" for Intercom’s 0 (unassigned)', async () => {
    // A resolution is named by its conversation: each case closes a conversation of its own.
    for (const [assignee, agent, id] of [[814860, '814860', '2295'], [0, '', '3295']] as const) {
      h.simpli.requests.length = 0;
      h.helpdesk.respond(async (req) => {
        if (req.method !== 'GET' || req.path !== `/conversations/${id}`) return fakeIntercom(req);
        const answer = await fakeIntercom({ ...req, path: '/conversations/1295' });
        return { json: { ...(answer.json as object), id, admin_assignee_id: assignee } };
      });
      const body = fixture('conversation-admin-closed').replace('notif_9e8d7c6b-5a49-4382-9170-6f5e4d3c2b1a', `notif_agent-${assignee}`).replace('"id": "1295"', `"id": "${id}"`);
      expect((await h.post('/webhooks/intercom', body, sign(body))).statusCode).toBe(202);
      await h.drain();
      expect(h.simpli.calls('POST', '/evaluate')[0]?.body).toMatchObject({ conversation_id: id, agent_id: agent });
    }
    h.helpdesk.respond(fakeIntercom);
  });

  it('answers ping and the echo of its own note with 200 and enqueues nothing', async () => {
    const ping = fixture('ping');
    const echo = fixture('conversation-admin-noted-bridge');
    const pinged = await h.post('/webhooks/intercom', ping, sign(ping));
    const echoed = await h.post('/webhooks/intercom', echo, sign(echo));

    expect(pinged.statusCode).toBe(200);
    expect(JSON.parse(pinged.body)).toEqual({ status: 'ignored', reason: 'ping' });
    expect(echoed.statusCode).toBe(200);
    expect(await h.queueDepth()).toEqual({ visible: 0, inFlight: 0 });
  });

  it('rejects a forged or unsigned notification with 401', async () => {
    const body = fixture('ticket-created');
    expect((await h.post('/webhooks/intercom', body, sign(body, 'not-the-client-secret'))).statusCode).toBe(401);
    expect((await h.post('/webhooks/intercom', body, { 'content-type': 'application/json' })).statusCode).toBe(401);
    expect(await h.queueDepth()).toEqual({ visible: 0, inFlight: 0 });
  });
});

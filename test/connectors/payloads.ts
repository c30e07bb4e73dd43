/**
 * Webhook bodies written by us after each vendor's documented examples (sources in the presets'
 * comments), and signers that sign as each vendor does — written from the docs, not from our code.
 */
import { createHmac } from 'node:crypto';

export const SECRETS = { zammad: 'zammad-hmac-token', jira: 'jira-webhook-secret', helpscout: 'helpscout-secret-key', front: 'front-signing-key' };

/** Zammad's trigger webhook: `{ticket, article}` (zammad-admin-documentation manage/webhook/payload.rst). */
export function zammadBody(article: { id: number; body: string; sender: string } = { id: 104, body: '<p>I was charged <b>twice</b> for my order, please refund.</p>', sender: 'Customer' }) {
  return JSON.stringify({
    ticket: {
      id: 81,
      number: '10081',
      title: 'Charged twice',
      group_id: 3,
      customer_id: 8,
      customer: { id: 8, email: 'emily@example.com', firstname: 'Emily', lastname: 'Adams' },
      owner_id: 5,
      priority: { id: 2, name: '2 normal' },
      priority_id: 2,
      state: 'new',
      state_id: 1,
      article_ids: [article.id],
      created_at: '2020-11-13T14:34:35.282Z',
    },
    article: {
      id: article.id,
      ticket_id: 81,
      from: 'Emily Adams <emily@example.com>',
      to: 'Service Desk',
      body: article.body,
      content_type: 'text/html',
      internal: false,
      sender: article.sender,
      sender_id: 2,
      type: 'email',
      type_id: 1,
      created_at: '2020-11-13T14:34:35.318Z',
    },
  });
}
/** `X-Hub-Signature: sha1=<hex>` (zammad lib/user_agent.rb). */
export const signZammad = (body: string, secret = SECRETS.zammad) => ({
  'x-hub-signature': `sha1=${createHmac('sha1', secret).update(body).digest('hex')}`,
  'x-zammad-trigger': 'Simpli: ticket created',
  'x-zammad-delivery': 'b4a0d7c1-6d7e-4a33-9f43-6a1a6a0f0c11',
  'user-agent': 'Zammad User Agent',
});

/** Jira Cloud `jira:issue_created` / `comment_created` (developer.atlassian.com/cloud/jira/platform/webhooks). */
export function jiraIssueCreated() {
  return JSON.stringify({
    timestamp: 1733223600000,
    webhookEvent: 'jira:issue_created',
    issue_event_type_name: 'issue_created',
    user: { accountId: '5b10ac8d82e05b22cc7d4ef5', displayName: 'Mia Krystof' },
    issue: {
      id: '10001',
      key: 'SD-1',
      self: 'https://acme.atlassian.net/rest/api/2/issue/10001',
      fields: {
        summary: 'Charged twice',
        description: 'I was charged twice for my subscription, please refund.',
        reporter: { accountId: '5b10ac8d82e05b22cc7d4ef5', displayName: 'Mia Krystof' },
        assignee: null,
        status: { name: 'Waiting for support' },
        priority: { name: 'Medium' },
        labels: ['customer-vip'],
      },
    },
  });
}
export function jiraCommentCreated(body: string, id = '10042') {
  return JSON.stringify({
    timestamp: 1733223700000,
    webhookEvent: 'comment_created',
    comment: { id, body, author: { accountId: '5b10ac8d82e05b22cc7d4ef5' }, created: '2024-12-03T10:01:40.000+0000' },
    issue: { id: '10001', key: 'SD-1', fields: { summary: 'Charged twice', status: { name: 'Waiting for support' } } },
  });
}
/** `X-Hub-Signature: sha256=<hex>` (#secure-admin-webhooks). */
export const signJira = (body: string, secret = SECRETS.jira) => ({
  'x-hub-signature': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`,
  'x-atlassian-webhook-identifier': '1731000000000-SD-1',
});

/** Help Scout `convo.created`: the v2 Conversation object (developer.helpscout.com/webhooks). */
export function helpscoutConversation() {
  return JSON.stringify({
    id: 123,
    number: 3,
    type: 'email',
    folderId: 1,
    status: 'active',
    state: 'published',
    subject: 'Charged twice',
    preview: 'I was charged twice for my subscription...',
    mailboxId: 85,
    assignee: { id: 256, type: 'user', first: 'Mr', last: 'Robot' },
    createdBy: { id: 12, type: 'customer' },
    primaryCustomer: { id: 12, type: 'customer', email: 'bear@acme.com' },
    source: { type: 'email', via: 'customer' },
    tags: [{ id: 9150, color: '#929499', tag: 'vip' }],
    _embedded: {
      threads: [
        { id: 2198262392, type: 'customer', status: 'active', body: '<div>I was charged twice for my subscription, please refund.</div>', createdBy: { id: 12, type: 'customer' } },
      ],
    },
  });
}
/** `X-HelpScout-Signature` = base64 HMAC-SHA1 of the body; the event in `X-HelpScout-Event`. */
export const signHelpScout = (body: string, event = 'convo.created', secret = SECRETS.helpscout) => ({
  'x-helpscout-event': event,
  'x-helpscout-signature': createHmac('sha1', secret).update(body).digest('base64'),
});

/** Front application webhook `inbound_received` (dev.frontapp.com/docs/application-webhooks, /reference/events). */
export function frontInbound() {
  return JSON.stringify({
    type: 'inbound_received',
    authorization: { id: 'cmp_1a2b' },
    payload: {
      _links: { self: 'https://acme.api.frontapp.com/events/evt_55c8c149' },
      id: 'evt_55c8c149',
      type: 'inbound',
      emitted_at: 1733223600.123,
      conversation: {
        id: 'cnv_55c8c149',
        subject: 'Charged twice',
        status: 'unassigned',
        assignee: null,
        recipient: { handle: 'calculon@momsbot.com', role: 'from' },
        tags: [],
      },
      target: {
        _meta: { type: 'message' },
        data: { id: 'msg_55c8c149', type: 'email', is_inbound: true, body: '<p>I was charged twice for my subscription, please refund.</p>', text: 'I was charged twice for my subscription, please refund.' },
      },
    },
  });
}
/** base64 HMAC-SHA256 of `${timestamp}:${body}`, timestamp in ms. */
export const signFront = (body: string, nowMs = Date.now(), secret = SECRETS.front) => ({
  'x-front-request-timestamp': String(nowMs),
  'x-front-signature': createHmac('sha256', secret).update(`${nowMs}:${body}`).digest('base64'),
});

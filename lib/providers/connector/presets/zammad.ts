/**
 * Zammad (open source): a trigger whose action is a webhook.
 * - Signature: `X-Hub-Signature: sha1=<hex HMAC-SHA1(signature token, body)>` when the webhook has an
 *   "HMAC SHA1 Signature Token" (zammad/zammad lib/user_agent.rb `set_signature`; admin docs
 *   zammad/zammad-admin-documentation manage/webhook/add.rst).
 * - Headers `X-Zammad-Trigger` (trigger name) and `X-Zammad-Delivery` (the job id, kept across the job's
 *   5 retries: app/jobs/trigger_webhook_job.rb); the body is `{ticket, article}` and names no event,
 *   so each trigger posts to its route (`/webhooks/zammad/ticket-created`, …) (manage/webhook/payload.rst).
 * - API: `Authorization: Token token=<access token>` (zammad-documentation api/intro.rst);
 *   `PUT /api/v1/tickets/{id}` with `priority_id` and an `article` (type note, internal) adds the note
 *   (api/ticket/index.rst, api/ticket/articles.rst); `POST /api/v1/tags/add` `{item, object: "Ticket", o_id}`
 *   adds one tag (api/ticket/tags.rst). Default priorities: 1 low, 2 normal, 3 high (payload.rst's
 *   `"priority": {"id": 2, "name": "2 normal"}`).
 */
export const zammadPreset = {
  authenticity: { type: 'hmac', algorithm: 'sha1', header: 'x-hub-signature', prefix: 'sha1=', encoding: 'hex' },
  events: { identity: ['article.id', 'header:x-zammad-delivery'] },
  fields: {
    ticketId: ['ticket.id'],
    subject: ['ticket.title'],
    body: ['article.body'],
    customerId: ['ticket.customer_id', 'ticket.customer.id'],
    agentId: ['ticket.owner_id'],
    status: ['ticket.state'],
    channel: ['article.type'],
    message: ['article.body'],
    messageRole: ['article.sender'],
    roles: { Customer: 'customer', Agent: 'agent', System: 'system' },
    channels: { email: 'email', phone: 'phone', web: 'web', chat: 'chat', note: 'web', 'twitter status': 'social', 'facebook feed post': 'social' },
    html: ['body', 'message'],
  },
  auth: { type: 'header', name: 'authorization', value: 'Token token={settings.token}' },
  writeBack: [
    {
      method: 'PUT',
      url: '{settings.baseUrl}/api/v1/tickets/{ticket_id}',
      body: { priority_id: '{priority}', article: { body: '{note}', type: 'note', internal: true, content_type: 'text/plain' } },
    },
    { method: 'POST', url: '{settings.baseUrl}/api/v1/tags/add', forEach: 'tag', body: { item: '{tag}', object: 'Ticket', o_id: '{ticket_id}' } },
  ],
  priority: { low: 1, medium: 2, high: 3, urgent: 3 },
  tags: { mode: 'add' },
} as const;

/**
 * Help Scout (Mailbox API 2.0): the Webhooks app (Manage › Apps › Webhooks) with a secret key.
 * - Signature: `X-HelpScout-Signature` = base64 HMAC-SHA1(secret, body); the event is named in the
 *   `X-HelpScout-Event` header (`convo.created`, `convo.customer.reply.created`, …) and the body is the
 *   v2 Conversation object (https://developer.helpscout.com/webhooks/).
 * - Conversation: `id`, `subject`, `preview`, `status`, `source.type`, `primaryCustomer.id`, `assignee.id`,
 *   `_embedded.threads[]` (`body` HTML, `createdBy.type` customer|user)
 *   (https://developer.helpscout.com/mailbox-api/endpoints/conversations/get/); the older webhook object
 *   names the assignee `owner`, the customer `customer` and the threads `threads`
 *   (https://developer.helpscout.com/webhooks/objects/conversation): both are read. The newest thread is
 *   taken as the first (the order `preview`, "the most recent thread", suggests; not stated by the docs).
 * - API: OAuth2 Bearer token; `PUT /v2/conversations/{id}/tags` `{tags}` replaces the tags (read the
 *   conversation's `tags[].tag` first) (https://developer.helpscout.com/mailbox-api/endpoints/conversations/tags/update/);
 *   `POST /v2/conversations/{id}/notes` `{text}` adds a note
 *   (https://developer.helpscout.com/mailbox-api/endpoints/conversations/threads/note/). No priority exists.
 */
export const helpscoutPreset = {
  authenticity: { type: 'hmac', algorithm: 'sha1', header: 'x-helpscout-signature', encoding: 'base64' },
  events: {
    source: 'header:x-helpscout-event',
    map: { 'convo.created': 'ticket.created', 'convo.customer.reply.created': 'message.created', 'convo.status': 'ticket.resolved' },
    // `convo.status` fires on every status change; only "closed" is a resolution (statuses: active, pending, closed, spam).
    when: { 'convo.status': { path: 'status', in: ['closed'] } },
  },
  fields: {
    ticketId: ['id'],
    subject: ['subject'],
    body: ['_embedded.threads.0.body', 'threads.0.body', 'preview'],
    customerId: ['primaryCustomer.id', 'customer.id'],
    agentId: ['assignee.id', 'owner.id'],
    status: ['status'],
    channel: ['source.type', 'type'],
    message: ['_embedded.threads.0.body', 'threads.0.body', 'preview'],
    messageRole: ['_embedded.threads.0.createdBy.type', 'threads.0.createdBy.type'],
    roles: { customer: 'customer', user: 'agent' },
    thread: { path: '_embedded.threads', content: ['body'], role: ['createdBy.type'], newestFirst: true },
    html: ['body', 'message', 'thread'],
  },
  auth: { type: 'bearer', token: '{settings.token}' },
  writeBack: [
    { method: 'PUT', url: '{settings.baseUrl}/v2/conversations/{ticket_id}/tags', body: { tags: '{tags}' } },
    { method: 'POST', url: '{settings.baseUrl}/v2/conversations/{ticket_id}/notes', body: { text: '{note}' } },
  ],
  tags: { mode: 'replace', read: { url: '{settings.baseUrl}/v2/conversations/{ticket_id}', path: 'tags', item: 'tag' } },
} as const;

export const helpscoutDefaults = { baseUrl: 'https://api.helpscout.net' } as const;

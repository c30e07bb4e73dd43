/**
 * Front: an application webhook (Developers › your app › Webhooks) signed with the app's signing key.
 * - Signature: `X-Front-Signature` = base64 HMAC-SHA256(signing key, `${X-Front-Request-Timestamp}:${body}`),
 *   the timestamp in milliseconds, refused beyond 5 minutes (https://dev.frontapp.com/docs/application-webhooks).
 * - Validation: saving the webhook sends `{type: "sync"}` with an `x-front-challenge` header, signed like
 *   any event (same page); the answer echoes it as `{"challenge": "<value>"}` (the shape two independent
 *   Front integrations use, webhookdb lib/webhookdb/front.rb and skillrecordings' front-webhook; Front's
 *   page is cut short in our copy — verify on first setup).
 * - Events: `type` names the event (`inbound_received` for a new inbound message); `payload` is the
 *   event with `conversation` (`id`, `subject`, `status`, `assignee`, `recipient.handle`) and `target.data`
 *   (the message: `text`, `body`) (https://dev.frontapp.com/reference/events).
 *   A conversation's first inbound message creates it; later ones share its `ticket.created` identity.
 * - API: Bearer API token; `POST /conversations/{id}/comments` `{body}` adds an internal comment
 *   (https://dev.frontapp.com/reference/add-comment). Front tags need tag ids, not names, so the
 *   preset writes the comment only (its text carries the triage).
 */
export const frontPreset = {
  authenticity: {
    type: 'hmac',
    algorithm: 'sha256',
    header: 'x-front-signature',
    encoding: 'base64',
    message: '{timestamp}:{body}',
    timestamp: { header: 'x-front-request-timestamp', format: 'unix-ms', toleranceSeconds: 300 },
  },
  events: { source: 'type', challengeHeader: 'x-front-challenge', map: { inbound_received: 'ticket.created' }, identity: ['payload.id'] },
  fields: {
    ticketId: ['payload.conversation.id'],
    subject: ['payload.conversation.subject'],
    body: ['payload.target.data.text', 'payload.target.data.body'],
    customerId: ['payload.conversation.recipient.handle'],
    agentId: ['payload.conversation.assignee.id'],
    status: ['payload.conversation.status'],
    message: ['payload.target.data.text', 'payload.target.data.body'],
    html: ['body', 'message'],
  },
  auth: { type: 'bearer', token: '{settings.token}' },
  writeBack: [{ method: 'POST', url: '{settings.baseUrl}/conversations/{ticket_id}/comments', body: { body: '{note}' } }],
} as const;

export const frontDefaults = { baseUrl: 'https://api2.frontapp.com' } as const;

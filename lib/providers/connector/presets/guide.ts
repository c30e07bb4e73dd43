/**
 * The Simpli guide's own bridge as a connector (reference/simpli.md §3.2): hex HMAC-SHA256 of the body
 * in `x-webhook-signature`, the guide's `normalize_payload` fallbacks, and one PUT carrying the results.
 * The built-in `generic` provider keeps serving `/webhook/ticket-created` unchanged; this preset is the
 * same contract as data, the starting point for a custom connector.
 */
export const guidePreset = {
  authenticity: { type: 'hmac', algorithm: 'sha256', header: 'x-webhook-signature', encoding: 'hex' },
  events: {
    source: 'event',
    map: { 'ticket.created': 'ticket.created', 'message.created': 'message.created', 'ticket.resolved': 'ticket.resolved' },
    identity: ['event_id', 'message.id', 'comment.id'],
  },
  fields: {
    ticketId: ['ticket_id', 'id', 'case_id', 'ticket.id'],
    subject: ['subject', 'title', 'ticket.subject'],
    body: ['body', 'description', 'content', 'ticket.description'],
    customerId: ['customer_id', 'requester_id', 'contact_id', 'ticket.requester_id'],
    channel: ['channel', 'ticket.channel'],
    agentId: ['agent_id', 'ticket.agent_id'],
    message: ['message.body', 'message.content', 'message.text', 'message', 'comment.body', 'comment.text', 'comment'],
  },
  auth: { type: 'bearer', token: '{settings.token}' },
  writeBack: [
    {
      method: 'PUT',
      url: '{settings.baseUrl}/tickets/{ticket_id}',
      body: { tags: '{tags}', priority: '{priority}', custom_fields: '{custom_fields}', internal_note: '{note}' },
    },
  ],
  priority: { low: 'low', medium: 'medium', high: 'high', urgent: 'urgent' },
} as const;

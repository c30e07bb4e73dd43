/** Connector names travel through the queue message, the Ledger key and `npm run inspect` like built-ins. */
import { describe, expect, it } from 'vitest';
import { isEventId } from '../../infra/inspect.ts';
import { PermanentEventError } from '../../lib/errors.ts';
import { decodeQueuedEvent, encodeQueuedEvent } from '../../lib/queue-message.ts';
import type { QueuedEvent } from '../../lib/providers/types.ts';

const event: QueuedEvent = {
  provider: 'zammad-eu',
  eventType: 'ticket.created',
  eventId: 'zammad-eu:ticket.created:81',
  ticketId: '81',
  payload: { ticket: { id: 81 } },
  receivedAt: '2026-12-03T17:00:00.000Z',
  requestId: 'r-1',
};

describe('connector names in the plumbing', () => {
  it('round-trips a connector event through the queue message', () => {
    expect(decodeQueuedEvent(encodeQueuedEvent(event))).toEqual(event);
  });
  it('still refuses a queue message whose provider is not a provider name', () => {
    expect(() => decodeQueuedEvent(encodeQueuedEvent({ ...event, provider: 'Not A Name' }))).toThrow(PermanentEventError);
  });
  it('lets inspect tell a connector event id from a ticket id', () => {
    expect(isEventId('zammad-eu:ticket.created:81')).toBe(true);
    expect(isEventId('jira:message.created:SD-1:10042')).toBe(true);
    expect(isEventId('SD-1')).toBe(false);
    expect(isEventId('case:42')).toBe(false);
  });
});

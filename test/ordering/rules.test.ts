import { describe, expect, it } from 'vitest';
import { decideOrdering, helpdeskTime, isKnownResolved, orderingTimeMs, type TicketState } from '../../lib/ordering.ts';
import type { NormalizedEvent, StepResults } from '../../lib/providers/types.ts';
import { summarizeResults } from '../../lib/write-back-summary.ts';

const EMPTY: TicketState = { marks: {}, resolved: undefined };
const SENTIMENT = { score: -0.6, label: 'negative', escalation_risk: 0.7 };
const TRIAGE: StepResults = {
  classify: { category: 'billing', urgency: 'high', confidence: 0.9 },
  route: { team: 'billing-team', agent: 'A-1' },
  sentiment: SENTIMENT,
};
const QA: StepResults = { qa: { score: 0.9, summary: 'Good' } };

describe('ordering rules', () => {
  it('lets the first event of a ticket write every group it has results for', () => {
    const d = decideOrdering(EMPTY, { eventType: 'ticket.created', atMs: 100, eventId: 'c' }, TRIAGE);
    expect(d.staleSteps).toEqual([]);
    expect(d.advance).toEqual({ triage: { atMs: 100, eventId: 'c' }, sentiment: { atMs: 100, eventId: 'c' } });
    expect(d.resolved).toBeUndefined();
  });

  it('keeps the results of an event older than the one that wrote a group out of that group', () => {
    const state: TicketState = { marks: { sentiment: { atMs: 200, eventId: 'm' } }, resolved: undefined };
    const d = decideOrdering(state, { eventType: 'ticket.created', atMs: 100, eventId: 'c' }, TRIAGE);
    expect(d.staleSteps).toEqual(['sentiment']);
    expect(d.advance).toEqual({ triage: { atMs: 100, eventId: 'c' } });
  });

  it('lets a ticket.created processed after the resolution write nothing but its note', () => {
    const closed = decideOrdering(EMPTY, { eventType: 'ticket.resolved', atMs: 300, eventId: 'r' }, QA);
    expect(closed.advance).toEqual({ triage: { atMs: 300, eventId: 'r' }, sentiment: { atMs: 300, eventId: 'r' }, qa: { atMs: 300, eventId: 'r' } });
    expect(closed.resolved).toEqual({ atMs: 300, eventId: 'r' });
    const state: TicketState = { marks: closed.advance, resolved: closed.resolved };
    expect(isKnownResolved(state)).toBe(true);
    const created = decideOrdering(state, { eventType: 'ticket.created', atMs: 100, eventId: 'c' }, TRIAGE);
    expect(created.staleSteps).toEqual(['classify', 'route', 'sentiment']);
    expect(created.advance).toEqual({});
  });

  it('gives a resolution processed before its creation its QA fields', () => {
    const state: TicketState = { marks: { triage: { atMs: 100, eventId: 'c' }, sentiment: { atMs: 100, eventId: 'c' } }, resolved: undefined };
    const d = decideOrdering(state, { eventType: 'ticket.resolved', atMs: 300, eventId: 'r' }, QA);
    expect(d.staleSteps).toEqual([]);
    expect(d.advance.qa).toEqual({ atMs: 300, eventId: 'r' });
  });

  it('lets a message newer than the resolution (a reopened ticket) write its sentiment', () => {
    const state: TicketState = {
      marks: { triage: { atMs: 300, eventId: 'r' }, sentiment: { atMs: 300, eventId: 'r' }, qa: { atMs: 300, eventId: 'r' } },
      resolved: { atMs: 300, eventId: 'r' },
    };
    const d = decideOrdering(state, { eventType: 'message.created', atMs: 400, eventId: 'm' }, { sentiment: SENTIMENT });
    expect(d.staleSteps).toEqual([]);
    expect(d.advance).toEqual({ sentiment: { atMs: 400, eventId: 'm' } });
    expect(isKnownResolved({ marks: { ...state.marks, ...d.advance }, resolved: state.resolved })).toBe(false);
  });

  it('decides a retry of the event that holds a mark exactly as its first attempt', () => {
    const state: TicketState = { marks: { sentiment: { atMs: 200, eventId: 'm' } }, resolved: undefined };
    const d = decideOrdering(state, { eventType: 'message.created', atMs: 200, eventId: 'm' }, { sentiment: SENTIMENT });
    expect(d.staleSteps).toEqual([]);
  });

  it('breaks a tie on the timestamp by event id, whatever the processing order', () => {
    const a = { eventType: 'message.created' as const, atMs: 200, eventId: 'a' };
    const b = { eventType: 'message.created' as const, atMs: 200, eventId: 'b' };
    const results = { sentiment: SENTIMENT };
    expect(decideOrdering({ marks: { sentiment: a }, resolved: undefined }, b, results).staleSteps).toEqual([]);
    expect(decideOrdering({ marks: { sentiment: b }, resolved: undefined }, a, results).staleSteps).toEqual(['sentiment']);
  });

  it('does not let an older resolution take back the QA field of a newer one', () => {
    const state: TicketState = { marks: { qa: { atMs: 500, eventId: 'r2' } }, resolved: { atMs: 500, eventId: 'r2' } };
    const d = decideOrdering(state, { eventType: 'ticket.resolved', atMs: 300, eventId: 'r1' }, QA);
    expect(d.staleSteps).toEqual(['qa']);
    expect(d.resolved).toBeUndefined();
  });
});

describe('helpdesk timestamps', () => {
  it('reads ISO-8601, Unix seconds and epoch milliseconds', () => {
    expect(helpdeskTime('2024-04-17T17:18:10Z')).toBe('2024-04-17T17:18:10.000Z');
    expect(helpdeskTime('2024-04-17T19:18:10+02:00')).toBe('2024-04-17T17:18:10.000Z');
    // Zendesk's {{ticket.updated_at_with_timestamp}} placeholder is precise to the minute.
    expect(helpdeskTime('2013-12-12T05:35Z')).toBe('2013-12-12T05:35:00.000Z');
    expect(helpdeskTime(1717236000, 'seconds')).toBe('2024-06-01T10:00:00.000Z');
    expect(helpdeskTime(1752613920733, 'ms')).toBe('2025-07-15T21:12:00.733Z');
    expect(helpdeskTime('1752613920733')).toBe('2025-07-15T21:12:00.733Z');
    expect(helpdeskTime(1717236000)).toBe('2024-06-01T10:00:00.000Z');
  });

  it('ignores what is not a time (and never reads a long text)', () => {
    for (const value of [undefined, null, '', 'yesterday', 'May 18, 2014', '2024-13-45T99:99:99Z', -5, {}, `2024-04-17T17:18:10Z${' '.repeat(100_000)}x`]) {
      expect(helpdeskTime(value)).toBeUndefined();
    }
  });

  it('does not believe a helpdesk time later than the receipt (beyond 5 min of clock skew)', () => {
    const received = '2026-01-01T00:00:00.000Z';
    expect(orderingTimeMs('2026-01-01T00:04:59.000Z', received)).toBe(Date.UTC(2026, 0, 1, 0, 4, 59));
    expect(orderingTimeMs('2026-01-01T00:05:01.000Z', received)).toBe(Date.UTC(2026, 0, 1));
    expect(orderingTimeMs('9999-12-31T00:00:00.000Z', received)).toBe(Date.UTC(2026, 0, 1));
  });

  it('orders an event without a helpdesk time by when the bridge received it', () => {
    expect(orderingTimeMs(undefined, '2026-01-01T00:00:00.000Z')).toBe(Date.UTC(2026, 0, 1));
    expect(orderingTimeMs('2024-04-17T17:18:10.000Z', '2026-01-01T00:00:00.000Z')).toBe(Date.UTC(2024, 3, 17, 17, 18, 10));
  });
});

describe('write-back of stale results', () => {
  const event: NormalizedEvent = { eventType: 'ticket.created', ticketId: '1', subject: 's', body: 'b', customerId: 'c', channel: 'email', conversation: [], metadata: {} };

  it('reports stale results in the note but writes none of their tags, priority or fields', () => {
    const summary = summarizeResults({ event, results: TRIAGE, confidenceThreshold: 0.6, staleSteps: ['classify', 'route'] });
    expect(summary.priority).toBeUndefined();
    expect(summary.tags).toEqual(['negative', 'escalation-risk']);
    expect(summary.fields).toEqual({ ai_sentiment: -0.6, ai_sentiment_label: 'negative', ai_escalation_risk: 0.7 });
    expect(summary.note).toContain('Triage: billing, urgency high');
    expect(summary.note).toContain('Routing: team billing-team');
    expect(summary.noteSteps).toEqual(['classify', 'route', 'sentiment']);
  });

  it('writes everything when nothing is stale', () => {
    const summary = summarizeResults({ event, results: TRIAGE, confidenceThreshold: 0.6 });
    expect(summary.priority).toBe('high');
    expect(summary.fields).toMatchObject({ ai_category: 'billing', ai_team: 'billing-team', ai_agent: 'A-1' });
  });
});

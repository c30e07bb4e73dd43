import { describe, expect, it } from 'vitest';
import type { NormalizedEvent } from '../../lib/providers/types.ts';
import type { SimpliClient } from '../../lib/simpli/client.ts';
import { runSteps, sentimentCustomerId, stepsFor } from '../../lib/steps.ts';

const ticket: NormalizedEvent = {
  eventType: 'ticket.created',
  ticketId: 'T-1',
  subject: 'Refund',
  body: 'Please refund',
  customerId: 'C-1',
  channel: 'email',
  conversation: [{ role: 'customer', content: 'Please refund' }],
  metadata: {},
};

/** A Simpli client whose calls take fixed (fake) time, recording start and end. */
function timedSimpli(log: string[], failing: Set<string> = new Set()): SimpliClient {
  const call = async <T>(name: string, value: T, ms: number): Promise<T> => {
    log.push(`start ${name}`);
    await new Promise((r) => setTimeout(r, ms));
    log.push(`end ${name}`);
    if (failing.has(name)) throw new Error(`${name} failed`);
    return value;
  };
  return {
    classify: () => call('classify', { category: 'billing', urgency: 'high', sentiment: 'negative', confidence: 0.9 }, 30),
    route: () => call('route', { team: 't', agent: 'a', reason: '' }, 10),
    analyzeSentiment: () => call('sentiment', { score: 0, label: 'neutral', escalation_risk: 0, triggers: [] }, 20),
    draftReply: () => call('draft', { draft_id: 'd', draft: 'x', confidence: 1 }, 5),
    evaluateQa: () => call('qa', { score: 1 }, 5),
  };
}

const hooks = { onSuccess: async () => {}, now: Date.now };

describe('stepsFor', () => {
  it('plans the documented steps per event type', () => {
    const names = (e: NormalizedEvent, draftReplies = false) => stepsFor(e, { draftReplies }).map((s) => s.name);
    expect(names(ticket)).toEqual(['classify', 'route', 'sentiment']);
    expect(names(ticket, true)).toEqual(['classify', 'route', 'sentiment', 'draft']);
    expect(names({ ...ticket, eventType: 'message.created', messageText: 'thanks' }, true)).toEqual(['sentiment', 'draft']);
    expect(names({ ...ticket, eventType: 'ticket.resolved' })).toEqual(['qa']);
    expect(names({ ...ticket, eventType: 'ticket.resolved', conversation: [] })).toEqual([]);
  });
});

describe('runSteps', () => {
  it('starts independent steps together and route only after classify', async () => {
    const log: string[] = [];
    await runSteps(stepsFor(ticket, { draftReplies: true }), ticket, {}, timedSimpli(log), hooks);
    expect(log.slice(0, 3).sort()).toEqual(['start classify', 'start draft', 'start sentiment']);
    expect(log.indexOf('start route')).toBeGreaterThan(log.indexOf('end classify'));
  });

  it('skips steps already checkpointed', async () => {
    const log: string[] = [];
    const done = { classify: { category: 'billing', urgency: 'high', sentiment: 'negative', confidence: 0.9 } };
    const run = await runSteps(stepsFor(ticket, { draftReplies: false }), ticket, done, timedSimpli(log), hooks);
    expect(log).not.toContain('start classify');
    expect(log).toContain('start route');
    expect(Object.keys(run.results).sort()).toEqual(['classify', 'route', 'sentiment']);
  });

  it('lets a failed step skip its dependents but not the independent steps', async () => {
    const log: string[] = [];
    const run = await runSteps(stepsFor(ticket, { draftReplies: false }), ticket, {}, timedSimpli(log, new Set(['classify'])), hooks);
    expect(run.failures.map((f) => f.step)).toEqual(['classify']);
    expect(run.skipped).toEqual(['route']);
    expect(run.results.sentiment).toBeDefined();
  });

  it('checkpoints each success before it counts', async () => {
    const saved: string[] = [];
    await runSteps(stepsFor(ticket, { draftReplies: false }), ticket, {}, timedSimpli([]), {
      now: Date.now,
      onSuccess: async (step) => {
        saved.push(step);
      },
    });
    expect(saved.sort()).toEqual(['classify', 'route', 'sentiment']);
  });
});

describe('sentimentCustomerId', () => {
  it('makes an id Sentiment accepts (^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$)', () => {
    expect(sentimentCustomerId({ ...ticket, customerId: 'jane@example.com' })).toBe('jane-example-com');
    expect(sentimentCustomerId({ ...ticket, customerId: '' })).toBe('ticket-T-1');
    expect(sentimentCustomerId({ ...ticket, customerId: '_x'.repeat(50) })).toMatch(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/);
  });
});

describe('summarizeResults: notes say only what no earlier note said', () => {
  it('keeps tags and fields cumulative but leaves already-noted steps out of the note', async () => {
    const { summarizeResults } = await import('../../lib/write-back-summary.ts');
    const results = {
      classify: { category: 'billing', urgency: 'high', sentiment: 'negative', confidence: 0.9 },
      route: { team: 'billing', agent: 'A-1', reason: '' },
      sentiment: { score: -0.5, label: 'negative', escalation_risk: 0.2, triggers: [] },
    };
    const first = summarizeResults({ event: ticket, results, confidenceThreshold: 0.6 });
    expect(first.noteSteps).toEqual(['classify', 'route', 'sentiment']);
    const later = summarizeResults({ event: ticket, results, confidenceThreshold: 0.6, notedSteps: ['classify', 'route'] });
    expect(later.noteSteps).toEqual(['sentiment']);
    expect(later.note).toBe('[Simpli AI]\nSentiment: negative (-0.50), escalation risk 0.20.');
    expect(later.tags).toEqual(first.tags);
    expect(later.fields).toEqual(first.fields);
    expect(summarizeResults({ event: ticket, results, confidenceThreshold: 0.6, notedSteps: ['classify', 'route', 'sentiment'] }).note).toBeUndefined();
  });
});

describe('the sentiment step', () => {
  it('sends at most 10,000 code points of valid Unicode, never half an emoji', async () => {
    const texts: string[] = [];
    const simpli = { ...timedSimpli([]), analyzeSentiment: async (input: { text: string }) => {
      texts.push(input.text);
      return { score: 0, label: 'neutral', escalation_risk: 0, triggers: [] };
    } } as SimpliClient;
    const event: NormalizedEvent = { ...ticket, eventType: 'message.created', messageText: `${'a'.repeat(9_999)}😀😀😀` };
    const steps = stepsFor(event, { draftReplies: false });
    await runSteps(steps, event, {}, simpli, hooks);
    expect(texts).toEqual([`${'a'.repeat(9_999)}😀`]);
  });
});

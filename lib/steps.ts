/**
 * The Simpli steps of each event type as a small dependency graph. Independent steps run
 * concurrently, so an event's latency is its critical path (classify → route, beside sentiment and
 * draft), not the sum of its calls.
 */
import type { SimpliClient } from './simpli/client.ts';
import { cutToCodePoints, MAX_SENTIMENT_TEXT } from './simpli/text.ts';
import type { EventType, NormalizedEvent, StepResults } from './providers/types.ts';

export const STEP_NAMES = ['classify', 'route', 'sentiment', 'draft', 'qa'] as const;
export type StepName = (typeof STEP_NAMES)[number];

export interface StepDefinition {
  readonly name: StepName;
  readonly needs: readonly StepName[];
  run(event: NormalizedEvent, results: StepResults, simpli: SimpliClient): Promise<unknown>;
}

/** Sentiment's `customer_id` must match ^[A-Za-z0-9][A-Za-z0-9\-_]{0,63}$ (simpli-sentiment). */
export function sentimentCustomerId(event: NormalizedEvent): string {
  const id = event.customerId.replace(/[^A-Za-z0-9_-]/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 64);
  return id === '' ? `ticket-${event.ticketId}`.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 64) : id;
}


const classify: StepDefinition = {
  name: 'classify',
  needs: [],
  run: (event, _results, simpli) => simpli.classify({ subject: event.subject, body: event.body, metadata: event.metadata }),
};

const route: StepDefinition = {
  name: 'route',
  needs: ['classify'],
  run: (event, results, simpli) => {
    if (results.classify === undefined) throw new Error('route ran before classify');
    return simpli.route({ ticketId: event.ticketId, classification: results.classify });
  },
};

const sentiment: StepDefinition = {
  name: 'sentiment',
  needs: [],
  run: (event, _results, simpli) =>
    simpli.analyzeSentiment({
      customerId: sentimentCustomerId(event),
      text: cutToCodePoints(sentimentText(event), MAX_SENTIMENT_TEXT),
      channel: event.channel,
    }),
};

const draft: StepDefinition = {
  name: 'draft',
  needs: [],
  run: (event, _results, simpli) => simpli.draftReply({ ticketId: event.ticketId, conversation: event.conversation }),
};

const qa: StepDefinition = {
  name: 'qa',
  needs: [],
  run: (event, _results, simpli) => simpli.evaluateQa({ ticketId: event.ticketId, agentId: event.agentId ?? '', conversation: event.conversation }),
};

function sentimentText(event: NormalizedEvent): string {
  if (event.eventType === 'message.created') return event.messageText ?? event.body;
  return [event.subject, event.body].filter((t) => t !== '').join('\n\n');
}

/** The steps an event runs (ARCHITECTURE.md, "Event types and the Simpli steps"). */
export function stepsFor(event: NormalizedEvent, options: { draftReplies: boolean }): readonly StepDefinition[] {
  const withDraft = options.draftReplies && event.conversation.length > 0 ? [draft] : [];
  const hasText = sentimentText(event).trim() !== '';
  switch (event.eventType satisfies EventType) {
    case 'ticket.created':
      return [classify, route, ...(hasText ? [sentiment] : []), ...withDraft];
    case 'message.created':
      return [...(hasText ? [sentiment] : []), ...withDraft];
    case 'ticket.resolved':
      return event.conversation.length > 0 ? [qa] : [];
  }
}

export interface StepFailure {
  readonly step: StepName;
  readonly error: unknown;
}

export interface RunStepsHooks {
  /** Persist a step's result before anything else relies on it (the Ledger checkpoint). */
  onSuccess(step: StepName, result: unknown, durationMs: number): Promise<void>;
  onFailure?(step: StepName, error: unknown, durationMs: number): void;
  now(): number;
}

/**
 * Runs every step not already in `done`, each as soon as the steps it needs have succeeded.
 * A failed step skips its dependents but not the independent steps.
 */
export async function runSteps(
  steps: readonly StepDefinition[],
  event: NormalizedEvent,
  done: StepResults,
  simpli: SimpliClient,
  hooks: RunStepsHooks,
): Promise<{ results: StepResults; failures: StepFailure[]; skipped: StepName[] }> {
  const results: Record<string, unknown> = { ...done };
  const failures: StepFailure[] = [];
  const skipped: StepName[] = [];
  const running = new Map<StepName, Promise<boolean>>();

  const start = (step: StepDefinition): Promise<boolean> => {
    const existing = running.get(step.name);
    if (existing !== undefined) return existing;
    const promise = (async () => {
      if (results[step.name] !== undefined) return true;
      for (const need of step.needs) {
        const dependency = steps.find((s) => s.name === need);
        const ok = dependency === undefined ? results[need] !== undefined : await start(dependency);
        if (!ok) {
          skipped.push(step.name);
          return false;
        }
      }
      const startedMs = hooks.now();
      try {
        const result = await step.run(event, results as StepResults, simpli);
        await hooks.onSuccess(step.name, result, hooks.now() - startedMs);
        results[step.name] = result;
        return true;
      } catch (error) {
        hooks.onFailure?.(step.name, error, hooks.now() - startedMs);
        failures.push({ step: step.name, error });
        return false;
      }
    })();
    running.set(step.name, promise);
    return promise;
  };

  await Promise.all(steps.map(start));
  return { results: results as StepResults, failures, skipped };
}

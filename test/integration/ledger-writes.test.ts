/**
 * What each event costs in Ledger writes (issue #10, cost; README, "The Ledger"), counted at the
 * DynamoDB client by SDK middleware against dynalite, through the real pipeline, a fake Simpli that
 * validates requests like the real services, and a fake generic helpdesk:
 *
 * - an event that writes back pays 4 writes whatever its type: claim, take the ticket's lock, record
 *   its marks (releasing the lock), finish, which carries the step results (before: one more write
 *   per step — 7 for a ticket.created, 5 for a message or a resolution);
 * - a finished result is written early only when it would otherwise wait unwritten for long:
 *   before an in-invocation retry's wait, after `checkpointAfterMs`, or near the deadline.
 */
import { GetItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SimpliConfig } from '../../lib/config.ts';
import { createHttpClient } from '../../lib/http.ts';
import type { Ledger } from '../../lib/ledger.ts';
import { processEvent, type PipelineDeps } from '../../lib/pipeline.ts';
import { genericProcess } from '../../lib/providers/generic.ts';
import type { EventType, QueuedEvent } from '../../lib/providers/types.ts';
import { createSimpliClient } from '../../lib/simpli/client.ts';
import { defaultSimpli } from '../support/bridge-harness.ts';
import { startFakeServer, type FakeReply, type FakeServer, type RecordedRequest } from '../support/fake-server.ts';
import { startDynaliteLedger } from '../support/ledger-table.ts';
import { simpliConfigAt } from '../support/simpli-config.ts';

describe('Ledger writes per event (dynalite, counted at the SDK)', () => {
  let stopLedger: () => Promise<void>;
  let client: DynamoDBClient;
  let ledger: Ledger;
  let simpli: FakeServer;
  let helpdesk: FakeServer;
  /** DynamoDB commands sent, by name. */
  const sent: string[] = [];
  /** Replaces the fake Simpli's answers for one test (reset before each). */
  let simpliOverride: ((request: RecordedRequest) => Promise<FakeReply | undefined>) | undefined;

  beforeAll(async () => {
    ({ client, ledger, stop: stopLedger } = await startDynaliteLedger());
    client.middlewareStack.add(
      (next, context) => async (args) => {
        sent.push(context.commandName ?? 'unknown');
        return next(args);
      },
      { step: 'initialize', name: 'countLedgerRequests' },
    );
    simpli = await startFakeServer(async (request) => (await simpliOverride?.(request)) ?? defaultSimpli(request));
    helpdesk = await startFakeServer(() => ({ status: 200, json: { ok: true } }));
  });
  beforeEach(() => {
    sent.length = 0;
    simpliOverride = undefined;
    simpli.requests.length = 0;
  });
  afterAll(async () => {
    await Promise.all([simpli?.stop(), helpdesk?.stop()]);
    await stopLedger?.();
  });

  const config = (): SimpliConfig => simpliConfigAt(simpli.url, { timeoutMs: 5_000, qaTimeoutMs: 5_000 });

  function deps(extra: Partial<PipelineDeps> = {}, retryAttempts = 1): PipelineDeps {
    const http = createHttpClient({ retry: { maxAttempts: retryAttempts, baseDelayMs: 1, maxDelayMs: 1 } });
    return {
      ledger,
      simpli: createSimpliClient(config(), http),
      http,
      provider: genericProcess,
      settings: { updateUrl: `${helpdesk.url}/tickets/{ticket_id}`, token: 'helpdesk-token' },
      deadLetter: async () => {},
      now: Date.now,
      owner: `owner-${Math.random()}`,
      receiveCount: 1,
      maxReceiveCount: 5,
      leaseSeconds: 60,
      ttlSeconds: 3600,
      draftReplies: false,
      confidenceThreshold: 0.6,
      ...extra,
    };
  }

  const bodies: Record<EventType, (ticketId: string) => Record<string, unknown>> = {
    'ticket.created': (ticketId) => ({ event: 'ticket.created', ticket_id: ticketId, subject: 'Charged twice', body: 'I was charged twice, please refund.', customer_id: `C-${ticketId}`, channel: 'email' }),
    'message.created': (ticketId) => ({ event: 'message.created', ticket_id: ticketId, message: { id: `m-${ticketId}`, body: 'Still waiting for my refund.' }, customer_id: `C-${ticketId}` }),
    'ticket.resolved': (ticketId) => ({
      event: 'ticket.resolved',
      ticket_id: ticketId,
      agent_id: 'A-1',
      messages: [
        { role: 'customer', content: 'I was charged twice.' },
        { role: 'agent', content: 'Refunded, sorry about that.' },
      ],
    }),
  };

  function queued(eventType: EventType, ticketId: string): QueuedEvent {
    return { provider: 'generic', eventType, eventId: `generic:${eventType}:${ticketId}`, ticketId, payload: bodies[eventType](ticketId), receivedAt: new Date().toISOString(), requestId: 'r-1' };
  }

  const writes = () => sent.filter((c) => c === 'UpdateItemCommand' || c === 'PutItemCommand' || c === 'DeleteItemCommand').length;
  const reads = () => sent.filter((c) => c === 'GetItemCommand' || c === 'QueryCommand').length;
  const paths = () => simpli.requests.map((r) => r.path).sort();

  async function storedSteps(eventId: string): Promise<string[]> {
    const out = await client.send(new GetItemCommand({ TableName: 'Ledger', Key: { eventId: { S: eventId } }, ConsistentRead: true }));
    return Object.keys(out.Item?.steps?.M ?? {}).sort();
  }

  it.each([
    ['ticket.created', ['/analyze', '/classify', '/route']],
    ['message.created', ['/analyze']],
    ['ticket.resolved', ['/evaluate']],
  ] as const)('a %s that writes back costs 4 writes (claim, ticket lock, marks, finish) and no read', async (eventType, calls) => {
    const event = queued(eventType, `W-${eventType}`);
    const result = await processEvent(event, deps());
    expect(result.outcome).toBe('done');
    expect(paths()).toEqual([...calls]);
    expect(helpdesk.requests.some((r) => r.path === `/tickets/W-${eventType}`)).toBe(true);
    expect(sent).toEqual(['UpdateItemCommand', 'UpdateItemCommand', 'UpdateItemCommand', 'UpdateItemCommand']);
    expect(reads()).toBe(0);
    // The finish carried every step's result.
    const record = await ledger.get(event.eventId);
    expect(record?.status).toBe('done');
    expect(Object.keys(record?.steps ?? {}).sort()).toEqual(calls.map((p) => ({ '/analyze': 'sentiment', '/classify': 'classify', '/route': 'route', '/evaluate': 'qa' })[p]).sort());
    expect(Object.keys(record?.stepTimes ?? {}).sort()).toEqual(Object.keys(record?.steps ?? {}).sort());
  });

  it('a duplicate delivery costs one refused write', async () => {
    const event = queued('ticket.created', 'W-dup');
    await processEvent(event, deps());
    sent.length = 0;
    expect((await processEvent(event, deps())).outcome).toBe('duplicate');
    expect(writes()).toBe(1);
    expect(paths()).toEqual(['/analyze', '/classify', '/route']);
  });

  it('writes the finished steps once, in one write, before waiting to retry a refused call', async () => {
    const event = queued('ticket.created', 'W-wait');
    let seenAtRetry: string[] | undefined;
    let sentiments = 0;
    simpliOverride = async (request) => {
      if (request.path !== '/analyze') return undefined;
      sentiments++;
      if (sentiments === 1) {
        // Answer after classify and route are done; 503 may be retried at once (lib/simpli/client.ts).
        await new Promise((resolve) => setTimeout(resolve, 300));
        return { status: 503, json: { detail: 'busy' } };
      }
      seenAtRetry = await storedSteps(event.eventId);
      return undefined;
    };
    const result = await processEvent(event, deps({}, 2));
    expect(result.outcome).toBe('done');
    expect(sentiments).toBe(2);
    expect(seenAtRetry).toEqual(['classify', 'route']);
    expect(writes()).toBe(5);
  });

  it('writes a result that has waited checkpointAfterMs for a slow call, while the call is in flight', async () => {
    const event = queued('ticket.created', 'W-slow');
    let seenWhileSlow: string[] | undefined;
    simpliOverride = async (request) => {
      if (request.path !== '/analyze') return undefined;
      // Sentiment answers only once classify and route are in the Ledger (or gives up after 5 s).
      for (let waitedMs = 0; waitedMs < 5_000; waitedMs += 50) {
        seenWhileSlow = await storedSteps(event.eventId);
        if (seenWhileSlow.length === 2) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return undefined;
    };
    const result = await processEvent(event, deps({ checkpointAfterMs: 500 }));
    // The timer wrote once; the finish carried sentiment.
    expect(result.outcome).toBe('done');
    expect(seenWhileSlow).toEqual(['classify', 'route']);
    expect(writes()).toBe(5);
  });

  it('writes each result as it comes when the invocation has less than checkpointAfterMs left', async () => {
    const event = queued('ticket.created', 'W-late');
    const result = await processEvent(event, deps({ deadlineMs: Date.now() + 3_000, checkpointAfterMs: 5_000 }));
    expect(result.outcome).toBe('done');
    expect(writes()).toBe(4 + 3);
  });

  it('takes no ticket lock for an event whose results write no field group (a draft only: a note)', async () => {
    const event: QueuedEvent = { ...queued('message.created', 'W-draft'), payload: { event: 'message.created', ticket_id: 'W-draft', message: { id: 'm-d', body: ' ' }, messages: ['Any news?'] } };
    const result = await processEvent(event, { ...deps({ draftReplies: true }), simpli: createSimpliClient({ ...config(), draftReplies: true }, createHttpClient()) });
    expect(result.outcome).toBe('done');
    expect(paths()).toEqual(['/api/v1/draft']);
    expect(helpdesk.requests.some((r) => r.path === '/tickets/W-draft')).toBe(true);
    // claim + finish; the per-ticket item was never written.
    expect(writes()).toBe(2);
    expect(await ledger.tickets?.get('generic', 'W-draft')).toBeUndefined();
  });
});

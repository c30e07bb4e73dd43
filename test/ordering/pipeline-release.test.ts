/**
 * The write-back's ticket lock must never cost what was already written: when a write fails and
 * releasing the lock fails too (DynamoDB unavailable for a moment), the event is retried with the
 * writes that succeeded recorded, so the retry does not repeat them.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimpliConfig } from '../../lib/config.ts';
import { createHttpClient } from '../../lib/http.ts';
import type { Ledger } from '../../lib/ledger.ts';
import { processEvent, type PipelineDeps } from '../../lib/pipeline.ts';
import { zendeskProvider } from '../../lib/providers/zendesk/index.ts';
import type { QueuedEvent } from '../../lib/providers/types.ts';
import { createSimpliClient } from '../../lib/simpli/client.ts';
import { defaultSimpli } from '../support/bridge-harness.ts';
import { startFakeServer, type FakeServer } from '../support/fake-server.ts';
import { helpdeskContract } from '../support/helpdesk-contracts.ts';
import { startDynaliteLedger } from '../support/ledger-table.ts';
import { simpliConfigAt } from '../support/simpli-config.ts';

const COMMENT = JSON.parse(readFileSync(new URL('../fixtures/zendesk/comment-added.json', import.meta.url), 'utf8')) as unknown;

describe('the ticket lock and a failing write-back', () => {
  let stopLedger: () => Promise<void>;
  let ledger: Ledger;
  let simpli: FakeServer;
  let zendesk: FakeServer;

  beforeAll(async () => {
    ({ ledger, stop: stopLedger } = await startDynaliteLedger());
    simpli = await startFakeServer(defaultSimpli);
    // Tags are added; the ticket update is refused for now (503).
    zendesk = await startFakeServer((r) => (r.path.endsWith('/tags') ? { json: { tags: [] } } : { status: 503, json: { error: 'unavailable' } }), { contract: helpdeskContract });
  });
  afterAll(async () => {
    await Promise.all([simpli?.stop(), zendesk?.stop()]);
    await stopLedger?.();
  });

  it('records the writes that succeeded even when releasing the lock fails', async () => {
    const tickets = ledger.tickets;
    if (tickets === undefined) throw new Error('createLedger must provide ticket states');
    let releases = 0;
    const flakyLedger: Ledger = {
      ...ledger,
      tickets: {
        ...tickets,
        release: async () => {
          releases++;
          throw new Error('DynamoDB is unavailable');
        },
      },
    };
    const http = createHttpClient({ retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 } });
    const config: SimpliConfig = simpliConfigAt(simpli.url);
    const event: QueuedEvent = {
      provider: 'zendesk',
      eventType: 'message.created',
      eventId: 'zendesk:message.created:35436:26734811937297',
      ticketId: '35436',
      payload: COMMENT,
      receivedAt: new Date().toISOString(),
      requestId: 'r-1',
    };
    const deps: PipelineDeps = {
      ledger: flakyLedger,
      simpli: createSimpliClient(config, http),
      http,
      provider: zendeskProvider,
      settings: { baseUrl: zendesk.url, email: 'bot@acme.example', apiToken: 'zd-api-token' },
      deadLetter: async () => {},
      now: Date.now,
      owner: 'm-1:1',
      receiveCount: 1,
      maxReceiveCount: 5,
      leaseSeconds: 60,
      ttlSeconds: 3600,
      draftReplies: false,
      confidenceThreshold: 0.6,
    };

    const result = await processEvent(event, deps);
    expect(result).toMatchObject({ outcome: 'retry', reason: 'http_503' });
    expect(releases).toBe(1);
    const record = await ledger.get(event.eventId);
    expect(record?.pushed).toEqual(['tags:sentiment']);
    zendesk.assertNoViolations();
  });
});

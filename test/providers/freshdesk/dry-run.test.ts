import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonBody } from '../../support/fake-server.ts';
import { freshdeskProvider } from '../../../lib/providers/freshdesk/index.ts';
import type { DryRunSink } from '../../../lib/pipeline.ts';
import { DEFAULT_SECRET, startHarness, type Harness } from '../../support/bridge-harness.ts';

const body = JSON.stringify(JSON.parse(readFileSync(new URL('../../fixtures/freshdesk/simple-ticket-resolved.json', import.meta.url), 'utf8')));
const AUTH = { authorization: `Basic ${Buffer.from(`freshdesk-rule:${DEFAULT_SECRET}`).toString('base64')}` };

describe('Freshdesk without HELPDESK_CONFIG (the local stack’s dry run)', () => {
  let h: Harness;
  const written: Parameters<DryRunSink['write']>[0][] = [];
  beforeAll(async () => {
    h = await startHarness({
      providers: { freshdesk: freshdeskProvider },
      settings: () => ({}),
      dryRun: { write: async (entry) => void written.push(entry) },
    });
  });
  afterAll(async () => {
    await h.stop();
  });

  it('grades a resolved ticket from what the webhook carries, like the other providers, instead of dead-lettering it (invalid_settings)', async () => {
    expect((await h.post('/webhooks/freshdesk/ticket-resolved', body, AUTH)).statusCode).toBe(202);
    await h.drain();

    expect(jsonBody<{ messages: unknown }>(h.simpli.calls('POST', '/evaluate')[0]).messages).toEqual([
      { role: 'customer', content: 'I was charged twice for my subscription this month.\nPlease refund the duplicate charge.' },
    ]);
    expect(await h.deadLetters()).toEqual([]);
    expect(h.helpdesk.requests).toEqual([]);
    expect(written).toHaveLength(1);
    expect(written[0]).toMatchObject({ provider: 'freshdesk', eventType: 'ticket.resolved', ticketId: '20', fields: { ai_qa_score: 0.92 } });
  });
});

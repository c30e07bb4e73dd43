import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonBody } from '../../support/fake-server.ts';
import { zendeskProvider } from '../../../lib/providers/zendesk/index.ts';
import type { DryRunSink } from '../../../lib/pipeline.ts';
import { signZendesk } from '../../../infra/sign/zendesk.ts';
import { DEFAULT_SECRET, startHarness, type Harness } from '../../support/bridge-harness.ts';

const body = JSON.stringify(JSON.parse(readFileSync(new URL('../../fixtures/zendesk/trigger-ticket-resolved.json', import.meta.url), 'utf8')));
const signed = (nowMs = Date.now()) =>
  signZendesk({ method: 'POST', url: 'https://bridge.example.com/webhooks/zendesk', body: Buffer.from(body), secret: DEFAULT_SECRET, nowMs }).headers;

describe('Zendesk without HELPDESK_CONFIG (the local stack’s dry run)', () => {
  let h: Harness;
  const written: Parameters<DryRunSink['write']>[0][] = [];
  beforeAll(async () => {
    h = await startHarness({
      providers: { zendesk: zendeskProvider },
      settings: () => ({}),
      dryRun: { write: async (entry) => void written.push(entry) },
    });
  });
  afterAll(async () => {
    await h.stop();
  });

  it('grades a resolved ticket from what the trigger carries instead of failing for want of API settings', async () => {
    expect((await h.post('/webhooks/zendesk/ticket-resolved', body, signed())).statusCode).toBe(202);
    await h.drain();

    const qa = h.simpli.calls('POST', '/evaluate');
    expect(qa).toHaveLength(1);
    const conversation = jsonBody<{ messages: { role: string; content: string }[] }>(qa[0]).messages;
    expect(conversation.length).toBeGreaterThan(0);
    expect(await h.deadLetters()).toEqual([]);
    expect(written).toHaveLength(1);
    expect(written[0]).toMatchObject({ provider: 'zendesk', eventType: 'ticket.resolved', fields: { ai_qa_score: 0.92 } });
  });
});

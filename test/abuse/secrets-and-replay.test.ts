import { Logger } from '@aws-lambda-powertools/logger';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIngestHandler } from '../../functions/ingest/app.ts';
import { loadIngestConfig, parseWebhookSecrets, type WebhookSecrets } from '../../lib/config.ts';
import { providers } from '../../lib/providers/registry.ts';
import { jsonSource } from '../../lib/secrets.ts';
import { signStandardWebhook } from '../../infra/sign/generic.ts';
import { endpointEvent, startHarness, type Harness } from '../support/bridge-harness.ts';
import { signGeneric, ticketBody } from '../support/fault-kit.ts';

describe('abuse: secret rotation', () => {
  it('documents a 300 s default lifetime for the secret cache (SECRETS_CACHE_SECONDS)', () => {
    expect(loadIngestConfig({ QUEUE_URL: 'https://sqs/q', WEBHOOK_SECRETS: '{}' }).secretsCacheSeconds).toBe(300);
  });

  it('accepts both secrets during a rotation and rejects the removed one within the cache lifetime', async () => {
    let clock = Date.UTC(2026, 10, 27, 12);
    let stored = { generic: ['old-secret', 'new-secret'] };
    let reads = 0;
    // Secrets Manager as the deployed function reads it (GetSecretValue), through the real cache.
    const client = {
      send: async () => {
        reads++;
        return { SecretString: JSON.stringify(stored) };
      },
    } as unknown as SecretsManagerClient;
    const secrets = jsonSource<WebhookSecrets>('WEBHOOK_SECRETS', { secretArn: 'arn:aws:secretsmanager:…' }, parseWebhookSecrets, {
      client: () => client,
      cacheSeconds: 300,
      fallback: {},
      now: () => clock,
    });
    let enqueued = 0;
    const ingest = createIngestHandler({
      providers,
      secretsFor: async (p) => (await secrets.get())[p] ?? [],
      settingsFor: async () => ({}),
      enqueue: async (events) => {
        enqueued += events.length;
      },
      maxBodyBytes: 240 * 1024,
      publicBaseUrl: undefined,
      now: () => clock,
      logger: new Logger({ logLevel: 'SILENT' }),
    });
    let n = 0;
    const post = async (secret: string) => {
      const body = ticketBody(`R-${n++}`);
      return (await ingest(endpointEvent('/webhook/ticket-created', '', Buffer.from(body), { 'x-webhook-signature': signGeneric(body, secret) }))).statusCode;
    };

    expect(await post('old-secret')).toBe(202);
    expect(await post('new-secret')).toBe(202);
    // The old secret is removed from Secrets Manager.
    stored = { generic: ['new-secret'] };
    clock += 299_000;
    expect(await post('old-secret')).toBe(202); // still cached: the documented grace
    clock += 1_000;
    expect(await post('old-secret')).toBe(401); // 300 s after the last load: gone
    expect(await post('new-secret')).toBe(202);
    expect(await post('some-other-secret')).toBe(401);
    expect(reads).toBe(2);
    expect(enqueued).toBe(4);
  });
});

describe('abuse: replay of a captured request (Standard Webhooks, 5-minute window)', () => {
  let h: Harness;
  let clock = Date.UTC(2026, 10, 27, 12);
  beforeAll(async () => {
    h = await startHarness({ now: () => clock, secrets: { generic: [`whsec_${Buffer.from('replay-secret-bytes').toString('base64')}`] } });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('answers 401 after the window, and accepts but processes once inside it', async () => {
    const body = JSON.stringify({ event: 'message.created', ticket_id: 'RP-1', message: { id: 'm-1', body: 'hello' }, customer_id: 'C-1' });
    const captured = signStandardWebhook({ body: Buffer.from(body), secret: `whsec_${Buffer.from('replay-secret-bytes').toString('base64')}`, nowMs: clock, id: 'msg_1' });
    const startedMs = clock;

    expect((await h.post('/webhooks/generic', body, captured)).statusCode).toBe(202);
    await h.drain();
    clock = startedMs + 2 * 60_000;
    expect((await h.post('/webhooks/generic', body, captured)).statusCode).toBe(202);
    await h.drain();
    clock = startedMs + 5 * 60_000 + 1_000;
    const late = await h.post('/webhooks/generic', body, captured);
    expect(late.statusCode).toBe(401);
    expect(JSON.parse(late.body)).toEqual({ error: 'unauthorized' });
    clock = startedMs - 5 * 60_000 - 1_000;
    expect((await h.post('/webhooks/generic', body, captured)).statusCode).toBe(401);
    await h.drain();

    expect(h.simpli.calls('POST', '/analyze')).toHaveLength(1);
    expect(h.helpdesk.calls('PUT', '/tickets/RP-1')).toHaveLength(1);
    console.log('[abuse] replay: 4 sends of one captured request → 202, 202 (deduplicated), 401 (late), 401 (early); processed 1');
  });
});

/**
 * A connector whose specification is wrong (here loaded past the cold-start check, as a Secrets
 * Manager change would be) answers 500 with one clear log line — for that connector alone — and
 * never accepts a request; the other connectors keep working.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startHarness, type Harness } from '../support/bridge-harness.ts';
import { SECRETS, signZammad, zammadBody } from './payloads.ts';
import { vendorFakes, ZAMMAD_TOKEN } from './vendor-fakes.ts';

describe('a misconfigured connector', () => {
  let h: Harness;
  const logger = new Logger({ serviceName: 'test', logLevel: 'SILENT' });
  const errors = vi.spyOn(logger, 'error');
  const metrics = new Metrics({ namespace: 'Test', serviceName: 'test' });
  vi.spyOn(metrics, 'publishStoredMetrics').mockImplementation(() => metrics);
  const dimensions = vi.spyOn(metrics, 'addDimensions');
  const metadata = vi.spyOn(metrics, 'addMetadata');
  beforeAll(async () => {
    h = await startHarness({
      logger,
      metrics,
      helpdesk: vendorFakes(),
      secrets: { zammad: [SECRETS.zammad], acme: ['acme-secret'] },
      settings: (url) => ({
        zammad: { baseUrl: `${url}/zammad`, token: ZAMMAD_TOKEN },
        acme: {
          baseUrl: url,
          connector: {
            authenticity: { type: 'token', in: 'header', name: 'x-token' },
            events: { source: 'kind', map: { opened: 'ticket.created' } },
            fields: { ticketId: ['id'] },
            auth: { type: 'none' },
            writeBack: [{ method: 'POST', url: '{settings.baseUrl}/cases/{tiket_id}', body: { text: '{note}' } }],
          },
        },
      }),
    });
  });
  afterAll(async () => {
    await h.stop();
  });

  it('answers 503 (the sender retries after the fix) and logs the path of the mistake, even for a request carrying the right token', async () => {
    const response = await h.post('/webhooks/acme', '{"kind":"opened","id":"1"}', { 'x-token': 'acme-secret' });
    expect(response.statusCode).toBe(503);
    expect(response.headers?.['retry-after']).toBe('30');
    expect(JSON.parse(response.body)).toEqual({ error: 'unavailable', message: 'try again later' });
    expect(errors).toHaveBeenCalledWith('rejected', expect.objectContaining({ status: 503, reason: 'invalid_connector', detail: expect.stringContaining('connectors.acme.writeBack[0].url: unknown field {tiket_id}') }));
    expect(await h.queueDepth()).toEqual({ visible: 0, inFlight: 0 });
  });

  it('counts a rejected request under the connector it was for; an undeclared name stays "unknown"', async () => {
    dimensions.mockClear();
    metadata.mockClear();
    const body = zammadBody();
    expect((await h.post('/webhooks/zammad/ticket-created', body, signZammad(body, 'wrong'))).statusCode).toBe(401);
    expect((await h.post('/webhooks/made-up', '{}', {})).statusCode).toBe(404);
    expect(dimensions.mock.calls).toEqual([[{ provider: 'zammad' }], [{ provider: 'unknown' }]]);
    // The reason is a property of the EMF document, not a dimension (one series per provider, issue #10).
    expect(metadata.mock.calls).toEqual([['reason', 'no_matching_signature'], ['reason', 'unknown_provider']]);
  });

  it('leaves the other connectors working, and an undeclared name is 404', async () => {
    const body = zammadBody();
    expect((await h.post('/webhooks/zammad/ticket-created', body, signZammad(body))).statusCode).toBe(202);
    expect((await h.post('/webhooks/nobody', '{}', {})).statusCode).toBe(404);
  });
});

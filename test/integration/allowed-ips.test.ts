/**
 * `allowedIps` end to end through the ingest handler, on the API Gateway event (AWS) and through
 * the local HTTP API that `npm start` runs (the socket's address): a source outside the list gets
 * 403 and a `rejected` log line with reason `ip_not_allowed`, before any other work.
 */
import { createHmac } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import type { Logger } from '@aws-lambda-powertools/logger';
import { afterEach, describe, expect, it } from 'vitest';
import { createIngestHandler, type IngestAppDeps } from '../../functions/ingest/app.ts';
import { startLocalApi, type LocalApi } from '../../infra/local-api.ts';
import { genericProvider } from '../../lib/providers/generic.ts';
import { ingestProviders } from '../../lib/providers/ingest-registry.ts';
import { parseIngestHelpdeskConfig } from '../../lib/config.ts';
import { PROVIDER_NAMES, type ProviderName, type ProviderSettings, type QueuedEvent } from '../../lib/providers/types.ts';
import { endpointEvent } from '../support/bridge-harness.ts';

const SECRET = 'allow-list-secret';
const BODY = '{"ticket_id":"T-1","event":"ticket.created","subject":"s","description":"d"}';
const sign = (body: string) => createHmac('sha256', SECRET).update(body).digest('hex');

interface LogLine {
  readonly level: string;
  readonly message: string;
  readonly [key: string]: unknown;
}

function rig(
  settings: Partial<Record<ProviderName, ProviderSettings>> | (() => Partial<Record<ProviderName, ProviderSettings>>),
  providers: IngestAppDeps['providers'] = { generic: genericProvider },
) {
  const logs: LogLine[] = [];
  const enqueued: QueuedEvent[] = [];
  const secretLookups: string[] = [];
  const logger = {
    appendKeys: () => {},
    resetKeys: () => {},
    info: (message: string, extra: object) => logs.push({ level: 'INFO', message, ...extra }),
    warn: (message: string, extra: object) => logs.push({ level: 'WARN', message, ...extra }),
    error: (message: string, extra: object) => logs.push({ level: 'ERROR', message, ...extra }),
  } as unknown as Logger;
  const handler = createIngestHandler({
    providers,
    secretsFor: async (p) => {
      secretLookups.push(p);
      return [SECRET];
    },
    settingsFor: async (p) => (typeof settings === 'function' ? settings() : settings)[p] ?? {},
    enqueue: async (events) => {
      enqueued.push(...events);
    },
    maxBodyBytes: 1024,
    publicBaseUrl: undefined,
    now: Date.now,
    logger,
  });
  return { handler, logs, enqueued, secretLookups };
}

function eventFrom(sourceIp: string, body = BODY, headers: Record<string, string> = { 'x-webhook-signature': sign(body) }) {
  const event = endpointEvent('/webhooks/generic', '', Buffer.from(body), headers);
  event.requestContext.http.sourceIp = sourceIp;
  return event;
}

describe('allowedIps on the API Gateway event (requestContext.http.sourceIp)', () => {
  const settings = { generic: { allowedIps: ['192.0.2.0/24', '2001:db8::/32'] } };

  it('accepts a signed request from inside the list, IPv4 or IPv6', async () => {
    const r = rig(settings);
    for (const ip of ['192.0.2.10', '2001:db8::7', '::ffff:192.0.2.11']) {
      expect((await r.handler(eventFrom(ip))).statusCode, ip).toBe(202);
    }
    expect(r.enqueued).toHaveLength(3);
  });

  it('answers 403 with nothing else to a source outside it, and logs rejected / ip_not_allowed', async () => {
    const r = rig(settings);
    const response = await r.handler(eventFrom('203.0.113.9'));
    expect(response).toMatchObject({ statusCode: 403, body: '{"error":"forbidden"}' });
    expect(r.enqueued).toEqual([]);
    expect(r.logs).toEqual([
      expect.objectContaining({
        level: 'WARN',
        message: 'rejected',
        stage: 'rejected',
        status: 403,
        reason: 'ip_not_allowed',
        detail: 'source address 203.0.113.9 is not in HELPDESK_CONFIG.generic.allowedIps',
      }),
    ]);
  });

  it('checks the source before the size, the signature and the secrets: an outsider learns nothing more', async () => {
    const r = rig(settings);
    const oversized = eventFrom('198.51.100.1', 'x'.repeat(4096), {});
    expect((await r.handler(oversized)).statusCode).toBe(403);
    const unsigned = eventFrom('198.51.100.1', BODY, { 'x-webhook-signature': 'nope' });
    expect((await r.handler(unsigned)).statusCode).toBe(403);
    expect(r.secretLookups).toEqual([]);
  });

  it('ignores X-Forwarded-For, which the caller writes', async () => {
    const r = rig(settings);
    const spoofed = eventFrom('203.0.113.9', BODY, { 'x-webhook-signature': sign(BODY), 'x-forwarded-for': '192.0.2.10' });
    expect((await r.handler(spoofed)).statusCode).toBe(403);
  });

  it('leaves a provider without allowedIps open to every source, as before', async () => {
    const r = rig({ generic: {} });
    expect((await r.handler(eventFrom('203.0.113.9'))).statusCode).toBe(202);
  });

  it('answers 503 (the helpdesk retries) when the settings secret loaded after the cold start has a bad range', async () => {
    const r = rig(() => parseIngestHelpdeskConfig('{"generic": {"allowedIps": ["192.0.2.1/24"]}}', 'the secret named by HELPDESK_CONFIG_ARN'));
    const response = await r.handler(eventFrom('192.0.2.10'));
    expect(response).toMatchObject({ statusCode: 503, headers: { 'retry-after': '30' } });
    expect(r.enqueued).toEqual([]);
    expect(r.logs).toEqual([
      expect.objectContaining({
        level: 'ERROR',
        reason: 'invalid_allowed_ips',
        detail: expect.stringMatching(/^the secret named by HELPDESK_CONFIG_ARN → generic\.allowedIps\[0\] "192\.0\.2\.1\/24" has bits set/),
      }),
    ]);
  });

  it('refuses an event without a readable source address when a list is set', async () => {
    const r = rig(settings);
    expect((await r.handler(eventFrom(''))).statusCode).toBe(403);
  });
});

describe('allowedIps for every provider', () => {
  it.each(PROVIDER_NAMES.map((p) => [p]))('%s: 403 from outside the list; from inside, its own checks run as before', async (provider) => {
    const r = rig({ [provider]: { allowedIps: ['198.51.100.0/24'] } }, ingestProviders);
    const unsigned = (ip: string) => {
      const event = endpointEvent(`/webhooks/${provider}/ticket-created`, '', Buffer.from('{}'), {});
      event.requestContext.http.sourceIp = ip;
      return event;
    };
    expect((await r.handler(unsigned('203.0.113.9'))).statusCode).toBe(403);
    const inside = (await r.handler(unsigned('198.51.100.7'))).statusCode;
    expect(inside).not.toBe(403);
    expect(inside).toBeGreaterThanOrEqual(400); // unsigned: the provider's own authenticity check refuses it
    expect(r.logs.map((l) => l.reason)).toEqual(['ip_not_allowed', expect.not.stringMatching(/^ip_not_allowed$/)]);
  });
});

describe('allowedIps under npm start (the local HTTP API reads the socket address)', () => {
  let api: LocalApi | undefined;
  afterEach(async () => {
    await api?.stop();
    api = undefined;
  });

  function post(host: string, port: number, headers: Record<string, string>): Promise<number> {
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        { host, port, method: 'POST', path: '/webhooks/generic', headers: { 'content-type': 'application/json', 'x-webhook-signature': sign(BODY), ...headers } },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.end(BODY);
    });
  }

  it('accepts the loopback socket when it is listed, and refuses it (despite X-Forwarded-For) when not', async () => {
    const allowed = rig({ generic: { allowedIps: ['127.0.0.0/8'] } });
    api = await startLocalApi({ handler: allowed.handler, port: 0 });
    expect(await post('127.0.0.1', api.port, {})).toBe(202);
    await api.stop();

    const refused = rig({ generic: { allowedIps: ['192.0.2.0/24'] } });
    api = await startLocalApi({ handler: refused.handler, port: 0 });
    expect(await post('127.0.0.1', api.port, { 'x-forwarded-for': '192.0.2.1' })).toBe(403);
    expect(refused.logs.find((l) => l.message === 'rejected')).toMatchObject({ reason: 'ip_not_allowed', detail: expect.stringContaining('127.0.0.1') });
  });

  it('reads an IPv6 peer as IPv6 (::1 is not 127.0.0.1)', async () => {
    const v6only = rig({ generic: { allowedIps: ['::1/128'] } });
    try {
      api = await startLocalApi({ handler: v6only.handler, port: 0, host: '::1' });
    } catch (error) {
      // A machine without IPv6 loopback cannot run this case; say so instead of passing silently.
      throw new Error(`cannot listen on ::1 (${String(error)}): this machine has no IPv6 loopback`);
    }
    expect(await post('::1', api.port, {})).toBe(202);
    await api.stop();
    const v4only = rig({ generic: { allowedIps: ['127.0.0.0/8'] } });
    api = await startLocalApi({ handler: v4only.handler, port: 0, host: '::1' });
    expect(await post('::1', api.port, {})).toBe(403);
  });
});

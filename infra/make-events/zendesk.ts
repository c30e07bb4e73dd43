/**
 * Writes events/zendesk/*.json — API Gateway HTTP API (payload 2.0) events carrying the fixtures
 * of test/fixtures/zendesk, signed as Zendesk signs them with LOCAL_DEV_SECRET at a fixed time
 * (regenerating rewrites identical files; `npm run send` re-signs with the current time).
 *
 * Run: npx node infra/make-events/zendesk.ts  (Node 24 strips the types)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { LOCAL_DEV_SECRET } from '../../lib/config.ts';
import { signZendesk } from '../sign/zendesk.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The fixtures' own time, so the samples verify against a clock set to it. */
export const ZENDESK_SAMPLE_TIME_MS = Date.parse('2024-04-17T17:18:10Z');

/** fixture → sample event: event subscriptions post to /webhooks/zendesk, triggers to /webhooks/zendesk/{event}. */
export const ZENDESK_SAMPLES = [
  { file: 'ticket-created.json', fixture: 'ticket-created.json', event: undefined },
  { file: 'message-created.json', fixture: 'comment-added.json', event: undefined },
  { file: 'ticket-resolved.json', fixture: 'status-changed-solved.json', event: undefined },
  { file: 'trigger-ticket-created.json', fixture: 'trigger-ticket-created.json', event: 'ticket-created' },
  { file: 'trigger-message-created.json', fixture: 'trigger-message-created.json', event: 'message-created' },
  { file: 'trigger-ticket-resolved.json', fixture: 'trigger-ticket-resolved.json', event: 'ticket-resolved' },
] as const;

export function zendeskSampleEvent(fixture: string, event: string | undefined, nowMs = ZENDESK_SAMPLE_TIME_MS): APIGatewayProxyEventV2 {
  // Compact JSON, as Zendesk sends it.
  const body = JSON.stringify(JSON.parse(readFileSync(`${ROOT}test/fixtures/zendesk/${fixture}`, 'utf8')));
  const rawPath = event === undefined ? '/webhooks/zendesk' : `/webhooks/zendesk/${event}`;
  const routeKey = event === undefined ? 'POST /webhooks/{provider}' : 'POST /webhooks/{provider}/{event}';
  const signed = signZendesk({ method: 'POST', url: `https://localhost${rawPath}`, body: Buffer.from(body), secret: LOCAL_DEV_SECRET, nowMs });
  return {
    version: '2.0',
    routeKey,
    rawPath,
    rawQueryString: '',
    headers: {
      accept: '*/*',
      'content-length': String(Buffer.byteLength(body)),
      'content-type': 'application/json; charset=utf-8',
      host: 'localhost',
      'user-agent': 'Zendesk Webhook',
      'x-forwarded-for': '127.0.0.1',
      'x-forwarded-port': '443',
      'x-forwarded-proto': 'https',
      ...signed.headers,
    },
    requestContext: {
      accountId: '123456789012',
      apiId: 'local',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: { method: 'POST', path: rawPath, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'Zendesk Webhook' },
      requestId: `req-zendesk-${fixture.replace(/\.json$/, '')}`,
      routeKey,
      stage: '$default',
      time: '17/Apr/2024:17:18:10 +0000',
      timeEpoch: nowMs,
    },
    body,
    isBase64Encoded: false,
    pathParameters: event === undefined ? { provider: 'zendesk' } : { provider: 'zendesk', event },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const sample of ZENDESK_SAMPLES) {
    writeFileSync(`${ROOT}events/zendesk/${sample.file}`, `${JSON.stringify(zendeskSampleEvent(sample.fixture, sample.event), null, 2)}\n`);
  }
  console.log(`wrote ${ZENDESK_SAMPLES.length} events to events/zendesk/`);
}

/**
 * Writes events/freshdesk/*.json — API Gateway HTTP API (payload 2.0) events carrying the fixtures
 * of test/fixtures/freshdesk, authenticated as a Freshdesk rule sends them (HTTP Basic, the shared
 * token LOCAL_DEV_SECRET as the password). No timestamp is involved: the files never go stale.
 *
 * Run: npx node infra/make-events/freshdesk.ts  (Node 24 strips the types)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { LOCAL_DEV_SECRET } from '../../lib/config.ts';
import { signFreshdesk } from '../sign/freshdesk.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SAMPLE_TIME_MS = Date.parse('2024-04-17T17:18:10Z');

/** One rule per event type, each posting to /webhooks/freshdesk/{event}. */
export const FRESHDESK_SAMPLES = [
  { file: 'ticket-created.json', fixture: 'simple-ticket-created.json', event: 'ticket-created' },
  { file: 'message-created.json', fixture: 'advanced-message-created.json', event: 'message-created' },
  { file: 'ticket-resolved.json', fixture: 'simple-ticket-resolved.json', event: 'ticket-resolved' },
] as const;

export function freshdeskSampleEvent(fixture: string, event: string | undefined): APIGatewayProxyEventV2 {
  const body = JSON.stringify(JSON.parse(readFileSync(`${ROOT}test/fixtures/freshdesk/${fixture}`, 'utf8')));
  const rawPath = event === undefined ? '/webhooks/freshdesk' : `/webhooks/freshdesk/${event}`;
  const routeKey = event === undefined ? 'POST /webhooks/{provider}' : 'POST /webhooks/{provider}/{event}';
  const signed = signFreshdesk({ method: 'POST', url: `https://localhost${rawPath}`, body: Buffer.from(body), secret: LOCAL_DEV_SECRET, nowMs: SAMPLE_TIME_MS });
  return {
    version: '2.0',
    routeKey,
    rawPath,
    rawQueryString: '',
    headers: {
      accept: '*/*',
      'content-length': String(Buffer.byteLength(body)),
      'content-type': 'application/json',
      host: 'localhost',
      'user-agent': 'Freshdesk',
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
      http: { method: 'POST', path: rawPath, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'Freshdesk' },
      requestId: `req-freshdesk-${fixture.replace(/\.json$/, '')}`,
      routeKey,
      stage: '$default',
      time: '17/Apr/2024:17:18:10 +0000',
      timeEpoch: SAMPLE_TIME_MS,
    },
    body,
    isBase64Encoded: false,
    pathParameters: event === undefined ? { provider: 'freshdesk' } : { provider: 'freshdesk', event },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const sample of FRESHDESK_SAMPLES) {
    writeFileSync(`${ROOT}events/freshdesk/${sample.file}`, `${JSON.stringify(freshdeskSampleEvent(sample.fixture, sample.event), null, 2)}\n`);
  }
  console.log(`wrote ${FRESHDESK_SAMPLES.length} events to events/freshdesk/`);
}

/**
 * Writes events/salesforce/*.json — API Gateway HTTP API (payload 2.0) events carrying the SOAP
 * outbound messages of test/fixtures/salesforce, posted to /webhooks/salesforce/{event} with the
 * shared token LOCAL_DEV_SECRET in the `token` query parameter, as a configured outbound message
 * endpoint URL carries it. Nothing is time-dependent, so regenerating rewrites identical files.
 *
 * Run: npx node infra/make-events/salesforce.ts  (Node 24 strips the types)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { LOCAL_DEV_SECRET } from '../../lib/config.ts';
import { signSalesforce } from '../sign/salesforce.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const SALESFORCE_SAMPLE_TIME_MS = Date.parse('2024-06-01T10:00:05Z');

/** Sample file → fixture, route and the events it must produce (0: acknowledged and ignored). */
export const SALESFORCE_SAMPLES = [
  { file: 'ticket-created.json', fixture: 'case-created.xml', event: 'ticket-created', events: 1 },
  { file: 'ticket-created-batch.json', fixture: 'case-created-batch.xml', event: 'ticket-created', events: 2 },
  { file: 'ticket-resolved.json', fixture: 'case-closed.xml', event: 'ticket-resolved', events: 1 },
  { file: 'message-created.json', fixture: 'case-comment.xml', event: 'message-created', events: 1 },
  { file: 'message-created-email.json', fixture: 'email-message.xml', event: 'message-created', events: 1 },
] as const;

export function salesforceSampleEvent(fixture: string, event: string, nowMs = SALESFORCE_SAMPLE_TIME_MS): APIGatewayProxyEventV2 {
  const body = readFileSync(`${ROOT}test/fixtures/salesforce/${fixture}`, 'utf8');
  const rawPath = `/webhooks/salesforce/${event}`;
  const routeKey = 'POST /webhooks/{provider}/{event}';
  const signed = signSalesforce({ method: 'POST', url: `https://localhost${rawPath}`, body: Buffer.from(body), secret: LOCAL_DEV_SECRET, nowMs });
  const rawQueryString = signed.url === undefined ? '' : new URL(signed.url).search.slice(1);
  return {
    version: '2.0',
    routeKey,
    rawPath,
    rawQueryString,
    headers: {
      accept: 'text/xml, text/html, image/gif, image/jpeg, *; q=.2, */*; q=.2',
      'content-length': String(Buffer.byteLength(body)),
      host: 'localhost',
      'user-agent': 'Jakarta Commons-HttpClient/3.1',
      'x-forwarded-for': '127.0.0.1',
      'x-forwarded-port': '443',
      'x-forwarded-proto': 'https',
      ...signed.headers,
    },
    queryStringParameters: Object.fromEntries(new URLSearchParams(rawQueryString)),
    requestContext: {
      accountId: '123456789012',
      apiId: 'local',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: { method: 'POST', path: rawPath, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'Jakarta Commons-HttpClient/3.1' },
      requestId: `req-salesforce-${fixture.replace(/\.xml$/, '')}`,
      routeKey,
      stage: '$default',
      time: '01/Jun/2024:10:00:05 +0000',
      timeEpoch: nowMs,
    },
    body,
    isBase64Encoded: false,
    pathParameters: { provider: 'salesforce', event },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const sample of SALESFORCE_SAMPLES) {
    writeFileSync(`${ROOT}events/salesforce/${sample.file}`, `${JSON.stringify(salesforceSampleEvent(sample.fixture, sample.event), null, 2)}\n`);
  }
  console.log(`wrote ${SALESFORCE_SAMPLES.length} events to events/salesforce/`);
}

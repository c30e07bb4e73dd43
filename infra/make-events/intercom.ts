/**
 * Writes events/intercom/*.json — API Gateway HTTP API (payload 2.0) events carrying the fixtures
 * of test/fixtures/intercom, signed as Intercom signs them (`X-Hub-Signature: sha1=…`) with
 * LOCAL_DEV_SECRET. Intercom signs no timestamp, so regenerating rewrites identical files.
 *
 * Run: npx node infra/make-events/intercom.ts  (Node 24 strips the types)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { LOCAL_DEV_SECRET } from '../../lib/config.ts';
import { signIntercom } from '../sign/intercom.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The fixtures' own time (only the request context shows it). */
export const INTERCOM_SAMPLE_TIME_MS = Date.parse('2024-06-01T10:00:01Z');

/** Sample file → fixture and the normalized event it must produce (undefined: ignored with 200). */
export const INTERCOM_SAMPLES = [
  { file: 'ticket-created.json', fixture: 'conversation-user-created.json', eventType: 'ticket.created' },
  { file: 'ticket-created-legacy-shape.json', fixture: 'conversation-user-created-v1.json', eventType: 'ticket.created' },
  { file: 'message-created.json', fixture: 'conversation-user-replied.json', eventType: 'message.created' },
  { file: 'message-created-legacy-shape.json', fixture: 'conversation-user-replied-v1.json', eventType: 'message.created' },
  { file: 'ticket-resolved.json', fixture: 'conversation-admin-closed.json', eventType: 'ticket.resolved' },
  { file: 'ticket-object-created.json', fixture: 'ticket-created.json', eventType: 'ticket.created' },
  { file: 'ticket-object-message-created.json', fixture: 'ticket-contact-replied.json', eventType: 'message.created' },
  { file: 'ticket-object-resolved.json', fixture: 'ticket-state-updated-resolved.json', eventType: 'ticket.resolved' },
  { file: 'ping.json', fixture: 'ping.json', eventType: undefined },
] as const;

export function intercomSampleEvent(fixture: string, nowMs = INTERCOM_SAMPLE_TIME_MS): APIGatewayProxyEventV2 {
  // Compact JSON, as Intercom sends it.
  const body = JSON.stringify(JSON.parse(readFileSync(`${ROOT}test/fixtures/intercom/${fixture}`, 'utf8')));
  const rawPath = '/webhooks/intercom';
  const routeKey = 'POST /webhooks/{provider}';
  const signed = signIntercom({ method: 'POST', url: `https://localhost${rawPath}`, body: Buffer.from(body), secret: LOCAL_DEV_SECRET, nowMs });
  return {
    version: '2.0',
    routeKey,
    rawPath,
    rawQueryString: '',
    headers: {
      accept: 'application/json',
      'content-length': String(Buffer.byteLength(body)),
      host: 'localhost',
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
      http: { method: 'POST', path: rawPath, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'intercom-parrot-service-client/1.0' },
      requestId: `req-intercom-${fixture.replace(/\.json$/, '')}`,
      routeKey,
      stage: '$default',
      time: '01/Jun/2024:10:00:01 +0000',
      timeEpoch: nowMs,
    },
    body,
    isBase64Encoded: false,
    pathParameters: { provider: 'intercom' },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const sample of INTERCOM_SAMPLES) {
    writeFileSync(`${ROOT}events/intercom/${sample.file}`, `${JSON.stringify(intercomSampleEvent(sample.fixture), null, 2)}\n`);
  }
  console.log(`wrote ${INTERCOM_SAMPLES.length} events to events/intercom/`);
}

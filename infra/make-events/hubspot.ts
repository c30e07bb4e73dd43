/**
 * Writes events/hubspot/*.json: API Gateway HTTP API (payload 2.0) events for `sam local invoke`,
 * one per event type, built from test/fixtures/hubspot (so events and tests share payloads) and
 * signed as HubSpot signs them with the documented local secret at a fixed time. The v3 signature
 * is then 5 minutes fresh only at that time: `npm run send` re-signs with the current time.
 *
 *   node --experimental-strip-types infra/make-events/hubspot.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { signHubSpot } from '../sign/hubspot.ts';

export const LOCAL_SECRET = 'local-dev-secret';
/** The fixed signing time (epoch ms) of the committed events. */
export const SIGNED_AT_MS = 1752613922216;
export const LOCAL_HOST = 'localhost';
export const WEBHOOK_PATH = '/webhooks/hubspot';

/** events/hubspot/<name>.json ← test/fixtures/hubspot/<fixture>. */
export const HUBSPOT_EVENTS = {
  'ticket-created': 'ticket-creation.json',
  'ticket-resolved': 'ticket-closed.json',
  'message-created': 'conversation-new-message.json',
  'mixed-batch': 'mixed-batch.json',
} as const;

const root = fileURLToPath(new URL('../../', import.meta.url));

/** One signed event, exactly as API Gateway hands HubSpot's POST to IngestFunction. */
export function hubspotEvent(fixture: string, nowMs = SIGNED_AT_MS): APIGatewayProxyEventV2 {
  // The fixture's bytes as HubSpot would send them: compact JSON, as its deliveries are.
  const body = JSON.stringify(JSON.parse(readFileSync(`${root}test/fixtures/hubspot/${fixture}`, 'utf8')));
  const url = `https://${LOCAL_HOST}${WEBHOOK_PATH}`;
  const signed = signHubSpot({ method: 'POST', url, body: Buffer.from(body), secret: LOCAL_SECRET, nowMs });
  return {
    version: '2.0',
    routeKey: 'POST /webhooks/{provider}',
    rawPath: WEBHOOK_PATH,
    rawQueryString: '',
    headers: {
      accept: '*/*',
      'content-type': 'application/json',
      host: LOCAL_HOST,
      'user-agent': 'HubSpot Webhooks',
      'x-forwarded-proto': 'https',
      'x-hubspot-timeout-millis': '10000',
      ...signed.headers,
    },
    requestContext: {
      accountId: '123456789012',
      apiId: 'local',
      domainName: LOCAL_HOST,
      domainPrefix: LOCAL_HOST,
      http: { method: 'POST', path: WEBHOOK_PATH, protocol: 'HTTP/1.1', sourceIp: '54.174.62.1', userAgent: 'HubSpot Webhooks' },
      requestId: `hubspot-${fixture.replace(/\.json$/, '')}`,
      routeKey: 'POST /webhooks/{provider}',
      stage: '$default',
      time: '15/Jul/2025:21:12:02 +0000',
      timeEpoch: nowMs,
    },
    body,
    isBase64Encoded: false,
  };
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const [name, fixture] of Object.entries(HUBSPOT_EVENTS)) {
    writeFileSync(`${root}events/hubspot/${name}.json`, `${JSON.stringify(hubspotEvent(fixture), null, 2)}\n`);
    console.log(`events/hubspot/${name}.json`);
  }
}

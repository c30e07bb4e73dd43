/**
 * Writes events/hubspot/*.json: API Gateway HTTP API (payload 2.0) events for `sam local invoke`,
 * one per event type, built from test/fixtures/hubspot (so events and tests share payloads) and
 * signed as HubSpot signs them with the documented local secret at a fixed time. The v3 signature
 * is then 5 minutes fresh only at that time: `npm run send` re-signs with the current time.
 *
 *   node --experimental-strip-types infra/make-events/hubspot.ts
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { signHubSpot } from '../sign/hubspot.ts';
import { REPO_ROOT, sampleHttpApiEvent, writeSample } from './http-api-event.ts';

/** The fixed signing time (epoch ms) of the committed events. */
export const SIGNED_AT_MS = 1752613922216;

/** events/hubspot/<name>.json ← test/fixtures/hubspot/<fixture>. */
export const HUBSPOT_EVENTS = {
  'ticket-created': 'ticket-creation.json',
  'ticket-resolved': 'ticket-closed.json',
  'message-created': 'conversation-new-message.json',
  'mixed-batch': 'mixed-batch.json',
} as const;

/** One signed event, exactly as API Gateway hands HubSpot's POST to IngestFunction. */
export function hubspotEvent(fixture: string, nowMs = SIGNED_AT_MS): APIGatewayProxyEventV2 {
  return sampleHttpApiEvent({
    provider: 'hubspot',
    // The fixture's bytes as HubSpot would send them: compact JSON, as its deliveries are.
    body: JSON.stringify(JSON.parse(readFileSync(`${REPO_ROOT}test/fixtures/hubspot/${fixture}`, 'utf8'))),
    signer: signHubSpot,
    nowMs,
    requestId: `hubspot-${fixture.replace(/\.json$/, '')}`,
    sourceIp: '54.174.62.1',
    headers: { 'content-type': 'application/json', 'user-agent': 'HubSpot Webhooks', 'x-hubspot-timeout-millis': '10000' },
  });
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const [name, fixture] of Object.entries(HUBSPOT_EVENTS)) {
    writeSample('hubspot', `${name}.json`, hubspotEvent(fixture));
    console.log(`events/hubspot/${name}.json`);
  }
}

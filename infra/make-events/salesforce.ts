/**
 * Writes events/salesforce/*.json — API Gateway HTTP API (payload 2.0) events carrying the SOAP
 * outbound messages of test/fixtures/salesforce, posted to /webhooks/salesforce/{event} with the
 * shared token LOCAL_DEV_SECRET in the `token` query parameter, as a configured outbound message
 * endpoint URL carries it. Nothing is time-dependent, so regenerating rewrites identical files.
 *
 * Run: npx node infra/make-events/salesforce.ts  (Node 24 strips the types)
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { signSalesforce } from '../sign/salesforce.ts';
import { REPO_ROOT, sampleHttpApiEvent, writeSample } from './http-api-event.ts';

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
  return sampleHttpApiEvent({
    provider: 'salesforce',
    event,
    body: readFileSync(`${REPO_ROOT}test/fixtures/salesforce/${fixture}`, 'utf8'),
    signer: signSalesforce,
    nowMs,
    requestId: `req-salesforce-${fixture.replace(/\.xml$/, '')}`,
    headers: { accept: 'text/xml, text/html, image/gif, image/jpeg, *; q=.2, */*; q=.2', 'user-agent': 'Jakarta Commons-HttpClient/3.1' },
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const sample of SALESFORCE_SAMPLES) {
    writeSample('salesforce', sample.file, salesforceSampleEvent(sample.fixture, sample.event));
  }
  console.log(`wrote ${SALESFORCE_SAMPLES.length} events to events/salesforce/`);
}

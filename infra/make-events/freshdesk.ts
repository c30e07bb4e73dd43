/**
 * Writes events/freshdesk/*.json — API Gateway HTTP API (payload 2.0) events carrying the fixtures
 * of test/fixtures/freshdesk, authenticated as a Freshdesk rule sends them (HTTP Basic, the shared
 * token LOCAL_DEV_SECRET as the password). No timestamp is involved: the files never go stale.
 *
 * Run: npx node infra/make-events/freshdesk.ts  (Node 24 strips the types)
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { signFreshdesk } from '../sign/freshdesk.ts';
import { REPO_ROOT, sampleHttpApiEvent, writeSample } from './http-api-event.ts';

const SAMPLE_TIME_MS = Date.parse('2024-04-17T17:18:10Z');

/** One rule per event type, each posting to /webhooks/freshdesk/{event}. */
export const FRESHDESK_SAMPLES = [
  { file: 'ticket-created.json', fixture: 'simple-ticket-created.json', event: 'ticket-created' },
  { file: 'message-created.json', fixture: 'advanced-message-created.json', event: 'message-created' },
  { file: 'ticket-resolved.json', fixture: 'simple-ticket-resolved.json', event: 'ticket-resolved' },
] as const;

export function freshdeskSampleEvent(fixture: string, event: string | undefined): APIGatewayProxyEventV2 {
  return sampleHttpApiEvent({
    provider: 'freshdesk',
    event,
    body: JSON.stringify(JSON.parse(readFileSync(`${REPO_ROOT}test/fixtures/freshdesk/${fixture}`, 'utf8'))),
    signer: signFreshdesk,
    nowMs: SAMPLE_TIME_MS,
    requestId: `req-freshdesk-${fixture.replace(/\.json$/, '')}`,
    headers: { 'content-type': 'application/json', 'user-agent': 'Freshdesk' },
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const sample of FRESHDESK_SAMPLES) {
    writeSample('freshdesk', sample.file, freshdeskSampleEvent(sample.fixture, sample.event));
  }
  console.log(`wrote ${FRESHDESK_SAMPLES.length} events to events/freshdesk/`);
}

/**
 * Writes events/intercom/*.json — API Gateway HTTP API (payload 2.0) events carrying the fixtures
 * of test/fixtures/intercom, signed as Intercom signs them (`X-Hub-Signature: sha1=…`) with
 * LOCAL_DEV_SECRET. Intercom signs no timestamp, so regenerating rewrites identical files.
 *
 * Run: npx node infra/make-events/intercom.ts  (Node 24 strips the types)
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { signIntercom } from '../sign/intercom.ts';
import { REPO_ROOT, sampleHttpApiEvent, writeSample } from './http-api-event.ts';

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
  return sampleHttpApiEvent({
    provider: 'intercom',
    // Compact JSON, as Intercom sends it.
    body: JSON.stringify(JSON.parse(readFileSync(`${REPO_ROOT}test/fixtures/intercom/${fixture}`, 'utf8'))),
    signer: signIntercom,
    nowMs,
    requestId: `req-intercom-${fixture.replace(/\.json$/, '')}`,
    headers: { accept: 'application/json', 'user-agent': 'intercom-parrot-service-client/1.0' },
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const sample of INTERCOM_SAMPLES) {
    writeSample('intercom', sample.file, intercomSampleEvent(sample.fixture));
  }
  console.log(`wrote ${INTERCOM_SAMPLES.length} events to events/intercom/`);
}

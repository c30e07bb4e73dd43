/**
 * Writes events/zendesk/*.json — API Gateway HTTP API (payload 2.0) events carrying the fixtures
 * of test/fixtures/zendesk, signed as Zendesk signs them with LOCAL_DEV_SECRET at a fixed time
 * (regenerating rewrites identical files; `npm run send` re-signs with the current time).
 *
 * Run: npx node infra/make-events/zendesk.ts  (Node 24 strips the types)
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { signZendesk } from '../sign/zendesk.ts';
import { REPO_ROOT, sampleHttpApiEvent, writeSample } from './http-api-event.ts';

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
  return sampleHttpApiEvent({
    provider: 'zendesk',
    event,
    // Compact JSON, as Zendesk sends it.
    body: JSON.stringify(JSON.parse(readFileSync(`${REPO_ROOT}test/fixtures/zendesk/${fixture}`, 'utf8'))),
    signer: signZendesk,
    nowMs,
    requestId: `req-zendesk-${fixture.replace(/\.json$/, '')}`,
    headers: { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'Zendesk Webhook' },
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const sample of ZENDESK_SAMPLES) {
    writeSample('zendesk', sample.file, zendeskSampleEvent(sample.fixture, sample.event));
  }
  console.log(`wrote ${ZENDESK_SAMPLES.length} events to events/zendesk/`);
}

/**
 * Writes the generic provider's sample events for `sam local invoke` and the tests:
 *   events/generic/*.json  API Gateway HTTP API (payload 2.0) events, signed with LOCAL_DEV_SECRET
 *   events/sqs/ticket-created.json  the SQS event ProcessFunction receives for the generic ticket
 *   events/env.json  `sam local invoke --env-vars` values for both functions
 * The queue message is produced by the real `ingest` with a capturing queue, so it is exactly what
 * IngestFunction would enqueue. Timestamps are fixed: running it again rewrites identical files.
 *
 * Run: npx node infra/make-generic-events.ts
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { APIGatewayProxyEventV2, SQSEvent } from 'aws-lambda';
import { toIngestInput } from '../lib/endpoint.ts';
import { LOCAL_DEV_SECRET } from '../lib/config.ts';
import { ingest } from '../lib/ingest.ts';
import { PROVIDER_NAMES, type QueuedEvent } from '../lib/providers/types.ts';
import { providers } from '../lib/providers/registry.ts';
import { encodeQueuedEvent } from '../lib/queue-message.ts';
import { signGeneric } from './sign/generic.ts';
import { sampleHttpApiEvent } from './make-events/http-api-event.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const EVENTS_DIR = `${ROOT}events`;

/** A fixed instant, so regenerated files do not change. */
const NOW_MS = Date.parse('2026-11-27T10:00:00.000Z');
const ACCOUNT_ID = '123456789012';
const REGION = 'us-east-1';

interface HttpEventSpec {
  readonly file: string;
  readonly rawPath: string;
  readonly payload: unknown;
  readonly signed: boolean;
  readonly requestId: string;
}

const TICKET_CREATED = {
  event: 'ticket.created',
  ticket_id: 'T-1001',
  subject: 'Cannot log in after password reset',
  body: 'I reset my password an hour ago and the login page still says my credentials are invalid. I have a demo with a client at 3 pm, please help.',
  customer_id: 'C-42',
  channel: 'email',
};

const SPECS: readonly HttpEventSpec[] = [
  {
    file: 'ticket-created.json',
    rawPath: '/webhooks/generic',
    payload: TICKET_CREATED,
    signed: true,
    requestId: 'req-generic-ticket-created',
  },
  {
    file: 'message-created.json',
    rawPath: '/webhooks/generic',
    payload: {
      event: 'message.created',
      ticket_id: 'T-1001',
      customer_id: 'C-42',
      channel: 'email',
      message: {
        id: 'M-5001',
        body: 'It is now 2:45 and I still cannot get in. This is unacceptable, I will cancel if this is not fixed today.',
      },
    },
    signed: true,
    requestId: 'req-generic-message-created',
  },
  {
    file: 'ticket-resolved.json',
    rawPath: '/webhooks/generic',
    payload: {
      event: 'ticket.resolved',
      ticket_id: 'T-1001',
      subject: TICKET_CREATED.subject,
      customer_id: 'C-42',
      channel: 'email',
      messages: [
        { role: 'customer', content: TICKET_CREATED.body },
        { role: 'agent', content: 'Sorry about that! Your account was locked after the reset; I have unlocked it. Could you try again?' },
        { role: 'customer', content: 'That worked, thank you.' },
      ],
    },
    signed: true,
    requestId: 'req-generic-ticket-resolved',
  },
  {
    file: 'guide-ticket-created.json',
    rawPath: '/webhook/ticket-created',
    payload: { ...TICKET_CREATED, ticket_id: 'T-1002' },
    signed: true,
    requestId: 'req-guide-ticket-created',
  },
  {
    // No signature header: IngestFunction answers 401.
    file: 'unsigned.json',
    rawPath: '/webhooks/generic',
    payload: { ...TICKET_CREATED, ticket_id: 'T-1003' },
    signed: false,
    requestId: 'req-generic-unsigned',
  },
];

/** An HTTP API payload-2.0 event as API Gateway delivers it (lower-cased header names). */
export function httpApiEvent(spec: HttpEventSpec): APIGatewayProxyEventV2 {
  return sampleHttpApiEvent({
    provider: 'generic',
    ...(spec.rawPath === '/webhooks/generic' ? {} : { rawPath: spec.rawPath }),
    body: JSON.stringify(spec.payload),
    signer: spec.signed ? signGeneric : undefined,
    nowMs: NOW_MS,
    requestId: spec.requestId,
    headers: { 'content-type': 'application/json', 'user-agent': 'simpli-sample-helpdesk/1.0' },
  });
}

/** Runs the real ingest on an HTTP event and returns what it would have sent to the queue. */
async function queuedEventsOf(event: APIGatewayProxyEventV2): Promise<readonly QueuedEvent[]> {
  let sent: readonly QueuedEvent[] = [];
  await ingest(toIngestInput(event, undefined), {
    providers,
    secretsFor: async () => [LOCAL_DEV_SECRET],
    settingsFor: async () => ({}),
    enqueue: async (events) => {
      sent = events;
    },
    nowMs: NOW_MS,
    maxBodyBytes: 240 * 1024,
  });
  return sent;
}

const md5 = (text: string) => createHash('md5').update(text).digest('hex');

/** The SQS event Lambda's event source delivers for these queued events (first receive). */
function sqsEvent(events: readonly QueuedEvent[]): SQSEvent {
  return {
    Records: events.map((queued, i) => {
      const body = encodeQueuedEvent(queued);
      const stringAttribute = (value: string) => ({ stringValue: value, stringListValues: [], binaryListValues: [], dataType: 'String' });
      return {
        messageId: `00000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`,
        receiptHandle: `local-receipt-handle-${i + 1}`,
        body,
        attributes: {
          ApproximateReceiveCount: '1',
          SentTimestamp: String(NOW_MS),
          SenderId: 'AROAEXAMPLE:simpli-webhook-bridge-ingest',
          ApproximateFirstReceiveTimestamp: String(NOW_MS + 1000),
        },
        messageAttributes: {
          provider: stringAttribute(queued.provider),
          eventType: stringAttribute(queued.eventType),
          requestId: stringAttribute(queued.requestId || '-'),
        },
        md5OfBody: md5(body),
        eventSource: 'aws:sqs',
        eventSourceARN: `arn:aws:sqs:${REGION}:${ACCOUNT_ID}:simpli-webhook-bridge-TicketQueue`,
        awsRegion: REGION,
      };
    }),
  };
}

/**
 * Values for `sam local invoke --env-vars events/env.json`. SAM CLI only overrides variables the
 * template declares, so every key here is declared in template.yaml (the template test checks it).
 * The functions run in Docker and reach the local stack on the host; the SQS client sends each call
 * to the host of its QueueUrl, DynamoDB needs AWS_ENDPOINT_URL_DYNAMODB.
 */
function envJson(): Record<string, Record<string, string>> {
  const host = 'http://host.docker.internal';
  const queueUrl = `${host}:9324/${ACCOUNT_ID}`;
  return {
    IngestFunction: {
      POWERTOOLS_LOG_LEVEL: 'DEBUG',
      QUEUE_URL: `${queueUrl}/TicketQueue`,
      WEBHOOK_SECRETS: JSON.stringify(Object.fromEntries(PROVIDER_NAMES.map((name) => [name, [LOCAL_DEV_SECRET]]))),
      WEBHOOK_SECRETS_ARN: '',
      HELPDESK_CONFIG: '{}',
      HELPDESK_CONFIG_ARN: '',
      PUBLIC_BASE_URL: '',
      SECRETS_CACHE_SECONDS: '0',
    },
    ProcessFunction: {
      POWERTOOLS_LOG_LEVEL: 'DEBUG',
      // One local Simpli simulator serves all four services (infra/simpli-simulator.ts).
      TRIAGE_URL: `${host}:8001`,
      SENTIMENT_URL: `${host}:8001`,
      QA_URL: `${host}:8001`,
      REPLY_URL: `${host}:8001`,
      SIMPLI_API_KEY: '',
      DRAFT_REPLIES: 'true',
      CONFIDENCE_THRESHOLD: '0.6',
      LEDGER_TABLE: 'Ledger',
      LEDGER_TTL_DAYS: '30',
      AWS_ENDPOINT_URL_DYNAMODB: `${host}:4567`,
      DEAD_LETTER_QUEUE_URL: `${queueUrl}/DeadLetterQueue`,
      HELPDESK_CONFIG: '{}',
      HELPDESK_CONFIG_ARN: '',
      // Without helpdesk credentials, write-backs go to this file inside the container.
      HELPDESK_DRY_RUN_FILE: '/tmp/helpdesk-dry-run.jsonl',
      SECRETS_CACHE_SECONDS: '0',
      MAX_RECEIVE_COUNT: '5',
      LEASE_SECONDS: '110',
    },
  };
}

function write(path: string, value: unknown): void {
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
  console.log(`wrote ${path.slice(ROOT.length)}`);
}

async function main(): Promise<void> {
  mkdirSync(`${EVENTS_DIR}/generic`, { recursive: true });
  mkdirSync(`${EVENTS_DIR}/sqs`, { recursive: true });
  for (const spec of SPECS) write(`${EVENTS_DIR}/generic/${spec.file}`, httpApiEvent(spec));

  const ticketCreated = SPECS.find((s) => s.file === 'ticket-created.json');
  if (ticketCreated === undefined) throw new Error('ticket-created spec missing');
  const queued = await queuedEventsOf(httpApiEvent(ticketCreated));
  if (queued.length !== 1) throw new Error(`expected one queued event, got ${queued.length}`);
  write(`${EVENTS_DIR}/sqs/ticket-created.json`, sqsEvent(queued));
  write(`${EVENTS_DIR}/env.json`, envJson());
}

await main();

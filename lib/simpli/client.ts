/**
 * Calls to the Simpli services, each response validated: a service that answers garbage fails
 * that step (retryably), not the process. Base URLs may carry a path prefix (`…/api/v1`), because
 * Simpli's docs and repos disagree on prefixes.
 */
import { createHash } from 'node:crypto';
import * as z from '../schema.ts';
import { UpstreamError } from '../errors.ts';
import { lazy } from '../lazy.ts';
import type { HttpClient } from '../http.ts';
import type {
  Channel,
  Classification,
  ConversationMessage,
  Draft,
  QaEvaluation,
  Routing,
  Sentiment,
} from '../providers/types.ts';
import type { SimpliConfig } from '../config.ts';

// Only what the write-back reads is required (the guide reads category, .get("priority"),
// .get("confidence"), team, label, score: reference/simpli.md §2); every other key is kept.
// Built on first use (lib/lazy.ts), by the first Simpli call, not while the bundle loads (issue #10).
const schemas = lazy(() => {
  const classificationSchema = z.looseObject({
    category: z.string(),
    urgency: z.optional(z.string()),
    priority: z.optional(z.string()),
    sentiment: z.optional(z.string()),
    confidence: z.optional(z.number()),
  });
  const routingSchema = z.looseObject({ team: z.string(), agent: z.optional(z.nullable(z.string())), reason: z.optional(z.string()) });
  const sentimentSchema = z.looseObject({
    score: z.number(),
    label: z.string(),
    escalation_risk: z.optional(z.number()),
    triggers: z.optional(z.array(z.string())),
  });
  const draftSchema = z.looseObject({ draft_id: z.string(), draft: z.string(), confidence: z.number() });
  // QA's contract is unpublished (reference/simpli.md §2.4): a numeric score is the one field we rely on.
  const qaSchema = z.looseObject({
    score: z.number(),
    summary: z.optional(z.string()),
    feedback: z.optional(z.string()),
  });
  return { classificationSchema, routingSchema, sentimentSchema, draftSchema, qaSchema };
});

/** Every call may carry the event's `X-Request-ID` (see withRequestId). */
interface Traced {
  requestId?: string | undefined;
  /** Awaited before the HTTP client waits to retry (see HttpRequest.beforeWait). */
  beforeWait?: ((delayMs: number) => Promise<void>) | undefined;
}

export interface SimpliClient {
  classify(input: { subject: string; body: string; metadata: Readonly<Record<string, unknown>> } & Traced): Promise<Classification>;
  route(input: { ticketId: string; classification: Classification } & Traced): Promise<Routing>;
  analyzeSentiment(input: { customerId: string; text: string; channel: Channel } & Traced): Promise<Sentiment>;
  draftReply(input: { ticketId: string; conversation: readonly ConversationMessage[] } & Traced): Promise<Draft>;
  evaluateQa(input: { ticketId: string; agentId: string; conversation: readonly ConversationMessage[] } & Traced): Promise<QaEvaluation>;
}

/**
 * The `X-Request-ID` of every Simpli call for one event: derived from the event id alone, so it is
 * the same on every retry and redelivery (services can deduplicate, and their logs, which echo it,
 * join ours: reference/simpli.md, "The real Sentiment service"). Hashed, because an event id can be
 * 1 KiB of any Unicode and a header must be short ASCII.
 */
export function simpliRequestId(eventId: string): string {
  return `bridge-${createHash('sha256').update(eventId).digest('hex').slice(0, 32)}`;
}

/**
 * The retry rule: a Simpli call is repeated at once only when the service certainly did not do the
 * work: it could not be reached (no response), or it refused (429, 503). After a timeout, 500, 502
 * or 504 the service may still be working on it (Sentiment waits up to 60 s for its model and
 * records every call: reference/simpli.md, "The real Sentiment service"), so the event goes back to
 * SQS, which redelivers it only after the visibility timeout, long after any call has ended.
 */
export function simpliRetryInPlace(error: UpstreamError): boolean {
  if (error.reason === 'network_error') return error.status === undefined;
  return error.status === 429 || error.status === 503;
}

/** `client` with `requestId` (and, when given, `beforeWait`) added to every call. */
export function withRequestId(client: SimpliClient, requestId: string, beforeWait?: (delayMs: number) => Promise<void>): SimpliClient {
  const trace = beforeWait === undefined ? { requestId } : { requestId, beforeWait };
  return {
    classify: (input) => client.classify({ ...input, ...trace }),
    route: (input) => client.route({ ...input, ...trace }),
    analyzeSentiment: (input) => client.analyzeSentiment({ ...input, ...trace }),
    draftReply: (input) => client.draftReply({ ...input, ...trace }),
    evaluateQa: (input) => client.evaluateQa({ ...input, ...trace }),
  };
}

export function createSimpliClient(config: SimpliConfig, http: HttpClient): SimpliClient {
  const keyHeaders: Record<string, string> = config.apiKey === undefined ? {} : { 'x-api-key': config.apiKey };

  async function post<T>(
    service: string,
    url: string,
    json: unknown,
    schema: z.Schema<T>,
    timeoutMs: number,
    { requestId, beforeWait }: Traced,
  ): Promise<T> {
    const headers = requestId === undefined ? keyHeaders : { ...keyHeaders, 'x-request-id': requestId };
    const response = await http.request({
      service,
      method: 'POST',
      url,
      headers,
      json: wellFormed(json),
      timeoutMs,
      retryInPlace: simpliRetryInPlace,
      ...(beforeWait === undefined ? {} : { beforeWait }),
    });
    let body: unknown;
    try {
      body = JSON.parse(response.body);
    } catch (cause) {
      throw invalid(service, 'a body that is not JSON', cause);
    }
    const result = schema.safeParse(body);
    if (!result.success) {
      const where = result.error.issues.map((i) => i.path.join('.')).join(', ');
      throw invalid(service, `a body without valid ${where}`);
    }
    return result.data;
  }

  return {
    async classify({ subject, body, metadata, requestId, beforeWait }) {
      // The answer as received (every key), so /route gets it whole.
      return post('triage', `${config.triageUrl}/classify`, { subject, body, metadata }, schemas().classificationSchema, config.timeoutMs, { requestId, beforeWait });
    },
    async route({ ticketId, classification, requestId, beforeWait }) {
      // The guide spreads the whole /classify answer into /route: {"ticket_id", **classification} (reference/simpli.md §2.1).
      return post('triage', `${config.triageUrl}/route`, { ticket_id: ticketId, ...classification }, schemas().routingSchema, config.timeoutMs, { requestId, beforeWait });
    },
    async analyzeSentiment({ customerId, text, channel, requestId, beforeWait }) {
      return post('sentiment', `${config.sentimentUrl}/analyze`, { customer_id: customerId, text, channel }, schemas().sentimentSchema, config.sentimentTimeoutMs ?? config.timeoutMs, { requestId, beforeWait });
    },
    async draftReply({ ticketId, conversation, requestId, beforeWait }) {
      const r = await post(
        'reply',
        `${config.replyUrl}/api/v1/draft`,
        // The Reply docs page names the thread `conversation`, simpli-core's client `messages`: both are sent
        // (reference/simpli.md, "Where sources disagree").
        { ticket_id: ticketId, conversation, messages: conversation, style: config.draftStyle, language: config.draftLanguage },
        schemas().draftSchema,
        config.timeoutMs,
        { requestId, beforeWait },
      );
      return { draft_id: r.draft_id, draft: r.draft, confidence: r.confidence };
    },
    async evaluateQa({ ticketId, agentId, conversation, requestId, beforeWait }) {
      // The guide's bridge: POST {QA_URL}/evaluate {conversation_id, agent_id, messages: [{role, content}]}
      // (reference/simpli.md, "Where sources disagree"); simpli-core's client also sends `messages`.
      const messages = conversation.map(({ role, content }) => ({ role, content }));
      const json = { conversation_id: ticketId, agent_id: agentId, messages };
      const r = await post('qa', `${config.qaUrl}/evaluate`, json, schemas().qaSchema, config.qaTimeoutMs, { requestId, beforeWait });
      const summary = r.summary ?? r.feedback;
      return summary === undefined ? { score: r.score } : { score: r.score, summary };
    },
  };
}

/**
 * Every string with lone surrogates replaced by U+FFFD: a webhook may carry them (valid JSON
 * escapes), and the services refuse them with 422 `string_unicode` (reference/simpli.md, "The real
 * Sentiment service"), which would dead-letter the event. Linear in the size of the value.
 */
export function wellFormed(value: unknown): unknown {
  if (typeof value === 'string') return value.toWellFormed();
  if (Array.isArray(value)) return value.map(wellFormed);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.toWellFormed(), wellFormed(v)]));
  return value;
}

function invalid(service: string, what: string, cause?: unknown): UpstreamError {
  return new UpstreamError(
    { service, reason: 'invalid_response', retryable: true },
    `${service} answered ${what}`,
    cause === undefined ? undefined : { cause },
  );
}

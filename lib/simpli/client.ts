/**
 * Calls to the Simpli services, each response validated: a service that answers garbage fails
 * that step (retryably), not the process. Base URLs may carry a path prefix (`…/api/v1`), because
 * Simpli's docs and repos disagree on prefixes.
 */
import * as z from 'zod/mini';
import { UpstreamError } from '../errors.ts';
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

export interface SimpliClient {
  classify(input: { subject: string; body: string; metadata: Readonly<Record<string, unknown>> }): Promise<Classification>;
  route(input: { ticketId: string; classification: Classification }): Promise<Routing>;
  analyzeSentiment(input: { customerId: string; text: string; channel: Channel }): Promise<Sentiment>;
  draftReply(input: { ticketId: string; conversation: readonly ConversationMessage[] }): Promise<Draft>;
  evaluateQa(input: { ticketId: string; agentId: string; conversation: readonly ConversationMessage[] }): Promise<QaEvaluation>;
}

export function createSimpliClient(config: SimpliConfig, http: HttpClient): SimpliClient {
  const headers: Record<string, string> = config.apiKey === undefined ? {} : { 'x-api-key': config.apiKey };

  async function post<T>(service: string, url: string, json: unknown, schema: z.ZodMiniType<T>, timeoutMs: number): Promise<T> {
    const response = await http.request({ service, method: 'POST', url, headers, json, timeoutMs });
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
    async classify({ subject, body, metadata }) {
      // The answer as received (every key), so /route gets it whole.
      return post('triage', `${config.triageUrl}/classify`, { subject, body, metadata }, classificationSchema, config.timeoutMs);
    },
    async route({ ticketId, classification }) {
      // The guide spreads the whole /classify answer into /route: {"ticket_id", **classification} (reference/simpli.md §2.1).
      return post('triage', `${config.triageUrl}/route`, { ticket_id: ticketId, ...classification }, routingSchema, config.timeoutMs);
    },
    async analyzeSentiment({ customerId, text, channel }) {
      return post('sentiment', `${config.sentimentUrl}/analyze`, { customer_id: customerId, text, channel }, sentimentSchema, config.timeoutMs);
    },
    async draftReply({ ticketId, conversation }) {
      const r = await post(
        'reply',
        `${config.replyUrl}/api/v1/draft`,
        // The Reply docs page names the thread `conversation`, simpli-core's client `messages`: both are sent
        // (reference/simpli.md, "Where sources disagree").
        { ticket_id: ticketId, conversation, messages: conversation, style: config.draftStyle, language: config.draftLanguage },
        draftSchema,
        config.timeoutMs,
      );
      return { draft_id: r.draft_id, draft: r.draft, confidence: r.confidence };
    },
    async evaluateQa({ ticketId, agentId, conversation }) {
      // The guide's bridge: POST {QA_URL}/evaluate {conversation_id, agent_id, messages: [{role, content}]}
      // (reference/simpli.md, "Where sources disagree"); simpli-core's client also sends `messages`.
      const messages = conversation.map(({ role, content }) => ({ role, content }));
      const json = { conversation_id: ticketId, agent_id: agentId, messages };
      const r = await post('qa', `${config.qaUrl}/evaluate`, json, qaSchema, config.qaTimeoutMs);
      const summary = r.summary ?? r.feedback;
      return summary === undefined ? { score: r.score } : { score: r.score, summary };
    },
  };
}

function invalid(service: string, what: string, cause?: unknown): UpstreamError {
  return new UpstreamError(
    { service, reason: 'invalid_response', retryable: true },
    `${service} answered ${what}`,
    cause === undefined ? undefined : { cause },
  );
}

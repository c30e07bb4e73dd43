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

const classificationSchema = z.looseObject({
  category: z.string(),
  urgency: z.string(),
  sentiment: z.string(),
  confidence: z.number(),
});
const routingSchema = z.looseObject({ team: z.string(), agent: z.string(), reason: z._default(z.string(), '') });
const sentimentSchema = z.looseObject({
  score: z.number(),
  label: z.string(),
  escalation_risk: z.number(),
  triggers: z._default(z.array(z.string()), []),
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
  evaluateQa(input: { ticketId: string; conversation: readonly ConversationMessage[] }): Promise<QaEvaluation>;
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
      const r = await post('triage', `${config.triageUrl}/classify`, { subject, body, metadata }, classificationSchema, config.timeoutMs);
      return { category: r.category, urgency: r.urgency, sentiment: r.sentiment, confidence: r.confidence };
    },
    async route({ ticketId, classification }) {
      // The guide spreads the whole classification into /route (reference/simpli.md §2.1).
      const r = await post('triage', `${config.triageUrl}/route`, { ticket_id: ticketId, ...classification }, routingSchema, config.timeoutMs);
      return { team: r.team, agent: r.agent, reason: r.reason };
    },
    async analyzeSentiment({ customerId, text, channel }) {
      const r = await post(
        'sentiment',
        `${config.sentimentUrl}/analyze`,
        { customer_id: customerId, text, channel },
        sentimentSchema,
        config.timeoutMs,
      );
      return { score: r.score, label: r.label, escalation_risk: r.escalation_risk, triggers: r.triggers };
    },
    async draftReply({ ticketId, conversation }) {
      const r = await post(
        'reply',
        `${config.replyUrl}/api/v1/draft`,
        { ticket_id: ticketId, conversation, style: config.draftStyle, language: config.draftLanguage },
        draftSchema,
        config.timeoutMs,
      );
      return { draft_id: r.draft_id, draft: r.draft, confidence: r.confidence };
    },
    async evaluateQa({ ticketId, conversation }) {
      const r = await post('qa', `${config.qaUrl}/evaluate`, { ticket_id: ticketId, conversation }, qaSchema, config.qaTimeoutMs);
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

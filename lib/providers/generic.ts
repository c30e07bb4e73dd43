/**
 * The generic provider: any system that can POST JSON. It speaks the Simpli guide's bridge
 * (`x-webhook-signature` = hex HMAC-SHA256 of the body) and Standard Webhooks
 * (`webhook-id` / `webhook-timestamp` / `webhook-signature`, which adds a replay window), and
 * writes back with one PUT to the configured `updateUrl`, like the guide's `update_helpdesk_ticket`.
 */
import { AuthenticityError, BadRequestError, PermanentEventError, UnprocessableEventError } from '../errors.ts';
import { shown } from '../log-safe.ts';
import { firstString, optionalAgent, withOverrides, type FieldMap } from '../mapping.ts';
import { own } from '../own.ts';
import { assertHasSecrets, decodeSignature, hmac, matchesAnySecret, sha256 } from '../verify-hmac.ts';
import { firstTime } from '../ordering.ts';
import { verifyStandardWebhook } from '../standard-webhooks.ts';
import { isBridgeNote, summarizeResults } from '../write-back-summary.ts';
import {
  AUTHOR_TYPES,
  CHANNELS,
  type AuthorType,
  type Channel,
  type ConversationMessage,
  type EventType,
  type NormalizedEvent,
  type Provider,
  type ProviderIngest,
  type ProviderProcess,
  type ProviderSettings,
} from './types.ts';
import { readJsonBody } from './parse-json-body.ts';
import { pathSegment } from '../ticket-id.ts';

type GenericField = 'ticketId' | 'subject' | 'body' | 'customerId' | 'channel' | 'message' | 'eventId' | 'eventType';

/** The guide's `normalize_payload` fallbacks (reference/simpli.md §3.2), first present wins. */
export const GENERIC_FIELDS: FieldMap<GenericField> = {
  ticketId: ['ticket_id', 'id', 'case_id', 'ticket.id'],
  subject: ['subject', 'title', 'ticket.subject'],
  body: ['body', 'description', 'content', 'ticket.description'],
  customerId: ['customer_id', 'requester_id', 'contact_id', 'ticket.requester_id'],
  channel: ['channel', 'ticket.channel'],
  message: ['message.body', 'message.content', 'message.text', 'message', 'comment.body', 'comment.text', 'comment'],
  eventId: ['event_id', 'message.id', 'comment.id'],
  eventType: ['event', 'event_type', 'type', 'topic'],
};

/**
 * The sender's time of the ticket state the event describes (ISO-8601, or epoch seconds / ms),
 * which orders one ticket's events (README, "Ordering"); without one, the time the bridge received it.
 */
export const GENERIC_TIME_PATHS = ['occurred_at', 'updated_at', 'timestamp', 'ticket.updated_at'] as const;

const EVENT_ALIASES: Readonly<Record<string, EventType>> = {
  'ticket.created': 'ticket.created',
  'ticket.new': 'ticket.created',
  'message.created': 'message.created',
  'message.added': 'message.created',
  'comment.created': 'message.created',
  'comment.added': 'message.created',
  'reply.created': 'message.created',
  'ticket.resolved': 'ticket.resolved',
  'ticket.solved': 'ticket.resolved',
  'ticket.closed': 'ticket.resolved',
};

const SIGNATURE_HEADER = 'x-webhook-signature';
const GUIDE_TIMEOUT_MS = 10_000;

export const genericIngest: ProviderIngest = {
  name: 'generic',

  verify({ request, secrets, nowMs }) {
    assertHasSecrets('generic', secrets);
    // Standard Webhooks signs its timestamp; the guide's HMAC signs only the body (no time).
    if (request.headers['webhook-signature'] !== undefined) return verifyStandardWebhook(request, secrets, nowMs);
    const header = request.headers[SIGNATURE_HEADER];
    if (header === undefined) throw new AuthenticityError('missing_signature', `no ${SIGNATURE_HEADER} header`);
    // Accept a "sha256=" prefix as GitHub-style senders add it; the guide sends bare hex.
    const received = decodeSignature(header.replace(/^sha256=/i, ''), 'hex', 32);
    if (received === undefined) throw new AuthenticityError('malformed_signature', `${SIGNATURE_HEADER} is not 64 hex digits`);
    if (!matchesAnySecret([received], secrets, (secret) => hmac('sha256', secret, request.rawBody))) {
      throw new AuthenticityError('no_matching_signature', `${SIGNATURE_HEADER} matches no active secret`);
    }
  },

  parse(request, settings) {
    const { value: payload, text } = readJsonBody(request);
    if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
      throw new BadRequestError('not_an_object', 'the body must be a JSON object describing one ticket event');
    }
    const fields = withOverrides(GENERIC_FIELDS, settings.fieldMap);
    const eventType = request.routeEvent ?? eventTypeOf(payload, fields);
    if (eventType === undefined) {
      const named = firstString(payload, fields.eventType);
      if (named !== undefined) return { kind: 'ignored', reason: `event "${shown(named)}" is not processed` };
      throw new BadRequestError(
        'missing_event_type',
        'the body does not name its event: add "event": "ticket.created" (or message.created, ticket.resolved), or post to /webhooks/generic/{ticket-created|message-created|ticket-resolved}',
      );
    }
    const ticketId = firstString(payload, fields.ticketId);
    if (ticketId === undefined) {
      throw new UnprocessableEventError('missing_ticket_id', `the event has no ticket id: set one of ${fields.ticketId.join(', ')}`);
    }
    if (eventType === 'message.created' && isBridgeNote(messageText(payload, fields))) {
      return { kind: 'ignored', reason: 'the message is the bridge’s own note' };
    }
    return { kind: 'events', events: [{ eventType, ticketId, identity: identityOf(eventType, ticketId, payload, fields), payload, payloadJson: text }] };
  },

};

export const genericProcess: ProviderProcess = {
  name: 'generic',

  async normalize(event, { settings }) {
    const fields = withOverrides(GENERIC_FIELDS, settings.fieldMap);
    const p = event.payload;
    const body = firstString(p, fields.body) ?? '';
    const text = event.eventType === 'message.created' ? messageText(p, fields) : undefined;
    const conversation = conversationOf(p) ?? [{ role: 'customer' as const, content: text ?? body }];
    const occurredAt = firstTime(p, GENERIC_TIME_PATHS);
    return {
      eventType: event.eventType,
      ticketId: event.ticketId,
      subject: firstString(p, fields.subject) ?? '',
      body,
      customerId: firstString(p, fields.customerId) ?? '',
      ...optionalAgent(firstString(p, ['agent_id', 'ticket.agent_id'])),
      channel: channelOf(firstString(p, fields.channel)),
      messageText: text,
      conversation: conversation.filter((m) => m.content !== ''),
      ...(occurredAt === undefined ? {} : { occurredAt }),
      metadata: metadataOf(p),
    } satisfies NormalizedEvent;
  },

  writeBack(input, { settings }) {
    const summary = summarizeResults(input, tagPrefixOf(settings));
    if (summary.steps.length === 0) return [];
    const { updateUrl, token } = genericSettings(settings);
    const body = {
      tags: summary.tags,
      ...(summary.priority === undefined ? {} : { priority: summary.priority }),
      custom_fields: summary.fields,
      ...(summary.note === undefined || settings.writeNotes === false ? {} : { internal_note: summary.note }),
    };
    const noted = 'internal_note' in body ? summary.noteSteps : [];
    const url = updateUrl.replaceAll('{ticket_id}', pathSegment(input.event.ticketId));
    return [
      {
        // One PUT carrying everything known so far; a retry with more results writes again.
        key: `put:${summary.steps.join('+')}`,
        noted,
        run: async (http) => {
          await http.request({
            service: 'generic',
            method: 'PUT',
            url,
            headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
            json: body,
            timeoutMs: GUIDE_TIMEOUT_MS,
          });
        },
      },
    ];
  },
};

/** Both halves, for tests and tools. `@__PURE__` lets esbuild drop it (and so the unused half) from each function bundle. */
export const genericProvider: Provider = /* @__PURE__ */ Object.assign({}, genericIngest, genericProcess);

function eventTypeOf(payload: object, fields: FieldMap<GenericField>): EventType | undefined {
  const named = firstString(payload, fields.eventType);
  if (named === undefined) return undefined;
  return own(EVENT_ALIASES, named.trim().toLowerCase().replace(/[\s_-]+/g, '.'));
}

function messageText(payload: unknown, fields: FieldMap<GenericField>): string | undefined {
  return firstString(payload, fields.message) ?? firstString(payload, fields.body);
}

/**
 * A ticket is created once, so its creation is keyed by ticket id alone (any re-delivery, whatever
 * its delivery id, is a duplicate). Other events use the sender's event id, else a hash of the
 * content, which is identical across the sender's retries.
 */
function identityOf(eventType: EventType, ticketId: string, payload: object, fields: FieldMap<GenericField>): string {
  if (eventType === 'ticket.created') return `ticket.created:${ticketId}`;
  const eventId = firstString(payload, fields.eventId) ?? sha256(canonicalJson(payload)).toString('hex').slice(0, 32);
  return `${eventType}:${ticketId}:${eventId}`;
}

/** JSON with sorted keys, so two serializations of the same content hash alike. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function channelOf(value: string | undefined): Channel {
  const v = value?.trim().toLowerCase();
  return (CHANNELS as readonly string[]).includes(v ?? '') ? (v as Channel) : 'web';
}

/** `messages` / `comments` / `conversation` arrays → the thread QA and Reply need. */
function conversationOf(payload: unknown): ConversationMessage[] | undefined {
  for (const key of ['messages', 'comments', 'conversation']) {
    const list = (payload as Record<string, unknown>)[key];
    if (!Array.isArray(list)) continue;
    return list.flatMap((item): ConversationMessage[] => {
      if (typeof item === 'string') return [{ role: 'customer', content: item }];
      const content = firstString(item, ['content', 'body', 'text', 'message']);
      if (content === undefined) return [];
      return [{ role: roleOf(firstString(item, ['role', 'author_type', 'author.type', 'author', 'from'])), content }];
    });
  }
  return undefined;
}

function roleOf(value: string | undefined): AuthorType {
  const v = value?.trim().toLowerCase();
  if ((AUTHOR_TYPES as readonly string[]).includes(v ?? '')) return v as AuthorType;
  if (v === 'user' || v === 'requester' || v === 'end-user' || v === 'contact') return 'customer';
  if (v === 'admin' || v === 'staff' || v === 'support') return 'agent';
  return 'customer';
}

function metadataOf(payload: unknown): Record<string, unknown> {
  const metadata = (payload as Record<string, unknown>).metadata;
  return metadata !== null && typeof metadata === 'object' && !Array.isArray(metadata) ? (metadata as Record<string, unknown>) : {};
}

function tagPrefixOf(settings: ProviderSettings): { tagPrefix?: string } {
  return typeof settings.tagPrefix === 'string' ? { tagPrefix: settings.tagPrefix } : {};
}

function genericSettings(settings: ProviderSettings): { updateUrl: string; token: string | undefined } {
  const updateUrl = typeof settings.updateUrl === 'string' ? settings.updateUrl : undefined;
  if (updateUrl === undefined || !URL.canParse(updateUrl.replaceAll('{ticket_id}', 'x'))) {
    throw new PermanentEventError(
      'missing_update_url',
      'HELPDESK_CONFIG.generic.updateUrl is not a URL: set it to e.g. "https://helpdesk.example/api/tickets/{ticket_id}"',
    );
  }
  return { updateUrl, token: typeof settings.token === 'string' ? settings.token : undefined };
}


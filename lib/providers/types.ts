/**
 * The contract every helpdesk provider implements. A provider owns four things — authenticity,
 * parsing + identity, normalization (with enrichment from its API), and write-back — and adding one
 * touches no other provider: register it in `registry.ts`.
 */
import type { HttpClient } from '../http.ts';

export const PROVIDER_NAMES = [
  'zendesk',
  'freshdesk',
  'intercom',
  'salesforce',
  'hubspot',
  'generic',
] as const;
/** The providers coded here, each in its folder. */
export type BuiltInProviderName = (typeof PROVIDER_NAMES)[number];
/**
 * A provider as events, the Ledger, metrics and logs name it: a built-in, or a connector declared
 * in HELPDESK_CONFIG under its own `[a-z0-9-]` name (lib/providers/connector). `string & {}` keeps
 * the built-in names for completion while letting connector names through.
 */
export type ProviderName = BuiltInProviderName | (string & {});

export const EVENT_TYPES = ['ticket.created', 'message.created', 'ticket.resolved'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** Route segment (`/webhooks/{provider}/{event}`) → normalized event type. */
export const ROUTE_EVENTS = {
  'ticket-created': 'ticket.created',
  'message-created': 'message.created',
  'ticket-resolved': 'ticket.resolved',
} as const satisfies Record<string, EventType>;

/** A webhook request exactly as received. Header names are lower-cased. */
export interface WebhookRequest {
  readonly method: string;
  /** The full URL the helpdesk called (scheme, host, stage, path, query) — HubSpot v3 signs it. */
  readonly url: string;
  readonly rawBody: Buffer;
  /**
   * The body as the text the endpoint delivered (when not base64): read it with `bodyText()`
   * instead of decoding `rawBody` again (~160 µs per 200 KB). Signatures are checked on `rawBody`.
   */
  readonly text?: string | undefined;
  readonly headers: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, string>>;
  /** Set by `/webhooks/{provider}/{event}` and the guide's `/webhook/…` routes. */
  readonly routeEvent?: EventType | undefined;
}

/** Provider settings from HELPDESK_CONFIG[provider]; each provider validates its own. */
export type ProviderSettings = Readonly<Record<string, unknown>>;

/**
 * What `verify()` learnt besides "authentic" (issue #13 finding 5). A scheme that signs a time and
 * checks it against a window (Zendesk, HubSpot v3, Standard Webhooks, a connector HMAC over
 * `{timestamp}`) returns TIME_SIGNED: a replay outside the window is refused at ingest. Returning
 * nothing means no signed time: events without a signed `occurredAtMs` of their own are then
 * remembered by the Ledger for good (`QueuedEvent.rememberIdentity`).
 */
export interface Verified {
  readonly timeSigned: boolean;
}

export const TIME_SIGNED: Verified = { timeSigned: true };

export interface VerifyInput {
  readonly request: WebhookRequest;
  /** Every active secret (rotation): a request signed with any of them is authentic. */
  readonly secrets: readonly string[];
  readonly settings: ProviderSettings;
  readonly nowMs: number;
}

/** One business event found in a webhook body (HubSpot and Salesforce send up to 100). */
export interface ParsedEvent {
  readonly eventType: EventType;
  /**
   * The business event's identity, stable across the vendor's retries even when bytes differ.
   * The Ledger key is `${provider}:${identity}`.
   */
  readonly identity: string;
  readonly ticketId: string;
  /** The event's own data (JSON-serializable), stored in the queue message. */
  readonly payload: unknown;
  /** `payload` as the JSON text it was parsed from, when the event is the whole body. */
  readonly payloadJson?: string | undefined;
  /**
   * When the helpdesk says the event happened (epoch ms), from the authenticated body, for schemes
   * whose signature carries no timestamp: ingest refuses an event older than the Ledger's memory,
   * which could otherwise be replayed after its Ledger item expired (issue #13 finding 5).
   */
  readonly occurredAtMs?: number | undefined;
  /**
   * A later, legitimate event may carry the same identity (Freshdesk names a resolution by its
   * ticket and a reply by a content hash): it is never remembered beyond the Ledger's TTL.
   */
  readonly identityRecurs?: boolean | undefined;
}

export type ParseResult =
  | { readonly kind: 'events'; readonly events: readonly ParsedEvent[] }
  /** Deliberately ignored (Intercom ping, a topic we do not process, the bridge's own echo). */
  | {
      readonly kind: 'ignored';
      readonly reason: string;
      /** The 200 body the sender expects for this request (a connector's subscription challenge, e.g. Front's). */
      readonly response?: { readonly contentType: string; readonly body: string } | undefined;
    };

export const AUTHOR_TYPES = ['customer', 'agent', 'system'] as const;
export type AuthorType = (typeof AUTHOR_TYPES)[number];

export const CHANNELS = ['email', 'chat', 'phone', 'social', 'web'] as const;
export type Channel = (typeof CHANNELS)[number];

export interface ConversationMessage {
  readonly role: AuthorType;
  readonly content: string;
}

/** What the Simpli steps need, whatever the helpdesk. */
export interface NormalizedEvent {
  readonly eventType: EventType;
  readonly ticketId: string;
  readonly subject: string;
  readonly body: string;
  readonly customerId: string;
  readonly channel: Channel;
  /** The customer's new message, for `message.created`. */
  readonly messageText?: string | undefined;
  /** The thread, oldest first, for QA and drafts. */
  readonly conversation: readonly ConversationMessage[];
  readonly metadata: Readonly<Record<string, unknown>>;
  /** The ticket's assignee as the helpdesk names it (QA's `agent_id`); "" or absent when unknown. */
  readonly agentId?: string | undefined;
  /**
   * The helpdesk's time of the ticket state this event describes (ISO-8601 UTC), which orders the
   * events of one ticket (lib/ordering.ts; each provider's normalize.ts names the field). Absent
   * when the payload carries none: the event is then ordered by the time the bridge received it.
   */
  readonly occurredAt?: string | undefined;
}

/** The queued form of an event, as the consumer receives it. */
export interface QueuedEvent {
  readonly provider: ProviderName;
  readonly eventType: EventType;
  /** Ledger key. */
  readonly eventId: string;
  readonly ticketId: string;
  readonly payload: unknown;
  readonly receivedAt: string;
  readonly requestId: string;
  /** Ingest only: `payload` as received JSON text, embedded in the message as it is. */
  readonly payloadJson?: string | undefined;
  /**
   * Set by ingest when nothing signed bounds a replay of this event (no signed time in the scheme,
   * no event time in the body: the guide's HMAC, HubSpot v1/v2, Salesforce without LastModifiedDate,
   * Freshdesk creations) and its identity names one business event: the Ledger keeps its done item
   * without TTL (step results dropped), so a body re-sent after LEDGER_TTL_DAYS is still a duplicate.
   */
  readonly rememberIdentity?: boolean | undefined;
}

/** Results of the Simpli steps that have succeeded so far (absent = not done). */
export interface StepResults {
  readonly classify?: Classification;
  readonly route?: Routing;
  readonly sentiment?: Sentiment;
  readonly draft?: Draft;
  readonly qa?: QaEvaluation;
}

/**
 * Triage's `/classify` answer, as received: the guide reads `category`, `.get("priority")` and
 * `.get("confidence")` (reference/simpli.md §2.1), so only `category` is required; every other key is
 * kept and forwarded whole to `/route`.
 */
export interface Classification {
  readonly category: string;
  readonly urgency?: string | undefined;
  readonly priority?: string | undefined;
  readonly sentiment?: string | undefined;
  readonly confidence?: number | undefined;
  readonly [key: string]: unknown;
}
/** `/route`'s answer: `team` is required; `agent` is null when nobody is on shift. */
export interface Routing {
  readonly team: string;
  readonly agent?: string | null | undefined;
  readonly reason?: string | undefined;
  readonly [key: string]: unknown;
}
/** Sentiment's answer: the write-back needs `label` and `score`; the rest when present. */
export interface Sentiment {
  readonly score: number;
  readonly label: string;
  readonly escalation_risk?: number | undefined;
  readonly triggers?: readonly string[] | undefined;
  readonly [key: string]: unknown;
}
export interface Draft {
  readonly draft_id: string;
  readonly draft: string;
  readonly confidence: number;
}
export interface QaEvaluation {
  readonly score: number;
  readonly summary?: string | undefined;
}

/** Everything a provider needs to build its write-back. */
export interface WriteBackInput {
  readonly event: NormalizedEvent;
  readonly results: StepResults;
  /** Below this Triage confidence the ticket is tagged for manual triage instead of prioritised. */
  readonly confidenceThreshold: number;
  /**
   * Steps whose results an earlier note already reported: a later note (after a retried step
   * succeeds) says only what is new, instead of repeating the triage on the ticket.
   */
  readonly notedSteps?: readonly string[];
  /**
   * Steps whose results were computed from an older state of the ticket than fields it already
   * shows (lib/ordering.ts): they go into the note, never into tags, priority or fields.
   */
  readonly staleSteps?: readonly string[];
}

/**
 * One write to the helpdesk. `key` names what it writes and the step results it carries, so the
 * Ledger can record it as done and a retry or duplicate never repeats it (a later attempt with
 * more results produces a new key and writes the rest).
 */
export interface WriteBackOp {
  readonly key: string;
  /** The steps whose lines this op's internal note carries (WriteBackSummary.noteSteps), if it writes one. */
  readonly noted?: readonly string[];
  run(http: HttpClient): Promise<void>;
}

export interface ProviderContext {
  readonly settings: ProviderSettings;
  readonly http: HttpClient;
}

/** What IngestFunction needs of a provider: authenticity and parsing. */
export interface ProviderIngest {
  readonly name: ProviderName;
  /**
   * Throws AuthenticityError (reason in logs only) unless the request is authentic. Returns
   * TIME_SIGNED when the scheme that authenticated it signs a time checked against a window.
   */
  verify(input: VerifyInput): Verified | undefined;
  /** Splits and identifies the body's events; throws BadRequestError / UnprocessableEventError. */
  parse(request: WebhookRequest, settings: ProviderSettings): ParseResult;
  /** The body of a 2xx answer when the vendor expects one (Salesforce's SOAP Ack). */
  acceptedResponse?(result: ParseResult): { contentType: string; body: string };
}

/** What ProcessFunction needs of a provider: normalization and write-back. */
export interface ProviderProcess {
  readonly name: ProviderName;
  /** Maps a queued event to the normalized model, fetching what the webhook lacks. */
  normalize(event: QueuedEvent, context: ProviderContext): Promise<NormalizedEvent>;
  /** The writes that carry the results back; empty when there is nothing new to write. */
  writeBack(input: WriteBackInput, context: ProviderContext): readonly WriteBackOp[];
}

/**
 * A whole provider. Each provider exports its two halves separately so that each function's
 * bundle carries only its own half (`ingest-registry.ts`, `process-registry.ts`): ~25 KB less
 * code to load per cold start.
 */
export interface Provider extends ProviderIngest, ProviderProcess {}

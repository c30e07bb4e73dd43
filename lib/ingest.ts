/**
 * Verify-and-enqueue: the whole of IngestFunction's work, as a pure function over the raw request.
 * Order matters: source address (`allowedIps`) → size (cheap) → provider/route → authenticity on the raw bytes → parse → enqueue.
 * Nothing unauthenticated is parsed, and 2xx is answered only once SQS holds every event.
 */
import { NotFoundError, PayloadTooLargeError, UnprocessableEventError } from './errors.ts';
import { shown } from './log-safe.ts';
import { own } from './own.ts';
import { isValidTicketId, ticketIdFormat } from './ticket-id.ts';
import { assertSourceAllowed } from './ip-allow.ts';
import { connectorIngest, isConnector } from './providers/connector/index.ts';
import type { ProviderSettings } from './providers/types.ts';
import {
  PROVIDER_NAMES,
  ROUTE_EVENTS,
  type EventType,
  type ParseResult,
  type ProviderIngest,
  type ProviderName,
  type QueuedEvent,
  type WebhookRequest,
} from './providers/types.ts';

/**
 * Longest event id or ticket id accepted. The event id is the Ledger's DynamoDB key (2,048 bytes
 * at most) and both ride in the queue message beside the body, which MAX_BODY_BYTES sizes for a
 * 16 KiB envelope: an event over this can never be processed, so it gets 422, not 503 + retries.
 */
export const MAX_ID_BYTES = 1024;

/**
 * Most events one request may enqueue, whatever the provider: HubSpot and Salesforce batch up to
 * 100 (each provider also refuses a longer batch itself), the others send one. A backstop so that no
 * parser can turn one request into thousands of queued events and helpdesk calls.
 */
export const MAX_EVENTS_PER_REQUEST = 100;

export interface IngestDeps {
  readonly providers: Readonly<Partial<Record<ProviderName, ProviderIngest>>>;
  secretsFor(provider: ProviderName): Promise<readonly string[]>;
  settingsFor(provider: ProviderName): Promise<ProviderSettings>;
  /** Sends every event or throws QueueUnavailableError. */
  enqueue(events: readonly QueuedEvent[]): Promise<void>;
  readonly nowMs: number;
  readonly maxBodyBytes: number;
  /**
   * How long the Ledger remembers an event (LEDGER_TTL_DAYS). An event whose own time is older than
   * that, less a day for clock skew, may have been forgotten: it is ignored as a replay.
   */
  readonly ledgerTtlDays?: number | undefined;
}

const DAY_MS = 86_400_000;

export interface IngestInput {
  readonly provider: string;
  /** The `{event}` route segment, e.g. `ticket-created`; undefined on `/webhooks/{provider}`. */
  readonly routeEvent: string | undefined;
  readonly request: Omit<WebhookRequest, 'routeEvent'>;
  readonly requestId: string;
  /** The TCP peer (`requestContext.http.sourceIp`), checked against the provider's `allowedIps`. */
  readonly sourceIp?: string | undefined;
}

export type IngestResult =
  | { readonly kind: 'accepted'; readonly provider: ProviderName; readonly events: readonly QueuedEvent[]; readonly parse: ParseResult }
  | { readonly kind: 'ignored'; readonly provider: ProviderName; readonly reason: string; readonly parse: ParseResult };

/** Throws a BridgeError for every rejection; `toHttpResponse` maps it. */
export async function ingest(input: IngestInput, deps: IngestDeps): Promise<IngestResult> {
  const name = input.provider.toLowerCase();
  let provider = (PROVIDER_NAMES as readonly string[]).includes(name) ? deps.providers[name as ProviderName] : undefined;
  // Not a built-in: a connector when HELPDESK_CONFIG declares one under this name (issue #12).
  const connectorSettings = provider === undefined && !(PROVIDER_NAMES as readonly string[]).includes(name) ? await deps.settingsFor(name) : undefined;
  if (connectorSettings !== undefined && isConnector(name, connectorSettings)) {
    provider = connectorIngest(name);
  }
  // Before any other work, even the size check: a source outside `allowedIps` gets 403.
  if (provider !== undefined) {
    assertSourceAllowed(connectorSettings ?? (await deps.settingsFor(provider.name)), provider.name, input.sourceIp);
  }
  if (input.request.rawBody.length > deps.maxBodyBytes) {
    throw new PayloadTooLargeError('body_too_large', `the body is ${input.request.rawBody.length} bytes; the limit is ${deps.maxBodyBytes}`);
  }
  if (provider === undefined) {
    throw new NotFoundError('unknown_provider', `unknown provider "${shown(input.provider)}"; use one of ${Object.keys(deps.providers).join(', ')}`);
  }
  let routeEvent: EventType | undefined;
  if (input.routeEvent !== undefined) {
    routeEvent = own<EventType>(ROUTE_EVENTS, input.routeEvent);
    if (routeEvent === undefined) {
      throw new NotFoundError('unknown_event', `unknown event "${shown(input.routeEvent)}"; use one of ${Object.keys(ROUTE_EVENTS).join(', ')}`);
    }
  }
  const request: WebhookRequest = { ...input.request, routeEvent };
  const [secrets, settings] = await Promise.all([deps.secretsFor(provider.name), deps.settingsFor(provider.name)]);
  const verified = provider.verify({ request, secrets, settings, nowMs: deps.nowMs });

  const parse = provider.parse(request, settings);
  if (parse.kind === 'ignored') return { kind: 'ignored', provider: provider.name, reason: parse.reason, parse };

  const receivedAt = new Date(deps.nowMs).toISOString();
  const oldestMs = deps.ledgerTtlDays === undefined ? undefined : deps.nowMs - Math.max(0, deps.ledgerTtlDays - 1) * DAY_MS;
  const current = oldestMs === undefined ? parse.events : parse.events.filter((e) => e.occurredAtMs === undefined || e.occurredAtMs >= oldestMs);
  if (current.length === 0) {
    return { kind: 'ignored', provider: provider.name, reason: `the event happened longer ago than the Ledger remembers (${deps.ledgerTtlDays} days): a replay`, parse };
  }
  // Nothing signed bounds a replay of an event when the scheme signs no time and the event carries
  // no time the age check above applies to: the Ledger then remembers its identity for good.
  const timeSigned = verified?.timeSigned === true;
  const events = current.map(
    (e): QueuedEvent => ({
      provider: provider.name,
      eventType: e.eventType,
      eventId: `${provider.name}:${e.identity}`,
      ticketId: e.ticketId,
      payload: e.payload,
      payloadJson: e.payloadJson,
      receivedAt,
      requestId: input.requestId,
      ...(timeSigned || e.identityRecurs === true || (e.occurredAtMs !== undefined && oldestMs !== undefined) ? {} : { rememberIdentity: true }),
    }),
  );
  if (events.length === 0) return { kind: 'ignored', provider: provider.name, reason: 'no events in the body', parse };
  if (events.length > MAX_EVENTS_PER_REQUEST) {
    throw new UnprocessableEventError('too_many_events', `the request holds ${events.length} events; at most ${MAX_EVENTS_PER_REQUEST} are accepted per request`);
  }
  const oversized = events.find((e) => Buffer.byteLength(e.eventId) > MAX_ID_BYTES || Buffer.byteLength(e.ticketId) > MAX_ID_BYTES);
  if (oversized !== undefined) {
    throw new UnprocessableEventError('event_id_too_long', `an event id or ticket id is longer than ${MAX_ID_BYTES} bytes`);
  }
  // A lone surrogate cannot be stored as UTF-8 (the Ledger key, the helpdesk URL): such an event
  // could never be processed, so it is refused now rather than retried for ever.
  const malformed = events.find((e) => !e.eventId.isWellFormed() || !e.ticketId.isWellFormed());
  if (malformed !== undefined) {
    throw new UnprocessableEventError(
      'event_id_malformed',
      'an event id or ticket id holds a lone UTF-16 surrogate (an unpaired \\uD800-\\uDFFF escape); send ids that are valid Unicode',
    );
  }
  // An id of a shape the helpdesk never issues would reach a write-back URL (`..` is the parent
  // resource): refused with what the id must be, without echoing it.
  if (events.some((e) => !isValidTicketId(provider.name, e.ticketId))) {
    throw new UnprocessableEventError('invalid_ticket_id', `the ${provider.name} ticket id must be ${ticketIdFormat(provider.name).expected}`);
  }
  await deps.enqueue(events);
  return { kind: 'accepted', provider: provider.name, events, parse };
}

/**
 * A fake Zendesk account for reconciliation tests, built from Zendesk's published contract:
 * - the cursor-based Incremental Ticket Export, `GET /api/v2/incremental/tickets/cursor`
 *   (https://developer.zendesk.com/api-reference/ticketing/ticket-management/incremental_exports/):
 *   `start_time` (unix seconds) on the first request XOR `cursor` afterwards, `per_page` ≤ 1000,
 *   tickets ordered by their last change, nothing changed within the last minute, the answer
 *   `{tickets, after_cursor, after_url, before_cursor, before_url, end_of_stream}`; a start_time
 *   in the future is a 400 (the docs: "start_time … must be more than one minute in the past");
 *   10 requests per minute, answered 429 with Retry-After beyond that (here: every `rateLimitEvery`th);
 * - the time-based Incremental Ticket Event Export with the `comment_events` sideload,
 *   `GET /api/v2/incremental/ticket_events?start_time=…&include=comment_events` (the OpenAPI file's
 *   IncrementalTicketEvents): a `Create` event per ticket (its first comment, the description) and an
 *   `Audit` event per later comment, each comment a `child_events` entry `{id, event_type: "Comment",
 *   author_id, body, html_body, public, created_at}` — without the sideload only `comment_present` /
 *   `comment_public`, as documented; `{ticket_events, next_page, end_time, end_of_stream, count}`,
 *   the last minute excluded, `eventsPageSize` per page; the same 10-per-minute limit as the tickets export;
 * - List Users filtered by `role` (`agent`, `admin`), cursor-paged (`page[size]`, `meta.has_more`);
 * - Show Ticket, Show Comments and the write-back endpoints the bridge uses (Tags API, Update
 *   Ticket, whose `comment` becomes one of the ticket's comments), which move the ticket's
 *   `updated_at` as Zendesk does;
 * - API token auth: `Basic base64({email}/token:{token})`, else 401.
 * Every request is recorded; `writeBacks(id)` counts the writes per ticket.
 */
import type { FakeReply, RecordedRequest, Responder } from './fake-server.ts';

export interface FakeZendeskTicket {
  id: number;
  subject: string;
  description: string;
  status: 'new' | 'open' | 'pending' | 'hold' | 'solved' | 'closed' | 'deleted';
  requester_id: number;
  assignee_id: number | null;
  created_at: string;
  updated_at: string;
  tags: string[];
  priority: string | null;
  via: { channel: string };
}

/** A ticket's comment after its description. */
export interface FakeZendeskComment {
  id: number;
  author_id: number;
  body: string;
  public: boolean;
  created_at: string;
}

/** The agents and admins of the fake account; the bridge writes as BRIDGE_AGENT. */
export const ZENDESK_AGENTS = [9000, 9002] as const;
export const ZENDESK_ADMINS = [9001] as const;
const BRIDGE_AGENT = 9002;

export interface FakeZendesk {
  readonly tickets: Map<number, FakeZendeskTicket>;
  /** Per ticket, its comments after the description. */
  readonly comments: Map<number, FakeZendeskComment[]>;
  readonly respond: Responder;
  /** Export requests answered (200 or 429). */
  readonly exportRequests: RecordedRequest[];
  /** The Retry-After seconds of the 429s it sent. */
  readonly rateLimited: number[];
  writeBacks(ticketId: number): number;
}

export const ZENDESK_EMAIL = 'bot@acme.example';
export const ZENDESK_TOKEN = 'zd-api-token';
const AUTHORIZATION = `Basic ${Buffer.from(`${ZENDESK_EMAIL}/token:${ZENDESK_TOKEN}`).toString('base64')}`;
const RETRY_AFTER_SECONDS = 7;

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export function startFakeZendesk(options: { now: () => number; rateLimitEvery?: number; baseUrl: () => string; eventsPageSize?: number }): FakeZendesk {
  const tickets = new Map<number, FakeZendeskTicket>();
  const comments = new Map<number, FakeZendeskComment[]>();
  let noteIds = 0;
  const exportRequests: RecordedRequest[] = [];
  const rateLimited: number[] = [];
  const writes = new Map<number, number>();
  let exportCount = 0;

  const error = (status: number, description: string): FakeReply => ({ status, json: { error: status === 401 ? "Couldn't authenticate you" : 'InvalidValue', description } });

  /** The incremental exports share one limit: every `rateLimitEvery`th request is a 429. */
  function limited(r: RecordedRequest): FakeReply | undefined {
    exportRequests.push(r);
    exportCount++;
    if (options.rateLimitEvery === undefined || exportCount % options.rateLimitEvery !== 0) return undefined;
    rateLimited.push(RETRY_AFTER_SECONDS);
    return { status: 429, headers: { 'retry-after': String(RETRY_AFTER_SECONDS) }, json: { error: 'APIRateLimitExceeded' } };
  }

  function eventsPage(r: RecordedRequest): FakeReply {
    const refused = limited(r);
    if (refused !== undefined) return refused;
    const startTime = r.query.get('start_time');
    if (startTime === null || !/^\d+$/.test(startTime)) return error(400, 'start_time must be a unix epoch time in seconds');
    const nowMs = options.now();
    if (Number(startTime) * 1000 > nowMs - 60_000) return error(400, 'start_time must be more than one minute in the past');
    const sideload = (r.query.get('include') ?? '').split(',').includes('comment_events');
    const child = (c: FakeZendeskComment) =>
      sideload
        ? { id: c.id, via: { channel: 'web' }, type: 'Comment', author_id: c.author_id, body: c.body, html_body: `<div class="zd-comment"><p>${c.body}</p></div>`, public: c.public, attachments: [], created_at: c.created_at, event_type: 'Comment' }
        : { id: c.id, comment_present: true, comment_public: c.public };
    const all = [...tickets.values()].flatMap((t) => {
      const first = { id: t.id * 1000, author_id: t.requester_id, body: t.description, public: true, created_at: t.created_at };
      const create = { id: t.id * 1000 + 1, ticket_id: t.id, timestamp: Date.parse(t.created_at) / 1000, created_at: t.created_at, updater_id: t.requester_id, via: t.via, event_type: 'Create', child_events: [child(first)] };
      const audits = (comments.get(t.id) ?? []).map((c) => ({ id: c.id + 1, ticket_id: t.id, timestamp: Date.parse(c.created_at) / 1000, created_at: c.created_at, updater_id: c.author_id, via: { channel: 'web' }, event_type: 'Audit', child_events: [child(c)] }));
      return [create, ...audits];
    });
    // Oldest first, from start_time; the last minute is excluded.
    const eligible = all.filter((e) => e.timestamp >= Number(startTime) && e.timestamp * 1000 <= nowMs - 60_000).sort((a, b) => a.timestamp - b.timestamp || a.id - b.id);
    // A page runs on past its size through every event of its last second, so that end_time moves
    // on (our reading of "time-based" paging; Zendesk warns that pages may repeat items).
    let size = Math.min(eligible.length, options.eventsPageSize ?? 1000);
    while (size < eligible.length && eligible[size]?.timestamp === eligible[size - 1]?.timestamp) size++;
    const page = eligible.slice(0, size);
    const endOfStream = eligible.length <= page.length;
    const last = page.at(-1)?.timestamp ?? Number(startTime);
    const endTime = endOfStream ? Math.floor(nowMs / 1000) - 60 : last > Number(startTime) ? last : last + 1;
    return { json: { ticket_events: page, count: page.length, end_time: endTime, end_of_stream: endOfStream, next_page: `${options.baseUrl()}/api/v2/incremental/ticket_events.json?start_time=${endTime}` } };
  }

  function usersPage(r: RecordedRequest): FakeReply {
    const role = r.query.get('role');
    const size = Number(r.query.get('page[size]') ?? '100');
    if (role !== 'agent' && role !== 'admin') return error(400, 'role must be agent or admin here');
    if (!Number.isInteger(size) || size < 1 || size > 100) return error(400, 'page[size] must be from 1 to 100');
    const ids: readonly number[] = role === 'agent' ? ZENDESK_AGENTS : ZENDESK_ADMINS;
    return { json: { users: ids.map((id) => ({ id, role, name: `Staff ${id}` })), meta: { has_more: false, after_cursor: null, before_cursor: null }, links: { next: null, prev: null } } };
  }

  function exportPage(r: RecordedRequest): FakeReply {
    const refused = limited(r);
    if (refused !== undefined) return refused;
    const startTime = r.query.get('start_time');
    const cursor = r.query.get('cursor');
    const perPage = Number(r.query.get('per_page') ?? '1000');
    if ((startTime === null) === (cursor === null)) return error(400, 'give either start_time (first request) or cursor (later requests)');
    if (!Number.isInteger(perPage) || perPage < 1 || perPage > 1000) return error(400, 'per_page must be from 1 to 1000');
    const nowMs = options.now();
    let after: { t: number; id: number };
    if (startTime !== null) {
      if (!/^\d+$/.test(startTime)) return error(400, 'start_time must be a unix epoch time in seconds');
      if (Number(startTime) * 1000 > nowMs - 60_000) return error(400, 'start_time must be more than one minute in the past');
      after = { t: Number(startTime) * 1000, id: -1 };
    } else {
      try {
        after = JSON.parse(Buffer.from(cursor ?? '', 'base64url').toString()) as { t: number; id: number };
        if (typeof after.t !== 'number' || typeof after.id !== 'number') throw new Error('bad');
      } catch {
        return error(400, 'the cursor is invalid');
      }
    }
    // Oldest change first; a ticket changed again after a page moves to a later one (and may be
    // exported twice), as with Zendesk's export. The last minute is excluded.
    const eligible = [...tickets.values()]
      .map((t) => ({ t: Date.parse(t.updated_at), ticket: t }))
      .filter(({ t, ticket }) => t <= nowMs - 60_000 && (t > after.t || (t === after.t && ticket.id > after.id)))
      .sort((a, b) => a.t - b.t || a.ticket.id - b.ticket.id);
    const page = eligible.slice(0, perPage);
    const last = page.at(-1);
    const position = last === undefined ? after : { t: last.t, id: last.ticket.id };
    const afterCursor = Buffer.from(JSON.stringify(position)).toString('base64url');
    return {
      json: {
        tickets: page.map(({ ticket }) => structuredClone(ticket)),
        after_url: `${options.baseUrl()}/api/v2/incremental/tickets/cursor?cursor=${afterCursor}`,
        after_cursor: afterCursor,
        before_url: null,
        before_cursor: null,
        end_of_stream: eligible.length <= perPage,
      },
    };
  }

  const respond: Responder = (r) => {
    if (r.headers.authorization !== AUTHORIZATION) return error(401, 'API token authentication: Basic {email}/token:{token}');
    if (r.method === 'GET' && r.path === '/api/v2/incremental/tickets/cursor') return exportPage(r);
    if (r.method === 'GET' && r.path === '/api/v2/incremental/ticket_events') return eventsPage(r);
    if (r.method === 'GET' && r.path === '/api/v2/users') return usersPage(r);
    // `.json` is optional on Zendesk's API paths (the OpenAPI file names them without it).
    const match = /^\/api\/v2\/tickets\/(\d+)(\.json|\/tags|\/comments|\/comments\.json)?$/.exec(r.path);
    const ticket = match === null ? undefined : tickets.get(Number(match[1]));
    if (match === null || ticket === undefined) return { status: 404, json: { error: 'RecordNotFound', description: 'Not found' } };
    const sub = match[2] === '.json' ? undefined : match[2] === '/comments.json' ? '/comments' : match[2];
    if (r.method === 'GET' && sub === '/comments') {
      return {
        json: {
          comments: [
            { id: ticket.id * 10, author_id: ticket.requester_id, plain_body: ticket.description, public: true },
            { id: ticket.id * 10 + 1, author_id: 9000, plain_body: 'Fixed it for you.', public: true },
          ],
          next_page: null,
        },
      };
    }
    if (r.method === 'GET' && sub === undefined) return { json: { ticket: structuredClone(ticket) } };
    if (r.method === 'PUT' && (sub === undefined || sub === '/tags')) {
      writes.set(ticket.id, (writes.get(ticket.id) ?? 0) + 1);
      ticket.updated_at = iso(options.now());
      const comment = (r.body as { ticket?: { comment?: { body?: unknown; public?: unknown } } } | undefined)?.ticket?.comment;
      if (sub === undefined && typeof comment?.body === 'string') {
        const list = comments.get(ticket.id) ?? [];
        list.push({ id: 8_000_000 + ++noteIds * 10, author_id: BRIDGE_AGENT, body: comment.body, public: comment.public !== false, created_at: ticket.updated_at });
        comments.set(ticket.id, list);
      }
      return { json: sub === '/tags' ? { tags: ticket.tags } : { ticket } };
    }
    return { status: 405, json: { error: 'MethodNotAllowed' } };
  };

  return { tickets, comments, respond, exportRequests, rateLimited, writeBacks: (id) => writes.get(id) ?? 0 };
}

/** A ticket as the API shows it; `solved` ones were resolved an hour after creation. */
export function zendeskTicket(id: number, createdAtMs: number, status: FakeZendeskTicket['status']): FakeZendeskTicket {
  const updated = status === 'solved' || status === 'closed' ? createdAtMs + 3_600_000 : createdAtMs;
  return {
    id,
    subject: `Refund request ${id}`,
    description: `I was charged twice for order ${id}. Please refund the duplicate charge.`,
    status,
    requester_id: 500_000 + id,
    assignee_id: status === 'new' ? null : 9000,
    created_at: iso(createdAtMs),
    updated_at: iso(updated),
    tags: [],
    priority: null,
    via: { channel: 'email' },
  };
}

/** The event-subscription webhooks Zendesk would have sent for the ticket (created, then solved). */
export function zendeskWebhooks(ticket: FakeZendeskTicket): string[] {
  const detail = {
    ...ticket,
    id: String(ticket.id),
    requester_id: String(ticket.requester_id),
    assignee_id: ticket.assignee_id === null ? null : String(ticket.assignee_id),
    status: 'NEW',
  };
  const created = {
    type: 'zen:event-type:ticket.created',
    account_id: 88888888,
    id: `created-${ticket.id}`,
    time: ticket.created_at,
    zendesk_event_version: '2022-11-06',
    subject: `zen:ticket:${ticket.id}`,
    detail: { ...detail, updated_at: ticket.created_at },
    event: {},
  };
  if (ticket.status !== 'solved' && ticket.status !== 'closed') return [JSON.stringify(created)];
  const solved = {
    ...created,
    type: 'zen:event-type:ticket.status_changed',
    id: `solved-${ticket.id}`,
    time: ticket.updated_at,
    detail: { ...detail, status: 'SOLVED', updated_at: ticket.updated_at },
    event: { current: 'SOLVED', previous: 'OPEN' },
  };
  return [JSON.stringify(created), JSON.stringify(solved)];
}

/**
 * The comments of ticket `id` after its description, seconds after its creation: the customer's
 * public reply, and what is no customer message — an agent's public reply, an internal note.
 */
export function zendeskComments(ticket: FakeZendeskTicket): FakeZendeskComment[] {
  const at = (seconds: number) => iso(Date.parse(ticket.created_at) + seconds * 1000);
  return [
    { id: ticket.id * 1000 + 10, author_id: ticket.requester_id, body: `Ticket ${ticket.id}: any news on my refund?`, public: true, created_at: at(10) },
    { id: ticket.id * 1000 + 20, author_id: ZENDESK_AGENTS[0], body: `Ticket ${ticket.id}: we are on it.`, public: true, created_at: at(20) },
    { id: ticket.id * 1000 + 30, author_id: ZENDESK_ADMINS[0], body: `Ticket ${ticket.id}: check the payment provider.`, public: false, created_at: at(30) },
  ];
}

/** The `ticket.comment_added` event subscription webhook of a customer's comment. */
export function zendeskCommentWebhook(ticket: FakeZendeskTicket, comment: FakeZendeskComment): string {
  return JSON.stringify({
    type: 'zen:event-type:ticket.comment_added',
    account_id: 88888888,
    id: `comment-${comment.id}`,
    time: comment.created_at,
    zendesk_event_version: '2022-11-06',
    subject: `zen:ticket:${ticket.id}`,
    detail: { ...ticket, id: String(ticket.id), requester_id: String(ticket.requester_id), assignee_id: ticket.assignee_id === null ? null : String(ticket.assignee_id), status: 'OPEN', updated_at: comment.created_at },
    event: { comment: { id: String(comment.id), body: comment.body, is_public: comment.public, author: { id: String(comment.author_id), is_staff: false, name: 'Customer' } } },
  });
}

/**
 * A fake Intercom workspace for reconciliation tests, from Intercom's published contract (the
 * OpenAPI 2.11 file, ../shared/specs/helpdesks/intercom/api.intercom.io-2.11.yaml, against which
 * helpdesk-contracts.ts also checks every request; and helpdesks.md §3):
 * - Search conversations / Search tickets, `POST /conversations/search`, `POST /tickets/search`: a
 *   `query` (one filter, or an AND/OR group of them) and `pagination: {per_page ≤ 150,
 *   starting_after}`; on dates only `=`, `<`, `>` ("`!=`, `<=`, `>=`, `IN`, and `NIN` are not
 *   supported and return an error"); the answer `{type: "conversation.list" | "ticket.list",
 *   conversations | tickets, total_count, pages: {type, page, per_page, total_pages, next?:
 *   {page, starting_after}}}`. No sort is offered: results come in id order, not by updated_at;
 * - 429 on every `rateLimitEvery`th search with `X-RateLimit-Limit`, `X-RateLimit-Remaining: 0`
 *   and `X-RateLimit-Reset` (Unix seconds), no Retry-After
 *   (https://developers.intercom.com/docs/references/rest-api/errors/rate-limiting);
 * - the calls the bridge makes to process an event: `GET /conversations/{id}` / `/tickets/{id}`,
 *   `GET /tags`, `POST /tags`, `POST …/{id}/tags`, `POST …/{id}/reply`, `PUT …/{id}`; writes move
 *   `updated_at`, as Intercom does;
 * - `Authorization: Bearer {token}`, else 401 (`error.list`).
 * Every search is recorded; `writeBacks(id)` counts the writes per conversation/ticket.
 */
import type { FakeReply, RecordedRequest, Responder } from './fake-server.ts';

export const INTERCOM_TOKEN = 'ic-access-token';
export const INTERCOM_ADMIN_ID = '814860';
const RESET_SECONDS = 10;
const MAX_PER_PAGE = 150;

export type IntercomRecord = Record<string, unknown> & { id: string; created_at: number; updated_at: number };

export interface FakeIntercom {
  readonly conversations: Map<string, IntercomRecord>;
  readonly tickets: Map<string, IntercomRecord>;
  readonly respond: Responder;
  readonly searches: RecordedRequest[];
  /** The wait, in seconds, each 429 announced through X-RateLimit-Reset. */
  readonly rateLimited: number[];
  writeBacks(id: string): number;
}

const seconds = (ms: number) => Math.floor(ms / 1000);

interface Filter {
  readonly field?: unknown;
  readonly operator?: unknown;
  readonly value?: unknown;
}

export function startFakeIntercom(options: { now: () => number; rateLimitEvery?: number }): FakeIntercom {
  const conversations = new Map<string, IntercomRecord>();
  const tickets = new Map<string, IntercomRecord>();
  const searches: RecordedRequest[] = [];
  const rateLimited: number[] = [];
  const writes = new Map<string, number>();
  const tags: { type: 'tag'; id: string; name: string }[] = [];
  let searchCount = 0;
  const error = (status: number, code: string, message: string): FakeReply => ({ status, json: { type: 'error.list', request_id: 'req-fake', errors: [{ code, message }] } });

  /** One filter as a predicate; a string describing the error when Intercom would refuse it. */
  function predicate(filter: Filter): ((r: IntercomRecord) => boolean) | string {
    if (filter.field !== 'updated_at' && filter.field !== 'created_at') return `this fake searches on updated_at or created_at only, not ${String(filter.field)}`;
    const value = typeof filter.value === 'string' && /^\d+$/.test(filter.value) ? Number(filter.value) : filter.value;
    if (typeof value !== 'number' || !Number.isInteger(value)) return `${filter.field} takes a Unix timestamp`;
    const field = filter.field;
    if (filter.operator === '>') return (r) => r[field] as number > value;
    if (filter.operator === '<') return (r) => (r[field] as number) < value;
    if (filter.operator === '=') return (r) => r[field] === value;
    return `date fields take =, < or > only, not ${String(filter.operator)}`;
  }

  function matcher(query: unknown): ((r: IntercomRecord) => boolean) | string {
    const q = (query ?? {}) as { operator?: unknown; value?: unknown; field?: unknown };
    if (q.operator === 'AND' || q.operator === 'OR') {
      if (!Array.isArray(q.value) || q.value.length === 0 || q.value.length > 15) return 'an AND/OR group holds 1 to 15 filters';
      const parts = (q.value as unknown[]).map(matcher);
      const bad = parts.find((p) => typeof p === 'string');
      if (typeof bad === 'string') return bad;
      const fns = parts as ((r: IntercomRecord) => boolean)[];
      return q.operator === 'AND' ? (r) => fns.every((f) => f(r)) : (r) => fns.some((f) => f(r));
    }
    return predicate(q);
  }

  function search(collection: 'conversations' | 'tickets', r: RecordedRequest): FakeReply {
    searches.push(r);
    searchCount++;
    if (options.rateLimitEvery !== undefined && searchCount % options.rateLimitEvery === 0) {
      rateLimited.push(RESET_SECONDS);
      return {
        status: 429,
        // The window resets at least RESET_SECONDS from now, whole seconds later (one more, so a
        // client reading its clock a few ms later still waits RESET_SECONDS).
        headers: { 'x-ratelimit-limit': '166', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.ceil(options.now() / 1000) + RESET_SECONDS + 1) },
        json: { type: 'error.list', errors: [{ code: 'rate_limit_exceeded', message: 'Exceeded rate limit of 166 in 10_seconds' }] },
      };
    }
    const body = (r.body ?? {}) as { query?: unknown; pagination?: { per_page?: unknown; starting_after?: unknown } | null };
    const match = matcher(body.query);
    if (typeof match === 'string') return error(400, 'parameter_invalid', match);
    const perPage = body.pagination?.per_page ?? 20;
    if (typeof perPage !== 'number' || !Number.isInteger(perPage) || perPage < 1 || perPage > MAX_PER_PAGE) return error(400, 'parameter_invalid', `per_page must be from 1 to ${MAX_PER_PAGE}`);
    const after = body.pagination?.starting_after;
    let offset = 0;
    if (after !== undefined && after !== null) {
      const decoded = typeof after === 'string' ? Number(Buffer.from(after, 'base64url').toString()) : Number.NaN;
      if (!Number.isInteger(decoded) || decoded < 0) return error(400, 'parameter_invalid', 'starting_after is not a cursor this workspace gave');
      offset = decoded;
    }
    const store = collection === 'conversations' ? conversations : tickets;
    const all = [...store.values()].filter(match).sort((a, b) => Number(a.id) - Number(b.id));
    const page = all.slice(offset, offset + perPage);
    const totalPages = Math.max(1, Math.ceil(all.length / perPage));
    const nextOffset = offset + page.length;
    return {
      json: {
        type: collection === 'conversations' ? 'conversation.list' : 'ticket.list',
        [collection]: page.map((x) => structuredClone(x)),
        total_count: all.length,
        pages: {
          type: 'pages',
          page: Math.floor(offset / perPage) + 1,
          per_page: perPage,
          total_pages: totalPages,
          ...(nextOffset < all.length ? { next: { page: Math.floor(offset / perPage) + 2, starting_after: Buffer.from(String(nextOffset)).toString('base64url') } } : {}),
        },
      },
    };
  }

  function written(record: IntercomRecord): void {
    writes.set(record.id, (writes.get(record.id) ?? 0) + 1);
    record.updated_at = seconds(options.now());
  }

  const respond: Responder = (r) => {
    if (r.headers.authorization !== `Bearer ${INTERCOM_TOKEN}`) return error(401, 'unauthorized', 'Access Token Invalid');
    if (r.method === 'POST' && r.path === '/conversations/search') return search('conversations', r);
    if (r.method === 'POST' && r.path === '/tickets/search') return search('tickets', r);
    if (r.path === '/tags') {
      if (r.method === 'GET') return { json: { type: 'list', data: tags } };
      const name = (r.body as { name?: unknown } | undefined)?.name;
      if (r.method === 'POST' && typeof name === 'string') {
        const tag = { type: 'tag' as const, id: String(1000 + tags.length), name };
        tags.push(tag);
        return { json: tag };
      }
    }
    const match = /^\/(conversations|tickets)\/(\d+)(\/tags|\/reply)?$/.exec(r.path);
    const record = match === null ? undefined : (match[1] === 'tickets' ? tickets : conversations).get(match[2] ?? '');
    if (match === null || record === undefined) return error(404, 'not_found', 'Resource Not Found');
    if (r.method === 'GET' && match[3] === undefined) return { json: structuredClone(record) };
    if ((r.method === 'POST' && match[3] !== undefined) || (r.method === 'PUT' && match[3] === undefined)) {
      written(record);
      return { json: match[3] === '/tags' ? { type: 'tag', id: (r.body as { id?: unknown }).id, name: 'tag' } : structuredClone(record) };
    }
    return error(405, 'method_not_allowed', `${r.method} ${r.path}`);
  };

  return { conversations, tickets, respond, searches, rateLimited, writeBacks: (id) => writes.get(id) ?? 0 };
}

/** Seeded numbers: even ones are conversations a contact started, odd ones tickets. */
export const isIntercomTicket = (n: number) => n % 2 === 1;

/** A conversation or ticket as the API shows it; solved ones were closed/resolved an hour after creation. */
export function intercomRecord(n: number, createdAtMs: number, solved: boolean): IntercomRecord {
  const created = seconds(createdAtMs);
  const updated = solved ? created + 3600 : created;
  const contacts = { type: 'contact.list', contacts: [{ type: 'contact', id: `6a0c${n}`, external_id: `cust-${n}` }] };
  if (isIntercomTicket(n)) {
    return {
      type: 'ticket',
      id: String(n),
      ticket_id: String(n + 50_000),
      category: 'Customer',
      ticket_attributes: { _default_title_: `Refund request ${n}`, _default_description_: `<p>I was charged twice for order ${n}. Please refund the duplicate charge.</p>` },
      ticket_state: { type: 'ticket_state', id: solved ? '4517896' : '4517893', category: solved ? 'resolved' : 'submitted', internal_label: solved ? 'Resolved' : 'Submitted' },
      ticket_type: { type: 'ticket_type', id: '2979330', name: 'Billing' },
      contacts,
      admin_assignee_id: '0',
      team_assignee_id: '0',
      created_at: created,
      updated_at: updated,
      open: !solved,
      channel: 'email',
      ticket_parts: { type: 'ticket_part.list', ticket_parts: [], total_count: 0 },
    };
  }
  return {
    type: 'conversation',
    id: String(n),
    title: null,
    created_at: created,
    updated_at: updated,
    open: !solved,
    state: solved ? 'closed' : 'open',
    read: true,
    priority: 'not_priority',
    admin_assignee_id: solved ? 814860 : null,
    team_assignee_id: null,
    tags: { type: 'tag.list', tags: [] },
    source: {
      type: 'conversation',
      id: String(90_000 + n),
      delivered_as: 'customer_initiated',
      subject: '',
      body: `<p>I was charged twice for order ${n}. Please refund the duplicate charge.</p>`,
      author: { type: 'user', id: `6a0c${n}`, name: 'Alex', email: `alex${n}@example.com` },
    },
    contacts,
    custom_attributes: {},
    conversation_parts: {
      type: 'conversation_part.list',
      conversation_parts: solved
        ? [{ type: 'conversation_part', id: String(80_000 + n), part_type: 'close', body: '<p>Refunded, sorry about that.</p>', author: { type: 'admin', id: INTERCOM_ADMIN_ID } }]
        : [],
      total_count: solved ? 1 : 0,
    },
  };
}

/** The notifications Intercom would have sent for the record (created, then closed/resolved). */
export function intercomWebhooks(record: IntercomRecord): string[] {
  const isTicket = record.type === 'ticket';
  const solved = record.open === false;
  const envelope = (topic: string, item: Record<string, unknown>, at: number) =>
    JSON.stringify({
      type: 'notification_event',
      app_id: 'abc123de',
      data: { type: 'notification_event_data', item },
      links: {},
      id: `notif_${topic}-${record.id}`,
      topic,
      delivery_status: 'pending',
      delivery_attempts: 1,
      delivered_at: 0,
      first_sent_at: at,
      created_at: at,
      self: null,
    });
  const atCreation = isTicket
    ? { ...record, updated_at: record.created_at, open: true, ticket_state: { type: 'ticket_state', id: '4517893', category: 'submitted' } }
    : { ...record, updated_at: record.created_at, open: true, state: 'open', conversation_parts: { type: 'conversation_part.list', conversation_parts: [], total_count: 0 } };
  const created = envelope(isTicket ? 'ticket.created' : 'conversation.user.created', atCreation, record.created_at);
  if (!solved) return [created];
  return [created, envelope(isTicket ? 'ticket.state.updated' : 'conversation.admin.closed', record, record.updated_at)];
}

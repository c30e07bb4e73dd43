/**
 * A fake Freshdesk account for reconciliation tests, from Freshdesk's published API
 * (https://developers.freshdesk.com/api/):
 * - List All Tickets, `GET /api/v2/tickets` with `updated_since` (ISO 8601), `order_by`
 *   (created_at | due_by | updated_at | status), `order_type` (asc | desc), `per_page` ≤ 100,
 *   `page` ≤ 300, `include=description`; a JSON array; invalid values → 400
 *   `{"description":"Validation failed","errors":[{field, message, code}]}`; times to the second;
 * - View a Ticket, List Conversations, Update a Ticket and Create a Note, the calls the bridge makes;
 *   updates move `updated_at`;
 * - Basic auth `{apiKey}:X`, else 401; 429 with Retry-After on every `rateLimitEvery`th list request
 *   (helpdesks.md §2, rate limits).
 */
import type { FakeReply, RecordedRequest, Responder } from './fake-server.ts';

export interface FakeFreshdeskTicket {
  id: number;
  subject: string;
  description: string;
  description_text: string;
  status: number;
  priority: number;
  source: number;
  requester_id: number;
  responder_id: number | null;
  tags: string[];
  created_at: string;
  updated_at: string;
}

export interface FakeFreshdesk {
  readonly tickets: Map<number, FakeFreshdeskTicket>;
  readonly respond: Responder;
  readonly listRequests: RecordedRequest[];
  readonly rateLimited: number[];
  writeBacks(ticketId: number): number;
}

export const FRESHDESK_API_KEY = 'fd-api-key';
const AUTHORIZATION = `Basic ${Buffer.from(`${FRESHDESK_API_KEY}:X`).toString('base64')}`;
const RETRY_AFTER_SECONDS = 5;
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export function startFakeFreshdesk(options: { now: () => number; rateLimitEvery?: number }): FakeFreshdesk {
  const tickets = new Map<number, FakeFreshdeskTicket>();
  const listRequests: RecordedRequest[] = [];
  const rateLimited: number[] = [];
  const writes = new Map<number, number>();
  let listCount = 0;
  const invalid = (field: string, message: string): FakeReply => ({
    status: 400,
    json: { description: 'Validation failed', errors: [{ field, message, code: 'invalid_value' }] },
  });

  function list(r: RecordedRequest): FakeReply {
    listRequests.push(r);
    listCount++;
    if (options.rateLimitEvery !== undefined && listCount % options.rateLimitEvery === 0) {
      rateLimited.push(RETRY_AFTER_SECONDS);
      return { status: 429, headers: { 'retry-after': String(RETRY_AFTER_SECONDS) }, json: { message: 'You have exceeded the limit of requests per minute' } };
    }
    const q = r.query;
    const known = new Set(['updated_since', 'order_by', 'order_type', 'per_page', 'page', 'include', 'filter', 'requester_id', 'email', 'company_id']);
    for (const key of q.keys()) if (!known.has(key)) return invalid(key, 'Unexpected/invalid field in request');
    const perPage = Number(q.get('per_page') ?? '30');
    const page = Number(q.get('page') ?? '1');
    if (!Number.isInteger(perPage) || perPage < 1 || perPage > 100) return invalid('per_page', 'It should be a Positive Number less than or equal to 100');
    if (!Number.isInteger(page) || page < 1 || page > 300) return invalid('page', 'It should be a Positive Number less than or equal to 300');
    const orderBy = q.get('order_by') ?? 'created_at';
    if (!['created_at', 'due_by', 'updated_at', 'status'].includes(orderBy)) return invalid('order_by', "It should be one of these values: 'created_at,due_by,updated_at,status'");
    const orderType = q.get('order_type') ?? 'desc';
    if (!['asc', 'desc'].includes(orderType)) return invalid('order_type', "It should be one of these values: 'asc,desc'");
    const include = q.get('include');
    if (include !== null && !include.split(',').every((i) => ['description', 'requester', 'stats', 'company'].includes(i))) return invalid('include', 'It should be one of these values');
    const sinceText = q.get('updated_since');
    const sinceMs = sinceText === null ? options.now() - 30 * 86_400_000 : Date.parse(sinceText);
    if (Number.isNaN(sinceMs) || (sinceText !== null && !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(sinceText))) return invalid('updated_since', 'It should be in the format YYYY-MM-DDTHH:MM:SSZ');
    const key = (t: FakeFreshdeskTicket) => (orderBy === 'updated_at' ? Date.parse(t.updated_at) : Date.parse(t.created_at));
    const sorted = [...tickets.values()]
      .filter((t) => Date.parse(t.updated_at) >= sinceMs)
      .sort((a, b) => (orderType === 'asc' ? key(a) - key(b) || a.id - b.id : key(b) - key(a) || b.id - a.id));
    const slice = sorted.slice((page - 1) * perPage, page * perPage);
    return { json: slice.map((t) => (include?.includes('description') ? { ...t } : { ...t, description: undefined, description_text: undefined })) };
  }

  const touch = (ticket: FakeFreshdeskTicket) => {
    writes.set(ticket.id, (writes.get(ticket.id) ?? 0) + 1);
    ticket.updated_at = iso(options.now());
  };

  const respond: Responder = (r) => {
    if (r.headers.authorization !== AUTHORIZATION) return { status: 401, json: { code: 'invalid_credentials', message: 'You have to be logged in to perform this action.' } };
    if (r.method === 'GET' && r.path === '/api/v2/tickets') return list(r);
    const match = /^\/api\/v2\/tickets\/(\d+)(\/conversations|\/notes)?$/.exec(r.path);
    const ticket = match === null ? undefined : tickets.get(Number(match[1]));
    if (match === null || ticket === undefined) return { status: 404, json: { code: 'access_denied' } };
    if (r.method === 'GET' && match[2] === undefined) return { json: ticket };
    if (r.method === 'GET' && match[2] === '/conversations') {
      return { json: [{ id: ticket.id * 10, body_text: 'Fixed it for you.', private: false, incoming: false, user_id: 9000 }] };
    }
    if (r.method === 'PUT' && match[2] === undefined) {
      touch(ticket);
      return { json: ticket };
    }
    if (r.method === 'POST' && match[2] === '/notes') {
      touch(ticket);
      return { status: 201, json: { id: ticket.id * 100, private: true } };
    }
    return { status: 405, json: { code: 'method_not_allowed' } };
  };

  return { tickets, respond, listRequests, rateLimited, writeBacks: (id) => writes.get(id) ?? 0 };
}

export function freshdeskTicket(id: number, createdAtMs: number, solved: boolean): FakeFreshdeskTicket {
  return {
    id,
    subject: `Refund request ${id}`,
    description: `<div>I was charged twice for order ${id}.</div>`,
    description_text: `I was charged twice for order ${id}.`,
    status: solved ? 4 : 2,
    priority: 1,
    source: 1,
    requester_id: 600_000 + id,
    responder_id: solved ? 9000 : null,
    tags: [],
    created_at: iso(createdAtMs),
    updated_at: iso(solved ? createdAtMs + 3_600_000 : createdAtMs),
  };
}

/** The automation rules' webhooks (simple mode, one rule per event route) for the ticket. */
export function freshdeskWebhooks(ticket: FakeFreshdeskTicket): { path: string; body: string }[] {
  const inner = {
    ticket_id: ticket.id,
    ticket_subject: ticket.subject,
    ticket_description: ticket.description,
    ticket_status: 'Open',
    ticket_priority: 'Low',
    ticket_source: 'Email',
    requester_email: `customer${ticket.id}@example.com`,
  };
  const created = { path: '/webhooks/freshdesk/ticket-created', body: JSON.stringify({ freshdesk_webhook: { ...inner, triggered_event: '{ticket_action:created}' } }) };
  if (ticket.status !== 4 && ticket.status !== 5) return [created];
  const resolved = {
    path: '/webhooks/freshdesk/ticket-resolved',
    body: JSON.stringify({ freshdesk_webhook: { ...inner, ticket_status: 'Resolved', triggered_event: '{status:{from:2,to:4}}' } }),
  };
  return [created, resolved];
}

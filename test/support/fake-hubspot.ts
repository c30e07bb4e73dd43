/**
 * A fake HubSpot account (tickets) for reconciliation tests, from HubSpot's published contract:
 * crm-tickets-v3.json / crm-notes-v3.json in ../shared/specs/helpdesks/hubspot (against which
 * helpdesk-contracts.ts also checks every request) and the CRM search guide
 * (https://developers.hubspot.com/docs/guides/api/crm/search):
 * - Search for tickets, `POST /crm/v3/objects/tickets/search`: `filterGroups` (≤ 5 groups of ≤ 6
 *   filters), `sorts` as `[{propertyName, direction: ASCENDING | DESCENDING}]` (one sort), `limit`
 *   ≤ 200, `after` an offset; date filters in epoch milliseconds; at most 10,000 results per query
 *   ("paging beyond 10,000 will result in a 400 error"; here `window`, smaller in tests); the
 *   answer `{total, results: [SimplePublicObject], paging?: {next: {after, link}}}`;
 * - 429 on every `rateLimitEvery`th search, with HubSpot's interval headers
 *   (`X-HubSpot-RateLimit-Interval-Milliseconds`, `-Max`, `-Remaining: 0`; helpdesks.md §5.4);
 * - what processing an event calls: `GET /crm/v3/objects/tickets/{id}`, `PATCH` of it and
 *   `POST /crm/v3/objects/notes` associated with it; both move the ticket's hs_lastmodifieddate;
 * - `Authorization: Bearer {token}`, else 401.
 */
import type { FakeReply, RecordedRequest, Responder } from './fake-server.ts';

export const HUBSPOT_TOKEN = 'pat-na1-reconcile';
const INTERVAL_MS = 1000;

export interface FakeHubSpotTicket {
  id: string;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
  properties: Record<string, string | null>;
}

export interface FakeHubSpot {
  readonly tickets: Map<string, FakeHubSpotTicket>;
  readonly respond: Responder;
  readonly searches: RecordedRequest[];
  /** The interval, in seconds, each 429 announced. */
  readonly rateLimited: number[];
  writeBacks(id: string): number;
}

const iso = (ms: number) => new Date(ms).toISOString();

interface Filter {
  readonly propertyName?: unknown;
  readonly operator?: unknown;
  readonly value?: unknown;
}

export function startFakeHubSpot(options: { now: () => number; rateLimitEvery?: number; window?: number }): FakeHubSpot {
  const tickets = new Map<string, FakeHubSpotTicket>();
  const searches: RecordedRequest[] = [];
  const rateLimited: number[] = [];
  const writes = new Map<string, number>();
  const window = options.window ?? 10_000;
  let searchCount = 0;
  const error = (status: number, category: string, message: string): FakeReply => ({ status, json: { status: 'error', message, correlationId: 'fake-0000', category } });

  const propertyValue = (t: FakeHubSpotTicket, name: string): number | string | null => {
    const v = t.properties[name] ?? null;
    if (v !== null && (name === 'hs_lastmodifieddate' || name === 'createdate' || name === 'closed_date')) return Date.parse(v);
    return v;
  };

  function predicate(f: Filter): ((t: FakeHubSpotTicket) => boolean) | string {
    if (typeof f.propertyName !== 'string') return 'a filter needs propertyName';
    const name = f.propertyName;
    const wanted = typeof f.value === 'string' && /^\d+$/.test(f.value) ? Number(f.value) : f.value;
    const cmp = (t: FakeHubSpotTicket) => {
      const v = propertyValue(t, name);
      return v === null ? undefined : typeof v === 'number' && typeof wanted === 'number' ? v - wanted : String(v).localeCompare(String(wanted));
    };
    switch (f.operator) {
      case 'GTE':
        return (t) => (cmp(t) ?? -1) >= 0;
      case 'GT':
        return (t) => (cmp(t) ?? -1) > 0;
      case 'LTE':
        return (t) => (cmp(t) ?? 1) <= 0;
      case 'LT':
        return (t) => (cmp(t) ?? 1) < 0;
      case 'EQ':
        return (t) => cmp(t) === 0;
      default:
        return `this fake does not implement operator ${String(f.operator)}`;
    }
  }

  function search(r: RecordedRequest): FakeReply {
    searches.push(r);
    searchCount++;
    if (options.rateLimitEvery !== undefined && searchCount % options.rateLimitEvery === 0) {
      rateLimited.push(INTERVAL_MS / 1000);
      return {
        status: 429,
        headers: { 'x-hubspot-ratelimit-interval-milliseconds': String(INTERVAL_MS), 'x-hubspot-ratelimit-max': '5', 'x-hubspot-ratelimit-remaining': '0' },
        json: { status: 'error', message: 'You have reached your secondly limit.', errorType: 'RATE_LIMIT', correlationId: 'fake-0000', policyName: 'SECONDLY' },
      };
    }
    const b = (r.body ?? {}) as { filterGroups?: unknown; sorts?: unknown; limit?: unknown; after?: unknown; properties?: unknown };
    const groups = Array.isArray(b.filterGroups) ? (b.filterGroups as { filters?: unknown }[]) : [];
    if (groups.length > 5 || groups.some((g) => !Array.isArray(g.filters) || g.filters.length > 6)) return error(400, 'VALIDATION_ERROR', 'at most 5 filterGroups of at most 6 filters');
    const groupFns = groups.map((g) => (g.filters as Filter[]).map(predicate));
    const bad = groupFns.flat().find((p) => typeof p === 'string');
    if (typeof bad === 'string') return error(400, 'VALIDATION_ERROR', bad);
    const sorts = Array.isArray(b.sorts) ? (b.sorts as unknown[]) : [];
    if (sorts.length > 1) return error(400, 'VALIDATION_ERROR', 'only one sort is supported');
    const sort = sorts[0] as { propertyName?: unknown; direction?: unknown } | undefined;
    if (sort !== undefined && (typeof sort !== 'object' || typeof sort.propertyName !== 'string' || (sort.direction !== 'ASCENDING' && sort.direction !== 'DESCENDING'))) {
      return error(400, 'VALIDATION_ERROR', 'a sort is {"propertyName": …, "direction": "ASCENDING" | "DESCENDING"}');
    }
    const limit = b.limit ?? 10;
    if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > 200) return error(400, 'VALIDATION_ERROR', 'limit must be from 1 to 200');
    const after = b.after === undefined ? 0 : Number(b.after);
    if (!Number.isInteger(after) || after < 0) return error(400, 'VALIDATION_ERROR', 'after is not a paging cursor');
    if (after + limit > window) return error(400, 'VALIDATION_ERROR', `paging beyond ${window} results is not supported`);
    const matches = (t: FakeHubSpotTicket) => groupFns.length === 0 || groupFns.some((fns) => (fns as ((t: FakeHubSpotTicket) => boolean)[]).every((fn) => fn(t)));
    // Ties in the sorted property come in no documented order: here, newest id first.
    const all = [...tickets.values()].filter((t) => !t.archived && matches(t));
    if (sort !== undefined) {
      const name = sort.propertyName as string;
      const dir = sort.direction === 'DESCENDING' ? -1 : 1;
      all.sort((x, y) => dir * (Number(propertyValue(x, name)) - Number(propertyValue(y, name))) || Number(y.id) - Number(x.id));
    }
    const page = all.slice(after, after + limit);
    const wanted = new Set(Array.isArray(b.properties) ? (b.properties as string[]) : ['hs_pipeline_stage', 'hs_lastmodifieddate', 'createdate', 'subject']);
    const next = after + page.length;
    return {
      json: {
        total: all.length,
        results: page.map((t) => ({ ...t, properties: Object.fromEntries(Object.entries(t.properties).filter(([k]) => wanted.has(k) || k === 'hs_object_id')) })),
        ...(next < all.length ? { paging: { next: { after: String(next), link: `?after=${next}` } } } : {}),
      },
    };
  }

  function touch(ticket: FakeHubSpotTicket): void {
    writes.set(ticket.id, (writes.get(ticket.id) ?? 0) + 1);
    const now = iso(options.now());
    ticket.updatedAt = now;
    ticket.properties.hs_lastmodifieddate = now;
  }

  const respond: Responder = (r) => {
    if (r.headers.authorization !== `Bearer ${HUBSPOT_TOKEN}`) return { status: 401, json: { status: 'error', message: 'Authentication credentials not found.', category: 'INVALID_AUTHENTICATION' } };
    if (r.method === 'POST' && r.path === '/crm/v3/objects/tickets/search') return search(r);
    if (r.method === 'POST' && r.path === '/crm/v3/objects/notes') {
      const to = (r.body as { associations?: { to?: { id?: unknown } }[] } | undefined)?.associations?.[0]?.to?.id;
      const ticket = tickets.get(String(to));
      if (ticket === undefined) return error(400, 'VALIDATION_ERROR', `no ticket ${String(to)} to associate the note with`);
      touch(ticket);
      return { status: 201, json: { id: String(90_000 + (writes.get(ticket.id) ?? 0)), properties: {}, createdAt: iso(options.now()), updatedAt: iso(options.now()), archived: false } };
    }
    const match = /^\/crm\/v3\/objects\/tickets\/(\d+)$/.exec(r.path);
    const ticket = match === null ? undefined : tickets.get(match[1] ?? '');
    if (ticket === undefined) return error(404, 'OBJECT_NOT_FOUND', 'Object not found.');
    if (r.method === 'GET') {
      const asked = new Set((r.query.get('properties') ?? '').split(','));
      return {
        json: {
          ...ticket,
          properties: Object.fromEntries(Object.entries(ticket.properties).filter(([k]) => asked.has(k))),
          associations: { contacts: { results: [{ id: `7${ticket.id}`, type: 'ticket_to_contact' }] } },
        },
      };
    }
    if (r.method === 'PATCH') {
      const properties = (r.body as { properties?: Record<string, string> } | undefined)?.properties ?? {};
      Object.assign(ticket.properties, properties);
      touch(ticket);
      return { json: ticket };
    }
    return error(405, 'METHOD_NOT_ALLOWED', `${r.method} ${r.path}`);
  };

  return { tickets, respond, searches, rateLimited, writeBacks: (id) => writes.get(id) ?? 0 };
}

/** A ticket as the CRM shows it; solved ones moved to the default pipeline's Closed stage ("4") an hour after creation. */
export function hubspotTicket(n: number, createdAtMs: number, solved: boolean): FakeHubSpotTicket {
  const updated = solved ? createdAtMs + 3_600_000 : createdAtMs;
  return {
    id: String(n),
    createdAt: iso(createdAtMs),
    updatedAt: iso(updated),
    archived: false,
    properties: {
      hs_object_id: String(n),
      subject: `Refund request ${n}`,
      content: `I was charged twice for order ${n}. Please refund the duplicate charge.`,
      createdate: iso(createdAtMs),
      hs_lastmodifieddate: iso(updated),
      hs_pipeline: '0',
      hs_pipeline_stage: solved ? '4' : '1',
      closed_date: solved ? iso(updated) : null,
      hs_ticket_priority: 'MEDIUM',
      source_type: 'EMAIL',
    },
  };
}

/** The notifications HubSpot would have sent for the ticket: its creation, then its move to Closed. */
export function hubspotWebhooks(ticket: FakeHubSpotTicket): string[] {
  const base = { subscriptionId: 2604412, portalId: 48807704, appId: 16111050, attemptNumber: 0, objectId: Number(ticket.id), changeSource: 'CRM_UI' };
  const created = JSON.stringify([
    { ...base, eventId: 1_000_000 + Number(ticket.id), occurredAt: Date.parse(ticket.createdAt), subscriptionType: 'ticket.creation', changeFlag: 'CREATED', sourceId: 'userId:76023669' },
  ]);
  if (ticket.properties.hs_pipeline_stage !== '4') return [created];
  const closed = JSON.stringify([
    { ...base, eventId: 2_000_000 + Number(ticket.id), occurredAt: Date.parse(ticket.properties.closed_date ?? ticket.updatedAt), subscriptionType: 'ticket.propertyChange', propertyName: 'hs_pipeline_stage', propertyValue: '4' },
  ]);
  return [created, closed];
}

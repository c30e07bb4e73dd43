/**
 * The helpdesk APIs' published contracts, applied to every request a fake helpdesk receives.
 *
 * - HubSpot, Intercom 2.11, Zendesk: the vendors' own OpenAPI files in ../shared/specs/helpdesks/
 *   (provenance and known defects in its SOURCES.md), read at test time and checked with
 *   openapi-backend (path, method, path/query/header parameters, JSON body). Where ../shared is
 *   absent the check is skipped with one message.
 * - Freshdesk and Salesforce publish no OpenAPI file: their checks are written by hand below from
 *   the vendors' API references (cited at each rule).
 *
 * The only exceptions, each a defect of the vendor file itself (SOURCES.md "Known defects"):
 * 1. Intercom 2.11 references `#/components/schemas/custom_attributes`, which commit 5aa0b4b deleted
 *    from the file: the deleted definitions (schemas-removed-in-5aa0b4b.yaml, verbatim) are put back.
 * 2. Zendesk's `PUT /api/v2/tickets/{ticket_id}/tags` declares no request body although its
 *    description shows `{"tags": [...]}`: that body is checked by hand (`tags`, an array of strings).
 * 3. This Zendesk copy points Update Ticket's `custom_fields` items at the field-*definition* schema
 *    (which requires `key`, `type`, `title`…); a ticket's custom field value is `{id, value}` (Zendesk
 *    "Setting custom field values", and the newer verbatim copy noted in SOURCES.md: `{id: integer,
 *    value: string | number | boolean | string[]}`): those items are checked by hand instead.
 * 4. Zendesk's List Comments describes offset and cursor pagination in its description but lists
 *    none of their query parameters: `page`, `per_page`, `sort_by`, `sort_order`, `sort`,
 *    `page[size]`, `page[after]` are accepted there (the bridge follows the `next_page` Zendesk returns).
 * 5. HubSpot's crm-tickets-v3.json types the search request's `sorts` items as strings, while the CRM
 *    search guide documents objects, `"sorts": [{"propertyName": "createdate", "direction":
 *    "DESCENDING"}]` (https://developers.hubspot.com/docs/guides/api/crm/search, "Sort search
 *    results"): on `…/search` those items are checked by hand instead (`propertyName` a string,
 *    `direction` ASCENDING or DESCENDING, nothing else).
 * 6. Intercom 2.11 puts `nullable: true` on schemas without a `type` (`search_request.pagination`, a
 *    `$ref`; the search filter's `value`, a `oneOf`), which OpenAPI 3.0.3 defines only alongside
 *    `type` and the validator refuses to compile. As OpenAPI 3.0 reads them: beside a `$ref` the
 *    keyword is dropped (siblings of `$ref` are ignored), beside a `oneOf`/`anyOf` it becomes one more
 *    alternative, `null`.
 * 7. Zendesk's Incremental Ticket Event Export documents the `comment_events` sideload in its
 *    description ("You can include comments in the event stream by using the `comment_events`
 *    sideload") but declares no `include` parameter: `include=comment_events` is accepted there, and
 *    only that value. List Users likewise describes cursor pagination without declaring
 *    `page[size]` / `page[after]`: those are accepted there.
 *
 * A request that violates its contract makes the fake answer 400 with the validator's message and
 * is recorded, so the test fails with that message (fake-server.ts `assertNoViolations`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { OpenAPIBackend } from 'openapi-backend';
import { parse as parseYaml } from 'yaml';
import type { RecordedRequest } from './fake-server.ts';

export const HELPDESK_SPECS = new URL('../../../shared/specs/helpdesks/', import.meta.url);
const specsPresent = existsSync(HELPDESK_SPECS);
let warned = false;

type Vendor = 'zendesk' | 'intercom' | 'hubspot' | 'freshdesk' | 'salesforce';

/** The violations of one request; empty when it keeps the vendor's contract (or has none). */
export type ContractCheck = (request: RecordedRequest) => Promise<string[]>;

const backends = new Map<string, Promise<OpenAPIBackend>>();

function specFile(name: string): URL {
  return new URL(name, HELPDESK_SPECS);
}

function load(name: string, build: () => Record<string, unknown>): Promise<OpenAPIBackend> {
  let backend = backends.get(name);
  if (backend === undefined) {
    backend = (async () => {
      const api = new OpenAPIBackend({
        definition: build() as never,
        // Compile each operation's validators when first used: the files hold hundreds.
        quick: true,
        validate: true,
        // The files use formats (email, date-time, int64…) ajv does not know by default; they are
        // annotations here, and the warnings would bury the test output.
        ajvOpts: { logger: false },
      });
      await api.init();
      return api;
    })();
    backends.set(name, backend);
  }
  return backend;
}

function yamlFile(name: string): Record<string, unknown> {
  return parseYaml(readFileSync(specFile(name), 'utf8'), { maxAliasCount: -1 }) as Record<string, unknown>;
}

function jsonFile(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(specFile(name), 'utf8')) as Record<string, unknown>;
}

const SPECS = {
  zendesk: ['zendesk/support-oas.yaml'],
  intercom: ['intercom/api.intercom.io-2.11.yaml'],
  hubspot: ['hubspot/crm-tickets-v3.json', 'hubspot/crm-notes-v3.json', 'hubspot/crm-emails-v3.json', 'hubspot/conversations-v3.json'],
} as const;

function definition(name: string): Record<string, unknown> {
  if (name.endsWith('.json')) return jsonFile(name);
  const doc = yamlFile(name);
  if (name === 'intercom/api.intercom.io-2.11.yaml') {
    // Exception 1: restore the definitions 5aa0b4b deleted but the file still references.
    const removed = yamlFile('intercom/schemas-removed-in-5aa0b4b.yaml');
    const components = doc.components as { schemas: Record<string, unknown> };
    components.schemas = { ...removed, ...components.schemas };
    // Exception 6.
    typelessNullable(doc);
  }
  return doc;
}

/** Exception 6: `nullable` on a schema without `type`, rewritten as OpenAPI 3.0 means it. Linear in the document. */
function typelessNullable(node: unknown): void {
  const stack: unknown[] = [node];
  while (stack.length > 0) {
    const value = stack.pop();
    if (value === null || typeof value !== 'object') continue;
    if (Array.isArray(value)) {
      stack.push(...value);
      continue;
    }
    const schema = value as Record<string, unknown>;
    if (schema.nullable === true && schema.type === undefined) {
      delete schema.nullable;
      const alternatives = Array.isArray(schema.oneOf) ? schema.oneOf : Array.isArray(schema.anyOf) ? schema.anyOf : undefined;
      if (alternatives !== undefined) alternatives.push({ type: 'null' });
    }
    stack.push(...Object.values(schema));
  }
}

/** Which helpdesk a request is addressed to, from how the bridge calls each (path, headers). */
export function vendorOf(request: RecordedRequest): Vendor | undefined {
  if (request.path.startsWith('/services/data/')) return 'salesforce';
  if (request.headers['intercom-version'] !== undefined) return 'intercom';
  if (request.path.startsWith('/crm/') || request.path.startsWith('/conversations/')) return 'hubspot';
  if (request.path.startsWith('/api/v2/')) {
    const credentials = basicCredentials(request.headers.authorization);
    // Freshdesk: Basic {apiKey}:X (developers.freshdesk.com/api/#authentication); Zendesk: Basic
    // {email}/token:{token} or a Bearer token (developer.zendesk.com/api-reference/introduction/security-and-auth/).
    if (credentials?.endsWith(':X') === true && !credentials.includes('/token:')) return 'freshdesk';
    return 'zendesk';
  }
  return undefined;
}

function basicCredentials(header: string | string[] | undefined): string | undefined {
  if (typeof header !== 'string' || !header.startsWith('Basic ')) return undefined;
  return Buffer.from(header.slice('Basic '.length), 'base64').toString('utf8');
}

/**
 * Parses a vendor's OpenAPI files now rather than at the first request its fake receives: parsing
 * Zendesk's takes about 2 s of synchronous work, which stalls every other request in flight in the
 * test process (a fake Simpli's answers among them, past the bridge's 2 s timeout in the harness).
 */
export async function preloadContract(vendor: string): Promise<void> {
  if (!specsPresent || !(vendor === 'zendesk' || vendor === 'intercom' || vendor === 'hubspot')) return;
  await Promise.all(SPECS[vendor].map((file) => load(file, () => definition(file))));
}

/** Checks a request against its vendor's contract. */
export const helpdeskContract: ContractCheck = async (request) => {
  const vendor = vendorOf(request);
  if (vendor === undefined) return [];
  if (vendor === 'freshdesk') return freshdeskViolations(request);
  if (vendor === 'salesforce') return salesforceViolations(request);
  if (!specsPresent) {
    if (!warned) console.warn(`helpdesk OpenAPI files not found at ${HELPDESK_SPECS.pathname}: fake ${vendor} requests are not validated against them.`);
    warned = true;
    return [];
  }
  return openApiViolations(vendor, request);
};

async function openApiViolations(vendor: 'zendesk' | 'intercom' | 'hubspot', request: RecordedRequest): Promise<string[]> {
  const req = {
    method: request.method,
    path: request.path,
    headers: Object.fromEntries(Object.entries(request.headers).filter((e): e is [string, string | string[]] => e[1] !== undefined)),
    query: Object.fromEntries(request.query.entries()),
    body: request.body,
  };
  for (const file of SPECS[vendor]) {
    const api = await load(file, () => definition(file));
    const operation = api.matchOperation(req);
    if (operation === undefined) continue;
    const where = `${request.method} ${request.path} (${file}, ${operation.operationId ?? 'operation'})`;
    const result = api.validateRequest(req, operation);
    const customFieldsException = vendor === 'zendesk' && operation.operationId === 'UpdateTicket';
    const paginationException = vendor === 'zendesk' && operation.operationId === 'ListTicketComments';
    const exportException = vendor === 'zendesk' && operation.operationId === 'IncrementalTicketExportCursor';
    const sortsException = vendor === 'hubspot' && request.path.endsWith('/search');
    const eventsException = vendor === 'zendesk' && operation.operationId === 'IncrementalTicketEvents';
    const usersException = vendor === 'zendesk' && operation.operationId === 'ListUsers';
    const errors = (result.errors ?? [])
      .filter((e) => !(customFieldsException && e.instancePath.startsWith('/requestBody/ticket/custom_fields/')))
      .filter((e) => !(paginationException && e.instancePath === '/query' && ZENDESK_PAGINATION.has(String(e.params.additionalProperty))))
      .filter((e) => !(eventsException && e.instancePath === '/query' && e.params.additionalProperty === 'include' && req.query.include === 'comment_events'))
      .filter((e) => !(usersException && e.instancePath === '/query' && (e.params.additionalProperty === 'page[size]' || e.params.additionalProperty === 'page[after]')))
      .filter((e) => !(exportException && e.instancePath === '/query' && (e.params.additionalProperty === 'per_page' || (e.params.missingProperty === 'start_time' && req.query.cursor !== undefined))))
      .filter((e) => !(sortsException && e.instancePath.startsWith('/requestBody/sorts/')))
      .map((e) => `${where}: ${e.instancePath || '/'} ${e.message ?? 'is invalid'} ${JSON.stringify(e.params)}`);
    if (vendor === 'zendesk' && operation.operationId === 'PutTagsTicket') errors.push(...zendeskTagsViolations(where, request.body));
    if (customFieldsException) errors.push(...zendeskCustomFieldViolations(where, request.body));
    if (sortsException) errors.push(...hubspotSortsViolations(where, request.body));
    if (request.body !== undefined && typeof request.body === 'string') errors.push(`${where}: the body is not JSON`);
    return errors;
  }
  return [`${request.method} ${request.path} is no operation of ${SPECS[vendor].join(', ')}`];
}

const ZENDESK_PAGINATION = new Set(['page', 'per_page', 'sort_by', 'sort_order', 'sort', 'page[size]', 'page[after]']);

/** Exception 2: the Tags API body, as its description shows it (`{"tags": ["customer"]}`). */
function zendeskTagsViolations(where: string, body: unknown): string[] {
  const tags = (body as { tags?: unknown } | null | undefined)?.tags;
  const keys = body !== null && typeof body === 'object' ? Object.keys(body) : [];
  if (!Array.isArray(tags) || tags.length === 0 || !tags.every((t) => typeof t === 'string' && t !== '')) {
    return [`${where}: the body must be {"tags": [non-empty strings]}`];
  }
  return keys.filter((k) => k !== 'tags' && k !== 'updated_stamp' && k !== 'safe_update').map((k) => `${where}: unexpected key ${k}`);
}

/** Exception 3: `ticket.custom_fields` items are `{id: integer, value: string | number | boolean | string[] | null}`. */
function zendeskCustomFieldViolations(where: string, body: unknown): string[] {
  const fields = (body as { ticket?: { custom_fields?: unknown } } | null | undefined)?.ticket?.custom_fields;
  if (fields === undefined) return [];
  if (!Array.isArray(fields)) return [`${where}: ticket.custom_fields must be an array of {id, value}`];
  return fields.flatMap((field: unknown, i) => {
    const f = field as { id?: unknown; value?: unknown } | null;
    const value = f?.value;
    const okValue =
      value === null || ['string', 'number', 'boolean'].includes(typeof value) || (Array.isArray(value) && value.every((v) => typeof v === 'string'));
    const keys = f !== null && typeof f === 'object' ? Object.keys(f) : [];
    return [
      ...(Number.isSafeInteger(f?.id) ? [] : [`${where}: ticket.custom_fields[${i}].id must be the field's integer id`]),
      ...(okValue ? [] : [`${where}: ticket.custom_fields[${i}].value must be a string, number, boolean or list of strings`]),
      ...keys.filter((k) => k !== 'id' && k !== 'value').map((k) => `${where}: ticket.custom_fields[${i}] has unexpected key ${k}`),
    ];
  });
}

/** Exception 5: HubSpot search `sorts` items, as the CRM search guide documents them. */
function hubspotSortsViolations(where: string, body: unknown): string[] {
  const sorts = (body as { sorts?: unknown } | null | undefined)?.sorts;
  if (!Array.isArray(sorts)) return [];
  return sorts.flatMap((sort: unknown, i) => {
    const s = sort as { propertyName?: unknown; direction?: unknown } | null;
    const keys = s !== null && typeof s === 'object' ? Object.keys(s) : [];
    return [
      ...(typeof s?.propertyName === 'string' && s.propertyName !== '' ? [] : [`${where}: sorts[${i}].propertyName must name a property`]),
      ...(s?.direction === 'ASCENDING' || s?.direction === 'DESCENDING' ? [] : [`${where}: sorts[${i}].direction must be ASCENDING or DESCENDING`]),
      ...keys.filter((k) => k !== 'propertyName' && k !== 'direction').map((k) => `${where}: sorts[${i}] has unexpected key ${k}`),
    ];
  });
}

// ---------------------------------------------------------------------------------------------
// Freshdesk, by hand from https://developers.freshdesk.com/api/ (no OpenAPI file is published).

const FRESHDESK_ID = /^\/api\/v2\/tickets\/(\d+)(\/conversations|\/notes)?$/;
/** "Update a ticket": the fields the bridge may send and their documented types/values. */
const FRESHDESK_PRIORITIES = new Set([1, 2, 3, 4]); // Low, Medium, High, Urgent
const FRESHDESK_STATUSES = new Set([2, 3, 4, 5]); // Open, Pending, Resolved, Closed

/**
 * "List all tickets" (https://developers.freshdesk.com/api/#list_all_tickets): filter, requester_id,
 * email, unique_external_id, company_id, updated_since (ISO 8601), order_by (created_at, due_by,
 * updated_at, status), order_type (asc, desc), include (description, requester, stats, company),
 * per_page 1..100, page ≥ 1. Used by reconciliation (lib/providers/freshdesk/list.ts).
 */
function freshdeskListViolations(where: string, query: URLSearchParams): string[] {
  const errors: string[] = [];
  for (const [key, value] of query) {
    if (key === 'per_page' || key === 'page') {
      if (!/^\d+$/.test(value) || Number(value) < 1 || (key === 'per_page' && Number(value) > 100)) errors.push(`${where}: ${key}=${value} is out of range`);
    } else if (key === 'updated_since') {
      if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2}))?$/.test(value)) errors.push(`${where}: updated_since must be an ISO 8601 time`);
    } else if (key === 'order_by') {
      if (!['created_at', 'due_by', 'updated_at', 'status'].includes(value)) errors.push(`${where}: order_by=${value} is not created_at, due_by, updated_at or status`);
    } else if (key === 'order_type') {
      if (value !== 'asc' && value !== 'desc') errors.push(`${where}: order_type must be asc or desc`);
    } else if (key === 'include') {
      for (const part of value.split(',')) if (!['description', 'requester', 'stats', 'company'].includes(part)) errors.push(`${where}: include=${part} is not offered by List all tickets`);
    } else if (!['filter', 'requester_id', 'email', 'unique_external_id', 'company_id'].includes(key)) {
      errors.push(`${where}: unknown query parameter ${key}`);
    }
  }
  return errors;
}

function freshdeskViolations(request: RecordedRequest): string[] {
  const where = `Freshdesk ${request.method} ${request.path}`;
  const errors: string[] = [];
  const credentials = basicCredentials(request.headers.authorization);
  if (credentials === undefined || credentials.length <= 2) errors.push(`${where}: needs HTTP Basic {apiKey}:X (#authentication)`);
  if (request.method === 'GET' && request.path === '/api/v2/tickets') return [...errors, ...freshdeskListViolations(where, request.query)];
  const match = FRESHDESK_ID.exec(request.path);
  if (match === null) return [...errors, `${where}: no such endpoint (ticket ids are integers: /api/v2/tickets/[id])`];
  const sub = match[2];
  const body = request.body;
  if (request.method === 'GET' && sub === undefined) {
    // "View a ticket": optional include=conversations|requester|company|stats.
    for (const key of request.query.keys()) if (key !== 'include') errors.push(`${where}: unknown query parameter ${key}`);
  } else if (request.method === 'GET' && sub === '/conversations') {
    // "List all conversations of a ticket": per_page 1..100, page ≥ 1.
    for (const [key, value] of request.query) {
      if (key !== 'per_page' && key !== 'page') errors.push(`${where}: unknown query parameter ${key}`);
      else if (!/^\d+$/.test(value) || Number(value) < 1 || (key === 'per_page' && Number(value) > 100)) errors.push(`${where}: ${key}=${value} is out of range`);
    }
  } else if (request.method === 'PUT' && sub === undefined) {
    errors.push(...jsonObjectViolations(where, request, body));
    const b = (body ?? {}) as Record<string, unknown>;
    for (const key of Object.keys(b)) {
      if (!['priority', 'status', 'tags', 'custom_fields', 'type', 'group_id', 'responder_id', 'subject', 'description'].includes(key)) errors.push(`${where}: ${key} is no field of Update a ticket`);
    }
    if ('priority' in b && !FRESHDESK_PRIORITIES.has(b.priority as number)) errors.push(`${where}: priority must be 1, 2, 3 or 4`);
    if ('status' in b && !FRESHDESK_STATUSES.has(b.status as number)) errors.push(`${where}: status must be 2, 3, 4 or 5`);
    if ('tags' in b && !(Array.isArray(b.tags) && b.tags.every((t) => typeof t === 'string'))) errors.push(`${where}: tags must be an array of strings`);
    if ('custom_fields' in b && (b.custom_fields === null || typeof b.custom_fields !== 'object' || Array.isArray(b.custom_fields))) {
      errors.push(`${where}: custom_fields must be an object of cf_* names`);
    } else if ('custom_fields' in b) {
      for (const name of Object.keys(b.custom_fields as object)) if (!name.startsWith('cf_')) errors.push(`${where}: custom field ${name} must be named cf_…`);
    }
  } else if (request.method === 'POST' && sub === '/notes') {
    // "Add note to a ticket": body (HTML, required), private (boolean), incoming, notify_emails, user_id.
    errors.push(...jsonObjectViolations(where, request, body));
    const b = (body ?? {}) as Record<string, unknown>;
    if (typeof b.body !== 'string' || b.body.trim() === '') errors.push(`${where}: body (the note's HTML) is required`);
    if ('private' in b && typeof b.private !== 'boolean') errors.push(`${where}: private must be a boolean`);
    for (const key of Object.keys(b)) if (!['body', 'private', 'incoming', 'notify_emails', 'user_id'].includes(key)) errors.push(`${where}: ${key} is no field of Add note`);
  } else {
    errors.push(`${where}: not an endpoint the Freshdesk API offers for this method`);
  }
  return errors;
}

// ---------------------------------------------------------------------------------------------
// Salesforce REST, by hand from developer.salesforce.com/docs/atlas.en-us.api_rest.meta (no public
// OpenAPI file): sObject rows (dome_update_fields.htm), CaseComment (sforce_api_objects_casecomment.htm).

const SALESFORCE_PATH = /^\/services\/data\/v\d+\.\d\/(sobjects\/(Case)\/([A-Za-z0-9]{15}|[A-Za-z0-9]{18})|sobjects\/CaseComment|sobjects\/Case\/[A-Za-z0-9]{15,18}\/CaseComments|query|query\/[A-Za-z0-9]{15,18}-\d+)\/?$/;

function salesforceViolations(request: RecordedRequest): string[] {
  const where = `Salesforce ${request.method} ${request.path}`;
  const errors: string[] = [];
  const auth = request.headers.authorization;
  if (typeof auth !== 'string' || !/^Bearer \S+$/.test(auth)) errors.push(`${where}: needs Authorization: Bearer <token>`);
  const match = SALESFORCE_PATH.exec(request.path);
  if (match === null) return [...errors, `${where}: no such REST resource (ids are 15 or 18 characters)`];
  const resource = match[1] ?? '';
  const body = request.body as Record<string, unknown> | undefined;
  if (request.method === 'PATCH' && match[2] === 'Case') {
    errors.push(...jsonObjectViolations(where, request, body));
    // "Update a record": the fields to change; Id is in the URL, never in the body.
    if (body !== undefined && 'Id' in body) errors.push(`${where}: Id must not be in the body`);
  } else if (request.method === 'POST' && resource === 'sobjects/CaseComment') {
    errors.push(...jsonObjectViolations(where, request, body));
    const b = body ?? {};
    if (typeof b.ParentId !== 'string' || !/^[A-Za-z0-9]{15}([A-Za-z0-9]{3})?$/.test(b.ParentId)) errors.push(`${where}: ParentId (the Case id) is required`);
    if (typeof b.CommentBody !== 'string' || b.CommentBody === '') errors.push(`${where}: CommentBody is required`);
    else if (Buffer.byteLength(b.CommentBody) > 4000) errors.push(`${where}: CommentBody is limited to 4,000 bytes`);
    if ('IsPublished' in b && typeof b.IsPublished !== 'boolean') errors.push(`${where}: IsPublished must be a boolean`);
  } else if (request.method === 'GET') {
    if (resource === 'query' && (request.query.get('q') ?? '') === '') errors.push(`${where}: query needs q=<SOQL>`);
    // queryMore: the nextRecordsUrl of a query, `/query/{locator}-{offset}`, takes no parameters
    // (REST API Developer Guide, "Execute a SOQL Query").
    if (resource.startsWith('query/') && [...request.query.keys()].length > 0) errors.push(`${where}: a nextRecordsUrl takes no query parameters`);
  } else {
    errors.push(`${where}: not a method this resource takes`);
  }
  return errors;
}

function jsonObjectViolations(where: string, request: RecordedRequest, body: unknown): string[] {
  const errors: string[] = [];
  if (!String(request.headers['content-type'] ?? '').startsWith('application/json')) errors.push(`${where}: Content-Type must be application/json`);
  if (body === null || typeof body !== 'object' || Array.isArray(body)) errors.push(`${where}: the body must be a JSON object`);
  return errors;
}

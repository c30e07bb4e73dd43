/**
 * Salesforce's listing for reconciliation and backfill: SOQL through the REST API,
 * `GET /services/data/vNN.N/query?q=…`, following `nextRecordsUrl` while `done` is false
 * (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_query.htm).
 * Three listings, each keyed by (time, Id) and bounded by `LIMIT n` per page:
 * - Cases on `LastModifiedDate` (creations and closures);
 * - reconcile only (ListQuery.messages), the customer messages, on `CreatedDate` (a message is
 *   created once; its events are its creation): `CaseComment`s with `IsPublished = true`, and
 *   `EmailMessage`s with `Incoming = true` and a `ParentId` (the Case). Field names and types from
 *   the Object Reference: CaseComment (`ParentId` "ID of the parent Case", `IsPublished`,
 *   `CommentBody`, `CreatedDate`) https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_objects_casecomment.htm,
 *   EmailMessage (`ParentId` "Parent Case", `Incoming`, `TextBody`, `HtmlBody`, `MessageDate`)
 *   https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_emailmessage.htm.
 *   A published comment written by an internal user (`CreatedBy.UserType = 'Standard'`, User
 *   object reference) is an agent's reply, not a customer message, and is left out.
 * Pages are keyed, not query locators (which expire after 15 minutes of inactivity): each page asks
 * for the records after the last one seen, `(T > t OR (T = t AND Id > 'last id')) ORDER BY T, Id
 * LIMIT n` (SOQL ORDER BY / LIMIT: https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select.htm),
 * so a pass resumed hours later still continues exactly where it stopped. The cursor holds one key
 * per listing (`null` once that listing is at its end).
 *
 * Limits, as write-backs honour them: 403 REQUEST_LIMIT_EXCEEDED is retried (limits.ts). Every
 * answer's `Sforce-Limit-Info: api-usage=used/allowed` (the org's rolling 24-hour allowance,
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/headers_api_usage.htm)
 * is read: at `listMaxApiUsage` (default 0.9) of the allowance the pass stops after the page
 * (ListPage.stop), leaving the rest to write-backs; the next run continues where it stopped.
 *
 * Identity, the same as parse.ts gives outbound messages (both call identity.ts):
 * - `ticket.created:{Case Id}`;
 * - `ticket.resolved:{Case Id}:{ClosedDate}` for a closed Case, ClosedDate as ISO 8601 UTC with
 *   milliseconds (the REST API writes `+0000`, outbound messages `Z`; identity.ts normalises both);
 * - `message.created:{ParentId}:{CaseComment or EmailMessage Id}`.
 * A record id must pass the check ingest applies to a webhook's (lib/ticket-id.ts): reconciliation
 * enqueues without ingest, so a row whose id Salesforce would never issue is reported, not queued.
 *
 * The queued payload is the outbound message's shape (`{notificationId, organizationId,
 * sObjectType, sObject}`, field values as strings), which normalize.ts reads.
 */
import { UpstreamError } from '../../errors.ts';
import type { HttpClient } from '../../http.ts';
import { cursorObject, invalidCursor } from '../../reconcile/cursor.ts';
import { listSetting, type HelpdeskLister, type ListedEvent, type ListedRecord } from '../../reconcile/types.ts';
import { isValidTicketId, ticketIdFormat } from '../../ticket-id.ts';
import { isBridgeNote } from '../../write-back-summary.ts';
import { createdIdentity, messageIdentity, resolvedIdentity } from './identity.ts';
import { messageTextOf } from './message-text.ts';
import { isRetryableSalesforceError } from './limits.ts';
import type { SalesforceAuth } from './auth.ts';
import { salesforceApi } from './settings.ts';

export const SALESFORCE_PAGE_SIZE = 200;
/**
 * The smallest batch a query answers with ("Query Options Header": batchSize 200–2000, default
 * 2000; https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/headers_queryoptions.htm).
 */
const MIN_QUERY_BATCH = 200;
/** Of the org's daily API allowance, the share above which a pass stops (leaving it to write-backs). */
export const SALESFORCE_MAX_API_USAGE = 0.9;
const TIMEOUT_MS = 10_000;
const CASE_FIELDS = ['Id', 'CaseNumber', 'Subject', 'Description', 'Status', 'IsClosed', 'ClosedDate', 'Priority', 'Origin', 'ContactId', 'SuppliedEmail', 'OwnerId', 'CreatedDate', 'LastModifiedDate'];
const SOQL_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

type ListingName = 'cases' | 'comments' | 'emails';

interface Listing {
  readonly sObjectType: 'Case' | 'CaseComment' | 'EmailMessage';
  readonly timeField: 'LastModifiedDate' | 'CreatedDate';
  readonly fields: readonly string[];
  /** Conditions of the listing besides the key. */
  readonly where: string | undefined;
}

const LISTINGS: Readonly<Record<ListingName, Listing>> = {
  cases: { sObjectType: 'Case', timeField: 'LastModifiedDate', fields: CASE_FIELDS, where: undefined },
  comments: {
    sObjectType: 'CaseComment',
    timeField: 'CreatedDate',
    fields: ['Id', 'ParentId', 'CommentBody', 'IsPublished', 'CreatedDate', 'LastModifiedDate', 'CreatedBy.UserType'],
    where: 'IsPublished = true',
  },
  emails: {
    sObjectType: 'EmailMessage',
    timeField: 'CreatedDate',
    fields: ['Id', 'ParentId', 'Subject', 'TextBody', 'HtmlBody', 'FromAddress', 'Incoming', 'MessageDate', 'CreatedDate', 'LastModifiedDate'],
    where: 'Incoming = true AND ParentId != null',
  },
};

/** Where a listing continues: after (since, afterId); `afterId` '' for "at or after since". */
interface Key {
  readonly since: string;
  readonly afterId: string;
}

/** Per listing, its next key, or null at its end; absent: not started (from the pass's since). */
type SalesforceCursor = Partial<Record<ListingName, Key | null>>;

export const salesforceLister: HelpdeskLister = {
  provider: 'salesforce',
  async listPage(http, settings, query) {
    const api = salesforceApi(settings);
    const pageSize = listSetting(settings, 'listPageSize', SALESFORCE_PAGE_SIZE);
    const maxUsage = listSetting(settings, 'listMaxApiUsage', SALESFORCE_MAX_API_USAGE);
    const start = query.cursor === undefined ? {} : cursorOf(query.cursor);
    const names: readonly ListingName[] = query.messages === true ? ['cases', 'comments', 'emails'] : ['cases'];
    const origin = new URL(api.baseUrl).origin;
    const records: ListedRecord[] = [];
    const rejected: string[] = [];
    const next: SalesforceCursor = {};
    let usage: ApiUsage | undefined;
    for (const name of names) {
      const listing = LISTINGS[name];
      const at = start[name] === undefined ? { since: soqlTime(query.sinceMs), afterId: '' } : start[name];
      if (at === null) {
        next[name] = null;
        continue;
      }
      const rows: Record<string, unknown>[] = [];
      let url: string | undefined = `${api.baseUrl}/query?q=${encodeURIComponent(soqlOf(listing, at, pageSize))}`;
      // LIMIT pageSize rows come in batches of at least 200 (MIN_QUERY_BATCH): a query that still is
      // not done after that many is not followed further, whatever it says (a loop of nextRecordsUrl).
      const maxBatches = Math.ceil(pageSize / MIN_QUERY_BATCH) + 1;
      for (let batch = 0; url !== undefined && batch < maxBatches && rows.length < pageSize; batch++) {
        const answer = await getJson(http, api.auth, url);
        usage = higher(usage, answer.usage);
        const body = answer.body;
        if (!Array.isArray(body.records)) throw malformed('the query answered without records');
        rows.push(...(body.records as Record<string, unknown>[]));
        // Never send the token to another host, whatever a response says.
        url = body.done === false && typeof body.nextRecordsUrl === 'string' ? new URL(body.nextRecordsUrl, origin).toString() : undefined;
        if (url !== undefined && new URL(url).origin !== origin) url = undefined;
      }
      for (const row of rows) {
        const record = name === 'cases' ? caseOf(row) : messageOf(listing, row);
        if (typeof record === 'string') rejected.push(record);
        else if (record !== undefined) records.push(record);
      }
      // Stopped with the query not done: not the listing's end; the next page starts after the last row.
      next[name] = rows.length < pageSize && url === undefined ? null : keyAfter(listing, rows.at(-1));
    }
    if (names.every((name) => next[name] === null)) return { records, next: undefined, rejected };
    const stop =
      usage !== undefined && usage.used >= usage.allowed * maxUsage
        ? `Salesforce API usage is ${usage.used}/${usage.allowed} (Sforce-Limit-Info), at or above listMaxApiUsage (${maxUsage}): the pass stops here to leave the rest of the org's daily allowance to write-backs, and the next run continues where it stopped`
        : undefined;
    return { records, next: JSON.stringify(next), rejected, ...(stop === undefined ? {} : { stop }) };
  },
};

function soqlOf(listing: Listing, at: Key, pageSize: number): string {
  const t = listing.timeField;
  const key = at.afterId === '' ? `${t} >= ${at.since}` : `(${t} > ${at.since} OR (${t} = ${at.since} AND Id > '${at.afterId}'))`;
  const where = listing.where === undefined ? key : `${listing.where} AND ${key}`;
  return `SELECT ${listing.fields.join(', ')} FROM ${listing.sObjectType} WHERE ${where} ORDER BY ${t} ASC, Id ASC LIMIT ${pageSize}`;
}

/** The key after a full page's last row: without a usable time and id, the next page cannot be asked for. */
function keyAfter(listing: Listing, last: Record<string, unknown> | undefined): Key {
  const atMs = Date.parse(String(last?.[listing.timeField] ?? ''));
  const id = String(last?.Id ?? '');
  if (Number.isNaN(atMs) || !isValidTicketId('salesforce', id)) throw malformed(`the last ${listing.sObjectType} of a full page has no valid Id and ${listing.timeField} to continue from`);
  return { since: soqlTime(atMs), afterId: id };
}

/** A stored cursor as list.ts writes it; its values go into SOQL, so only well-formed ones pass. */
function cursorOf(text: string): SalesforceCursor {
  const c = cursorObject('salesforce', text);
  // Before messages were listed the cursor was the Cases' key itself.
  if ('since' in c || 'afterId' in c) return { cases: keyOf('the Cases', c) };
  const cursor: SalesforceCursor = {};
  for (const [name, value] of Object.entries(c)) {
    if (!(name in LISTINGS)) throw invalidCursor('salesforce', `names an unknown listing "${name.slice(0, 40)}"`);
    if (value !== null && (typeof value !== 'object' || Array.isArray(value))) throw invalidCursor('salesforce', `has a ${name} key that is not an object`);
    cursor[name as ListingName] = value === null ? null : keyOf(`the ${name}`, value as Record<string, unknown>);
  }
  return cursor;
}

function keyOf(what: string, c: Record<string, unknown>): Key {
  if (typeof c.since !== 'string' || !SOQL_TIME.test(c.since) || Number.isNaN(Date.parse(c.since))) throw invalidCursor('salesforce', `has no valid \`since\` time (YYYY-MM-DDTHH:MM:SSZ) for ${what}`);
  if (typeof c.afterId !== 'string' || (c.afterId !== '' && !isValidTicketId('salesforce', c.afterId))) throw invalidCursor('salesforce', `has no valid \`afterId\` (a record id) for ${what}`);
  return { since: c.since, afterId: c.afterId };
}

interface ApiUsage {
  readonly used: number;
  readonly allowed: number;
}

/** `Sforce-Limit-Info: api-usage=10018/100000; api-bursts=1/750` → {used, allowed}. */
export function apiUsageOf(header: string | null): ApiUsage | undefined {
  const m = /(?:^|[;,\s])api-usage=(\d{1,12})\/(\d{1,12})/.exec(header ?? '');
  if (m === null) return undefined;
  const allowed = Number(m[2]);
  return allowed > 0 ? { used: Number(m[1]), allowed } : undefined;
}

function higher(a: ApiUsage | undefined, b: ApiUsage | undefined): ApiUsage | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return b.used / b.allowed >= a.used / a.allowed ? b : a;
}

/** SOQL dateTime literal, UTC, to the second (LastModifiedDate has no finer precision). */
function soqlTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The Case's record, or why it cannot be one. */
function caseOf(row: Record<string, unknown>): ListedRecord | string {
  // The same check as a webhook's Case Id at ingest (lib/ticket-id.ts, salesforce-id.ts).
  if (typeof row.Id !== 'string' || !isValidTicketId('salesforce', row.Id)) return `a Case with an invalid Id ${JSON.stringify(row.Id ?? null).slice(0, 40)} (expected ${ticketIdFormat('salesforce').expected})`;
  const id = row.Id;
  const createdAtMs = Date.parse(String(row.CreatedDate ?? ''));
  const updatedAtMs = Date.parse(String(row.LastModifiedDate ?? ''));
  if (Number.isNaN(createdAtMs) || Number.isNaN(updatedAtMs)) return `Case ${id} has no valid CreatedDate / LastModifiedDate`;
  const sObject: Record<string, string | null> = {};
  for (const field of CASE_FIELDS) {
    const value = row[field];
    sObject[field] = value === undefined || value === null ? null : String(value);
  }
  const payload = { notificationId: `reconcile:${id}`, organizationId: undefined, sObjectType: 'Case', sObject };
  const events: ListedEvent[] = [{ eventType: 'ticket.created', ticketId: id, identity: createdIdentity(id), payload }];
  const closedDate = typeof row.ClosedDate === 'string' ? row.ClosedDate : undefined;
  const closed = row.IsClosed === true && closedDate !== undefined && !Number.isNaN(Date.parse(closedDate));
  if (closed) events.push({ eventType: 'ticket.resolved', ticketId: id, identity: resolvedIdentity(id, closedDate, payload.notificationId), payload });
  return { ticketId: id, createdAtMs, updatedAtMs, open: !closed, events };
}

/** A CaseComment's or EmailMessage's record; undefined when it is no customer message; why it cannot be one otherwise. */
function messageOf(listing: Listing, row: Record<string, unknown>): ListedRecord | string | undefined {
  const type = listing.sObjectType;
  if (typeof row.Id !== 'string' || !isValidTicketId('salesforce', row.Id)) return `a ${type} with an invalid Id ${JSON.stringify(row.Id ?? null).slice(0, 40)}`;
  const id = row.Id;
  // The same check as a webhook's ParentId at ingest (it is the ticket id).
  if (typeof row.ParentId !== 'string' || !isValidTicketId('salesforce', row.ParentId)) {
    return `${type} ${id} has an invalid ParentId ${JSON.stringify(row.ParentId ?? null).slice(0, 40)} (expected ${ticketIdFormat('salesforce').expected})`;
  }
  const caseId = row.ParentId;
  const createdAtMs = Date.parse(String(row.CreatedDate ?? ''));
  if (Number.isNaN(createdAtMs)) return `${type} ${id} has no valid CreatedDate`;
  // The query asks only for these; a row that is not one is left out, as parse.ts ignores its notification.
  if (type === 'CaseComment' && (row.IsPublished !== true || (row.CreatedBy as { UserType?: unknown } | null | undefined)?.UserType === 'Standard')) return undefined;
  if (type === 'EmailMessage' && row.Incoming !== true) return undefined;
  // As an outbound message carries it: field values as strings; the relationship field is not one.
  const sObject: Record<string, string> = {};
  for (const field of listing.fields) {
    const value = row[field];
    if (!field.includes('.') && value !== undefined && value !== null) sObject[field] = String(value);
  }
  if (isBridgeNote(messageTextOf(sObject))) return undefined;
  const payload = { notificationId: `reconcile:${id}`, organizationId: undefined, sObjectType: type, sObject };
  const events: ListedEvent[] = [{ eventType: 'message.created', ticketId: caseId, identity: messageIdentity(caseId, id), payload }];
  return { ticketId: caseId, createdAtMs, updatedAtMs: createdAtMs, open: true, events };
}

async function getJson(http: HttpClient, auth: SalesforceAuth, url: string): Promise<{ body: Record<string, unknown>; usage: ApiUsage | undefined }> {
  // The access token (static, client credentials or JWT bearer) is added by auth, renewed once on 401.
  const response = await auth.request(http, {
    service: 'salesforce',
    method: 'GET',
    url,
    headers: {},
    timeoutMs: TIMEOUT_MS,
    isRetryable: isRetryableSalesforceError,
  });
  try {
    const parsed: unknown = JSON.parse(response.body);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) return { body: parsed as Record<string, unknown>, usage: apiUsageOf(response.headers.get('sforce-limit-info')) };
  } catch {
    // fall through
  }
  throw malformed('the query answered a body that is not a JSON object');
}

function malformed(message: string): UpstreamError {
  return new UpstreamError({ service: 'salesforce', reason: 'invalid_response', retryable: true }, `salesforce: ${message}`);
}

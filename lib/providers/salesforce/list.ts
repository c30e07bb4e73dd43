/**
 * Salesforce's listing for reconciliation and backfill: a SOQL query on Case.LastModifiedDate
 * through the REST API, `GET /services/data/vNN.N/query?q=…`, following `nextRecordsUrl` while
 * `done` is false (queryMore: https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_query.htm).
 * Pages are keyed, not query locators (which expire after 15 minutes of inactivity): each page asks
 * for the cases changed after the last one seen, `(LastModifiedDate > T OR (LastModifiedDate = T
 * AND Id > 'last id')) ORDER BY LastModifiedDate, Id LIMIT n`, so a pass resumed hours later still
 * continues exactly where it stopped. 403 REQUEST_LIMIT_EXCEEDED is retried as write-backs do.
 *
 * Identity, the same as parse.ts gives outbound messages (both call identity.ts):
 * - `ticket.created:{Case Id}`;
 * - `ticket.resolved:{Case Id}:{ClosedDate}` for a closed Case, ClosedDate as ISO 8601 UTC with
 *   milliseconds (the REST API writes `+0000`, outbound messages `Z`; identity.ts normalises both).
 * A record id must pass the check ingest applies to a webhook's (lib/ticket-id.ts): reconciliation
 * enqueues without ingest, so a row whose id Salesforce would never issue is reported, not queued.
 * CaseComments and EmailMessages are not recovered yet (two more queries per page).
 *
 * The queued payload is the outbound message's shape (`{notificationId, organizationId,
 * sObjectType: 'Case', sObject}`, field values as strings), which normalize.ts reads.
 */
import { UpstreamError } from '../../errors.ts';
import type { HttpClient } from '../../http.ts';
import { cursorObject, invalidCursor } from '../../reconcile/cursor.ts';
import type { HelpdeskLister, ListedEvent, ListedRecord } from '../../reconcile/types.ts';
import { isValidTicketId, ticketIdFormat } from '../../ticket-id.ts';
import { createdIdentity, resolvedIdentity } from './identity.ts';
import { isRetryableSalesforceError } from './limits.ts';
import type { SalesforceAuth } from './auth.ts';
import { salesforceApi } from './settings.ts';

export const SALESFORCE_PAGE_SIZE = 200;
const TIMEOUT_MS = 10_000;
const FIELDS = ['Id', 'CaseNumber', 'Subject', 'Description', 'Status', 'IsClosed', 'ClosedDate', 'Priority', 'Origin', 'ContactId', 'SuppliedEmail', 'OwnerId', 'CreatedDate', 'LastModifiedDate'];
const SOQL_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

interface SalesforceCursor {
  readonly since: string;
  readonly afterId: string;
}

export const salesforceLister: HelpdeskLister = {
  provider: 'salesforce',
  async listPage(http, settings, query) {
    const api = salesforceApi(settings);
    const pageSize = typeof settings.listPageSize === 'number' ? settings.listPageSize : SALESFORCE_PAGE_SIZE;
    const at: SalesforceCursor = query.cursor === undefined ? { since: soqlTime(query.sinceMs), afterId: '' } : cursorOf(query.cursor);
    const where = at.afterId === '' ? `LastModifiedDate >= ${at.since}` : `(LastModifiedDate > ${at.since} OR (LastModifiedDate = ${at.since} AND Id > '${at.afterId}'))`;
    const soql = `SELECT ${FIELDS.join(', ')} FROM Case WHERE ${where} ORDER BY LastModifiedDate ASC, Id ASC LIMIT ${pageSize}`;
    const rows: Record<string, unknown>[] = [];
    let url: string | undefined = `${api.baseUrl}/query?q=${encodeURIComponent(soql)}`;
    const origin = new URL(api.baseUrl).origin;
    while (url !== undefined) {
      const body = await getJson(http, api.auth, url);
      if (!Array.isArray(body.records)) throw malformed('the query answered without records');
      rows.push(...(body.records as Record<string, unknown>[]));
      // Never send the token to another host, whatever a response says.
      url = body.done === false && typeof body.nextRecordsUrl === 'string' ? new URL(body.nextRecordsUrl, origin).toString() : undefined;
      if (url !== undefined && new URL(url).origin !== origin) url = undefined;
    }
    const records: ListedRecord[] = [];
    const rejected: string[] = [];
    for (const row of rows) {
      const record = recordOf(row);
      if (typeof record === 'string') rejected.push(record);
      else records.push(record);
    }
    const last = rows.at(-1);
    if (rows.length < pageSize || last === undefined) return { records, next: undefined, rejected };
    const lastModified = Date.parse(String(last.LastModifiedDate ?? ''));
    const lastId = String(last.Id ?? '');
    // The next page is keyed on the last row: without a usable time and id, it cannot be asked for.
    if (Number.isNaN(lastModified) || !isValidTicketId('salesforce', lastId)) throw malformed('the last Case of a full page has no valid Id and LastModifiedDate to continue from');
    const next: SalesforceCursor = { since: soqlTime(lastModified), afterId: lastId };
    return { records, next: JSON.stringify(next), rejected };
  },
};

/** A stored cursor as list.ts writes it; its values go into SOQL, so only well-formed ones pass. */
function cursorOf(text: string): SalesforceCursor {
  const c = cursorObject('salesforce', text);
  if (typeof c.since !== 'string' || !SOQL_TIME.test(c.since) || Number.isNaN(Date.parse(c.since))) throw invalidCursor('salesforce', 'has no valid `since` time (YYYY-MM-DDTHH:MM:SSZ)');
  if (typeof c.afterId !== 'string' || (c.afterId !== '' && !isValidTicketId('salesforce', c.afterId))) throw invalidCursor('salesforce', 'has no valid `afterId` (a Case id)');
  return { since: c.since, afterId: c.afterId };
}

/** SOQL dateTime literal, UTC, to the second (LastModifiedDate has no finer precision). */
function soqlTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The Case's record, or why it cannot be one. */
function recordOf(row: Record<string, unknown>): ListedRecord | string {
  // The same check as a webhook's Case Id at ingest (lib/ticket-id.ts, salesforce-id.ts).
  if (typeof row.Id !== 'string' || !isValidTicketId('salesforce', row.Id)) return `a Case with an invalid Id ${JSON.stringify(row.Id ?? null).slice(0, 40)} (expected ${ticketIdFormat('salesforce').expected})`;
  const id = row.Id;
  const createdAtMs = Date.parse(String(row.CreatedDate ?? ''));
  const updatedAtMs = Date.parse(String(row.LastModifiedDate ?? ''));
  if (Number.isNaN(createdAtMs) || Number.isNaN(updatedAtMs)) return `Case ${id} has no valid CreatedDate / LastModifiedDate`;
  const sObject: Record<string, string | null> = {};
  for (const field of FIELDS) {
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

async function getJson(http: HttpClient, auth: SalesforceAuth, url: string): Promise<Record<string, unknown>> {
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
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw malformed('the query answered a body that is not a JSON object');
}

function malformed(message: string): UpstreamError {
  return new UpstreamError({ service: 'salesforce', reason: 'invalid_response', retryable: true }, `salesforce: ${message}`);
}

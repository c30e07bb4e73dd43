/**
 * Salesforce's listing for reconciliation and backfill: a SOQL query on Case.LastModifiedDate
 * through the REST API, `GET /services/data/vNN.N/query?q=…`, following `nextRecordsUrl` while
 * `done` is false (queryMore: https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_query.htm).
 * Pages are keyed, not query locators (which expire after 15 minutes of inactivity): each page asks
 * for the cases changed after the last one seen, `(LastModifiedDate > T OR (LastModifiedDate = T
 * AND Id > 'last id')) ORDER BY LastModifiedDate, Id LIMIT n`, so a pass resumed hours later still
 * continues exactly where it stopped. 403 REQUEST_LIMIT_EXCEEDED is retried as write-backs do.
 *
 * Identity, the same as parse.ts gives outbound messages:
 * - `ticket.created:{Case Id}`;
 * - `ticket.resolved:{Case Id}:{ClosedDate}` for a closed Case, ClosedDate as ISO 8601 UTC with
 *   milliseconds (the REST API writes `+0000`, outbound messages `Z`; parse.ts normalises both).
 * CaseComments and EmailMessages are not recovered yet (two more queries per page).
 *
 * The queued payload is the outbound message's shape (`{notificationId, organizationId,
 * sObjectType: 'Case', sObject}`, field values as strings), which normalize.ts reads.
 */
import { UpstreamError } from '../../errors.ts';
import type { HttpClient } from '../../http.ts';
import type { HelpdeskLister, ListedEvent, ListedRecord } from '../../reconcile/types.ts';
import { isRetryableSalesforceError } from './limits.ts';
import type { SalesforceAuth } from './auth.ts';
import { salesforceApi } from './settings.ts';

export const SALESFORCE_PAGE_SIZE = 200;
/**
 * The smallest batch a query answers with ("Query Options Header": batchSize 200–2000, default
 * 2000; https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/headers_queryoptions.htm).
 */
const MIN_QUERY_BATCH = 200;
const TIMEOUT_MS = 10_000;
const FIELDS = ['Id', 'CaseNumber', 'Subject', 'Description', 'Status', 'IsClosed', 'ClosedDate', 'Priority', 'Origin', 'ContactId', 'SuppliedEmail', 'OwnerId', 'CreatedDate', 'LastModifiedDate'];
const RECORD_ID = /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/;

interface SalesforceCursor {
  readonly since: string;
  readonly afterId: string;
}

export const salesforceLister: HelpdeskLister = {
  provider: 'salesforce',
  async listPage(http, settings, query) {
    const api = salesforceApi(settings);
    const pageSize = typeof settings.listPageSize === 'number' ? settings.listPageSize : SALESFORCE_PAGE_SIZE;
    const at: SalesforceCursor = query.cursor === undefined ? { since: soqlTime(query.sinceMs), afterId: '' } : (JSON.parse(query.cursor) as SalesforceCursor);
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(at.since) || (at.afterId !== '' && !RECORD_ID.test(at.afterId))) {
      throw new UpstreamError({ service: 'salesforce', reason: 'invalid_cursor', retryable: false }, 'salesforce: the stored reconciliation cursor is invalid: run with --since to start over');
    }
    const where = at.afterId === '' ? `LastModifiedDate >= ${at.since}` : `(LastModifiedDate > ${at.since} OR (LastModifiedDate = ${at.since} AND Id > '${at.afterId}'))`;
    const soql = `SELECT ${FIELDS.join(', ')} FROM Case WHERE ${where} ORDER BY LastModifiedDate ASC, Id ASC LIMIT ${pageSize}`;
    const rows: Record<string, unknown>[] = [];
    let url: string | undefined = `${api.baseUrl}/query?q=${encodeURIComponent(soql)}`;
    const origin = new URL(api.baseUrl).origin;
    // LIMIT pageSize rows come in batches of at least 200 (MIN_QUERY_BATCH): a query that still is
    // not done after that many is not followed further, whatever it says (a loop of nextRecordsUrl).
    const maxBatches = Math.ceil(pageSize / MIN_QUERY_BATCH) + 1;
    for (let batch = 0; url !== undefined && batch < maxBatches && rows.length < pageSize; batch++) {
      const body = await getJson(http, api.auth, url);
      if (!Array.isArray(body.records)) throw malformed('the query answered without records');
      rows.push(...(body.records as Record<string, unknown>[]));
      // Never send the token to another host, whatever a response says.
      url = body.done === false && typeof body.nextRecordsUrl === 'string' ? new URL(body.nextRecordsUrl, origin).toString() : undefined;
      if (url !== undefined && new URL(url).origin !== origin) url = undefined;
    }
    const records = rows.flatMap(recordOf);
    const last = rows.at(-1);
    // Stopped with the query not done: not the listing's end; the next page starts after the last row.
    const stoppedEarly = url !== undefined;
    if ((rows.length < pageSize && !stoppedEarly) || last === undefined) return { records, next: undefined };
    const lastModified = Date.parse(String(last.LastModifiedDate ?? ''));
    const next: SalesforceCursor = { since: soqlTime(lastModified), afterId: String(last.Id ?? '') };
    return { records, next: JSON.stringify(next) };
  },
};

/** SOQL dateTime literal, UTC, to the second (LastModifiedDate has no finer precision). */
function soqlTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function recordOf(row: Record<string, unknown>): ListedRecord[] {
  const id = typeof row.Id === 'string' && RECORD_ID.test(row.Id) ? row.Id : undefined;
  const createdAtMs = Date.parse(String(row.CreatedDate ?? ''));
  const updatedAtMs = Date.parse(String(row.LastModifiedDate ?? ''));
  if (id === undefined || Number.isNaN(createdAtMs) || Number.isNaN(updatedAtMs)) return [];
  const sObject: Record<string, string | null> = {};
  for (const field of FIELDS) {
    const value = row[field];
    sObject[field] = value === undefined || value === null ? null : String(value);
  }
  const payload = { notificationId: `reconcile:${id}`, organizationId: undefined, sObjectType: 'Case', sObject };
  const events: ListedEvent[] = [{ eventType: 'ticket.created', ticketId: id, identity: `ticket.created:${id}`, payload }];
  const closedMs = Date.parse(String(row.ClosedDate ?? ''));
  const closed = row.IsClosed === true && !Number.isNaN(closedMs);
  if (closed) events.push({ eventType: 'ticket.resolved', ticketId: id, identity: `ticket.resolved:${id}:${new Date(closedMs).toISOString()}`, payload });
  return [{ ticketId: id, createdAtMs, updatedAtMs, open: !closed, events }];
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

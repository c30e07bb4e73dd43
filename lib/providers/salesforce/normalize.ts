/**
 * Salesforce notification → NormalizedEvent. Field paths (Case API names) are data, overridable
 * per deployment with `fieldMap`. What the outbound message lacks is fetched through the REST API:
 * the Case when the admin selected no Subject/Description, and for QA on resolution the thread —
 * the Case's CaseComments and EmailMessages (two SOQL queries).
 */
import { PermanentEventError } from '../../errors.ts';
import { shown } from '../../log-safe.ts';
import { isRetryableSalesforceError } from './limits.ts';
import type { HttpClient } from '../../http.ts';
import { firstString, optionalAgent, stripHtml, withOverrides, type FieldMap } from '../../mapping.ts';
import { isBridgeNote } from '../../write-back-summary.ts';
import type { Channel, ConversationMessage, NormalizedEvent, ProviderContext, ProviderSettings, QueuedEvent } from '../types.ts';
import { messageTextOf, type SalesforcePayload } from './parse.ts';
import { canonicalId } from './salesforce-id.ts';
import { firstTime } from '../../ordering.ts';
import { hasApiSettings, salesforceApi } from './settings.ts';
import { pathSegment } from '../../ticket-id.ts';

type Field = 'subject' | 'body' | 'customerId' | 'channel' | 'status' | 'priority' | 'caseNumber';

export const SALESFORCE_FIELDS: FieldMap<Field> = {
  subject: ['Subject'],
  body: ['Description'],
  customerId: ['ContactId', 'SuppliedEmail', 'AccountId'],
  // Case.Origin picklist: Email, Phone, Web by default; orgs add Chat, Social, …
  channel: ['Origin'],
  status: ['Status'],
  priority: ['Priority'],
  caseNumber: ['CaseNumber'],
};

const ORIGINS: Readonly<Record<string, Channel>> = {
  email: 'email',
  'email-to-case': 'email',
  phone: 'phone',
  web: 'web',
  'web-to-case': 'web',
  chat: 'chat',
  messaging: 'chat',
  social: 'social',
  facebook: 'social',
  twitter: 'social',
};

/**
 * Which selected field dates the notification: Case `LastModifiedDate` / `SystemModstamp`; a
 * CaseComment or EmailMessage is created once (`CreatedDate`, `MessageDate`). The admin chooses the
 * fields an outbound message sends: without any of these the event is ordered by receipt time.
 * https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/system_fields.htm
 */
const SOBJECT_TIME_FIELDS = ['LastModifiedDate', 'SystemModstamp', 'MessageDate', 'CreatedDate'] as const;

/** The Case fields fetched when the notification carries neither Subject nor Description. */
const CASE_FIELDS = ['Subject', 'Description', 'Origin', 'ContactId', 'SuppliedEmail', 'Status', 'Priority', 'CaseNumber'] as const;
const API_TIMEOUT_MS = 10_000;
/** Enough for QA; the newest messages matter least for a closing evaluation of a long thread. */
const THREAD_LIMIT = 200;

export async function normalizeSalesforce(event: QueuedEvent, { settings, http }: ProviderContext): Promise<NormalizedEvent> {
  const payload = payloadOf(event);
  const fields = withOverrides(SALESFORCE_FIELDS, settings.fieldMap);
  const isCase = payload.sObjectType === 'Case';
  let record: Readonly<Record<string, unknown>> = payload.sObject;
  const lacksText = firstString(record, fields.subject) === undefined && firstString(record, fields.body) === undefined;
  if (isCase && lacksText && hasApiSettings(settings)) {
    record = { ...(await fetchCase(event.ticketId, settings, http)), ...withoutNulls(payload.sObject) };
  }
  const body = firstString(record, fields.body) ?? '';
  // The notified sObject's own time: Outbound Messages "can be delivered out of order" and carry
  // "only the latest data" (helpdesks.md §4.3), so its modification stamp names that data's state.
  // A creation is dated by `CreatedDate`: a late notification carries the Case as it is now.
  const occurredAt = firstTime(payload.sObject, event.eventType === 'ticket.created' ? ['CreatedDate', ...SOBJECT_TIME_FIELDS] : SOBJECT_TIME_FIELDS);
  const messageText = event.eventType === 'message.created' ? textOf(payload.sObject) : undefined;
  let conversation: ConversationMessage[] = [];
  if (body !== '') conversation.push({ role: 'customer', content: body });
  if (messageText !== undefined) conversation.push({ role: 'customer', content: messageText });
  if (event.eventType === 'ticket.resolved' && hasApiSettings(settings)) {
    conversation = [...(body === '' ? [] : [{ role: 'customer' as const, content: body }]), ...(await fetchThread(event.ticketId, settings, http))];
  }
  return {
    eventType: event.eventType,
    ticketId: event.ticketId,
    subject: firstString(record, fields.subject) ?? '',
    body,
    customerId: firstString(record, fields.customerId) ?? '',
    ...optionalAgent(firstString(record, ['OwnerId'])),
    channel: ORIGINS[(firstString(record, fields.channel) ?? '').trim().toLowerCase()] ?? 'web',
    messageText,
    conversation,
    ...(occurredAt === undefined ? {} : { occurredAt }),
    metadata: {
      source: 'salesforce',
      sobject: payload.sObjectType,
      ...optional('case_number', firstString(record, fields.caseNumber)),
      ...optional('status', firstString(record, fields.status)),
      ...optional('priority', firstString(record, fields.priority)),
    },
  };
}

async function getJson(http: HttpClient, settings: ProviderSettings, path: string): Promise<unknown> {
  const { baseUrl, auth } = salesforceApi(settings);
  const response = await auth.request(http, {
    service: 'salesforce',
    method: 'GET',
    url: `${baseUrl}${path}`,
    timeoutMs: API_TIMEOUT_MS,
    isRetryable: isRetryableSalesforceError,
  });
  try {
    return JSON.parse(response.body) as unknown;
  } catch (cause) {
    throw new PermanentEventError('invalid_salesforce_response', `GET ${path.split('?')[0]} did not answer JSON`, { cause });
  }
}

/** `GET /sobjects/Case/{id}?fields=…` (REST API "Get field values from a standard object record"). */
async function fetchCase(caseId: string, settings: ProviderSettings, http: HttpClient): Promise<Record<string, unknown>> {
  assertRecordId(caseId);
  const json = await getJson(http, settings, `/sobjects/Case/${pathSegment(caseId)}?fields=${CASE_FIELDS.join(',')}`);
  return json !== null && typeof json === 'object' ? withoutNulls(json as Record<string, unknown>) : {};
}

interface ThreadEntry {
  readonly atMs: number;
  readonly message: ConversationMessage;
}

/**
 * The Case's public comments and emails, oldest first. Internal comments (IsPublished false, the
 * bridge's notes among them) are not part of the conversation the customer saw. A comment is the
 * customer's unless its author is an internal (`Standard`) user; an email is the customer's when
 * it is `Incoming`.
 */
async function fetchThread(caseId: string, settings: ProviderSettings, http: HttpClient): Promise<ConversationMessage[]> {
  // The id goes into SOQL: only a well-formed record id may.
  assertRecordId(caseId);
  const comments = await query(
    http,
    settings,
    `SELECT Id, CommentBody, IsPublished, CreatedDate, CreatedBy.UserType FROM CaseComment WHERE ParentId = '${caseId}' ORDER BY CreatedDate ASC LIMIT ${THREAD_LIMIT}`,
  );
  const emails = await query(
    http,
    settings,
    `SELECT Id, TextBody, Incoming, MessageDate FROM EmailMessage WHERE ParentId = '${caseId}' ORDER BY MessageDate ASC LIMIT ${THREAD_LIMIT}`,
  );
  const entries: ThreadEntry[] = [];
  for (const c of comments) {
    const text = firstString(c, ['CommentBody']);
    if (text === undefined || isBridgeNote(text) || at(c, 'IsPublished') === false) continue;
    const userType = firstString(c, ['CreatedBy.UserType']);
    entries.push({ atMs: Date.parse(firstString(c, ['CreatedDate']) ?? ''), message: { role: userType === 'Standard' ? 'agent' : 'customer', content: text } });
  }
  for (const e of emails) {
    const text = firstString(e, ['TextBody']);
    if (text === undefined || isBridgeNote(text)) continue;
    entries.push({ atMs: Date.parse(firstString(e, ['MessageDate']) ?? ''), message: { role: at(e, 'Incoming') === true ? 'customer' : 'agent', content: text } });
  }
  return entries.sort((a, b) => (a.atMs || 0) - (b.atMs || 0)).map((e) => e.message);
}

function assertRecordId(caseId: string): void {
  if (canonicalId(caseId) === undefined) throw new PermanentEventError('invalid_case_id', `${shown(caseId)} is not a Salesforce record id`);
}

async function query(http: HttpClient, settings: ProviderSettings, soql: string): Promise<unknown[]> {
  const json = await getJson(http, settings, `/query?q=${encodeURIComponent(soql)}`);
  const records = (json as { records?: unknown } | null)?.records;
  return Array.isArray(records) ? records : [];
}

function at(value: unknown, key: string): unknown {
  return value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
}

function textOf(sObject: Readonly<Record<string, string | null>>): string | undefined {
  const text = messageTextOf(sObject);
  return text === undefined ? undefined : sObject.TextBody === undefined && sObject.CommentBody === undefined ? stripHtml(text) : text;
}

function withoutNulls(record: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== null && v !== undefined));
}

function payloadOf(event: QueuedEvent): SalesforcePayload {
  const p = event.payload as Partial<SalesforcePayload> | null;
  if (p === null || typeof p !== 'object' || typeof p.sObject !== 'object' || p.sObject === null || typeof p.sObjectType !== 'string') {
    throw new PermanentEventError('invalid_payload', 'the queued Salesforce event has no sObject');
  }
  return { notificationId: String(p.notificationId), organizationId: p.organizationId, sObjectType: p.sObjectType, sObject: p.sObject };
}

function optional(key: string, value: string | undefined): Record<string, string> {
  return value === undefined ? {} : { [key]: value };
}

/**
 * A Salesforce closure has one identity whichever path brings it: the outbound message's
 * ClosedDate (xsd:dateTime, with or without milliseconds) and the REST API's (`…+0000`, what
 * lib/providers/salesforce/list.ts reads) name the same instant, so both become
 * ISO 8601 UTC with milliseconds.
 */
import { describe, expect, it } from 'vitest';
import { salesforceProvider } from '../../lib/providers/salesforce/index.ts';
import { salesforceLister } from '../../lib/providers/salesforce/list.ts';
import { caseNotification, envelope, fixture, outbound } from '../providers/salesforce/support.ts';

describe('Salesforce ticket.resolved identity', () => {
  it.each(['2024-06-02T16:30:00.000Z', '2024-06-02T16:30:00Z', '2024-06-02T16:30:00.000+0000'])('ClosedDate %s → …:2024-06-02T16:30:00.000Z', (closedDate) => {
    const body = fixture('case-closed').replace('2024-06-02T16:30:00.000Z', closedDate);
    const result = salesforceProvider.parse(outbound(body, 'ticket.resolved'), {});
    expect(result.kind === 'events' ? result.events.map((e) => e.identity) : result).toEqual(['ticket.resolved:5005e00000QxYz1AAF:2024-06-02T16:30:00.000Z']);
  });
});

/**
 * One Case, as an outbound message carries it (xsd:dateTime, `true`/`false`) and as the REST API's
 * query answers it (`…+0000`, JSON booleans): ingest's parse() and the lister derive the same
 * events — type, ticket id and identity — from it.
 */
describe('Salesforce identity from the same Case, by webhook and by listing', () => {
  const CASE = { Id: '5005e00000QxYz1AAF', Subject: 'Charged twice', CreatedDate: '2024-06-01T09:00:00.000Z', LastModifiedDate: '2024-06-02T16:30:00.000Z', ClosedDate: '2024-06-02T16:30:00.000Z' };

  const viaWebhook = (closed: boolean) => {
    const fields = { ...CASE, IsClosed: String(closed), ...(closed ? {} : { ClosedDate: '' }) };
    const xml = envelope(caseNotification('04l5e00000AAAAdAAP', Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== ''))));
    return (['ticket.created', 'ticket.resolved'] as const).flatMap((route) => {
      const result = salesforceProvider.parse(outbound(xml, route), {});
      return result.kind === 'events' ? result.events.map((e) => ({ eventType: e.eventType, ticketId: e.ticketId, identity: e.identity })) : [];
    });
  };

  const viaListing = async (closed: boolean) => {
    const rest = (iso: string) => iso.replace('Z', '+0000');
    const row = { attributes: { type: 'Case' }, ...CASE, IsClosed: closed, ClosedDate: closed ? rest(CASE.ClosedDate) : null, CreatedDate: rest(CASE.CreatedDate), LastModifiedDate: rest(CASE.LastModifiedDate) };
    const http = { request: async () => ({ status: 200, headers: new Headers(), body: JSON.stringify({ totalSize: 1, done: true, records: [row] }) }) };
    const page = await salesforceLister.listPage(http, { instanceUrl: 'https://acme.my.salesforce.com', accessToken: 't' }, { sinceMs: 0 });
    return page.records.flatMap((r) => r.events.map((e) => ({ eventType: e.eventType, ticketId: e.ticketId, identity: e.identity })));
  };

  it.each([false, true])('closed %s: the same events', async (closed) => {
    const listed = await viaListing(closed);
    expect(listed).toEqual(viaWebhook(closed));
    expect(listed.length).toBe(closed ? 2 : 1);
  });
});

/**
 * One customer message (a published CaseComment, an incoming EmailMessage), as the outbound
 * message of a /message-created rule carries it and as the listing's query answers it: the same
 * message.created, `message.created:{ParentId}:{record Id}`.
 */
describe('Salesforce message identity from the same record, by webhook and by listing', () => {
  const CASE_ID = '5005e00000QxYz1AAF';
  const RECORDS = [
    { type: 'CaseComment', fields: { Id: '00a5e00000CmT01AAF', ParentId: CASE_ID, CommentBody: 'Still not refunded.', IsPublished: 'true', CreatedDate: '2024-06-01T12:00:00.000Z' } },
    { type: 'EmailMessage', fields: { Id: '02s5e00000EmL01AAF', ParentId: CASE_ID, Incoming: 'true', TextBody: 'Any news?', MessageDate: '2024-06-01T13:00:00.000Z', CreatedDate: '2024-06-01T13:00:00.000Z' } },
  ] as const;

  it.each(RECORDS)('$type: the same event', async ({ type, fields }) => {
    const result = salesforceProvider.parse(outbound(envelope(caseNotification('04l5e00000AAAAeAAP', fields, type)), 'message.created'), {});
    const viaWebhook = result.kind === 'events' ? result.events.map((e) => ({ eventType: e.eventType, ticketId: e.ticketId, identity: e.identity })) : [];

    const row = { attributes: { type }, ...fields, CreatedDate: fields.CreatedDate.replace('Z', '+0000'), ...('IsPublished' in fields ? { IsPublished: true, CreatedBy: { attributes: { type: 'User' }, UserType: 'PowerCustomerSuccess' } } : { Incoming: true }) };
    const http = {
      request: async (r: { url: string }) => {
        const soql = new URL(r.url).searchParams.get('q') ?? '';
        const records = soql.includes(` FROM ${type} `) ? [row] : [];
        return { status: 200, headers: new Headers(), body: JSON.stringify({ totalSize: records.length, done: true, records }) };
      },
    };
    const page = await salesforceLister.listPage(http, { instanceUrl: 'https://acme.my.salesforce.com', accessToken: 't' }, { sinceMs: 0, messages: true });
    const viaListing = page.records.flatMap((r) => r.events.map((e) => ({ eventType: e.eventType, ticketId: e.ticketId, identity: e.identity })));

    expect(viaListing).toEqual([{ eventType: 'message.created', ticketId: CASE_ID, identity: `message.created:${CASE_ID}:${fields.Id}` }]);
    expect(viaListing).toEqual(viaWebhook);
  });
});

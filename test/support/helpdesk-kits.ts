/** The fake helpdesks reconciliation is tested against, as rig kits. */
import { freshdeskProvider } from '../../lib/providers/freshdesk/index.ts';
import { hubspotProvider } from '../../lib/providers/hubspot/index.ts';
import { intercomProvider } from '../../lib/providers/intercom/index.ts';
import { salesforceProvider } from '../../lib/providers/salesforce/index.ts';
import { zendeskProvider } from '../../lib/providers/zendesk/index.ts';
import { DEFAULT_SECRET } from './bridge-harness.ts';
import { caseId, fakeCase, fakeMessages, SALESFORCE_TOKEN, startFakeSalesforce, type FakeCase, type FakeSalesforce } from './fake-salesforce.ts';
import { HUBSPOT_TOKEN, hubspotTicket, hubspotWebhooks, startFakeHubSpot, type FakeHubSpot } from './fake-hubspot.ts';
import { INTERCOM_ADMIN_ID, INTERCOM_TOKEN, intercomRecord, intercomWebhooks, isIntercomTicket, startFakeIntercom, type FakeIntercom } from './fake-intercom.ts';
import { FRESHDESK_API_KEY, freshdeskTicket, freshdeskWebhooks, startFakeFreshdesk, type FakeFreshdesk } from './fake-freshdesk.ts';
import { startFakeZendesk, ZENDESK_EMAIL, ZENDESK_TOKEN, zendeskComments, zendeskCommentWebhook, zendeskTicket, zendeskWebhooks, type FakeZendesk } from './fake-zendesk.ts';
import type { HelpdeskKit } from './reconcile-rig.ts';

/**
 * A fake Zendesk account as a rig kit. With `messages`, every ticket also has zendeskComments():
 * one customer reply (sent as a `ticket.comment_added` event subscription), and two that are none.
 */
export function zendeskKit(options: { pageSize: number; rateLimitEvery?: number; messages?: boolean }) {
  return (clock: () => number, baseUrl: () => string): HelpdeskKit & { fake: FakeZendesk } => {
    const fake = startFakeZendesk({ now: clock, baseUrl, eventsPageSize: options.pageSize, ...(options.rateLimitEvery === undefined ? {} : { rateLimitEvery: options.rateLimitEvery }) });
    const customerComments = (id: number) => (fake.comments.get(id) ?? []).filter((c) => c.public && c.author_id === fake.tickets.get(id)?.requester_id);
    return {
      provider: 'zendesk',
      implementation: zendeskProvider,
      fake,
      respond: fake.respond,
      rateLimited: fake.rateLimited,
      settings: (url) => ({ baseUrl: url, email: ZENDESK_EMAIL, apiToken: ZENDESK_TOKEN, exportPageSize: options.pageSize, ...(options.messages === true ? { reconcileComments: true } : {}) }),
      addTicket: (id, createdAtMs, solved) => {
        const ticket = zendeskTicket(id, createdAtMs, solved ? 'solved' : 'open');
        fake.tickets.set(id, ticket);
        if (options.messages === true) fake.comments.set(id, zendeskComments(ticket));
      },
      webhooks: (id) => {
        const ticket = fake.tickets.get(id);
        if (ticket === undefined) return [];
        const hooks = zendeskWebhooks(ticket).map((body) => ({ path: '/webhooks/zendesk', body }));
        for (const c of customerComments(id)) hooks.push({ path: '/webhooks/zendesk', body: zendeskCommentWebhook(ticket, c) });
        return hooks;
      },
      writeBacks: (id) => fake.writeBacks(id),
      ...(options.messages === true ? { messagesPerTicket: 1, messageTexts: (id: number) => customerComments(id).map((c) => c.body) } : {}),
    };
  };
}

export function freshdeskKit(options: { pageSize: number; rateLimitEvery?: number }) {
  return (clock: () => number): HelpdeskKit & { fake: FakeFreshdesk } => {
    const fake = startFakeFreshdesk({ now: clock, ...(options.rateLimitEvery === undefined ? {} : { rateLimitEvery: options.rateLimitEvery }) });
    return {
      provider: 'freshdesk',
      implementation: freshdeskProvider,
      fake,
      respond: fake.respond,
      rateLimited: fake.rateLimited,
      settings: (url) => ({ baseUrl: url, apiKey: FRESHDESK_API_KEY, listPageSize: options.pageSize }),
      addTicket: (id, createdAtMs, solved) => void fake.tickets.set(id, freshdeskTicket(id, createdAtMs, solved)),
      webhooks: (id) => {
        const ticket = fake.tickets.get(id);
        return ticket === undefined ? [] : freshdeskWebhooks(ticket);
      },
      writeBacks: (id) => fake.writeBacks(id),
    };
  };
}

/** An outbound message (SOAP) with one notification of `sObjectType`, as a workflow rule's message would carry it. */
function outboundMessage(notificationId: string, sObjectType: string, fields: Readonly<Record<string, string | null>>): string {
  const body = Object.entries(fields)
    .map(([name, value]) => (value === null ? '' : `<sf:${name}>${value}</sf:${name}>`))
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
 <soapenv:Body>
  <notifications xmlns="http://soap.sforce.com/2005/09/outbound">
   <OrganizationId>00D5e000000XyZaEAK</OrganizationId>
   <ActionId>04k5e000000AbCeAAK</ActionId>
   <SessionId xsi:nil="true"/>
   <Notification>
    <Id>${notificationId}</Id>
    <sObject xsi:type="sf:${sObjectType}" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">${body}</sObject>
   </Notification>
  </notifications>
 </soapenv:Body>
</soapenv:Envelope>`;
}

/** xsd:dateTime as an outbound message writes it. */
const xsdTime = (sfTime: string) => new Date(Date.parse(sfTime)).toISOString();

function caseMessage(c: FakeCase, closed: boolean): string {
  return outboundMessage(`04l5e0000${closed ? 'C' : 'N'}${c.Id.slice(10, 15)}AAP`, 'Case', {
    Id: c.Id,
    CaseNumber: c.CaseNumber,
    ClosedDate: closed && c.ClosedDate !== null ? xsdTime(c.ClosedDate) : null,
    ContactId: c.ContactId,
    Description: c.Description,
    IsClosed: String(closed),
    Origin: c.Origin,
    Status: closed ? 'Closed' : 'New',
    Subject: c.Subject,
  });
}

/**
 * A fake Salesforce org as a rig kit. With `messages`, every Case also has the records of
 * fakeMessages(): two customer messages (a portal user's published comment, an incoming email),
 * which the workflow rules send to /message-created, and three that are none.
 */
export function salesforceKit(options: { pageSize: number; batchSize?: number; messages?: boolean; limitExceededEvery?: number }) {
  return (clock: () => number, baseUrl: () => string): HelpdeskKit & { fake: FakeSalesforce } => {
    const fake = startFakeSalesforce({ now: clock, ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }), ...(options.limitExceededEvery === undefined ? {} : { limitExceededEvery: options.limitExceededEvery }) });
    const headers = { 'content-type': 'text/xml; charset=utf-8', soapaction: '""', 'x-webhook-token': DEFAULT_SECRET };
    const customerMessages = (id: number) => {
      const comments = [...fake.comments.values()].filter((c) => c.ParentId === caseId(id) && c.IsPublished && c.UserType !== 'Standard');
      const emails = [...fake.emails.values()].filter((e) => e.ParentId === caseId(id) && e.Incoming);
      return { comments, emails };
    };
    void baseUrl;
    return {
      provider: 'salesforce',
      implementation: salesforceProvider,
      fake,
      respond: fake.respond,
      rateLimited: fake.limitExceeded,
      settings: (url) => ({ instanceUrl: url, accessToken: SALESFORCE_TOKEN, listPageSize: options.pageSize }),
      addTicket: (id, createdAtMs, solved) => {
        fake.cases.set(caseId(id), fakeCase(id, createdAtMs, solved));
        if (options.messages !== true) return;
        const { comments, emails } = fakeMessages(id, createdAtMs);
        for (const c of comments) fake.comments.set(c.Id, c);
        for (const e of emails) fake.emails.set(e.Id, e);
      },
      webhooks: (id) => {
        const c = fake.cases.get(caseId(id));
        if (c === undefined) return [];
        const hooks = [{ path: '/webhooks/salesforce/ticket-created', body: caseMessage(c, false), headers }];
        if (c.IsClosed) hooks.push({ path: '/webhooks/salesforce/ticket-resolved', body: caseMessage(c, true), headers });
        const { comments, emails } = customerMessages(id);
        for (const m of comments) {
          const fields = { Id: m.Id, ParentId: m.ParentId, CommentBody: m.CommentBody, IsPublished: 'true', CreatedDate: xsdTime(m.CreatedDate), LastModifiedDate: xsdTime(m.LastModifiedDate) };
          hooks.push({ path: '/webhooks/salesforce/message-created', body: outboundMessage(`04l5e0000M${m.Id.slice(10, 15)}AAP`, 'CaseComment', fields), headers });
        }
        for (const m of emails) {
          const fields = { Id: m.Id, ParentId: m.ParentId, FromAddress: m.FromAddress, Incoming: 'true', MessageDate: xsdTime(m.MessageDate), Subject: m.Subject, TextBody: m.TextBody, CreatedDate: xsdTime(m.CreatedDate) };
          hooks.push({ path: '/webhooks/salesforce/message-created', body: outboundMessage(`04l5e0000E${m.Id.slice(10, 15)}AAP`, 'EmailMessage', fields), headers });
        }
        return hooks;
      },
      writeBacks: (id) => fake.writeBacks(caseId(id)),
      ticketId: caseId,
      ...(options.messages === true
        ? {
            messagesPerTicket: 2,
            messageTexts: (id: number) => {
              const { comments, emails } = customerMessages(id);
              return [...comments.map((m) => m.CommentBody), ...emails.map((m) => m.TextBody ?? '')];
            },
          }
        : {}),
    };
  };
}

/** Conversations (even numbers) and tickets (odd numbers) of one Intercom workspace. */
export function intercomKit(options: { pageSize: number; rateLimitEvery?: number }) {
  return (clock: () => number): HelpdeskKit & { fake: FakeIntercom } => {
    const fake = startFakeIntercom({ now: clock, ...(options.rateLimitEvery === undefined ? {} : { rateLimitEvery: options.rateLimitEvery }) });
    const find = (id: number) => (isIntercomTicket(id) ? fake.tickets : fake.conversations).get(String(id));
    return {
      provider: 'intercom',
      implementation: intercomProvider,
      fake,
      respond: fake.respond,
      rateLimited: fake.rateLimited,
      settings: (url) => ({ baseUrl: url, accessToken: INTERCOM_TOKEN, adminId: INTERCOM_ADMIN_ID, searchPageSize: options.pageSize }),
      addTicket: (id, createdAtMs, solved) => void (isIntercomTicket(id) ? fake.tickets : fake.conversations).set(String(id), intercomRecord(id, createdAtMs, solved)),
      webhooks: (id) => {
        const record = find(id);
        return record === undefined ? [] : intercomWebhooks(record).map((body) => ({ path: '/webhooks/intercom', body }));
      },
      writeBacks: (id) => fake.writeBacks(String(id)),
      // Tags are attached one call each, so a creation processed after the resolution (its note
      // only, README "Ordering") is far from the open count: that note + the QA note, or all + the QA note.
      solvedWrites: (open) => [open + 1, 2],
    };
  };
}

export function hubspotKit(options: { pageSize: number; rateLimitEvery?: number; window?: number }) {
  return (clock: () => number): HelpdeskKit & { fake: FakeHubSpot } => {
    const fake = startFakeHubSpot({
      now: clock,
      ...(options.rateLimitEvery === undefined ? {} : { rateLimitEvery: options.rateLimitEvery }),
      ...(options.window === undefined ? {} : { window: options.window }),
    });
    return {
      provider: 'hubspot',
      implementation: hubspotProvider,
      fake,
      respond: fake.respond,
      rateLimited: fake.rateLimited,
      settings: (url) => ({ baseUrl: url, accessToken: HUBSPOT_TOKEN, searchPageSize: options.pageSize, ...(options.window === undefined ? {} : { searchWindow: options.window }) }),
      addTicket: (id, createdAtMs, solved) => void fake.tickets.set(String(id), hubspotTicket(id, createdAtMs, solved)),
      webhooks: (id) => {
        const ticket = fake.tickets.get(String(id));
        return ticket === undefined ? [] : hubspotWebhooks(ticket).map((body) => ({ path: '/webhooks/hubspot', body }));
      },
      writeBacks: (id) => fake.writeBacks(String(id)),
      // QA writes its score property and a note: + 2; a creation processed after the resolution writes
      // its note only (README "Ordering"): 1 + 2.
      solvedWrites: (open) => [open + 2, 3],
    };
  };
}

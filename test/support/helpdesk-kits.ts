/** The fake helpdesks reconciliation is tested against, as rig kits. */
import { freshdeskProvider } from '../../lib/providers/freshdesk/index.ts';
import { salesforceProvider } from '../../lib/providers/salesforce/index.ts';
import { zendeskProvider } from '../../lib/providers/zendesk/index.ts';
import { DEFAULT_SECRET } from './bridge-harness.ts';
import { caseId, fakeCase, SALESFORCE_TOKEN, startFakeSalesforce, type FakeCase, type FakeSalesforce } from './fake-salesforce.ts';
import { FRESHDESK_API_KEY, freshdeskTicket, freshdeskWebhooks, startFakeFreshdesk, type FakeFreshdesk } from './fake-freshdesk.ts';
import { startFakeZendesk, ZENDESK_EMAIL, ZENDESK_TOKEN, zendeskTicket, zendeskWebhooks, type FakeZendesk } from './fake-zendesk.ts';
import type { HelpdeskKit } from './reconcile-rig.ts';

export function zendeskKit(options: { pageSize: number; rateLimitEvery?: number }) {
  return (clock: () => number, baseUrl: () => string): HelpdeskKit & { fake: FakeZendesk } => {
    const fake = startFakeZendesk({ now: clock, baseUrl, ...(options.rateLimitEvery === undefined ? {} : { rateLimitEvery: options.rateLimitEvery }) });
    return {
      provider: 'zendesk',
      implementation: zendeskProvider,
      fake,
      respond: fake.respond,
      rateLimited: fake.rateLimited,
      settings: (url) => ({ baseUrl: url, email: ZENDESK_EMAIL, apiToken: ZENDESK_TOKEN, exportPageSize: options.pageSize }),
      addTicket: (id, createdAtMs, solved) => void fake.tickets.set(id, zendeskTicket(id, createdAtMs, solved ? 'solved' : 'open')),
      webhooks: (id) => {
        const ticket = fake.tickets.get(id);
        return ticket === undefined ? [] : zendeskWebhooks(ticket).map((body) => ({ path: '/webhooks/zendesk', body }));
      },
      writeBacks: (id) => fake.writeBacks(id),
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

/** An outbound message (SOAP) for one Case, as the workflow rule's message would carry it. */
function outboundMessage(c: FakeCase, closed: boolean): string {
  const field = (name: string, value: string | null) => (value === null ? '' : `<sf:${name}>${value}</sf:${name}>`);
  const closedDate = closed && c.ClosedDate !== null ? new Date(Date.parse(c.ClosedDate)).toISOString() : null;
  return `<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
 <soapenv:Body>
  <notifications xmlns="http://soap.sforce.com/2005/09/outbound">
   <OrganizationId>00D5e000000XyZaEAK</OrganizationId>
   <ActionId>04k5e000000AbCeAAK</ActionId>
   <SessionId xsi:nil="true"/>
   <Notification>
    <Id>04l5e0000${closed ? 'C' : 'N'}${c.Id.slice(10, 15)}AAP</Id>
    <sObject xsi:type="sf:Case" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">
     ${field('Id', c.Id)}${field('CaseNumber', c.CaseNumber)}${field('ClosedDate', closedDate)}${field('ContactId', c.ContactId)}
     ${field('Description', c.Description)}${field('IsClosed', String(closed))}${field('Origin', c.Origin)}
     ${field('Status', closed ? 'Closed' : 'New')}${field('Subject', c.Subject)}
    </sObject>
   </Notification>
  </notifications>
 </soapenv:Body>
</soapenv:Envelope>`;
}

export function salesforceKit(options: { pageSize: number; batchSize?: number }) {
  return (clock: () => number, baseUrl: () => string): HelpdeskKit & { fake: FakeSalesforce } => {
    const fake = startFakeSalesforce({ now: clock, ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }) });
    const headers = { 'content-type': 'text/xml; charset=utf-8', soapaction: '""', 'x-webhook-token': DEFAULT_SECRET };
    void baseUrl;
    return {
      provider: 'salesforce',
      implementation: salesforceProvider,
      fake,
      respond: fake.respond,
      rateLimited: [],
      settings: (url) => ({ instanceUrl: url, accessToken: SALESFORCE_TOKEN, listPageSize: options.pageSize }),
      addTicket: (id, createdAtMs, solved) => void fake.cases.set(caseId(id), fakeCase(id, createdAtMs, solved)),
      webhooks: (id) => {
        const c = fake.cases.get(caseId(id));
        if (c === undefined) return [];
        const created = { path: '/webhooks/salesforce/ticket-created', body: outboundMessage(c, false), headers };
        return c.IsClosed ? [created, { path: '/webhooks/salesforce/ticket-resolved', body: outboundMessage(c, true), headers }] : [created];
      },
      writeBacks: (id) => fake.writeBacks(caseId(id)),
      ticketId: caseId,
    };
  };
}

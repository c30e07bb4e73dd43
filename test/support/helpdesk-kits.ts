/** The fake helpdesks reconciliation is tested against, as rig kits. */
import { freshdeskProvider } from '../../lib/providers/freshdesk/index.ts';
import { hubspotProvider } from '../../lib/providers/hubspot/index.ts';
import { intercomProvider } from '../../lib/providers/intercom/index.ts';
import { salesforceProvider } from '../../lib/providers/salesforce/index.ts';
import { zendeskProvider } from '../../lib/providers/zendesk/index.ts';
import { DEFAULT_SECRET } from './bridge-harness.ts';
import { caseId, fakeCase, SALESFORCE_TOKEN, startFakeSalesforce, type FakeCase, type FakeSalesforce } from './fake-salesforce.ts';
import { HUBSPOT_TOKEN, hubspotTicket, hubspotWebhooks, startFakeHubSpot, type FakeHubSpot } from './fake-hubspot.ts';
import { INTERCOM_ADMIN_ID, INTERCOM_TOKEN, intercomRecord, intercomWebhooks, isIntercomTicket, startFakeIntercom, type FakeIntercom } from './fake-intercom.ts';
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

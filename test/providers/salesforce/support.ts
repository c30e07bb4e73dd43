/** Fixtures and request builders shared by the Salesforce tests. */
import { readFileSync } from 'node:fs';
import type { EventType, ParsedEvent, QueuedEvent, WebhookRequest } from '../../../lib/providers/types.ts';

export const TOKEN = 'local-dev-secret';
export const ORG_ID_18 = '00D5e000000XyZaEAK';
export const ORG_ID_15 = '00D5e000000XyZa';

export function fixture(name: string): string {
  return readFileSync(new URL(`../../fixtures/salesforce/${name}.xml`, import.meta.url), 'utf8');
}

/** An outbound message as Salesforce posts it, the token in the endpoint URL. */
export function outbound(
  body: string,
  routeEvent: EventType | undefined,
  options: { query?: Record<string, string>; headers?: Record<string, string> } = {},
): WebhookRequest {
  const query = options.query ?? { token: TOKEN };
  const qs = new URLSearchParams(query).toString();
  return {
    method: 'POST',
    url: `https://bridge.example.com/webhooks/salesforce/${routeEvent ?? ''}${qs === '' ? '' : `?${qs}`}`,
    rawBody: Buffer.from(body),
    headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: '""', ...options.headers },
    query,
    routeEvent,
  };
}

/** An envelope with the given notifications (Notification XML snippets). */
export function envelope(notifications: string, organizationId = ORG_ID_18): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
    '<soapenv:Body><notifications xmlns="http://soap.sforce.com/2005/09/outbound">' +
    `<OrganizationId>${organizationId}</OrganizationId><ActionId>04k5e000000AbCdAAK</ActionId>` +
    '<SessionId xsi:nil="true"/><EnterpriseUrl>https://acme.my.salesforce.com/services/Soap/c/62.0/00D5e000000XyZa</EnterpriseUrl>' +
    '<PartnerUrl>https://acme.my.salesforce.com/services/Soap/u/62.0/00D5e000000XyZa</PartnerUrl>' +
    notifications +
    '</notifications></soapenv:Body></soapenv:Envelope>'
  );
}

export function caseNotification(notificationId: string, fields: Record<string, string>, type = 'Case'): string {
  const body = Object.entries(fields)
    .map(([k, v]) => `<sf:${k}>${v}</sf:${k}>`)
    .join('');
  return `<Notification><Id>${notificationId}</Id><sObject xsi:type="sf:${type}" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">${body}</sObject></Notification>`;
}

export function queued(event: ParsedEvent): QueuedEvent {
  return {
    provider: 'salesforce',
    eventType: event.eventType,
    eventId: `salesforce:${event.identity}`,
    ticketId: event.ticketId,
    payload: JSON.parse(JSON.stringify(event.payload)) as unknown,
    receivedAt: '2024-06-01T10:00:00.000Z',
    requestId: 'req-1',
  };
}

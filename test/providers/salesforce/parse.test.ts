import { describe, expect, it } from 'vitest';
import { BadRequestError, UnprocessableEventError } from '../../../lib/errors.ts';
import { salesforceProvider } from '../../../lib/providers/salesforce/index.ts';
import type { EventType, ParsedEvent, ParseResult, ProviderSettings } from '../../../lib/providers/types.ts';
import { caseNotification, envelope, fixture, outbound } from './support.ts';

const parse = (body: string, route: EventType | undefined, settings: ProviderSettings = {}): ParseResult =>
  salesforceProvider.parse(outbound(body, route), settings);

function events(result: ParseResult): readonly ParsedEvent[] {
  if (result.kind !== 'events') throw new Error(`expected events, got ${JSON.stringify(result)}`);
  return result.events;
}

function thrown(fn: () => unknown): { reason: string } {
  try {
    fn();
  } catch (error) {
    return error as { reason: string };
  }
  throw new Error('expected a throw');
}

describe('Salesforce outbound messages → events', () => {
  it('turns a Case notification on /ticket-created into ticket.created keyed by Case id, with every selected field', () => {
    const [event, ...rest] = events(parse(fixture('case-created'), 'ticket.created'));
    expect(rest).toHaveLength(0);
    expect(event).toEqual({
      eventType: 'ticket.created',
      ticketId: '5005e00000QxYz1AAF',
      identity: 'ticket.created:5005e00000QxYz1AAF',
      // The fixture's LastModifiedDate, 2024-06-01T10:00:00.000Z: ingest's replay check reads it.
      occurredAtMs: Date.UTC(2024, 5, 1, 10, 0, 0),
      payload: {
        notificationId: '04l5e00000AAAAaAAP',
        organizationId: '00D5e000000XyZaEAK',
        sObjectType: 'Case',
        sObject: {
          Id: '5005e00000QxYz1AAF',
          CaseNumber: '00001026',
          ContactId: '0035e00000CtC01AAF',
          CreatedDate: '2024-06-01T10:00:00.000Z',
          Description: 'I was charged twice for my subscription this month & need one payment refunded.',
          IsClosed: 'false',
          LastModifiedDate: '2024-06-01T10:00:00.000Z',
          Origin: 'Email',
          Priority: 'Medium',
          Status: 'New',
          Subject: 'Charged twice',
        },
      },
    });
  });

  it('splits a batch into one event per Notification (nil fields null, CDATA read)', () => {
    const list = events(parse(fixture('case-created-batch'), 'ticket.created'));
    expect(list.map((e) => e.identity)).toEqual(['ticket.created:5005e00000QxYz2AAF', 'ticket.created:5005e00000QxYz3AAF']);
    expect(list[0]?.payload).toMatchObject({ sObject: { ContactId: null, SuppliedEmail: 'ops@example.org' } });
    expect(list[1]?.payload).toMatchObject({ sObject: { Description: 'Phone line is dead since <Monday>.' } });
  });

  it('accepts 100 notifications and refuses 101', () => {
    const many = (n: number) =>
      envelope(Array.from({ length: n }, (_, i) => caseNotification(`04l5e00000N${String(i).padStart(4, '0')}`, { Id: `5005e0000${String(i).padStart(6, '0')}` })).join(''));
    expect(events(parse(many(100), 'ticket.created'))).toHaveLength(100);
    expect(thrown(() => parse(many(101), 'ticket.created')).reason).toBe('too_many_notifications');
  });

  it('keys a closure by Case id and ClosedDate', () => {
    const [event] = events(parse(fixture('case-closed'), 'ticket.resolved'));
    expect(event).toMatchObject({ eventType: 'ticket.resolved', ticketId: '5005e00000QxYz1AAF', identity: 'ticket.resolved:5005e00000QxYz1AAF:2024-06-02T16:30:00.000Z' });
  });

  it('keys a closure by notification id when ClosedDate is not selected', () => {
    const body = fixture('case-closed').replace(/<sf:ClosedDate>[^<]*<\/sf:ClosedDate>/, '');
    expect(events(parse(body, 'ticket.resolved'))[0]?.identity).toBe('ticket.resolved:5005e00000QxYz1AAF:04l5e00000AAAAdAAP');
  });

  it.each([
    ['case-comment', 'message.created:5005e00000QxYz1AAF:00a5e00000CmT01AAF'],
    ['email-message', 'message.created:5005e00000QxYz1AAF:02s5e00000EmL01AAF'],
  ])('turns %s on /message-created into message.created of the parent Case', (name, identity) => {
    const [event] = events(parse(fixture(name), 'message.created'));
    expect(event).toMatchObject({ eventType: 'message.created', ticketId: '5005e00000QxYz1AAF', identity });
  });

  describe('identity across Salesforce redeliveries', () => {
    it('is the same when the retry carries newer field values ("the endpoint only receives the latest data")', () => {
      const first = fixture('case-closed');
      const retry = first.replace('<sf:Status>Closed</sf:Status>', '<sf:Status>Closed - Resolved</sf:Status>').replace('Charged twice', 'Charged twice (updated)');
      expect(retry).not.toBe(first);
      expect(events(parse(retry, 'ticket.resolved'))[0]?.identity).toBe(events(parse(first, 'ticket.resolved'))[0]?.identity);
    });

    it('makes a second creation notification of the same Case (new notification id) a duplicate', () => {
      const again = fixture('case-created').replace('04l5e00000AAAAaAAP', '04l5e00000ZZZZZAAP');
      expect(events(parse(again, 'ticket.created'))[0]?.identity).toBe('ticket.created:5005e00000QxYz1AAF');
    });
  });

  describe('echo loop: what the bridge writes does not start a new processing', () => {
    it('its internal CaseComment is ignored (marker and IsPublished false)', () => {
      expect(parse(fixture('case-comment-bridge-note'), 'message.created')).toEqual({ kind: 'ignored', reason: 'the bridge’s own note' });
    });

    it('any internal CaseComment is ignored (an agent note is not a customer message)', () => {
      const internal = fixture('case-comment').replace('<sf:IsPublished>true</sf:IsPublished>', '<sf:IsPublished>false</sf:IsPublished>');
      expect(parse(internal, 'message.created')).toEqual({ kind: 'ignored', reason: 'internal CaseComment' });
    });

    it('an outgoing email is ignored', () => {
      const outgoing = fixture('email-message').replace('<sf:Incoming>true</sf:Incoming>', '<sf:Incoming>false</sf:Incoming>');
      expect(parse(outgoing, 'message.created')).toEqual({ kind: 'ignored', reason: 'outgoing EmailMessage' });
    });

    it('its field update re-firing a "closed" rule (new notification, same ClosedDate) is the same event', () => {
      const refired = fixture('case-closed').replace('04l5e00000AAAAdAAP', '04l5e00000AAAAzAAP');
      expect(events(parse(refired, 'ticket.resolved'))[0]?.identity).toBe('ticket.resolved:5005e00000QxYz1AAF:2024-06-02T16:30:00.000Z');
    });

    it('a Case that is not closed is not a resolution', () => {
      expect(parse(fixture('case-created'), 'ticket.resolved')).toEqual({ kind: 'ignored', reason: 'the Case is not closed' });
    });
  });

  it('ignores an sObject the route does not take', () => {
    expect(parse(fixture('case-comment'), 'ticket.created')).toEqual({
      kind: 'ignored',
      reason: 'CaseComment notifications are not ticket.created events (expected Case)',
    });
    expect(parse(fixture('case-created'), 'message.created')).toMatchObject({ kind: 'ignored' });
  });

  it('acknowledges every parse result with the SOAP notificationsResponse', () => {
    const ack = salesforceProvider.acceptedResponse?.({ kind: 'ignored', reason: 'x' });
    expect(ack).toEqual({
      contentType: 'text/xml; charset=utf-8',
      body:
        '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>' +
        '<notificationsResponse xmlns="http://soap.sforce.com/2005/09/outbound"><Ack>true</Ack></notificationsResponse></soapenv:Body></soapenv:Envelope>',
    });
    expect(salesforceProvider.acceptedResponse?.({ kind: 'events', events: [] })).toEqual(ack);
  });

  it('takes the Case id from a fieldMap override', () => {
    const body = envelope(caseNotification('04l5e00000AAAAaAAP', { Id: '5005e00000QxYz1AAF', External_Id__c: 'EXT-9' }));
    expect(events(parse(body, 'ticket.created', { fieldMap: { caseId: ['External_Id__c'] } }))[0]?.ticketId).toBe('EXT-9');
  });

  describe('rejections', () => {
    it('asks for an event route (the payload does not name the event)', () => {
      const error = thrown(() => parse(fixture('case-created'), undefined));
      expect(error).toBeInstanceOf(BadRequestError);
      expect(error.reason).toBe('missing_event_route');
    });

    it.each([
      ['an empty body', '', 'empty_body'],
      ['JSON', '{"Id":"5005e00000QxYz1AAF"}', 'xml_malformed'],
      ['an unclosed element', '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>', 'xml_malformed'],
      ['mismatched tags', '<a><b></a></b>', 'xml_malformed'],
      ['an undeclared prefix', '<x:Envelope/>', 'xml_malformed'],
      ['a DOCTYPE with an entity (XXE / billion laughs)', '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]><lolz>&lol;</lolz>', 'xml_doctype_forbidden'],
      ['an undeclared entity', envelope(caseNotification('04l5e00000AAAAaAAP', { Id: '5005e00000QxYz1AAF', Subject: '&xxe;' })), 'xml_entity_forbidden'],
      ['a processing instruction', envelope('<?evil do="it"?>'), 'xml_pi_forbidden'],
      ['a bare ampersand', envelope(caseNotification('04l5e00000AAAAaAAP', { Id: '5005e00000QxYz1AAF', Subject: 'A & B' })), 'xml_malformed'],
      ['two root elements', '<a/><b/>', 'xml_malformed'],
      ['a SOAP 1.2 envelope', '<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body/></e:Envelope>', 'not_a_soap_envelope'],
      ['an envelope without notifications', '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><other/></s:Body></s:Envelope>', 'not_an_outbound_message'],
      ['a Notification without Id', envelope('<Notification><sObject xsi:type="sf:Case" xmlns:sf="urn:sobject.enterprise.soap.sforce.com"/></Notification>'), 'missing_notification_id'],
      ['a Notification without sObject', envelope('<Notification><Id>04l5e00000AAAAaAAP</Id></Notification>'), 'missing_sobject'],
      ['an sObject without xsi:type', envelope('<Notification><Id>04l5e00000AAAAaAAP</Id><sObject><Id>1</Id></sObject></Notification>'), 'missing_sobject_type'],
    ])('400 for %s', (_case, body, reason) => {
      const error = thrown(() => parse(body, 'ticket.created'));
      expect(error).toBeInstanceOf(BadRequestError);
      expect(error.reason).toBe(reason);
    });

    it('422 for a Case notification without Id, and a comment without ParentId', () => {
      const noId = thrown(() => parse(envelope(caseNotification('04l5e00000AAAAaAAP', { Subject: 'x' })), 'ticket.created'));
      expect(noId).toBeInstanceOf(UnprocessableEventError);
      expect(noId.reason).toBe('missing_ticket_id');
      const noParent = thrown(() => parse(envelope(caseNotification('04l5e00000AAAAaAAP', { Id: '00a5e00000CmT01AAF', CommentBody: 'hi' }, 'CaseComment')), 'message.created'));
      expect(noParent).toBeInstanceOf(UnprocessableEventError);
    });
  });
});

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { salesforceProvider } from '../../../lib/providers/salesforce/index.ts';
import { defaultSimpli, startHarness, type Harness } from '../../support/bridge-harness.ts';
import type { Responder } from '../../support/fake-server.ts';
import { fixture, ORG_ID_15, TOKEN } from './support.ts';

const SOAP_HEADERS = { 'content-type': 'text/xml; charset=utf-8', soapaction: '""', 'user-agent': 'Jakarta Commons-HttpClient/3.1' };
const ACK =
  '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>' +
  '<notificationsResponse xmlns="http://soap.sforce.com/2005/09/outbound"><Ack>true</Ack></notificationsResponse></soapenv:Body></soapenv:Envelope>';

const fakeSalesforce: Responder = (req) => {
  if (req.method === 'PATCH') return { status: 204 };
  if (req.method === 'POST') return { status: 201, json: { id: '00a5e00000CmT09AAF', success: true, errors: [] } };
  if (req.path.endsWith('/query')) {
    const isComments = (req.query.get('q') ?? '').includes('FROM CaseComment');
    return {
      json: {
        done: true,
        records: isComments
          ? [{ CommentBody: 'Refund issued.', IsPublished: true, CreatedDate: '2024-06-02T16:00:00.000+0000', CreatedBy: { UserType: 'Standard' } }]
          : [],
      },
    };
  }
  return { status: 404, json: [{ errorCode: 'NOT_FOUND' }] };
};

describe('Salesforce end to end (real handlers on fauxqs + dynalite, fake Simpli and Salesforce)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      providers: { salesforce: salesforceProvider },
      settings: (url) => ({
        salesforce: {
          instanceUrl: url,
          accessToken: 'sf-token',
          apiVersion: 'v62.0',
          organizationIds: [ORG_ID_15],
          customFields: { ai_category: 'AI_Category__c', ai_qa_score: 'AI_QA_Score__c' },
        },
      }),
      helpdesk: fakeSalesforce,
    });
  });
  afterAll(async () => {
    await h.stop();
  });
  beforeEach(() => {
    h.simpli.requests.length = 0;
    h.helpdesk.requests.length = 0;
    h.simpli.respond(defaultSimpli);
  });

  it('acknowledges a batch of two Cases with the SOAP Ack, processes each once despite redelivery, and writes fields and comments', async () => {
    const body = fixture('case-created-batch');
    const first = await h.post(`/webhooks/salesforce/ticket-created?token=${TOKEN}`, body, SOAP_HEADERS);
    expect(first.statusCode).toBe(200);
    expect(first.headers['content-type']).toBe('text/xml; charset=utf-8');
    expect(first.body).toBe(ACK);

    // Salesforce redelivers when it missed the Ack; the batch may come again with newer values.
    const redelivered = body.replace('Export broken', 'Export broken (edited)');
    expect((await h.post(`/webhooks/salesforce/ticket-created?token=${TOKEN}`, redelivered, SOAP_HEADERS)).body).toBe(ACK);
    await h.drain();
    expect((await h.post(`/webhooks/salesforce/ticket-created?token=${TOKEN}`, body, SOAP_HEADERS)).body).toBe(ACK);
    await h.drain();

    expect(h.simpli.calls('POST', '/classify')).toHaveLength(2);
    for (const caseId of ['5005e00000QxYz2AAF', '5005e00000QxYz3AAF']) {
      const patches = h.helpdesk.calls('PATCH', `/services/data/v62.0/sobjects/Case/${caseId}`);
      expect(patches).toHaveLength(1);
      expect(patches[0]?.headers.authorization).toBe('Bearer sf-token');
      expect(patches[0]?.body).toEqual({ Priority: 'High', AI_Category__c: 'billing' });
      expect((await h.ledger.get(`salesforce:ticket.created:${caseId}`))?.status).toBe('done');
    }
    const comments = h.helpdesk.calls('POST', '/services/data/v62.0/sobjects/CaseComment');
    expect(comments.map((c) => (c.body as { ParentId: string }).ParentId).sort()).toEqual(['5005e00000QxYz2AAF', '5005e00000QxYz3AAF']);
    expect(comments.every((c) => (c.body as { IsPublished: boolean }).IsPublished === false)).toBe(true);
  });

  it('runs QA on a closed Case with the thread from the API and writes the score back', async () => {
    const body = fixture('case-closed');
    expect((await h.post(`/webhooks/salesforce/ticket-resolved?token=${TOKEN}`, body, SOAP_HEADERS)).statusCode).toBe(200);
    await h.drain();

    expect(h.simpli.calls('POST', '/evaluate')[0]?.body).toMatchObject({
      conversation_id: '5005e00000QxYz1AAF',
      agent_id: '',
      messages: [
        { role: 'customer', content: 'I was charged twice for my subscription this month & need one payment refunded.' },
        { role: 'agent', content: 'Refund issued.' },
      ],
    });
    expect(h.helpdesk.calls('PATCH', '/services/data/v62.0/sobjects/Case/5005e00000QxYz1AAF')[0]?.body).toEqual({ AI_QA_Score__c: 0.92 });
  });

  it('sends the Case owner (OwnerId) as QA’s agent_id', async () => {
    const body = fixture('case-closed').replace('<sf:Id>5005e00000QxYz1AAF</sf:Id>', '<sf:Id>5005e00000QxYz1AAF</sf:Id><sf:OwnerId>0055e000003AbCdAAK</sf:OwnerId>');
    expect(body).toContain('OwnerId');
    // A later close (its own ClosedDate), so the Ledger does not take it for the one above.
    const reclosed = body.replace(/<sf:ClosedDate>[^<]*<\/sf:ClosedDate>/, '<sf:ClosedDate>2024-06-09T10:00:00.000Z</sf:ClosedDate>');
    expect(reclosed).toContain('2024-06-09T10:00:00.000Z');
    expect((await h.post(`/webhooks/salesforce/ticket-resolved?token=${TOKEN}`, reclosed, SOAP_HEADERS)).statusCode).toBe(200);
    await h.drain();
    expect(h.simpli.calls('POST', '/evaluate')[0]?.body).toMatchObject({ conversation_id: '5005e00000QxYz1AAF', agent_id: '0055e000003AbCdAAK' });
  });

  it('acknowledges the echo of its own CaseComment without enqueuing it (no loop, no 24 h of retries)', async () => {
    const echo = await h.post(`/webhooks/salesforce/message-created?token=${TOKEN}`, fixture('case-comment-bridge-note'), SOAP_HEADERS);
    expect(echo.statusCode).toBe(200);
    expect(echo.body).toBe(ACK);
    expect(await h.queueDepth()).toEqual({ visible: 0, inFlight: 0 });
  });

  it('answers 401 to a wrong token, no token, and another organization', async () => {
    const body = fixture('case-created');
    expect((await h.post('/webhooks/salesforce/ticket-created?token=guess', body, SOAP_HEADERS)).statusCode).toBe(401);
    expect((await h.post('/webhooks/salesforce/ticket-created', body, SOAP_HEADERS)).statusCode).toBe(401);
    const otherOrg = body.replaceAll('00D5e000000XyZaEAK', '00D5e000000XyZbEAK');
    expect((await h.post(`/webhooks/salesforce/ticket-created?token=${TOKEN}`, otherOrg, SOAP_HEADERS)).statusCode).toBe(401);
    expect(await h.queueDepth()).toEqual({ visible: 0, inFlight: 0 });
  });
});

import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PermanentEventError } from '../../../lib/errors.ts';
import { createHttpClient } from '../../../lib/http.ts';
import { salesforceProvider } from '../../../lib/providers/salesforce/index.ts';
import type { EventType, NormalizedEvent, ProviderSettings } from '../../../lib/providers/types.ts';
import { startFakeServer, type FakeServer } from '../../support/fake-server.ts';
import { helpdeskContract } from '../../support/helpdesk-contracts.ts';
import { caseNotification, envelope, fixture, outbound, queued } from './support.ts';

let api: FakeServer;
const http = createHttpClient({ retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 } });

beforeAll(async () => {
  api = await startFakeServer(undefined, { contract: helpdeskContract });
});
afterAll(async () => {
  await api.stop();
});
// Every request the bridge made must keep the vendor's contract (helpdesk-contracts.ts).
afterEach(() => api.assertNoViolations());
beforeEach(() => {
  api.requests.length = 0;
});

async function normalize(body: string, route: EventType, settings: ProviderSettings = {}): Promise<NormalizedEvent> {
  const result = salesforceProvider.parse(outbound(body, route), settings);
  if (result.kind !== 'events' || result.events[0] === undefined) throw new Error('no event');
  return salesforceProvider.normalize(queued(result.events[0]), { settings, http });
}

const apiSettings = (): ProviderSettings => ({ instanceUrl: api.url, accessToken: 'sf-token', apiVersion: 'v61.0' });

describe('Salesforce normalization', () => {
  it('maps the Case fields of a creation', async () => {
    expect(await normalize(fixture('case-created'), 'ticket.created')).toEqual({
      eventType: 'ticket.created',
      ticketId: '5005e00000QxYz1AAF',
      subject: 'Charged twice',
      body: 'I was charged twice for my subscription this month & need one payment refunded.',
      customerId: '0035e00000CtC01AAF',
      channel: 'email',
      messageText: undefined,
      conversation: [{ role: 'customer', content: 'I was charged twice for my subscription this month & need one payment refunded.' }],
      metadata: { source: 'salesforce', sobject: 'Case', case_number: '00001026', status: 'New', priority: 'Medium' },
    });
    expect(api.requests).toHaveLength(0);
  });

  it('falls back to SuppliedEmail for the customer and maps Origin Web and Phone', async () => {
    const body = fixture('case-created-batch');
    const result = salesforceProvider.parse(outbound(body, 'ticket.created'), {});
    if (result.kind !== 'events') throw new Error('no events');
    const [web, phone] = await Promise.all(result.events.map((e) => salesforceProvider.normalize(queued(e), { settings: {}, http })));
    expect(web).toMatchObject({ customerId: 'ops@example.org', channel: 'web' });
    expect(phone).toMatchObject({ customerId: '0035e00000CtC01AAF', channel: 'phone' });
  });

  it('takes the comment text of a CaseComment and the text body of an EmailMessage', async () => {
    expect((await normalize(fixture('case-comment'), 'message.created')).messageText).toBe('It is still not refunded and I am losing patience.');
    expect((await normalize(fixture('email-message'), 'message.created')).messageText).toBe('Hello, any news on my refund?');
  });

  it('reads a custom Case field through a fieldMap override', async () => {
    const body = envelope(caseNotification('04l5e00000AAAAaAAP', { Id: '5005e00000QxYz1AAF', Subject: 'S', Description: 'D', Account_Number__c: 'ACC-7' }));
    expect((await normalize(body, 'ticket.created', { fieldMap: { customerId: ['Account_Number__c'] } })).customerId).toBe('ACC-7');
  });

  it('fetches the Case when the outbound message selected neither Subject nor Description', async () => {
    api.respond(() => ({ json: { attributes: { type: 'Case' }, Subject: 'Fetched subject', Description: 'Fetched body', Origin: 'Phone', ContactId: null } }));
    const body = envelope(caseNotification('04l5e00000AAAAaAAP', { Id: '5005e00000QxYz1AAF', Status: 'New' }));
    const event = await normalize(body, 'ticket.created', apiSettings());

    expect(api.requests).toHaveLength(1);
    expect(api.requests[0]?.method).toBe('GET');
    expect(api.requests[0]?.path).toBe('/services/data/v61.0/sobjects/Case/5005e00000QxYz1AAF');
    expect(api.requests[0]?.query.get('fields')).toBe('Subject,Description,Origin,ContactId,SuppliedEmail,Status,Priority,CaseNumber');
    expect(api.requests[0]?.headers.authorization).toBe('Bearer sf-token');
    expect(event).toMatchObject({ subject: 'Fetched subject', body: 'Fetched body', channel: 'phone', metadata: { status: 'New' } });
  });

  it('fetches comments and emails on resolution and builds the public thread, oldest first', async () => {
    api.respond((req) => {
      const q = req.query.get('q') ?? '';
      if (q.includes('FROM CaseComment')) {
        return {
          json: {
            totalSize: 3,
            done: true,
            records: [
              { Id: 'c1', CommentBody: '[Simpli AI]\nTriage: billing', IsPublished: false, CreatedDate: '2024-06-01T10:01:00.000+0000', CreatedBy: { UserType: 'Standard' } },
              { Id: 'c2', CommentBody: 'We are looking into it.', IsPublished: true, CreatedDate: '2024-06-01T11:00:00.000+0000', CreatedBy: { UserType: 'Standard' } },
              { Id: 'c3', CommentBody: 'Still waiting!', IsPublished: true, CreatedDate: '2024-06-01T12:00:00.000+0000', CreatedBy: { UserType: 'PowerCustomerSuccess' } },
              { Id: 'c4', CommentBody: 'check Stripe', IsPublished: false, CreatedDate: '2024-06-01T12:30:00.000+0000', CreatedBy: { UserType: 'Standard' } },
            ],
          },
        };
      }
      return {
        json: {
          totalSize: 2,
          done: true,
          records: [
            { Id: 'e1', TextBody: 'Any news on my refund?', Incoming: true, MessageDate: '2024-06-01T13:00:00.000+0000' },
            { Id: 'e2', TextBody: 'Refund issued today.', Incoming: false, MessageDate: '2024-06-02T16:00:00.000+0000' },
          ],
        },
      };
    });
    const event = await normalize(fixture('case-closed'), 'ticket.resolved', apiSettings());

    expect(api.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /services/data/v61.0/query', 'GET /services/data/v61.0/query']);
    expect(api.requests[0]?.query.get('q')).toBe(
      "SELECT Id, CommentBody, IsPublished, CreatedDate, CreatedBy.UserType FROM CaseComment WHERE ParentId = '5005e00000QxYz1AAF' ORDER BY CreatedDate ASC LIMIT 200",
    );
    expect(api.requests[1]?.query.get('q')).toBe(
      "SELECT Id, TextBody, Incoming, MessageDate FROM EmailMessage WHERE ParentId = '5005e00000QxYz1AAF' ORDER BY MessageDate ASC LIMIT 200",
    );
    expect(event.conversation).toEqual([
      { role: 'customer', content: 'I was charged twice for my subscription this month & need one payment refunded.' },
      { role: 'agent', content: 'We are looking into it.' },
      { role: 'customer', content: 'Still waiting!' },
      { role: 'customer', content: 'Any news on my refund?' },
      { role: 'agent', content: 'Refund issued today.' },
    ]);
  });

  it('never puts a non-id into SOQL', async () => {
    const body = envelope(caseNotification('04l5e00000AAAAaAAP', { Id: "x' OR Name != '", IsClosed: 'true' }));
    const error = await normalize(body, 'ticket.resolved', apiSettings()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentEventError);
    expect((error as PermanentEventError).reason).toBe('invalid_case_id');
    expect(api.requests).toHaveLength(0);
  });
});

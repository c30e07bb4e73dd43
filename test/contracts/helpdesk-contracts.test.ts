/**
 * The fake helpdesk APIs' contracts refuse what the real APIs would: each vendor's rule is shown
 * to accept the bridge's request and to refuse a request that breaks it, with a message saying why.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { RecordedRequest } from '../support/fake-server.ts';
import { HELPDESK_SPECS, helpdeskContract, vendorOf } from '../support/helpdesk-contracts.ts';

const basic = (credentials: string) => `Basic ${Buffer.from(credentials).toString('base64')}`;
const ZENDESK = { authorization: basic('bridge@example.com/token:zd'), 'content-type': 'application/json' };
const FRESHDESK = { authorization: basic('fd-key:X'), 'content-type': 'application/json' };
const INTERCOM = { authorization: 'Bearer tok', 'intercom-version': '2.11', 'content-type': 'application/json' };
const HUBSPOT = { authorization: 'Bearer tok', 'content-type': 'application/json' };
const SALESFORCE = { authorization: 'Bearer tok', 'content-type': 'application/json' };

function req(method: string, pathAndQuery: string, headers: Record<string, string>, body?: unknown): RecordedRequest {
  const url = new URL(pathAndQuery, 'http://fake');
  return { method, path: url.pathname, query: url.searchParams, headers, rawBody: body === undefined ? '' : JSON.stringify(body), body };
}

const specs = existsSync(HELPDESK_SPECS);
if (!specs) console.warn(`helpdesk OpenAPI files absent at ${HELPDESK_SPECS.pathname}: their contract tests are skipped.`);

describe('which vendor a request is for', () => {
  it.each([
    [req('PUT', '/api/v2/tickets/7', ZENDESK), 'zendesk'],
    [req('PUT', '/api/v2/tickets/7', FRESHDESK), 'freshdesk'],
    [req('PUT', '/conversations/1', INTERCOM), 'intercom'],
    [req('PATCH', '/crm/v3/objects/tickets/1', HUBSPOT), 'hubspot'],
    [req('PATCH', '/services/data/v60.0/sobjects/Case/500000000000001', SALESFORCE), 'salesforce'],
    [req('POST', '/tickets/T-1', { authorization: 'Bearer x' }), undefined],
  ])('%#: %s', (request, vendor) => {
    expect(vendorOf(request)).toBe(vendor);
  });
});

describe.runIf(specs)('OpenAPI files (HubSpot, Intercom 2.11, Zendesk)', () => {
  it.each([
    ['Zendesk update', req('PUT', '/api/v2/tickets/7', ZENDESK, { ticket: { priority: 'high', comment: { body: 'n', public: false }, custom_fields: [{ id: 1, value: 0.5 }] } })],
    ['Zendesk tags', req('PUT', '/api/v2/tickets/7/tags', ZENDESK, { tags: ['billing'] })],
    ['Intercom attributes', req('PUT', '/conversations/1', INTERCOM, { custom_attributes: { 'AI risk': '0.7' } })],
    ['HubSpot batch read', req('POST', '/crm/v3/objects/emails/batch/read', HUBSPOT, { properties: ['hs_email_text'], propertiesWithHistory: [], inputs: [{ id: '1' }] })],
  ])('accepts %s', async (_name, request) => {
    expect(await helpdeskContract(request)).toEqual([]);
  });

  it.each([
    ['a .json path the file does not list', req('PUT', '/api/v2/tickets/7.json', ZENDESK, { ticket: {} }), /ticket_id must be integer/],
    ['a tags body without tags (by hand: the file declares none)', req('PUT', '/api/v2/tickets/7/tags', ZENDESK, { labels: ['x'] }), /\{"tags": \[non-empty strings\]\}/],
    ['a custom field without its integer id', req('PUT', '/api/v2/tickets/7', ZENDESK, { ticket: { custom_fields: [{ id: 'cat', value: 'x' }] } }), /custom_fields\[0\]\.id/],
    ['a decimal conversation attribute', req('PUT', '/conversations/1', INTERCOM, { custom_attributes: { 'AI risk': 0.7 } }), /custom_attributes\/AI risk must be string/],
    ['another Intercom-Version', req('PUT', '/conversations/1', { ...INTERCOM, 'intercom-version': '0.1' }, { custom_attributes: {} }), /intercom-version/i],
    ['a batch read without propertiesWithHistory', req('POST', '/crm/v3/objects/emails/batch/read', HUBSPOT, { properties: [], inputs: [] }), /propertiesWithHistory/],
    ['an operation HubSpot does not have', req('DELETE', '/crm/v3/objects/tickets', HUBSPOT), /is no operation of/],
  ])('refuses %s', async (_name, request, message) => {
    const violations = await helpdeskContract(request);
    expect(violations.length).toBeGreaterThan(0);
    expect(violations.join('\n')).toMatch(message);
  });
});

describe('by hand: Freshdesk (developers.freshdesk.com/api) and Salesforce (REST API docs)', () => {
  it.each([
    ['Freshdesk update', req('PUT', '/api/v2/tickets/11', FRESHDESK, { priority: 3, tags: ['a'], custom_fields: { cf_ai_category: 'billing' } })],
    ['Freshdesk note', req('POST', '/api/v2/tickets/11/notes', FRESHDESK, { body: '<div>n</div>', private: true })],
    ['Freshdesk conversations', req('GET', '/api/v2/tickets/11/conversations?per_page=100&page=2', FRESHDESK)],
    ['Salesforce Case update', req('PATCH', '/services/data/v60.0/sobjects/Case/500000000000001', SALESFORCE, { Priority: 'High' })],
    ['Salesforce comment', req('POST', '/services/data/v60.0/sobjects/CaseComment', SALESFORCE, { ParentId: '500000000000001', CommentBody: 'n', IsPublished: false })],
  ])('accepts %s', async (_name, request) => {
    expect(await helpdeskContract(request)).toEqual([]);
  });

  it.each([
    ['a Freshdesk priority word', req('PUT', '/api/v2/tickets/11', FRESHDESK, { priority: 'high' }), /priority must be 1, 2, 3 or 4/],
    ['a Freshdesk custom field without cf_', req('PUT', '/api/v2/tickets/11', FRESHDESK, { custom_fields: { ai_category: 'x' } }), /must be named cf_/],
    ['a Freshdesk note without body', req('POST', '/api/v2/tickets/11/notes', FRESHDESK, { private: true }), /body .* is required/],
    ['Freshdesk per_page over 100', req('GET', '/api/v2/tickets/11/conversations?per_page=500', FRESHDESK), /per_page=500 is out of range/],
    ['a Salesforce comment over 4,000 bytes', req('POST', '/services/data/v60.0/sobjects/CaseComment', SALESFORCE, { ParentId: '500000000000001', CommentBody: 'é'.repeat(2001) }), /4,000 bytes/],
    ['a Salesforce call without a token', req('PATCH', '/services/data/v60.0/sobjects/Case/500000000000001', { 'content-type': 'application/json' }, {}), /Bearer/],
  ])('refuses %s', async (_name, request, message) => {
    expect((await helpdeskContract(request)).join('\n')).toMatch(message);
  });
});

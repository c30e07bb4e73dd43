/**
 * Nothing a customer writes reaches a log line (issue #13 finding 12): every value a rejection or
 * an `ignored` reason names comes from the body, so each one here carries customer-like text and
 * the handler's whole log output is searched for it.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { shown } from '../../lib/log-safe.ts';
import { createKit, secretOf } from './redteam-kit.ts';

const CANARY = 'Quokka canary 5512, please refund';
const fixture = (path: string) => readFileSync(new URL(`../fixtures/${path}`, import.meta.url), 'utf8');
const caseXml = fixture('salesforce/case-created.xml');
const escaped = CANARY.replaceAll('&', '&amp;');

/** A connector (issue #12) with a token and an event condition, declared as HELPDESK_CONFIG would. */
const ACME = {
  connector: {
    authenticity: { type: 'token', in: 'header', name: 'x-token' },
    events: { source: 'kind', map: { opened: 'ticket.created' }, when: { opened: { path: 'status', in: ['new'] } } },
    fields: { ticketId: ['id'] },
    auth: { type: 'none' },
    writeBack: [{ method: 'POST', url: '{settings.baseUrl}/cases/{ticket_id}', body: { text: '{note}' } }],
  },
  baseUrl: 'https://api.acme.example',
};

describe('customer text in a body never reaches the logs', () => {
  const kit = createKit({ settings: { acme: ACME } });
  const connectorPost = (body: unknown) => kit.post('acme', '/webhooks/acme', JSON.stringify(body), { unsigned: true, headers: { 'x-token': secretOf('acme') } });
  const cases: [label: string, run: () => ReturnType<typeof kit.post>, status: number][] = [
    ['Salesforce: an unescaped tag in a field', () => kit.post('salesforce', '/webhooks/salesforce/ticket-created', caseXml.replace('Charged twice', `<Quokka-canary x>${escaped}`)), 400],
    ['Salesforce: an unknown entity', () => kit.post('salesforce', '/webhooks/salesforce/ticket-created', caseXml.replace('Charged twice', '&Quokka-canary-5512;')), 400],
    ['Salesforce: an unclosed element', () => kit.post('salesforce', '/webhooks/salesforce/ticket-created', caseXml.replace('</sf:Subject>', '<Quokka-canary-5512></sf:Subject>')), 400],
    ['Salesforce: an odd sObject type', () => kit.post('salesforce', '/webhooks/salesforce/ticket-created', caseXml.replace('xsi:type="sf:Case"', `xsi:type="sf:${escaped}"`)), 200],
    ['Salesforce: a notification without sObject', () => kit.post('salesforce', '/webhooks/salesforce/ticket-created', caseXml.replace(/<Id>[^<]*<\/Id>/, `<Id>${escaped}</Id>`).replace(/<sObject[\s\S]*<\/sObject>/, '')), 400],
    ['Intercom: topic', () => kit.post('intercom', '/webhooks/intercom', JSON.stringify({ ...JSON.parse(fixture('intercom/conversation-user-replied.json')), topic: CANARY })), 200],
    ['Intercom: topic without item', () => kit.post('intercom', '/webhooks/intercom', JSON.stringify({ topic: CANARY, data: {} })), 400],
    ['generic: event name', () => kit.post('generic', '/webhooks/generic', JSON.stringify({ event: CANARY, ticket_id: 'G-1' })), 200],
    ['Zendesk: trigger event name', () => kit.post('zendesk', '/webhooks/zendesk', JSON.stringify({ event: CANARY, ticket_id: '1' })), 200],
    ['Zendesk: event type', () => kit.post('zendesk', '/webhooks/zendesk', JSON.stringify({ ...JSON.parse(fixture('zendesk/tags-changed.json')), type: `zen:event-type:${CANARY}` })), 200],
    ['Zendesk: status', () => kit.post('zendesk', '/webhooks/zendesk', fixture('zendesk/status-changed-solved.json').replace(/"current":\s*"[^"]*"/, `"current": "${CANARY}"`)), 200],
    ['Freshdesk: status', () => kit.post('freshdesk', '/webhooks/freshdesk/ticket-resolved', JSON.stringify({ ticket_id: 20, triggered_event: `{status:{from:2,to:${CANARY}}}` })), 200],
    ['Freshdesk: triggered_event', () => kit.post('freshdesk', '/webhooks/freshdesk', JSON.stringify({ ticket_id: 20, triggered_event: `{ticket_action:${CANARY}}` })), 200],
    ['HubSpot: subscription type', () => kit.post('hubspot', '/webhooks/hubspot', JSON.stringify([{ subscriptionType: CANARY, objectId: 1 }])), 200],
    ['HubSpot: property and stage', () => kit.post('hubspot', '/webhooks/hubspot', JSON.stringify([{ subscriptionType: 'ticket.propertyChange', objectId: 1, propertyName: CANARY }, { subscriptionType: 'ticket.propertyChange', objectId: 2, propertyName: 'hs_pipeline_stage', propertyValue: CANARY }])), 200],
    ['route: provider name', () => kit.post('generic', `/webhooks/${encodeURIComponent(CANARY)}`, '{}'), 404],
    ['Freshdesk: ticket_status on /ticket-resolved', () => kit.post('freshdesk', '/webhooks/freshdesk/ticket-resolved', JSON.stringify({ ticket_id: 20, ticket_status: CANARY })), 200],
    ['connector: event name', () => connectorPost({ kind: CANARY, id: '7' }), 200],
    ['connector: the value of an event condition', () => connectorPost({ kind: 'opened', id: '7', status: CANARY }), 200],
  ];
  for (const [label, run, status] of cases) {
    it(`${label} → ${status}, and the log lines do not hold the text`, async () => {
      const before = kit.logs.length;
      const r = await run();
      expect(r.status).toBe(status);
      const lines = kit.logs.slice(before);
      expect(lines.length).toBeGreaterThan(0);
      for (const needle of ['Quokka', 'canary', '5512']) expect(lines.join('\n')).not.toContain(needle);
    });
  }

  it('vendor vocabulary is still named; other values only by length', () => {
    expect(shown('conversation.user.replied')).toBe('conversation.user.replied');
    expect(shown('{ticket_action:created}')).toBe('{ticket_action:created}');
    expect(shown(CANARY)).toBe(`(a value of ${CANARY.length} characters)`);
    expect(shown('x'.repeat(81))).toBe('(a value of 81 characters)');
  });
});

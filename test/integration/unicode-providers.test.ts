/**
 * The Unicode property of unicode-property.test.ts, end to end for every helpdesk provider:
 * random strings over all planes (emoji, ZWJ sequences, astral CJK, RTL marks, combining marks,
 * U+FFFE/U+FFFF, NUL, BOM) in every text field, in each vendor's own body format, signed as that
 * vendor signs (infra/sign), through the real handlers on fauxqs + dynalite → accepted, the text
 * reaching Simpli unchanged, written back once through the fake helpdesk API (whose requests are
 * validated against the vendor's contract), nothing dead-lettered.
 *
 * Text is framed by letters so that the trimming every provider does on its fields is no change,
 * and has no `<`, `>`, `&` or newline, which HTML bodies (Intercom, Freshdesk, Zendesk) would
 * legitimately turn into markup or collapse. Salesforce's XML cannot carry NUL, U+FFFE or U+FFFF
 * (XML 1.0 `Char`), so its text leaves those out.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signers } from '../../infra/sign/index.ts';
import { toId18 } from '../../lib/providers/salesforce/salesforce-id.ts';
import type { ProviderName } from '../../lib/providers/types.ts';
import { allHelpdeskSettings, DEFAULT_SECRET, startHarness, type Harness } from '../support/bridge-harness.ts';
import type { Responder } from '../support/fake-server.ts';

const ANY = ['😀', '👨\u200D👩\u200D👧', '🎟', '𝕏', '𠀋', '中', 'ש', 'ل', '\u200F', 'e\u0301', '\u0301', '\uFFFE', '\uFFFF', '\u0000', '\uFEFF', '"', '\\', '\t', ' '];
const XML_SAFE = ANY.filter((c) => c !== '\u0000' && c !== '\uFFFE' && c !== '\uFFFF');

function textOf(specials: readonly string[]): fc.Arbitrary<string> {
  const char = fc.oneof(
    fc.constantFrom(...specials),
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
    fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }),
  );
  return fc
    .array(char, { minLength: 1, maxLength: 30 })
    .map((cs) => `a${cs.join('').replace(/[<>&\r\n\u2028\u2029\u0085]/g, '·')}z`)
    .filter((s) => specials !== XML_SAFE || isXmlText(s));
}

/** XML 1.0 `Char`: tab, LF, CR, U+0020–U+D7FF, U+E000–U+FFFD, astral (no NUL, other C0 controls, U+FFFE/FFFF). */
function isXmlText(s: string): boolean {
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    if (cp < 0x20 ? cp !== 0x09 && cp !== 0x0a && cp !== 0x0d : cp === 0xfffe || cp === 0xffff) return false;
  }
  return true;
}

const escapeXml = (s: string) => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

interface Sample {
  readonly path: string;
  readonly body: string;
  readonly contentType?: string;
}

/** The fake APIs: what each vendor answers to the calls the bridge makes. */
let hubspotTicket: { subject: string; content: string } = { subject: '', content: '' };
const helpdeskApi: Responder = (r) => {
  if (r.method === 'GET' && r.path === '/tags') return { json: { type: 'list', data: [] } };
  if (r.method === 'POST' && r.path === '/tags') return { json: { type: 'tag', id: `t-${(r.body as { name: string }).name}`, name: (r.body as { name: string }).name } };
  if (r.method === 'GET' && /^\/api\/v2\/tickets\/\d+$/.test(r.path)) return { json: { id: Number(r.path.split('/').at(-1)), tags: [] } };
  if (r.method === 'GET' && r.path.startsWith('/crm/v3/objects/tickets/')) {
    return { json: { id: r.path.split('/').at(-1), properties: hubspotTicket, associations: { contacts: { results: [{ id: '901', type: 'ticket_to_contact' }] } } } };
  }
  if (r.method === 'GET' && r.path.startsWith('/services/data/')) return { json: {} };
  if (r.method === 'POST' && r.path.endsWith('/sobjects/CaseComment')) return { status: 201, json: { id: '00a5e00000CmT09AAF', success: true, errors: [] } };
  if (r.method === 'PATCH' && r.path.startsWith('/services/data/')) return { status: 204 };
  if (r.method === 'POST' && r.path === '/crm/v3/objects/notes') return { status: 201, json: { id: '90001' } };
  return { json: {} };
};

let n = 0;
/** One ticket.created body per provider, in the vendor's format, with the random fields in place. */
function sampleFor(provider: ProviderName, subject: string, body: string, customer: string): Sample {
  const id = 700_000 + n++;
  switch (provider) {
    case 'zendesk':
      return {
        path: '/webhooks/zendesk',
        body: JSON.stringify({
          type: 'zen:event-type:ticket.created',
          account_id: 88888888,
          id: `evt-${id}`,
          time: '2024-04-17T17:18:10Z',
          zendesk_event_version: '2022-11-06',
          subject: `zen:ticket:${id}`,
          detail: { id: String(id), subject, description: body, requester_id: customer, status: 'NEW', tags: [], via: { channel: 'email' } },
          event: {},
        }),
      };
    case 'freshdesk':
      return {
        path: '/webhooks/freshdesk/ticket-created',
        body: JSON.stringify({
          freshdesk_webhook: { triggered_event: '{ticket_action:created}', ticket_id: id, ticket_subject: subject, ticket_description: body, requester_email: customer, ticket_status: 'Open' },
        }),
      };
    case 'intercom':
      return {
        path: '/webhooks/intercom',
        body: JSON.stringify({
          type: 'notification_event',
          app_id: 'w8x3k1z9',
          data: {
            type: 'notification_event_data',
            item: {
              type: 'conversation',
              id: String(id),
              source: { type: 'email', subject, body: `<p>${body}</p>`, author: { type: 'user', id: customer } },
              contacts: { type: 'contact.list', contacts: [{ type: 'contact', id: customer }] },
              conversation_parts: { type: 'conversation_part.list', conversation_parts: [], total_count: 0 },
            },
          },
          id: `notif_${id}`,
          topic: 'conversation.user.created',
        }),
      };
    case 'hubspot':
      hubspotTicket = { subject, content: body };
      return {
        path: '/webhooks/hubspot',
        body: JSON.stringify([
          { eventId: id, subscriptionId: 2604411, portalId: 48807704, appId: 16111050, occurredAt: Date.now(), subscriptionType: 'ticket.creation', attemptNumber: 0, objectId: id, changeFlag: 'CREATED', changeSource: 'CRM_UI' },
        ]),
      };
    case 'salesforce': {
      const caseId = toId18(`5005e00000${String(id).slice(-5)}`);
      return {
        path: '/webhooks/salesforce/ticket-created',
        contentType: 'text/xml; charset=utf-8',
        body:
          '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
          '<soapenv:Body><notifications xmlns="http://soap.sforce.com/2005/09/outbound"><OrganizationId>00D5e000000XyZaEAK</OrganizationId><ActionId>04k5e000000AbCdAAK</ActionId>' +
          `<Notification><Id>${toId18(`04l5e00000${String(id).slice(-5)}`)}</Id><sObject xsi:type="sf:Case" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">` +
          `<sf:Id>${caseId}</sf:Id><sf:Subject>${escapeXml(subject)}</sf:Subject><sf:Description>${escapeXml(body)}</sf:Description><sf:SuppliedEmail>${escapeXml(customer)}</sf:SuppliedEmail><sf:Origin>Email</sf:Origin>` +
          '</sObject></Notification></notifications></soapenv:Body></soapenv:Envelope>',
      };
    }
    default:
      throw new Error(`no sample for ${provider}`);
  }
}

const PROVIDERS = ['zendesk', 'freshdesk', 'intercom', 'hubspot', 'salesforce'] as const;

describe('Unicode property, every provider end to end (signed as each vendor signs; real fauxqs + dynalite)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      settings: allHelpdeskSettings,
      helpdesk: helpdeskApi,
    });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it.each(PROVIDERS)('%s: any text in every field is accepted, reaches Simpli unchanged and is written back once', async (provider) => {
    const text = textOf(provider === 'salesforce' ? XML_SAFE : ANY);
    await fc.assert(
      fc.asyncProperty(text, text, text, async (subject, body, customer) => {
        h.reset();
        const sample = sampleFor(provider, subject, body, customer);
        const sign = signers[provider];
        if (sign === undefined) throw new Error(`no signer for ${provider}`);
        const raw = Buffer.from(sample.body);
        const signed = sign({ method: 'POST', url: `https://bridge.example.com${sample.path}`, body: raw, secret: DEFAULT_SECRET, nowMs: Date.now() });
        const target = signed.url === undefined ? sample.path : `${new URL(signed.url).pathname}${new URL(signed.url).search}`;
        const response = await h.post(target, raw, { 'content-type': sample.contentType ?? 'application/json', ...signed.headers });
        expect(response.statusCode, response.body).toBe(provider === 'salesforce' ? 200 : 202);
        await h.drain();
        const classify = h.simpli.calls('POST', '/classify');
        expect(classify).toHaveLength(1);
        expect(classify[0]?.body).toMatchObject({ subject, body });
        expect(h.helpdesk.requests.filter((r) => r.method !== 'GET').length).toBeGreaterThan(0);
        expect(await h.deadLetters()).toEqual([]);
      }),
      { numRuns: 6 },
    );
  }, 120_000);

  // JSON can carry a lone surrogate (as an escape); XML and HubSpot's numeric ids cannot.
  it.each(['zendesk', 'freshdesk', 'intercom'] as const)('%s: a lone surrogate in the ticket id is refused with 4xx, nothing queued', async (provider) => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('\\ud800', '\\udfff', '\\ud83d'), async (lone) => {
        h.reset();
        const sample = sampleFor(provider, 'subject', 'body', 'customer');
        const id = String(700_000 + n - 1);
        // The id as JSON text, with the lone surrogate's escape inserted (JSON.stringify would write it too).
        const bodyText = sample.body.replaceAll(`"${id}"`, `"${id}${lone}"`).replace(`"ticket_id":${id}`, `"ticket_id":"${id}${lone}"`);
        expect(bodyText).toContain(lone);
        const raw = Buffer.from(bodyText);
        const signed = signers[provider]?.({ method: 'POST', url: `https://bridge.example.com${sample.path}`, body: raw, secret: DEFAULT_SECRET, nowMs: Date.now() });
        const response = await h.post(sample.path, raw, { 'content-type': 'application/json', ...signed?.headers });
        expect(response.statusCode, response.body).toBeGreaterThanOrEqual(400);
        expect(response.statusCode, "authentic: refused for the id, not the signature").not.toBe(401);
        expect(response.statusCode).toBeLessThan(500);
        expect(await h.queueDepth()).toEqual({ visible: 0, inFlight: 0 });
      }),
      { numRuns: 3 },
    );
  });
});

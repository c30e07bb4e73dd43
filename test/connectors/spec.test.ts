import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadIngestConfig, parseHelpdeskConfig } from '../../lib/config.ts';
import { AuthenticityError, ConfigError, PermanentEventError, UnprocessableEventError } from '../../lib/errors.ts';
import { compileConnector } from '../../lib/providers/connector/compile.ts';
import { connectorIngest, connectorProcess } from '../../lib/providers/connector/index.ts';
import { renderUrl } from '../../lib/providers/connector/process.ts';
import { parseTemplate, renderJson } from '../../lib/providers/connector/template.ts';
import type { WebhookRequest } from '../../lib/providers/types.ts';

/** A small custom connector, as a user would write it in HELPDESK_CONFIG. */
function acme(overrides: Record<string, unknown> = {}) {
  return {
    authenticity: { type: 'hmac', algorithm: 'sha256', header: 'x-acme-signature', prefix: 'v1=', encoding: 'hex', message: '{timestamp}.{body}', timestamp: { header: 'x-acme-timestamp', format: 'unix-seconds' } },
    events: { source: 'kind', map: { 'case.opened': 'ticket.created', 'case.replied': 'message.created' }, identity: ['reply.id'] },
    fields: { ticketId: ['case.id'], subject: ['case.title'], body: ['case.text'], message: ['reply.text'] },
    auth: { type: 'header', name: 'x-api-key', value: '{settings.token}' },
    writeBack: [
      { method: 'PATCH', url: '{settings.baseUrl}/cases/{ticket_id}', body: { labels: '{tags}', urgency: '{priority}' } },
      { method: 'POST', url: '{settings.baseUrl}/cases/{ticket_id}/notes', body: { text: '{note}', private: true } },
    ],
    priority: { low: 'P4', medium: 'P3', high: 'P2', urgent: 'P1' },
    ...overrides,
  };
}
const settings = (connector: unknown, extra: Record<string, unknown> = {}) => ({ connector, baseUrl: 'https://api.acme.example', token: 't', ...extra });

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('connector specification: validated at cold start, errors name the path', () => {
  it('names an unknown field in a write-back URL with its path', () => {
    const spec = acme();
    spec.writeBack[1] = { method: 'POST', url: '{settings.baseUrl}/cases/{tiket_id}/notes', body: { text: '{note}', private: true } };
    expect(errorOf(() => compileConnector('front', settings(spec))).message).toContain('connectors.front.writeBack[1].url: unknown field {tiket_id}');
  });

  it('names schema errors by path (bad algorithm, missing ticketId) and rejects unknown keys', () => {
    const bad = acme({ authenticity: { type: 'hmac', algorithm: 'md5', header: 'x', encoding: 'hex' }, fields: { subject: ['t'] }, extra: 1 });
    const message = errorOf(() => compileConnector('acme', settings(bad))).message;
    expect(message).toContain('connectors.acme.authenticity.algorithm');
    expect(message).toContain('connectors.acme.fields.ticketId');
    expect(message).toMatch(/connectors\.acme: .*extra/);
  });

  it('requires the settings a template uses, naming the setting and where it is used', () => {
    expect(errorOf(() => compileConnector('zammad', { baseUrl: 'https://support.acme.example' })).message).toContain(
      'connectors.zammad.settings.token: required by auth.value; set HELPDESK_CONFIG.zammad.token',
    );
    expect(errorOf(() => compileConnector('jira', { baseUrl: 'ftp://x', token: 't', email: 'e' })).message).toContain('connectors.jira.settings.baseUrl');
  });

  it('refuses templates that would not be safe or useful: {timestamp} without a timestamp header, results in URLs, a request writing nothing, a body-less signature', () => {
    const noTimestamp = acme({ authenticity: { type: 'hmac', algorithm: 'sha256', header: 'x', encoding: 'hex', message: '{timestamp}.{body}' } });
    expect(errorOf(() => compileConnector('a', settings(noTimestamp))).message).toContain('connectors.a.authenticity.message: uses {timestamp}');
    const resultInUrl = acme({ writeBack: [{ method: 'POST', url: '{settings.baseUrl}/x/{note}', body: { text: '{note}' } }] });
    expect(errorOf(() => compileConnector('a', settings(resultInUrl))).message).toContain('connectors.a.writeBack[0].url: unknown field {note}');
    const nothing = acme({ writeBack: [{ method: 'POST', url: 'https://api.acme.example/x', body: { static: true } }] });
    expect(errorOf(() => compileConnector('a', settings(nothing))).message).toContain('connectors.a.writeBack[0].body: places no result');
    const unsigned = acme({ authenticity: { type: 'hmac', algorithm: 'sha256', header: 'x', encoding: 'hex', message: '{method}' } });
    expect(errorOf(() => compileConnector('a', settings(unsigned))).message).toContain('must sign {body}');
    const noAuth = acme({ authenticity: { type: 'none' } });
    expect(errorOf(() => compileConnector('a', settings(noAuth))).message).toContain('connectors.a.authenticity');
  });

  it('fails the cold start on a bad connector in HELPDESK_CONFIG, and on an entry that is neither provider nor preset', () => {
    const bad = JSON.stringify({ front: { token: 't' }, acme: settings(acme({ writeBack: [] })) });
    expect(() => parseHelpdeskConfig(bad, 'HELPDESK_CONFIG')).toThrow(/connectors\.acme\.writeBack/);
    expect(() => parseHelpdeskConfig('{"zendsk": {"token": "t"}}', 'HELPDESK_CONFIG')).toThrow(/neither a provider nor a preset/);
    expect(() => parseHelpdeskConfig('{"Bad_Name": {}}', 'HELPDESK_CONFIG')).toThrow(/invalid entry at Bad_Name/);
    expect(Object.keys(parseHelpdeskConfig('{"zammad": {"baseUrl": "https://support.acme.com", "token": "z"}}', 'HELPDESK_CONFIG'))).toEqual(['zammad']);
  });

  it('accepts WEBHOOK_SECRETS for a connector HELPDESK_CONFIG declares, and still refuses a typo', () => {
    const env = { QUEUE_URL: 'http://q', WEBHOOK_SECRETS: '{"zammad": ["s"], "acme": ["a"]}', HELPDESK_CONFIG: JSON.stringify({ zammad: { baseUrl: 'https://z.example', token: 't' }, acme: settings(acme()) }) };
    expect(Object.keys(loadIngestConfig(env).webhookSecrets.inline ?? {})).toEqual(['zammad', 'acme']);
    expect(() => loadIngestConfig({ ...env, WEBHOOK_SECRETS: '{"zamad": ["s"]}' })).toThrow(/invalid entry at zamad/);
  });
});

describe('templates are data', () => {
  it('places typed values for a lone placeholder, text otherwise, and leaves out what is absent', () => {
    const values: Record<string, unknown> = { tags: ['a', 'b'], ticket_id: '7' };
    expect(renderJson({ tags: '{tags}', note: '{note}', id: 'case-{ticket_id}', article: { body: '{note}', type: 'note' }, keep: { type: 'x' } }, (n) => values[n])).toEqual({
      tags: ['a', 'b'],
      id: 'case-7',
      keep: { type: 'x' },
    });
  });

  it('keeps braces that are not placeholders as text, and parses adversarial input in one pass', () => {
    expect(parseTemplate('{"a": 1} {x} {{y}')).toEqual([{ literal: '{"a": 1} ' }, { variable: 'x' }, { literal: ' {' }, { variable: 'y' }]);
    const parts = parseTemplate('{'.repeat(200_000));
    expect(parts).toEqual([{ literal: '{'.repeat(200_000) }]);
  });
});

describe('write-back URLs: each value is one path segment', () => {
  const connector = compileConnector('acme', settings(acme()));
  const url = connector.requests[1]?.url ?? [];
  it('encodes slashes, query and fragment characters inside the segment', () => {
    expect(renderUrl(connector, url, { ticket_id: '../admin?x=1#y' }, connector.settings)).toBe('https://api.acme.example/cases/..%2Fadmin%3Fx%3D1%23y/notes');
  });
  it('refuses "." and "..", which no encoding keeps inside the resource', () => {
    for (const id of ['.', '..']) {
      expect(() => renderUrl(connector, url, { ticket_id: id }, connector.settings)).toThrow(PermanentEventError);
    }
  });
  it('refuses a webhook whose ticket id is "." or ".." with 422 at ingest', () => {
    const ingest = connectorIngest('acme');
    const body = JSON.stringify({ kind: 'case.opened', case: { id: '..' } });
    expect(() => ingest.parse(request(body), settings(acme()))).toThrow(UnprocessableEventError);
  });
});

function request(body: string, headers: Record<string, string> = {}, query: Record<string, string> = {}): WebhookRequest {
  return { method: 'POST', url: 'https://bridge.example/webhooks/acme', rawBody: Buffer.from(body), headers, query };
}

describe('authenticity as specified', () => {
  const body = JSON.stringify({ kind: 'case.opened', case: { id: 'C-1', title: 'Hi', text: 'Help' } });
  const nowMs = 1_733_223_600_000;
  const sign = (ts: number, secret = 'acme-secret') => ({
    'x-acme-timestamp': String(ts),
    'x-acme-signature': `v1=${createHmac('sha256', secret).update(`${ts}.${body}`).digest('hex')}`,
  });
  const ingest = connectorIngest('acme');
  const verify = (headers: Record<string, string>, secrets = ['old', 'acme-secret'], spec = acme(), query = {}) =>
    ingest.verify({ request: request(body, headers, query), secrets, settings: settings(spec), nowMs });

  it('accepts an HMAC over the message template with any active secret, within the window', () => {
    expect(() => verify(sign(nowMs / 1000))).not.toThrow();
  });
  it('refuses a stale or future timestamp, a wrong prefix, a wrong secret, and no secret at all', () => {
    const reason = (fn: () => void) => {
      try {
        fn();
      } catch (e) {
        return e instanceof AuthenticityError ? e.reason : 'other';
      }
      return 'accepted';
    };
    expect(reason(() => verify(sign(nowMs / 1000 - 600)))).toBe('timestamp_too_old');
    expect(reason(() => verify(sign(nowMs / 1000 + 600)))).toBe('timestamp_too_new');
    const s = sign(nowMs / 1000);
    expect(reason(() => verify({ ...s, 'x-acme-signature': s['x-acme-signature'].replace('v1=', 'v0=') }))).toBe('malformed_signature');
    expect(reason(() => verify(sign(nowMs / 1000, 'other')))).toBe('no_matching_signature');
    expect(reason(() => verify(sign(nowMs / 1000), []))).toBe('no_secret_configured');
  });
  it('checks a shared token in a header, the query or HTTP Basic', () => {
    const header = acme({ authenticity: { type: 'token', in: 'header', name: 'x-token' } });
    expect(() => verify({ 'x-token': 'acme-secret' }, ['acme-secret'], header)).not.toThrow();
    expect(() => verify({ 'x-token': 'acme-secreT' }, ['acme-secret'], header)).toThrow(AuthenticityError);
    const query = acme({ authenticity: { type: 'token', in: 'query', name: 'key' } });
    expect(() => verify({}, ['acme-secret'], query, { key: 'acme-secret' })).not.toThrow();
    expect(() => verify({}, ['acme-secret'], query, {})).toThrow(AuthenticityError);
    const basic = acme({ authenticity: { type: 'token', in: 'basic' } });
    const auth = (user: string, pass: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}` });
    expect(() => verify(auth('bridge', 'acme-secret'), ['acme-secret'], basic)).not.toThrow();
    expect(() => verify(auth('bridge', 'nope'), ['acme-secret'], basic)).toThrow(AuthenticityError);
  });
});

describe('the guide preset: the Simpli guide bridge as data', () => {
  it('verifies hex HMAC-SHA256 in x-webhook-signature, reads the guide fields, and PUTs one update with a Bearer token', async () => {
    const s = { preset: 'guide', baseUrl: 'https://helpdesk.example/api', token: 'tok' };
    const body = JSON.stringify({ event: 'ticket.created', ticket_id: 'T-1', subject: 'Charged twice', body: 'Refund please', customer_id: 'C-42', channel: 'email' });
    const req = request(body, { 'x-webhook-signature': createHmac('sha256', 'sec').update(body).digest('hex') });
    const ingest = connectorIngest('my-desk');
    expect(() => ingest.verify({ request: req, secrets: ['sec'], settings: s, nowMs: 0 })).not.toThrow();
    const parsed = ingest.parse(req, s);
    expect(parsed.kind === 'events' && parsed.events[0]?.identity).toBe('ticket.created:T-1');
    const process = connectorProcess('my-desk');
    const payload = JSON.parse(body) as unknown;
    const event = await process.normalize({ provider: 'my-desk', eventType: 'ticket.created', eventId: 'x', ticketId: 'T-1', payload, receivedAt: '', requestId: '' }, { settings: s, http: undefined as never });
    expect(event).toMatchObject({ subject: 'Charged twice', body: 'Refund please', customerId: 'C-42', channel: 'email' });
    const ops = process.writeBack({ event, results: { classify: { category: 'billing', urgency: 'high', confidence: 0.9 } }, confidenceThreshold: 0.6 }, { settings: s, http: undefined as never });
    const sent: unknown[] = [];
    const http = {
      request: async (r: unknown) => {
        sent.push(r);
        return { status: 200, headers: new Headers(), body: '' };
      },
    };
    for (const op of ops) await op.run(http);
    expect(sent).toEqual([
      {
        service: 'my-desk',
        method: 'PUT',
        url: 'https://helpdesk.example/api/tickets/T-1',
        headers: { authorization: 'Bearer tok' },
        json: { tags: ['billing'], priority: 'high', custom_fields: { ai_category: 'billing', ai_urgency: 'high', ai_confidence: 0.9 }, internal_note: expect.stringMatching(/^\[Simpli AI\]/) },
        timeoutMs: 10_000,
      },
    ]);
  });
});

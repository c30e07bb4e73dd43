/**
 * Property-based fuzzing of the real ingest handler, every registered provider, thousands of cases.
 * Each case starts from a correctly signed request (infra/sign) and mutates it. The oracle knows
 * what a mutation does to authenticity — learnt from the signers, not from the providers:
 * a header or query value that changes with the secret is authentication material; a provider whose
 * material changes with the body signs the body; one whose material changes with the clock has a
 * replay window.
 *
 * Invariants: only documented statuses, never a 5xx (the queue never fails here); nothing forged is
 * enqueued and every forged request gets exactly `401 {"error":"unauthorized"}`; enqueue implies 2xx.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { createIngestHandler } from '../../functions/ingest/app.ts';
import { DEFAULT_MAX_BODY_BYTES } from '../../lib/config.ts';
import { providers } from '../../lib/providers/registry.ts';
import type { ProviderName, QueuedEvent } from '../../lib/providers/types.ts';
import { signers } from '../../infra/sign/index.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? (process.env.FAULT_LONG === '1' ? 50_000 : 5_000));
const NOW = Date.UTC(2026, 10, 27, 12, 0, 0);
const HOST = 'bridge.example.com';
const DOCUMENTED = [200, 202, 400, 401, 404, 413, 422];
const WINDOW_MS = 5 * 60 * 1000;

const fixture = (path: string) => readFileSync(new URL(`../fixtures/${path}`, import.meta.url));
const SAMPLES: Partial<Record<ProviderName, { path: string; body: Buffer }>> = {
  generic: {
    path: '/webhooks/generic/ticket-created',
    body: Buffer.from(JSON.stringify({ ticket_id: 'G-1', subject: 'Charged twice', body: 'Please refund', customer_id: 'C-1' })),
  },
  zendesk: { path: '/webhooks/zendesk', body: fixture('zendesk/ticket-created.json') },
  freshdesk: { path: '/webhooks/freshdesk/ticket-created', body: fixture('freshdesk/simple-ticket-created.json') },
  hubspot: { path: '/webhooks/hubspot', body: fixture('hubspot/ticket-creation.json') },
  intercom: { path: '/webhooks/intercom', body: fixture('intercom/conversation-user-created.json') },
  salesforce: { path: '/webhooks/salesforce/ticket-created', body: fixture('salesforce/case-created.xml') },
};
const SETTINGS: Partial<Record<ProviderName, Record<string, unknown>>> = { salesforce: { organizationIds: ['00D5e000000XyZaEAK'] } };
const secretOf = (p: string, which: 'A' | 'B' = 'A') => `${p}-webhook-secret-${which}`;
const NAMES = (Object.keys(providers) as ProviderName[]).filter((p) => signers[p] !== undefined && SAMPLES[p] !== undefined);

interface Signed {
  readonly headers: Record<string, string>;
  readonly query: string;
}

function sign(provider: ProviderName, body: Buffer, secret: string, nowMs: number): Signed {
  const sample = SAMPLES[provider];
  const signer = signers[provider];
  if (sample === undefined || signer === undefined) throw new Error(`no sample or signer for ${provider}`);
  const url = `https://${HOST}${sample.path}`;
  const out = signer({ method: 'POST', url, body, secret, nowMs });
  return { headers: out.headers, query: out.url === undefined ? '' : new URL(out.url).search.slice(1) };
}

/** What the signers say about a provider's scheme. */
function schemeOf(provider: ProviderName) {
  const body = SAMPLES[provider]?.body ?? Buffer.alloc(0);
  const a = sign(provider, body, secretOf(provider), NOW);
  const b = sign(provider, body, secretOf(provider, 'B'), NOW);
  const authHeaders = Object.keys(a.headers).filter((h) => a.headers[h] !== b.headers[h]);
  const authInQuery = a.query !== b.query;
  const other = sign(provider, Buffer.concat([body, Buffer.from(' ')]), secretOf(provider), NOW);
  const bodyBound = authHeaders.some((h) => other.headers[h] !== a.headers[h]) || (authInQuery && other.query !== a.query);
  const later = sign(provider, body, secretOf(provider), NOW + 60 * 60 * 1000);
  const timestamped = authHeaders.some((h) => later.headers[h] !== a.headers[h]) || Object.keys(a.headers).some((h) => later.headers[h] !== a.headers[h]);
  return { authHeaders, authInQuery, bodyBound, timestamped };
}

function rawEvent(provider: ProviderName, input: { headers: Record<string, string>; query: string; body: string; isBase64Encoded: boolean; path?: string }): APIGatewayProxyEventV2 {
  const rawPath = input.path ?? SAMPLES[provider]?.path ?? '/';
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString: input.query,
    headers: { host: HOST, ...input.headers },
    requestContext: {
      accountId: '000000000000',
      apiId: 'fuzz',
      domainName: HOST,
      domainPrefix: 'bridge',
      http: { method: 'POST', path: rawPath, protocol: 'HTTP/1.1', sourceIp: '203.0.113.9', userAgent: 'fuzz' },
      requestId: 'fuzz',
      routeKey: '$default',
      stage: '$default',
      time: new Date(NOW).toISOString(),
      timeEpoch: NOW,
    },
    body: input.body,
    isBase64Encoded: input.isBase64Encoded,
  };
}

type Expect = 'authentic' | 'forged' | 'ambiguous' | 'too-large';

const mutationArb = fc.oneof(
  { arbitrary: fc.constant({ kind: 'none' as const }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('content-type' as const), value: fc.constantFrom<string | undefined>(undefined, '', 'text/plain', 'application/x-www-form-urlencoded', 'APPLICATION/JSON', 'multipart/form-data; boundary=x', 'text/xml') }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('header-case' as const), upper: fc.boolean() }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('duplicate-header' as const), index: fc.nat(), other: fc.string({ maxLength: 80 }) }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('random-body' as const), bytes: fc.uint8Array({ maxLength: 2_000 }), resign: fc.boolean() }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('truncate' as const), keep: fc.double({ min: 0, max: 0.999, noNaN: true }) }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('huge' as const), extra: fc.integer({ min: 1, max: 2_000_000 }), resign: fc.boolean() }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('base64-lie' as const), claims: fc.boolean() }), weight: 2 },
  {
    arbitrary: fc.record({
      kind: fc.constant('bad-signature' as const),
      value: fc.oneof(
        fc.string({ maxLength: 120 }),
        fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), maxLength: 130 }),
        fc.uint8Array({ minLength: 1, maxLength: 64 }).map((b) => Buffer.from(b).toString('base64')),
        fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('hex')),
      ),
    }),
    weight: 3,
  },
  { arbitrary: fc.record({ kind: fc.constant('flip-char' as const), position: fc.nat() }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('re-encode' as const), index: fc.nat() }), weight: 1 },
  { arbitrary: fc.constant({ kind: 'drop-auth' as const }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('clock' as const), offsetMs: fc.oneof(fc.integer({ min: WINDOW_MS + 1_000, max: 400 * 86_400_000 }), fc.integer({ min: -400 * 86_400_000, max: -(WINDOW_MS + 1_000) })) }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('skew' as const), offsetMs: fc.integer({ min: -(WINDOW_MS - 5_000), max: WINDOW_MS - 5_000 }) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('wrong-secret' as const), secret: fc.string({ minLength: 1, maxLength: 64 }) }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('other-provider-secret' as const), other: fc.constantFrom(...NAMES) }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('bad-route' as const), path: fc.constantFrom('/webhooks/acme', '/webhooks/', '/webhooks/generic/ticket-deleted', '/webhooks/%zz', '/webhook/ticket-updated', '/nope') }), weight: 1 },
);
type Mutation = typeof mutationArb extends fc.Arbitrary<infer M> ? M : never;

function build(provider: ProviderName, m: Mutation): { event: APIGatewayProxyEventV2; expect: Expect } {
  const scheme = schemeOf(provider);
  const sample = SAMPLES[provider];
  if (sample === undefined) throw new Error(provider);
  let body = sample.body;
  let signed = sign(provider, body, secretOf(provider), NOW);
  let expectation: Expect = 'authentic';
  let path: string | undefined;
  let isBase64Encoded = true;
  let wire: string | undefined;
  const headers: Record<string, string> = { 'content-type': provider === 'salesforce' ? 'text/xml; charset=utf-8' : 'application/json', ...signed.headers };
  const authHeader = (index: number) => scheme.authHeaders[index % Math.max(1, scheme.authHeaders.length)];
  const breaksBody = () => (scheme.bodyBound ? 'forged' : 'ambiguous');

  switch (m.kind) {
    case 'none':
      break;
    case 'content-type':
      if (m.value === undefined) delete headers['content-type'];
      else headers['content-type'] = m.value;
      break;
    case 'header-case':
      for (const name of Object.keys(headers)) {
        const value = headers[name] ?? '';
        delete headers[name];
        headers[m.upper ? name.toUpperCase() : name.replace(/(^|-)([a-z])/g, (_, d: string, c: string) => d + c.toUpperCase())] = value;
      }
      break;
    case 'duplicate-header': {
      // API Gateway v2 joins repeated headers with commas.
      const name = authHeader(m.index);
      if (name === undefined) break;
      headers[name] = `${headers[name]},${m.other}`;
      expectation = 'ambiguous';
      break;
    }
    case 'random-body':
      body = Buffer.from(m.bytes);
      if (m.resign) {
        signed = sign(provider, body, secretOf(provider), NOW);
        Object.assign(headers, signed.headers);
      }
      else expectation = body.equals(sample.body) ? 'authentic' : breaksBody();
      break;
    case 'truncate':
      body = body.subarray(0, Math.floor(body.length * m.keep));
      expectation = breaksBody();
      break;
    case 'huge':
      body = Buffer.concat([body, Buffer.alloc(DEFAULT_MAX_BODY_BYTES - body.length + m.extra, 0x20)]);
      if (m.resign) {
        signed = sign(provider, body, secretOf(provider), NOW);
        Object.assign(headers, signed.headers);
      }
      expectation = 'too-large';
      break;
    case 'base64-lie':
      // The flag says base64 but the body is raw text, or the flag is off and the body is base64.
      isBase64Encoded = !m.claims;
      wire = m.claims ? body.toString('latin1') : body.toString('base64');
      isBase64Encoded = m.claims;
      expectation = breaksBody();
      break;
    case 'bad-signature': {
      // Every piece of authentication material at once: a provider may accept any one of several
      // signatures (HubSpot sends v3 and v1), so spoiling one alone proves nothing.
      if (scheme.authHeaders.length === 0) break;
      for (const name of scheme.authHeaders) headers[name] = m.value;
      expectation = scheme.authHeaders.every((name) => m.value === signed.headers[name]) ? 'authentic' : 'forged';
      break;
    }
    case 'flip-char': {
      // One character of the secret-dependent part (not a Basic user name), changed so that its
      // decoded bits change too (not only base64's unused padding bits).
      if (scheme.authHeaders.length === 0) break;
      const other = sign(provider, body, secretOf(provider, 'B'), NOW).headers;
      for (const name of scheme.authHeaders) {
        const value = headers[name] ?? '';
        const alt = other[name] ?? '';
        let from = 0;
        while (from < value.length && value[from] === alt[from]) from++;
        if (from >= value.length) continue;
        const at = from + (m.position % (value.length - from));
        headers[name] = value.slice(0, at) + flip(value[at] ?? 'a', /^[0-9a-f]+$/i.test(value)) + value.slice(at + 1);
      }
      expectation = 'forged';
      break;
    }
    case 're-encode': {
      const name = authHeader(m.index);
      const value = name === undefined ? undefined : headers[name];
      if (name === undefined || value === undefined) break;
      const hex = /^[0-9a-f]+$/i.test(value);
      headers[name] = hex ? Buffer.from(value, 'hex').toString('base64') : Buffer.from(value, 'base64').toString('hex');
      // The digest is genuine, only its spelling is wrong: rejecting is expected but not a breach.
      expectation = 'ambiguous';
      break;
    }
    case 'drop-auth': {
      for (const name of scheme.authHeaders) delete headers[name];
      if (scheme.authInQuery) signed = { ...signed, query: '' };
      if (scheme.authHeaders.length > 0 || scheme.authInQuery) expectation = 'forged';
      break;
    }
    case 'clock':
    case 'skew': {
      const resigned = sign(provider, body, secretOf(provider), NOW + m.offsetMs);
      Object.assign(headers, resigned.headers);
      signed = resigned;
      expectation = m.kind === 'clock' && scheme.timestamped ? 'forged' : 'authentic';
      break;
    }
    case 'wrong-secret':
    case 'other-provider-secret': {
      const secret = m.kind === 'wrong-secret' ? m.secret : secretOf(m.other);
      if (secret === secretOf(provider) || secret === secretOf(provider, 'B')) break;
      signed = sign(provider, body, secret, NOW);
      Object.assign(headers, signed.headers);
      expectation = 'forged';
      break;
    }
    case 'bad-route':
      path = m.path;
      expectation = 'ambiguous';
      break;
  }
  const event = rawEvent(provider, {
    headers,
    query: signed.query,
    body: wire ?? body.toString('base64'),
    isBase64Encoded,
    ...(path === undefined ? {} : { path }),
  });
  return { event, expect: expectation };
}

const HEX = '0123456789abcdef';
const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
function flip(c: string, hex: boolean): string {
  if (hex && HEX.includes(c.toLowerCase())) return HEX[(HEX.indexOf(c.toLowerCase()) + 8) % 16] ?? '0';
  if (BASE64.includes(c)) return BASE64[(BASE64.indexOf(c) + 32) % 64] ?? 'A';
  return c === 'A' ? 'B' : 'A';
}

describe('abuse: fuzzing the ingest handler', () => {
  const enqueued: QueuedEvent[] = [];
  const ingest = createIngestHandler({
    providers,
    secretsFor: async (p) => [secretOf(p), secretOf(p, 'B')],
    settingsFor: async (p) => SETTINGS[p] ?? {},
    enqueue: async (events) => {
      enqueued.push(...events);
    },
    maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
    publicBaseUrl: undefined,
    now: () => NOW,
    logger: new Logger({ serviceName: 'fuzz', logLevel: 'SILENT' }),
  });
  const tally: Record<string, number> = {};

  beforeAll(() => {
    expect(NAMES.length).toBeGreaterThanOrEqual(1);
  });

  it.each(NAMES)('accepts the unmutated signed sample of %s (so the fuzzing below is not vacuous)', async (provider) => {
    const before = enqueued.length;
    const response = await ingest(build(provider, { kind: 'none' }).event);
    expect([200, 202]).toContain(response.statusCode);
    expect(enqueued.length).toBeGreaterThan(before);
  });

  it(`holds the invariants over ${RUNS} mutated requests across ${NAMES.join(', ')}`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...NAMES), mutationArb, async (provider, mutation) => {
        const { event, expect: expected } = build(provider, mutation);
        const before = enqueued.length;
        const response = await ingest(event);
        const status = response.statusCode ?? 0;
        const added = enqueued.length - before;
        const key = `${expected}:${status}`;
        tally[key] = (tally[key] ?? 0) + 1;
        expect(DOCUMENTED, `${provider} ${mutation.kind}`).toContain(status);
        if (added > 0) expect([200, 202], `${provider} ${mutation.kind} enqueued`).toContain(status);
        if (expected === 'forged') {
          expect({ provider, kind: mutation.kind, status, added }).toEqual({ provider, kind: mutation.kind, status: 401, added: 0 });
          expect(JSON.parse(response.body ?? '')).toEqual({ error: 'unauthorized' });
        }
        if (expected === 'too-large') expect({ status, added }).toEqual({ status: 413, added: 0 });
        if (expected === 'authentic') expect([200, 202, 400, 422], `${provider} ${mutation.kind} ${response.body}`).toContain(status);
      }),
      { numRuns: RUNS, seed: Number(process.env.FUZZ_SEED ?? 424242) },
    );
    console.log(`[abuse] ingest fuzz: ${RUNS} cases, expectation:status → count ${JSON.stringify(tally)}`);
    expect(tally['forged:401'] ?? 0).toBeGreaterThan(RUNS / 4);
  });
});

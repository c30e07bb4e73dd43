/**
 * Every parser and normalizer is linear in its input (issue #13 findings 1 and 4): each text field
 * of a real captured body is grown 10× with text built to make backtracking regexes blow up
 * (`<a` with no `>`, `{a:` and runs of spaces, `&` without `;`), and the time may grow at most 30×.
 * Linear passes with margin; quadratic (100×) and cubic (1000×) fail. A ratio bound, not a timed
 * assertion: each size runs until it has taken several milliseconds, the fastest of three trials.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { scanJsonText } from '../../lib/json-text.ts';
import { looksLikeHtml, plainText, stripHtml } from '../../lib/mapping.ts';
import { summarizeResults, withoutTrailingDots } from '../../lib/write-back-summary.ts';
import { parseTriggeredEvent } from '../../lib/providers/freshdesk/parse.ts';
import { escapeXml } from '../../lib/providers/salesforce/xml.ts';
import { providers } from '../../lib/providers/registry.ts';
import { connectorIngest, connectorProcess } from '../../lib/providers/connector/index.ts';
import { frontInbound, helpscoutConversation, jiraCommentCreated, jiraIssueCreated, zammadBody } from '../connectors/payloads.ts';
import type { BuiltInProviderName, EventType, ProviderSettings, QueuedEvent, WebhookRequest } from '../../lib/providers/types.ts';

const BASE = 2_000;
const GROWTH = 10;
const MAX_RATIO = 30;
const MIN_SAMPLE_MS = 3;

/** Hostile text of `n` characters, one shape per backtracking pattern. */
const FILLERS: Readonly<Record<string, (n: number) => string>> = {
  'open-tags': (n) => '<a'.repeat(n / 2),
  'brace-spaces': (n) => `{a:${' '.repeat(n - 3)}`,
  'mixed': (n) => '<b {to: &x \t'.repeat(n / 12),
};

function perCallMs(fn: () => void, reps: number): number {
  const started = performance.now();
  for (let i = 0; i < reps; i++) fn();
  return (performance.now() - started) / reps;
}

/** Time ratio of `run(BASE * GROWTH)` to `run(BASE)`. */
function growthRatio(run: (n: number) => void): number {
  run(BASE);
  let reps = 1;
  while (perCallMs(() => run(BASE), reps) * reps < MIN_SAMPLE_MS && reps < 1 << 16) reps *= 2;
  const largeReps = Math.max(1, Math.ceil(reps / GROWTH));
  let small = Number.POSITIVE_INFINITY;
  let large = Number.POSITIVE_INFINITY;
  for (let trial = 0; trial < 3; trial++) {
    small = Math.min(small, perCallMs(() => run(BASE), reps));
    large = Math.min(large, perCallMs(() => run(BASE * GROWTH), largeReps));
  }
  return large / small;
}

function expectLinear(label: string, run: (n: number) => void): void {
  // The machine is shared: a ratio over the bound is measured again (up to three times in all) and
  // the lowest counts. Noise does not repeat; quadratic growth does, every time.
  let ratio = growthRatio(run);
  for (let retry = 0; retry < 2 && ratio > MAX_RATIO; retry++) ratio = Math.min(ratio, growthRatio(run));
  expect(ratio, `${label}: 10× the input took ${ratio.toFixed(1)}× the time`).toBeLessThanOrEqual(MAX_RATIO);
}

/** Every string leaf of a JSON value, by path. */
function stringPaths(value: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (typeof value === 'string') return [path];
  if (Array.isArray(value)) return value.flatMap((v, i) => stringPaths(v, [...path, i]));
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => stringPaths(v, [...path, k]));
  return [];
}

function withLeaf(value: unknown, path: readonly (string | number)[], leaf: string): unknown {
  if (path.length === 0) return leaf;
  const [head, ...rest] = path;
  const copy = (Array.isArray(value) ? [...value] : { ...(value as object) }) as Record<string | number, unknown>;
  copy[head as string] = withLeaf(copy[head as string], rest, leaf);
  return copy;
}

const fixture = (path: string) => readFileSync(new URL(`../fixtures/${path}`, import.meta.url), 'utf8');
const request = (body: string, routeEvent?: EventType, contentType = 'application/json'): WebhookRequest => ({
  method: 'POST',
  url: 'https://bridge.example.com/webhooks/x',
  rawBody: Buffer.from(body),
  text: body,
  headers: { 'content-type': contentType },
  query: {},
  routeEvent,
});
const noHttp = { request: async () => Promise.reject(new Error('the complexity test makes no API calls')) };

/** parse, then (when it yields an event) normalize, swallowing the errors hostile text causes. */
async function parseAndNormalize(provider: BuiltInProviderName, body: string, routeEvent: EventType | undefined, settings: ProviderSettings, contentType?: string): Promise<void> {
  let parsed: ReturnType<(typeof providers)[BuiltInProviderName]['parse']>;
  try {
    parsed = providers[provider].parse(request(body, routeEvent, contentType), settings);
  } catch {
    return;
  }
  if (parsed.kind !== 'events') return;
  for (const e of parsed.events) {
    const queued: QueuedEvent = { provider, eventType: e.eventType, eventId: e.identity, ticketId: e.ticketId, payload: e.payload, receivedAt: '', requestId: '' };
    await providers[provider].normalize(queued, { settings, http: noHttp }).catch(() => undefined);
  }
}

/** normalize() is async but does its text work before its first await when it needs no API. */
function syncRun(provider: BuiltInProviderName, body: string, routeEvent: EventType | undefined, settings: ProviderSettings, contentType?: string): void {
  void parseAndNormalize(provider, body, routeEvent, settings, contentType);
}

describe('linear time: the text helpers', () => {
  for (const [name, filler] of Object.entries(FILLERS)) {
    it(`stripHtml, plainText and looksLikeHtml on ${name} text`, () => {
      expectLinear(`stripHtml(${name})`, (n) => stripHtml(filler(n)));
      expectLinear(`plainText(${name})`, (n) => plainText(filler(n)));
      expectLinear(`looksLikeHtml(${name})`, (n) => looksLikeHtml(filler(n)));
    });
  }

  it('the JSON pre-scan on escaped quotes, backslash runs, long numbers and brackets', () => {
    expectLinear('scanJsonText(escaped quotes)', (n) => scanJsonText(`"${'\\"'.repeat(n / 2)}"`));
    expectLinear('scanJsonText(backslash runs)', (n) => scanJsonText(`["${'\\\\\\\\"'.repeat(n / 5)}]`));
    expectLinear('scanJsonText(numbers)', (n) => scanJsonText(`[${'12345678901234567890,'.repeat(n / 21)}1]`));
    expectLinear('scanJsonText(brackets)', (n) => scanJsonText('[{'.repeat(n / 2)));
  });

  it('the note built from Simpli answers: a QA summary of dots and blanks that does not end the text', () => {
    const summary = (n: number) => `ok${' .'.repeat(n / 2)}x`;
    expectLinear('withoutTrailingDots', (n) => withoutTrailingDots(summary(n)));
    const event = { eventType: 'ticket.resolved' as const, ticketId: '1', subject: '', body: '', customerId: '', channel: 'web' as const, conversation: [], metadata: {} };
    expectLinear('summarizeResults(qa.summary)', (n) => summarizeResults({ event, results: { qa: { score: 80, summary: summary(n) } }, confidenceThreshold: 0.5 }));
    expect(withoutTrailingDots('Good call. . \n')).toBe('Good call');
  });

  it('Freshdesk triggered_event notation on {a: and spaces (was cubic: 2.2 KiB took 5.5 s)', () => {
    for (const [name, filler] of Object.entries(FILLERS)) {
      expectLinear(`parseTriggeredEvent(${name})`, (n) => parseTriggeredEvent(filler(n)));
      expectLinear(`parseTriggeredEvent({status:${name}})`, (n) => parseTriggeredEvent(`{status:{from:2,to:${filler(n)}}}`));
    }
  });
});

interface JsonCase {
  readonly provider: BuiltInProviderName;
  readonly fixture: string;
  readonly routeEvent?: EventType;
  readonly settings?: ProviderSettings;
}

const JSON_CASES: readonly JsonCase[] = [
  { provider: 'zendesk', fixture: 'zendesk/comment-added.json' },
  { provider: 'zendesk', fixture: 'zendesk/trigger-message-created.json', routeEvent: 'message.created' },
  { provider: 'freshdesk', fixture: 'freshdesk/advanced-message-created.json', routeEvent: 'message.created' },
  { provider: 'freshdesk', fixture: 'freshdesk/simple-ticket-created.json' },
  { provider: 'intercom', fixture: 'intercom/conversation-user-replied.json' },
  { provider: 'intercom', fixture: 'intercom/ticket-created.json' },
  { provider: 'hubspot', fixture: 'hubspot/mixed-batch.json', settings: { closedStageIds: ['4'] } },
];

describe('linear time: every text field of every provider’s parse and normalize', () => {
  for (const c of JSON_CASES) {
    it(`${c.provider} ${c.fixture}`, () => {
      const base: unknown = JSON.parse(fixture(c.fixture));
      const paths = stringPaths(base);
      expect(paths.length).toBeGreaterThan(3);
      for (const path of paths) {
        for (const [name, filler] of Object.entries(FILLERS)) {
          expectLinear(`${c.fixture} ${path.join('.')} = ${name}`, (n) => syncRun(c.provider, JSON.stringify(withLeaf(base, path, filler(n))), c.routeEvent, c.settings ?? {}));
        }
      }
    });
  }

  it('generic: the guide’s fields and a conversation', () => {
    const base = {
      event: 'message.created',
      ticket_id: 'G-1',
      subject: 'Charged twice',
      body: '<p>Please refund</p>',
      customer_id: 'C-1',
      message: { id: 'm-1', body: 'Where is my refund?' },
      messages: [{ role: 'customer', content: 'Hello' }, { role: 'agent', content: 'Hi' }],
      metadata: { plan: 'pro' },
    };
    for (const path of stringPaths(base)) {
      for (const [name, filler] of Object.entries(FILLERS)) {
        expectLinear(`generic ${path.join('.')} = ${name}`, (n) => syncRun('generic', JSON.stringify(withLeaf(base, path, filler(n))), undefined, {}));
      }
    }
  });

  it('zendesk: a form-encoded trigger body', () => {
    for (const [name, filler] of Object.entries(FILLERS)) {
      expectLinear(`zendesk form ${name}`, (n) =>
        syncRun('zendesk', new URLSearchParams({ ticket_id: '35436', subject: filler(n), comment: filler(n) }).toString(), 'message.created', {}, 'application/x-www-form-urlencoded'),
      );
    }
  });

  it('salesforce: namespace declarations above many declaring children', () => {
    const xml = (n: number) => {
      const count = Math.max(1, Math.floor(n / 40));
      const declarations = Array.from({ length: count }, (_, i) => `xmlns:a${i}="urn:a${i}"`).join(' ');
      return `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" ${declarations}>${'<b xmlns:c="urn:c"/>'.repeat(count)}</soapenv:Envelope>`;
    };
    expectLinear('namespaces', (n) => syncRun('salesforce', xml(n), 'ticket.created', {}, 'text/xml'));
  });

  for (const file of ['salesforce/case-comment.xml', 'salesforce/case-created.xml']) {
    it(`salesforce ${file}: every element's text`, () => {
      const xml = fixture(file);
      const texts = [...xml.matchAll(/>([^<>]+)</g)].filter((m) => m[1]?.trim() !== '');
      expect(texts.length).toBeGreaterThan(3);
      const route: EventType = file.includes('comment') ? 'message.created' : 'ticket.created';
      for (const m of texts) {
        const at = (m.index ?? 0) + 1;
        for (const [name, filler] of Object.entries(FILLERS)) {
          expectLinear(`${file} text #${at} = ${name}`, (n) => syncRun('salesforce', `${xml.slice(0, at)}${escapeXml(filler(n))}${xml.slice(at + (m[1]?.length ?? 0))}`, route, {}, 'text/xml'));
        }
      }
    });
  }
});

/** parse then normalize of a connector (issue #12), swallowing the errors hostile text causes. */
function syncConnector(name: string, body: string, headers: Record<string, string>, routeEvent: EventType | undefined, settings: ProviderSettings): void {
  let parsed: ReturnType<ReturnType<typeof connectorIngest>['parse']>;
  try {
    parsed = connectorIngest(name).parse({ ...request(body, routeEvent), headers: { 'content-type': 'application/json', ...headers } }, settings);
  } catch {
    return;
  }
  if (parsed.kind !== 'events') return;
  for (const e of parsed.events) {
    const queued: QueuedEvent = { provider: name, eventType: e.eventType, eventId: e.identity, ticketId: e.ticketId, payload: e.payload, receivedAt: '', requestId: '' };
    void connectorProcess(name).normalize(queued, { settings, http: noHttp }).catch(() => undefined);
  }
}

describe('linear time: every text field of every connector preset’s parse and normalize', () => {
  const presetCases: readonly [name: string, body: string, headers: Record<string, string>, routeEvent: EventType | undefined][] = [
    ['zammad', zammadBody(), {}, 'ticket.created'],
    ['jira', jiraIssueCreated(), {}, undefined],
    ['jira', jiraCommentCreated('<p>Still charged twice</p>'), {}, undefined],
    ['helpscout', helpscoutConversation(), { 'x-helpscout-event': 'convo.created' }, undefined],
    ['front', frontInbound(), {}, undefined],
  ];
  for (const [name, body, headers, routeEvent] of presetCases) {
    const base = JSON.parse(body) as Record<string, unknown>;
    it(`${name}: ${String(base.type ?? base.webhookEvent ?? routeEvent)}`, () => {
      const settings = { baseUrl: 'https://api.example', token: 't', email: 'e@example.com' };
      // The unmodified body is an event, so every grown one runs parse and normalize.
      const parsed = connectorIngest(name).parse({ ...request(body, routeEvent), headers: { 'content-type': 'application/json', ...headers } }, settings);
      expect(parsed.kind).toBe('events');
      const paths = stringPaths(base);
      expect(paths.length).toBeGreaterThan(3);
      for (const path of paths) {
        for (const [fillerName, filler] of Object.entries(FILLERS)) {
          expectLinear(`${name} ${path.join('.')} = ${fillerName}`, (n) => syncConnector(name, JSON.stringify(withLeaf(base, path, filler(n))), headers, routeEvent, settings));
        }
      }
    });
  }
});

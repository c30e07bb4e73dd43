/**
 * Every sample event under events/ belongs to a function in template.yaml: webhook events (payload
 * 2.0, as the function URL or the HTTP API's $default route sends them) to IngestFunction on one of
 * its routes, SQS events to ProcessFunction.
 * The generic samples are signed with the documented local secret, and events/env.json only sets
 * variables the template declares (SAM CLI ignores the others).
 */
import { createHmac } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WEBHOOK_ROUTES } from '../../lib/endpoint.ts';
import { LOCAL_DEV_SECRET } from '../../lib/config.ts';
import { PROVIDER_NAMES } from '../../lib/providers/types.ts';
import { decodeQueuedEvent } from '../../lib/queue-message.ts';
import { loadTemplate, REPO_ROOT } from './load-template.ts';
import { endpointFunctions, functionEnv, isObject, sqsEvents } from './template-queries.ts';

const template = loadTemplate();
const EVENTS_DIR = join(REPO_ROOT, 'events');

function jsonFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return jsonFiles(path);
    return name.endsWith('.json') ? [path] : [];
  });
}

const eventFiles = jsonFiles(EVENTS_DIR)
  .filter((path) => relative(EVENTS_DIR, path) !== 'env.json')
  .map((path) => ({ name: relative(EVENTS_DIR, path), event: JSON.parse(readFileSync(path, 'utf8')) as unknown }));

type Kind = 'http' | 'sqs' | 'unknown';
function kindOf(event: unknown): Kind {
  if (isObject(event) && event.version === '2.0' && typeof event.routeKey === 'string' && isObject(event.requestContext)) return 'http';
  if (isObject(event) && Array.isArray(event.Records) && event.Records.length > 0 && event.Records.every((r) => isObject(r) && r.eventSource === 'aws:sqs')) {
    return 'sqs';
  }
  return 'unknown';
}

/** `/webhooks/{provider}` → a regular expression for raw paths. */
function pathPattern(path: string): RegExp {
  return new RegExp(`^${path.replace(/\{[^}]+\}/g, '[^/]+')}$`);
}

describe('events/', () => {
  it('holds webhook and SQS samples, in subfolders', () => {
    expect(eventFiles.filter((f) => kindOf(f.event) === 'http').length).toBeGreaterThan(0);
    expect(eventFiles.filter((f) => kindOf(f.event) === 'sqs').length).toBeGreaterThan(0);
    for (const f of eventFiles) expect(f.name, 'events live in events/<kind>/').toContain('/');
  });

  it.each(eventFiles)('$name is an event a function in template.yaml receives', ({ name, event }) => {
    const kind = kindOf(event);
    expect(kind, `${name} is neither a payload 2.0 webhook event nor an SQS event`).not.toBe('unknown');
    if (kind === 'sqs') {
      expect(sqsEvents(template, 'ProcessFunction').length).toBeGreaterThan(0);
      return;
    }
    const e = event as { routeKey: string; rawPath: string; requestContext: { routeKey?: string; http?: { method?: string; path?: string } } };
    expect(e.routeKey, `${name}: a function URL's (and the $default route's) route key`).toBe('$default');
    expect(endpointFunctions(template).url).toEqual(['IngestFunction']);
    const route = WEBHOOK_ROUTES.find((path) => pathPattern(path).test(e.rawPath));
    expect(route, `${name}: ${e.rawPath} is a webhook route (lib/endpoint.ts WEBHOOK_ROUTES)`).toBeDefined();
    expect(e.requestContext.routeKey).toBe(e.routeKey);
    expect(e.requestContext.http?.method).toBe('POST');
    expect(e.requestContext.http?.path).toBe(e.rawPath);
  });
});

describe('events/generic', () => {
  const generic = eventFiles.filter((f) => f.name.startsWith('generic/'));
  const byName = (file: string) => generic.find((f) => f.name === `generic/${file}`)?.event as Record<string, unknown> | undefined;

  it('has the five documented samples', () => {
    expect(generic.map((f) => f.name).sort()).toEqual(
      ['generic/guide-ticket-created.json', 'generic/message-created.json', 'generic/ticket-created.json', 'generic/ticket-resolved.json', 'generic/unsigned.json'],
    );
  });

  it.each(['ticket-created.json', 'ticket-resolved.json', 'message-created.json', 'guide-ticket-created.json'])(
    '%s is signed: x-webhook-signature is the hex HMAC-SHA256 of its exact body with the local secret',
    (file) => {
      const event = byName(file);
      expect(event).toMatchObject({ version: '2.0', rawQueryString: '', isBase64Encoded: false });
      const headers = (event?.headers ?? {}) as Record<string, string>;
      expect(Object.keys(headers).every((h) => h === h.toLowerCase())).toBe(true);
      expect(headers['content-type']).toBe('application/json');
      const body = String(event?.body);
      expect(headers['x-webhook-signature']).toBe(createHmac('sha256', LOCAL_DEV_SECRET).update(body).digest('hex'));
    },
  );

  it('unsigned.json carries no signature (IngestFunction answers 401)', () => {
    const headers = (byName('unsigned.json')?.headers ?? {}) as Record<string, string>;
    expect(Object.keys(headers).filter((h) => h.includes('signature'))).toEqual([]);
  });

  it('guide-ticket-created.json uses the guide’s route', () => {
    expect(byName('guide-ticket-created.json')).toMatchObject({ rawPath: '/webhook/ticket-created', routeKey: '$default' });
  });

  it('the bodies follow the Simpli guide’s payloads', () => {
    const body = (file: string) => JSON.parse(String(byName(file)?.body)) as Record<string, unknown>;
    expect(body('ticket-created.json')).toMatchObject({ event: 'ticket.created', ticket_id: expect.any(String), customer_id: expect.any(String), channel: 'email' });
    expect(body('ticket-resolved.json').messages).toEqual(expect.arrayContaining([{ role: 'customer', content: expect.any(String) }]));
    expect(body('message-created.json').message).toMatchObject({ id: expect.any(String), body: expect.any(String) });
  });
});

describe('events/sqs/ticket-created.json', () => {
  const sqs = eventFiles.find((f) => f.name === 'sqs/ticket-created.json')?.event as { Records: { body: string }[] } | undefined;

  it('carries a queue message ProcessFunction can decode, for the generic ticket', () => {
    expect(sqs?.Records).toHaveLength(1);
    const queued = decodeQueuedEvent(sqs?.Records[0]?.body ?? '');
    expect(queued).toMatchObject({ provider: 'generic', eventType: 'ticket.created', ticketId: 'T-1001', eventId: 'generic:ticket.created:T-1001' });
  });
});

describe('events/env.json (sam local invoke --env-vars)', () => {
  const path = join(EVENTS_DIR, 'env.json');
  const env = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Record<string, Record<string, unknown>>) : {};

  it('has a section per function, with string values only', () => {
    expect(Object.keys(env).sort()).toEqual(['IngestFunction', 'ProcessFunction', 'ReconcileFunction']);
    for (const section of Object.values(env)) for (const value of Object.values(section)) expect(typeof value).toBe('string');
  });

  it.each(['IngestFunction', 'ProcessFunction', 'ReconcileFunction'])('%s only sets variables the template declares (SAM CLI ignores others)', (fn) => {
    const declared = Object.keys(functionEnv(template, fn));
    expect(Object.keys(env[fn] ?? {}).filter((name) => !declared.includes(name))).toEqual([]);
  });

  it('gives IngestFunction the local secret for all six providers', () => {
    const secrets = JSON.parse(String(env.IngestFunction?.WEBHOOK_SECRETS)) as Record<string, string[]>;
    expect(Object.keys(secrets).sort()).toEqual([...PROVIDER_NAMES].sort());
    for (const list of Object.values(secrets)) expect(list).toEqual([LOCAL_DEV_SECRET]);
  });
});

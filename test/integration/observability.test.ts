import { createHmac } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { genericProvider } from '../../lib/providers/generic.ts';
import { defaultSimpli, DEFAULT_SECRET, startHarness, type Harness } from '../support/bridge-harness.ts';

/**
 * Every JSON line written to stdout/stderr — where Powertools' Logger (and its children) and
 * Metrics write on Lambda. Other output passes through.
 */
function captureStdout(): { lines: Record<string, unknown>[]; restore: () => void } {
  const lines: Record<string, unknown>[] = [];
  const originals = [process.stdout.write, process.stderr.write] as const;
  const tap = (original: typeof process.stdout.write) =>
    function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]): boolean {
      let passthrough = '';
      for (const line of String(chunk).split('\n')) {
        if (line.startsWith('{')) lines.push(JSON.parse(line) as Record<string, unknown>);
        else if (line !== '') passthrough += `${line}\n`;
      }
      return passthrough === '' ? true : (original as (...a: unknown[]) => boolean).call(this, passthrough, ...rest);
    } as typeof process.stdout.write;
  process.stdout.write = tap(originals[0]);
  process.stderr.write = tap(originals[1]);
  return {
    lines,
    restore: () => {
      process.stdout.write = originals[0];
      process.stderr.write = originals[1];
    },
  };
}

const sign = (body: string) => createHmac('sha256', DEFAULT_SECRET).update(body).digest('hex');

describe('observability: one id from webhook to outcome', () => {
  let h: Harness;
  const capture = captureStdout();
  const logger = new Logger({ serviceName: 'simpli-webhook-bridge', logLevel: 'INFO' });
  const metrics = new Metrics({ namespace: 'SimpliWebhookBridge', serviceName: 'simpli-webhook-bridge' });

  beforeAll(async () => {
    h = await startHarness({
      providers: { generic: genericProvider },
      logger,
      metrics,
      simpli: (request) => (request.path === '/analyze' && JSON.stringify(request.body).includes('poison') ? { status: 422, json: {} } : defaultSimpli(request)),
    });
  });
  afterAll(async () => {
    capture.restore();
    await h.stop();
  });

  const logsOf = (eventId: string) => capture.lines.filter((l) => l.eventId === eventId && typeof l.message === 'string');

  it('follows a processed event by its correlation id from "accepted" to one "done" line at INFO, which carries its steps and write-backs', async () => {
    const body = JSON.stringify({ ticket_id: 'T-4711', subject: 'Refund', body: 'Charged twice', customer_id: 'C-1' });
    const response = await h.post('/webhook/ticket-created', body, { 'x-webhook-signature': sign(body) });
    expect(response.statusCode).toBe(202);
    await h.drain();

    const lines = logsOf('generic:ticket.created:T-4711');
    // Issue #10 (cost): one line per outcome at INFO; the stages are DEBUG lines (next test).
    expect(lines.map((l) => l.message)).toEqual(['accepted', 'done']);
    const correlationIds = new Set(lines.map((l) => l.correlationId));
    expect(correlationIds.size).toBe(1);
    expect([...correlationIds][0]).toMatch(/^[0-9a-f-]{36}$/);
    for (const line of lines) {
      expect(line).toMatchObject({ provider: 'generic', eventId: 'generic:ticket.created:T-4711', ticketId: 'T-4711' });
    }
    const done = lines[1] as Record<string, unknown>;
    expect(done).toMatchObject({ level: 'INFO', stage: 'done', eventType: 'ticket.created', attempt: 1, durationMs: expect.any(Number) });
    const steps = done.steps as Record<string, unknown>;
    expect(Object.keys(steps).sort()).toEqual(['classify', 'route', 'sentiment']);
    for (const ms of Object.values(steps)) expect(ms).toEqual(expect.any(Number));
    const writeBacks = done.writeBacks as Record<string, unknown>;
    expect(Object.keys(writeBacks)).toHaveLength(1);
    expect(Object.values(writeBacks)[0]).toEqual(expect.any(Number));
    expect(done).not.toHaveProperty('stepsFailed');
    expect(done).not.toHaveProperty('stale');
  });

  it('at DEBUG, also logs each stage: "claimed", one "step" per Simpli call, "write-back"', async () => {
    logger.setLogLevel('DEBUG');
    try {
      const body = JSON.stringify({ ticket_id: 'T-4712', subject: 'Refund', body: 'Charged twice', customer_id: 'C-1' });
      await h.post('/webhook/ticket-created', body, { 'x-webhook-signature': sign(body) });
      await h.drain();
    } finally {
      logger.setLogLevel('INFO');
    }
    const lines = logsOf('generic:ticket.created:T-4712');
    const stages = lines.map((l) => l.message);
    expect(stages[0]).toBe('accepted');
    expect(stages).toEqual(expect.arrayContaining(['accepted', 'claimed', 'step', 'write-back', 'done']));
    expect(stages.at(-1)).toBe('done');
    for (const line of lines.filter((l) => l.message !== 'accepted')) expect(line.eventType).toBe('ticket.created');
    const steps = lines.filter((l) => l.message === 'step');
    expect(steps.map((l) => l.step).sort()).toEqual(['classify', 'route', 'sentiment']);
    for (const step of steps) expect(step).toMatchObject({ level: 'DEBUG', outcome: 'ok', durationMs: expect.any(Number) });
  });

  it('follows a failed event to "dead-lettered" with its reason and step', async () => {
    const body = JSON.stringify({ ticket_id: 'T-9', subject: 'x', body: 'poison', customer_id: 'C-1' });
    await h.post('/webhook/ticket-created', body, { 'x-webhook-signature': sign(body) });
    await h.drain();

    const lines = logsOf('generic:ticket.created:T-9');
    // A failed step is still its own ERROR line at INFO (warnings and errors are never folded away).
    const failedStep = lines.find((l) => l.message === 'step' && l.outcome === 'failed');
    expect(failedStep).toMatchObject({ step: 'sentiment', reason: 'http_422', upstream: 'sentiment', level: 'ERROR' });
    expect(lines.at(-1)).toMatchObject({ message: 'dead-lettered', level: 'ERROR', step: 'sentiment', reason: 'http_422', stepsFailed: { sentiment: 'failed:http_422' } });
  });

  it('says in the outcome line which steps were left out as older than the ticket (stage "stale")', async () => {
    // A customer message of 12:00 first, then the ticket's creation of 11:00 arrives late: its
    // sentiment is older than the message's, so it goes into the note only (lib/ordering.ts).
    const newer = JSON.stringify({ event: 'message.created', ticket_id: 'T-77', message: { id: 'm-1', body: 'still broken' }, customer_id: 'C-1', occurred_at: '2026-12-03T12:00:00Z' });
    expect((await h.post('/webhooks/generic', newer, { 'x-webhook-signature': sign(newer) })).statusCode).toBe(202);
    await h.drain();
    const older = JSON.stringify({ ticket_id: 'T-77', subject: 'Refund', body: 'Charged twice', customer_id: 'C-1', occurred_at: '2026-12-03T11:00:00Z' });
    expect((await h.post('/webhook/ticket-created', older, { 'x-webhook-signature': sign(older) })).statusCode).toBe(202);
    await h.drain();

    const done = logsOf('generic:ticket.created:T-77').filter((l) => l.message === 'done');
    expect(done).toHaveLength(1);
    expect(done[0]).toMatchObject({ level: 'INFO', stale: { steps: ['sentiment'], reason: 'older_than_ticket' } });
    const first = capture.lines.filter((l) => l.ticketId === 'T-77' && l.eventType === 'message.created' && l.message === 'done');
    expect(first).toHaveLength(1);
    expect(first[0]).not.toHaveProperty('stale');
  });

  it('answers what is no webhook route (a scanner on the public URL) with 404 or 405, without an INFO line or a metric', async () => {
    const before = capture.lines.length;
    const probes = [
      ['POST', '/', 404],
      ['GET', '/wp-login.php', 404],
      ['POST', '/webhooks', 404],
      ['POST', '/webhooks/generic/ticket-created/extra', 404],
      ['POST', '/prefix/webhooks/generic', 404],
      ['POST', '/webhook/ticket-closed', 404],
      ['GET', '/webhooks/generic', 405],
      ['PUT', '/webhook/ticket-created', 405],
    ] as const;
    for (const [method, path, status] of probes) {
      const response = await h.post(path, '{}', {}, method);
      expect(response.statusCode, `${method} ${path}`).toBe(status);
      if (status === 405) expect(response.headers.allow).toBe('POST');
      expect(JSON.parse(response.body)).toMatchObject({ error: status === 404 ? 'not_found' : 'method_not_allowed' });
    }
    metrics.publishStoredMetrics();
    expect(capture.lines.slice(before)).toEqual([]);
  });

  it('logs a rejected webhook with its reason, and no body or signature', async () => {
    const body = JSON.stringify({ ticket_id: 'T-10', body: 'my secret complaint' });
    await h.post('/webhook/ticket-created', body, { 'x-webhook-signature': 'ab'.repeat(32) });
    const rejected = capture.lines.filter((l) => l.message === 'rejected').at(-1);
    expect(rejected).toMatchObject({ status: 401, reason: 'no_matching_signature', provider: 'generic' });
    const all = JSON.stringify(capture.lines);
    expect(all).not.toContain('my secret complaint');
    expect(all).not.toContain('ab'.repeat(32));
  });

  it('emits CloudWatch embedded-metric-format documents for webhooks, events, steps and latency', () => {
    const emf = capture.lines.filter((l) => typeof l._aws === 'object');
    expect(emf.length).toBeGreaterThan(0);
    const names = new Set<string>();
    for (const doc of emf) {
      const aws = doc._aws as { Timestamp: number; CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] };
      expect(aws.Timestamp).toEqual(expect.any(Number));
      for (const directive of aws.CloudWatchMetrics) {
        expect(directive.Namespace).toBe('SimpliWebhookBridge');
        for (const metric of directive.Metrics) {
          names.add(metric.Name);
          // EMF: each metric's value is a top-level member of the document.
          expect(doc[metric.Name]).toBeDefined();
        }
        for (const dimensions of directive.Dimensions) for (const d of dimensions) expect(doc[d]).toBeDefined();
      }
    }
    for (const name of ['WebhooksAccepted', 'WebhooksRejected', 'EventsProcessed', 'EventsDeadLettered', 'StepFailures', 'SimpliCallLatency', 'EndToEndLatency', 'WriteBacks']) {
      expect(names).toContain(name);
    }
  });

  it('publishes every metric with the dimension set the template’s dashboard searches ({provider,service}, + upstream for Simpli calls)', () => {
    const expected: Record<string, string> = {
      WebhooksAccepted: 'service,provider',
      EventsEnqueued: 'service,provider',
      EventsProcessed: 'service,provider',
      // Was published without `provider` (singleMetric() cleared it after EventsProcessed), so the
      // dashboard's SEARCH('{SimpliWebhookBridge,provider,service} MetricName="EndToEndLatency"') found nothing.
      EndToEndLatency: 'service,provider',
      EventsDeadLettered: 'service,provider',
      WriteBacks: 'service,provider',
      SimpliCallLatency: 'service,provider,upstream',
      StepFailures: 'service,provider,upstream',
      // The reason is a property of the document, not a dimension (one series per provider, issue #10).
      WebhooksRejected: 'service,provider',
    };
    const seen = new Map<string, Set<string>>();
    for (const doc of capture.lines.filter((l) => typeof l._aws === 'object')) {
      const aws = doc._aws as { CloudWatchMetrics: { Dimensions: string[][]; Metrics: { Name: string }[] }[] };
      for (const directive of aws.CloudWatchMetrics) {
        for (const metric of directive.Metrics) {
          for (const dims of directive.Dimensions) seen.set(metric.Name, (seen.get(metric.Name) ?? new Set()).add(dims.join(',')));
        }
      }
    }
    for (const [name, dims] of Object.entries(expected)) expect([...(seen.get(name) ?? [])], name).toEqual([dims]);
    const rejected = capture.lines.filter((l) => typeof l._aws === 'object' && l.WebhooksRejected !== undefined);
    expect(rejected.length).toBeGreaterThan(0);
    for (const doc of rejected) expect(doc).toMatchObject({ provider: 'generic', reason: 'no_matching_signature', WebhooksRejected: 1 });
  });
});

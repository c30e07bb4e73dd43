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

  it('follows a processed event by its correlation id from "accepted" to "done", each line carrying the event’s ids', async () => {
    const body = JSON.stringify({ ticket_id: 'T-4711', subject: 'Refund', body: 'Charged twice', customer_id: 'C-1' });
    const response = await h.post('/webhook/ticket-created', body, { 'x-webhook-signature': sign(body) });
    expect(response.statusCode).toBe(202);
    await h.drain();

    const lines = logsOf('generic:ticket.created:T-4711');
    const stages = lines.map((l) => l.message);
    expect(stages[0]).toBe('accepted');
    expect(stages).toEqual(expect.arrayContaining(['accepted', 'claimed', 'step', 'write-back', 'done']));
    expect(stages.at(-1)).toBe('done');
    const correlationIds = new Set(lines.map((l) => l.correlationId));
    expect(correlationIds.size).toBe(1);
    expect([...correlationIds][0]).toMatch(/^[0-9a-f-]{36}$/);
    for (const line of lines) {
      expect(line).toMatchObject({ provider: 'generic', eventId: 'generic:ticket.created:T-4711', ticketId: 'T-4711' });
    }
    for (const line of lines.filter((l) => l.message !== 'accepted')) expect(line.eventType).toBe('ticket.created');
    const steps = lines.filter((l) => l.message === 'step');
    expect(steps.map((l) => l.step).sort()).toEqual(['classify', 'route', 'sentiment']);
    for (const step of steps) expect(step).toMatchObject({ outcome: 'ok', durationMs: expect.any(Number) });
  });

  it('follows a failed event to "dead-lettered" with its reason and step', async () => {
    const body = JSON.stringify({ ticket_id: 'T-9', subject: 'x', body: 'poison', customer_id: 'C-1' });
    await h.post('/webhook/ticket-created', body, { 'x-webhook-signature': sign(body) });
    await h.drain();

    const lines = logsOf('generic:ticket.created:T-9');
    const failedStep = lines.find((l) => l.message === 'step' && l.outcome === 'failed');
    expect(failedStep).toMatchObject({ step: 'sentiment', reason: 'http_422', upstream: 'sentiment', level: 'ERROR' });
    expect(lines.at(-1)).toMatchObject({ message: 'dead-lettered', step: 'sentiment', reason: 'http_422' });
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
});

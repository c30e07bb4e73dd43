/**
 * The functions' own metrics (functions/shared/emf-metrics.ts, issue #10) write the EMF lines
 * Powertools' Metrics writes: the same calls through both, Powertools as the reference (a
 * devDependency of the tests only), lines equal with only the timestamps normalised.
 */
import { Metrics as PowertoolsMetrics } from '@aws-lambda-powertools/metrics';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EmfMetrics, MetricUnit, type Metrics } from '../../functions/shared/emf-metrics.ts';
import { captureOutput, type WrittenLine } from '../support/capture-output.ts';

type Line = WrittenLine;
const capture = captureOutput;

const normalised = (lines: readonly Line[]) => lines.map(({ stream, text }) => ({ stream, text: text.replace(/"Timestamp":\d+/, '"Timestamp":0') }));

/** The calls the apps make (functions/*\/app.ts). */
function scenario(metrics: Metrics): void {
  // Ingest: a dimension set per outcome, then one publish per request.
  metrics.addDimensions({ provider: 'zendesk' });
  metrics.addMetric('WebhooksAccepted', MetricUnit.Count, 1);
  metrics.addMetric('EventsEnqueued', MetricUnit.Count, 2);
  metrics.addMetric('EventsEnqueued', MetricUnit.Count, 3);
  metrics.publishStoredMetrics();
  metrics.addDimensions({ provider: '', reason: 'bad_signature' });
  metrics.addMetric('WebhooksRejected', MetricUnit.Count, 1);
  metrics.publishStoredMetrics();
  // A rejection's reason as metadata, not a dimension (no series of its own); gone after publishing.
  metrics.addDimensions({ provider: 'unknown' });
  metrics.addMetadata('reason', 'bad_signature');
  metrics.addMetric('WebhooksRejected', MetricUnit.Count, 1);
  metrics.publishStoredMetrics();
  metrics.addMetric('WebhooksRejected', MetricUnit.Count, 1);
  metrics.publishStoredMetrics();
  // Process: one document per dimension set per invocation (functions/shared/metric-batch.ts).
  metrics.addDimension('provider', 'zendesk');
  metrics.addDimension('upstream', 'triage');
  metrics.addMetric('SimpliCallLatency', MetricUnit.Milliseconds, 120);
  metrics.addMetric('SimpliCallLatency', MetricUnit.Milliseconds, 80);
  metrics.publishStoredMetrics();
  // Process and Reconcile: single metrics with their own dimension.
  const single = metrics.singleMetric();
  single.addDimension('provider', 'freshdesk');
  single.addMetric('EventsProcessed', MetricUnit.Count, 1);
  single.addMetric('EndToEndLatency', MetricUnit.Milliseconds, 250);
  const other = metrics.singleMetric();
  other.addDimension('upstream', 'triage');
  other.addDimension('upstream', 'sentiment');
  other.addMetric('SimpliCallLatency', MetricUnit.Milliseconds, 120);
  metrics.singleMetric().addMetric('ReconcileLag', MetricUnit.Seconds, 30);
  // Nothing stored: Powertools says so on stderr.
  metrics.publishStoredMetrics();
}

afterEach(() => {
  vi.unstubAllEnvs();
});

async function bothWith(env: Record<string, string | undefined>): Promise<{ ours: Line[]; powertools: Line[] }> {
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  const options = { namespace: 'SimpliWebhookBridge', serviceName: 'simpli-webhook-bridge' };
  const powertools = await capture(() => scenario(new PowertoolsMetrics(options) as unknown as Metrics));
  const ours = await capture(() => scenario(new EmfMetrics(options)));
  return { ours, powertools };
}

describe('the functions’ metrics write Powertools’ EMF lines', () => {
  it('metric definitions, values, arrays, dimension sets, single metrics and the empty-publish warning', async () => {
    const { ours, powertools } = await bothWith({ POWERTOOLS_METRICS_DISABLED: undefined, POWERTOOLS_DEV: undefined });
    expect(powertools.filter((l) => l.text.startsWith('{"_aws"')).length).toBe(9);
    expect(normalised(ours)).toEqual(normalised(powertools));
  });

  it('POWERTOOLS_METRICS_DISABLED (npm start sets it) writes no EMF line, as Powertools', async () => {
    const { ours, powertools } = await bothWith({ POWERTOOLS_METRICS_DISABLED: 'true', POWERTOOLS_DEV: undefined });
    expect(powertools.some((l) => l.text.startsWith('{"_aws"'))).toBe(false);
    expect(normalised(ours)).toEqual(normalised(powertools));
  });

  it('emf: false (DETAILED_METRICS=false) writes the same lines without `_aws`: no metric, the values still there for the metric filters', async () => {
    const { ours } = await bothWith({ POWERTOOLS_METRICS_DISABLED: undefined, POWERTOOLS_DEV: undefined });
    const plain = await capture(() => scenario(new EmfMetrics({ namespace: 'SimpliWebhookBridge', serviceName: 'simpli-webhook-bridge', emf: false })));
    expect(plain.length).toBe(ours.length);
    expect(plain.some((l) => l.text.includes('"_aws"'))).toBe(false);
    const withoutDirective = (l: Line) => {
      if (!l.text.startsWith('{')) return l;
      const { _aws, ...rest } = JSON.parse(l.text) as Record<string, unknown>;
      return { stream: l.stream, text: JSON.stringify(rest) };
    };
    expect(plain.map(withoutDirective)).toEqual(ours.map(withoutDirective));
    // What the write-back alarm's filter reads ({ $.WriteBacks >= 1 } style): a top-level number.
    expect(plain.some((l) => /^\{"service":"simpli-webhook-bridge","provider":"zendesk","WebhooksAccepted":1,/.test(l.text))).toBe(true);
    const kept = await capture(() => scenario(new EmfMetrics({ namespace: 'N', serviceName: 's', emf: true })));
    expect(kept.filter((l) => l.text.startsWith('{"_aws"')).length).toBe(9);
  });

  it('refuses a second unit for a metric name, as Powertools', () => {
    const metrics = new EmfMetrics({ namespace: 'N', serviceName: 's' });
    metrics.addMetric('Latency', MetricUnit.Milliseconds, 1);
    expect(() => metrics.addMetric('Latency', MetricUnit.Seconds, 1)).toThrow(/already been added with unit "Milliseconds"/);
  });
});

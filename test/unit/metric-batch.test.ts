import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { describe, expect, it } from 'vitest';
import { createMetricBatch } from '../../functions/shared/metric-batch.ts';
import { captureOutputSync } from '../support/capture-output.ts';

interface EmfDocument {
  readonly _aws: { readonly CloudWatchMetrics: ReadonlyArray<{ readonly Dimensions: string[][]; readonly Metrics: ReadonlyArray<{ readonly Name: string; readonly Unit: string }> }> };
  readonly [key: string]: unknown;
}

/** What Powertools' Metrics writes (its own Console on stdout) and anything on stderr, while `run` runs. */
function written(run: () => void): { docs: EmfDocument[]; other: string[] } {
  const lines = captureOutputSync(run).map((l) => l.text);
  return {
    docs: lines.filter((l) => l.startsWith('{"_aws"')).map((l) => JSON.parse(l) as EmfDocument),
    other: lines.filter((l) => !l.startsWith('{"_aws"')),
  };
}

const metrics = () => new Metrics({ namespace: 'SimpliWebhookBridge', serviceName: 'simpli-webhook-bridge' });
const dimensionsOf = (doc: EmfDocument) => doc._aws.CloudWatchMetrics.flatMap((d) => d.Dimensions);
const namesOf = (doc: EmfDocument) => doc._aws.CloudWatchMetrics.flatMap((d) => d.Metrics.map((m) => `${m.Name}:${m.Unit}`)).sort();

describe('metric batch: an invocation’s metrics as one EMF document per dimension set (issue #10)', () => {
  it('sums counts and keeps every latency sample, each group with its own dimensions', () => {
    const { docs } = written(() => {
      const batch = createMetricBatch(metrics());
      for (const provider of ['zendesk', 'zendesk', 'hubspot']) {
        const group = batch.group({ provider });
        group.addMetric('EventsProcessed', MetricUnit.Count, 1);
        group.addMetric('EndToEndLatency', MetricUnit.Milliseconds, provider === 'zendesk' ? 120 : 300);
        group.addMetric('WriteBacks', MetricUnit.Count, 2);
        batch.group({ provider, upstream: 'triage' }).addMetric('SimpliCallLatency', MetricUnit.Milliseconds, 40);
      }
      batch.publish();
    });
    expect(docs).toHaveLength(4);
    const zendesk = docs.find((d) => d.provider === 'zendesk' && d.upstream === undefined);
    expect(zendesk).toMatchObject({ service: 'simpli-webhook-bridge', EventsProcessed: 2, WriteBacks: 4, EndToEndLatency: [120, 120] });
    expect(dimensionsOf(zendesk as EmfDocument)).toEqual([['service', 'provider']]);
    expect(namesOf(zendesk as EmfDocument)).toEqual(['EndToEndLatency:Milliseconds', 'EventsProcessed:Count', 'WriteBacks:Count']);
    expect(docs.find((d) => d.provider === 'hubspot' && d.upstream === undefined)).toMatchObject({ EventsProcessed: 1, WriteBacks: 2, EndToEndLatency: 300 });
    const triage = docs.find((d) => d.provider === 'zendesk' && d.upstream === 'triage') as EmfDocument;
    expect(triage.SimpliCallLatency).toEqual([40, 40]);
    expect(dimensionsOf(triage)).toEqual([['service', 'provider', 'upstream']]);
  });

  it('EndToEndLatency carries the provider dimension the dashboard searches for (singleMetric() dropped it)', () => {
    const { docs } = written(() => {
      const batch = createMetricBatch(metrics());
      const group = batch.group({ provider: 'generic' });
      group.addMetric('EventsProcessed', MetricUnit.Count, 1);
      group.addMetric('EndToEndLatency', MetricUnit.Milliseconds, 80);
      batch.publish();
    });
    const latency = docs.filter((d) => d.EndToEndLatency !== undefined);
    expect(latency).toHaveLength(1);
    expect(latency[0]?.provider).toBe('generic');
    expect(dimensionsOf(latency[0] as EmfDocument)).toEqual([['service', 'provider']]);
  });

  it('splits more samples than a document holds into several documents, each with the dimensions', () => {
    const { docs } = written(() => {
      const batch = createMetricBatch(metrics());
      const group = batch.group({ provider: 'generic', upstream: 'sentiment' });
      for (let i = 0; i < 250; i++) group.addMetric('SimpliCallLatency', MetricUnit.Milliseconds, i);
      group.addMetric('StepFailures', MetricUnit.Count, 1);
      batch.publish();
    });
    const samples = docs.flatMap((d) => (Array.isArray(d.SimpliCallLatency) ? (d.SimpliCallLatency as number[]) : [d.SimpliCallLatency as number]));
    expect(samples).toEqual(Array.from({ length: 250 }, (_, i) => i));
    for (const doc of docs) {
      expect(doc).toMatchObject({ provider: 'generic', upstream: 'sentiment' });
      expect((doc.SimpliCallLatency as number[]).length).toBeLessThanOrEqual(100);
    }
    expect(docs.filter((d) => d.StepFailures !== undefined).map((d) => d.StepFailures)).toEqual([1]);
  });

  it('writes nothing at all when nothing was recorded (no empty document, no Powertools warning)', () => {
    const result = written(() => {
      const batch = createMetricBatch(metrics());
      batch.group({ provider: 'generic' });
      batch.publish();
    });
    expect(result).toEqual({ docs: [], other: [] });
  });

  it('publishes each value once: a second publish writes only what was added since', () => {
    const { docs } = written(() => {
      const batch = createMetricBatch(metrics());
      batch.group({ provider: 'generic' }).addMetric('EventsProcessed', MetricUnit.Count, 1);
      batch.publish();
      batch.group({ provider: 'generic' }).addMetric('EventsDeadLettered', MetricUnit.Count, 1);
      batch.publish();
    });
    expect(docs.map((d) => [d.EventsProcessed, d.EventsDeadLettered])).toEqual([
      [1, undefined],
      [undefined, 1],
    ]);
  });
});

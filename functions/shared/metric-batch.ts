/**
 * Metrics of one invocation, published as one EMF document per dimension set (issue #10, cost).
 *
 * Writing one EMF line per stage (`metrics.singleMetric()`) costs a ~300-byte log line for every
 * value. CloudWatch takes several values of a metric in one document: "Values" arrays of up to 100
 * values, each counted as a sample, so p50/p95 stay exact
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html;
 * Powertools' Metrics stores repeated values of a name as such an array, MetricsStore.setMetric).
 * A document has a single set of dimension values, so the values are grouped by dimension set
 * (provider, or provider + upstream) and each group is one document. Counts are summed: a metric
 * filter reads `$.WriteBacks` as one number, and a Sum is the same either way.
 *
 * `singleMetric()` also published each metric after the first without the dimensions added before
 * it (it clears them on every publish), so `EndToEndLatency` had no `provider` dimension and the
 * dashboard's SEARCH over {provider, service} never found it; grouping fixes that too.
 */
import { MetricUnit, type Metrics } from './emf-metrics.ts';

type Unit = (typeof MetricUnit)[keyof typeof MetricUnit];

/** What a stage records into: `addMetric` as Powertools', under one dimension set. */
export interface MetricGroup {
  addMetric(name: string, unit: Unit, value: number): void;
}

export interface MetricBatch {
  /** The group of these dimension values (created on first use; same values → same group). */
  group(dimensions: Readonly<Record<string, string>>): MetricGroup;
  /** Writes one EMF document per group that recorded anything, then forgets them. */
  publish(): void;
}

/**
 * Values per metric per document: EMF takes up to 100, but Powertools publishes by itself when an
 * array reaches 100 and clears the dimensions, so the metrics added after it would lose theirs.
 */
const MAX_VALUES = 99;

interface Stored {
  readonly dimensions: Readonly<Record<string, string>>;
  readonly metrics: Map<string, { unit: Unit; values: number[] }>;
}

export function createMetricBatch(metrics: Metrics | undefined): MetricBatch {
  const groups = new Map<string, Stored>();
  return {
    group(dimensions) {
      const key = JSON.stringify(Object.entries(dimensions).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
      let stored = groups.get(key);
      if (stored === undefined) {
        stored = { dimensions: { ...dimensions }, metrics: new Map() };
        groups.set(key, stored);
      }
      const into = stored;
      return {
        addMetric(name, unit, value) {
          const metric = into.metrics.get(name);
          if (metric === undefined) into.metrics.set(name, { unit, values: [value] });
          else if (unit === MetricUnit.Count && metric.unit === MetricUnit.Count) metric.values[0] = (metric.values[0] ?? 0) + value;
          else metric.values.push(value);
        },
      };
    },
    publish() {
      if (metrics === undefined) {
        groups.clear();
        return;
      }
      for (const { dimensions, metrics: stored } of groups.values()) {
        if (stored.size === 0) continue;
        const longest = Math.max(...[...stored.values()].map((m) => m.values.length));
        // More values of one metric than a document takes: several documents, same dimensions.
        for (let offset = 0; offset < longest; offset += MAX_VALUES) {
          for (const [name, value] of Object.entries(dimensions)) metrics.addDimension(name, value);
          for (const [name, { unit, values }] of stored) {
            for (const value of values.slice(offset, offset + MAX_VALUES)) metrics.addMetric(name, unit, value);
          }
          metrics.publishStoredMetrics();
        }
      }
      groups.clear();
    },
  };
}

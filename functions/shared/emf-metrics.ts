/**
 * The functions' metrics: CloudWatch embedded metric format (EMF) lines as Powertools' Metrics
 * writes them, by our own small class (issue #10: the package adds about 11 KB and its
 * construction to each bundle). One JSON line per publish on stdout:
 * `{"_aws":{"Timestamp","CloudWatchMetrics":[{"Namespace","Dimensions":[["service"]],"Metrics":[{"Name","Unit"}]}]},"service":…,"<name>":value|[values]}`
 * (format: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html;
 * Powertools v2: node_modules/@aws-lambda-powertools/metrics/lib/esm/Metrics.js).
 * test/unit/emf-metrics.test.ts compares the lines with Powertools'. POWERTOOLS_METRICS_DISABLED
 * (or POWERTOOLS_DEV) turns the output off, as in Powertools. Dimensions are Powertools': those
 * added (addDimension, addDimensions) apply to the next published line only — a single metric's
 * second metric goes out with `service` alone, as Powertools writes it. Not provided, as the bridge
 * uses none of them: default dimensions beyond `service`, metadata, high resolution, the cold-start
 * metric, the warning when a dimension and a metric share a name.
 */
type Env = Readonly<Record<string, string | undefined>>;

/** The units the bridge publishes (CloudWatch's names; Powertools' MetricUnit has the same values). */
export const MetricUnit = { Count: 'Count', Milliseconds: 'Milliseconds', Seconds: 'Seconds' } as const;
export type MetricUnit = (typeof MetricUnit)[keyof typeof MetricUnit];

/** What the apps call; Powertools' Metrics has the same shape (tests pass either). */
export interface Metrics {
  addMetric(name: string, unit: MetricUnit, value: number): void;
  /** A dimension of the next published line (beside `service`); dropped after it is published. */
  addDimension(name: string, value: string): void;
  /** A further dimension set of the next published line: `service` plus these names. */
  addDimensions(dimensions: Record<string, string>): void;
  /** A key of the next published line that is not a dimension (no metric series of its own). */
  addMetadata(key: string, value: string): void;
  publishStoredMetrics(): void;
  singleMetric(): Metrics;
}

/** CloudWatch takes at most 100 metrics per EMF object, and 100 values per metric. */
const MAX_METRICS = 100;
const MAX_VALUES = 100;
/** Dimensions per dimension set, `service` included (CloudWatch: 30; Powertools checks ≤ 29). */
const MAX_DIMENSIONS = 29;
const TRUTHY = new Set(['1', 'y', 'yes', 't', 'true', 'on']);

export interface EmfMetricsOptions {
  readonly namespace?: string;
  readonly serviceName?: string;
  /** The environment (tests); process.env otherwise. */
  readonly env?: Env;
  /**
   * false (DETAILED_METRICS=false, read by lib/config.ts): the same lines without `_aws`, so
   * CloudWatch makes no metric of them. Default true.
   */
  readonly emf?: boolean;
}

export class EmfMetrics implements Metrics {
  readonly #namespace: string;
  readonly #service: string;
  readonly #disabled: boolean;
  readonly #emf: boolean;
  readonly #single: boolean;
  readonly #env: Env;
  #stored = new Map<string, { unit: MetricUnit; values: number[] }>();
  #dimensions: Record<string, string> = {};
  #sets: Record<string, string>[] = [];
  #metadata: Record<string, string> = {};

  constructor(options: EmfMetricsOptions = {}, single = false) {
    const env = options.env ?? process.env;
    const flag = (key: string) => TRUTHY.has(env[key]?.trim().toLowerCase() ?? '');
    this.#env = env;
    this.#namespace = options.namespace || env.POWERTOOLS_METRICS_NAMESPACE?.trim() || 'default_namespace';
    this.#service = options.serviceName || env.POWERTOOLS_SERVICE_NAME?.trim() || 'service_undefined';
    this.#disabled = flag('POWERTOOLS_METRICS_DISABLED') || (env.POWERTOOLS_METRICS_DISABLED === undefined && flag('POWERTOOLS_DEV'));
    this.#emf = options.emf ?? true;
    this.#single = single;
  }

  addMetric(name: string, unit: MetricUnit, value: number): void {
    if (this.#stored.size >= MAX_METRICS) this.publishStoredMetrics();
    const known = this.#stored.get(name);
    if (known !== undefined && known.unit !== unit) {
      throw new Error(`Metric "${name}" has already been added with unit "${known.unit}", but we received unit "${unit}". Did you mean to use metric unit "${known.unit}"?`);
    }
    const entry = this.#stored.get(name) ?? { unit, values: [] };
    entry.values.push(value);
    this.#stored.set(name, entry);
    if (this.#single || entry.values.length === MAX_VALUES) this.publishStoredMetrics();
  }

  addDimension(name: string, value: string): void {
    if (this.#usable(name, value, this.#dimensions)) this.#dimensions = this.#checked({ ...this.#dimensions, [name]: value });
  }

  /** As Powertools: written right after `_aws`, dropped once the line is published. */
  addMetadata(key: string, value: string): void {
    this.#metadata[key] = value;
  }

  addDimensions(dimensions: Record<string, string>): void {
    const set: Record<string, string> = {};
    for (const [name, value] of Object.entries(dimensions)) if (this.#usable(name, value, this.#dimensions, set)) set[name] = value;
    this.#sets.push(this.#checked(set));
  }

  /** Powertools' rules: a non-blank name and value (else a warning, and it is left out); a repeat is overwritten, with a warning. */
  #usable(name: unknown, value: unknown, ...taken: Record<string, string>[]): boolean {
    if (typeof name !== 'string' || name.trim() === '' || typeof value !== 'string' || value.trim() === '') {
      this.#warn(`The dimension ${String(name)} doesn't meet the requirements and won't be added. Ensure the dimension name and value are non empty strings`);
      return false;
    }
    if (name === 'service' || taken.some((t) => Object.hasOwn(t, name))) this.#warn(`Dimension "${name}" has already been added. The previous value will be overwritten.`);
    return true;
  }

  #checked(dimensions: Record<string, string>): Record<string, string> {
    if (new Set(['service', ...Object.keys(dimensions)]).size > MAX_DIMENSIONS) throw new RangeError(`The number of metric dimensions must be lower than ${MAX_DIMENSIONS}`);
    return dimensions;
  }

  /** Writes the stored metrics as one EMF line and forgets them; says so on stderr when there are none. */
  publishStoredMetrics(): void {
    const stored = this.#stored;
    const dimensions = this.#dimensions;
    const sets = this.#sets;
    const metadata = this.#metadata;
    this.#metadata = {};
    this.#stored = new Map();
    this.#dimensions = {};
    this.#sets = [];
    if (stored.size === 0) {
      this.#warn('No application metrics to publish. The cold-start metric may be published if enabled. If application metrics should never be empty, consider using `throwOnEmptyMetrics`');
      return;
    }
    if (this.#disabled) return;
    const names = (extra: Record<string, string>) => [...new Set(['service', ...Object.keys(extra)])];
    const dimensionNames = [...(Object.keys(dimensions).length > 0 ? [names(dimensions)] : []), ...sets.map(names)];
    // Without `_aws` the line is a plain JSON log event: no custom metric (template.yaml,
    // DetailedMetrics), while the template's metric filters still count its values for the alarms.
    const directive = {
      Timestamp: Date.now(),
      CloudWatchMetrics: [
        {
          Namespace: this.#namespace,
          Dimensions: dimensionNames.length > 0 ? dimensionNames : [['service']],
          Metrics: [...stored].map(([name, { unit }]) => ({ Name: name, Unit: unit })),
        },
      ],
    };
    const line = {
      ...(this.#emf ? { _aws: directive } : {}),
      // Powertools writes metadata first after `_aws`.
      ...metadata,
      service: this.#service,
      ...dimensions,
      ...Object.assign({}, ...sets),
      ...Object.fromEntries([...stored].map(([name, { values }]) => [name, values.length === 1 ? values[0] : values])),
    };
    process.stdout.write(`${JSON.stringify(line)}\n`);
  }

  /** Powertools writes its warnings with console.warn: one plain line on stderr. */
  #warn(text: string): void {
    process.stderr.write(`${text}\n`);
  }

  /** Metrics published as each is added (one EMF line per metric), same namespace and service. */
  singleMetric(): EmfMetrics {
    return new EmfMetrics({ namespace: this.#namespace, serviceName: this.#service, env: this.#env, emf: this.#emf }, true);
  }
}

/**
 * What template.yaml deploys, for the cost figure (issue #10): each function's memory (its own
 * MemorySize, else Globals.Function.MemorySize, else Lambda's default of 128 MB per
 * https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html) and its LoggingConfig
 * system log level. Read from the file, so the figure prices what a deploy would run.
 */
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { TEMPLATE } from '../build.ts';

export interface DeployedFunction {
  readonly name: string;
  readonly memoryMb: number;
  /** LoggingConfig.SystemLogLevel; undefined = Lambda's default (text format: every START/END/REPORT line). */
  readonly systemLogLevel: string | undefined;
}

/** Lambda's MemorySize when none is set. */
export const LAMBDA_DEFAULT_MEMORY_MB = 128;

type Properties = Readonly<Record<string, unknown>>;

export function deployedFunctions(templatePath: string = TEMPLATE): Record<string, DeployedFunction> {
  // CloudFormation tags (!Ref, !GetAtt…) are unknown to the YAML parser: it warns and keeps the value.
  const template = parseDocument(readFileSync(templatePath, 'utf8'), { logLevel: 'silent' }).toJS() as {
    Globals?: { Function?: Properties };
    Resources?: Record<string, { Type?: string; Properties?: Properties }>;
  };
  const globals = template.Globals?.Function ?? {};
  const out: Record<string, DeployedFunction> = {};
  for (const [name, resource] of Object.entries(template.Resources ?? {})) {
    if (resource.Type !== 'AWS::Serverless::Function') continue;
    const props = resource.Properties ?? {};
    const memory = props.MemorySize ?? globals.MemorySize ?? LAMBDA_DEFAULT_MEMORY_MB;
    if (typeof memory !== 'number') throw new Error(`${name}: MemorySize ${JSON.stringify(memory)} is not a number; the cost figure needs a literal`);
    const logging = (props.LoggingConfig ?? globals.LoggingConfig) as Properties | undefined;
    const level = logging?.SystemLogLevel;
    out[name] = { name, memoryMb: memory, systemLogLevel: typeof level === 'string' ? level : undefined };
  }
  return out;
}

/** A log metric filter of the template: the custom metric it publishes and the EMF fields it counts. */
export interface DeployedMetricFilter {
  readonly metricName: string;
  /** `$.<Field> >= …` terms of its pattern: the EMF values it sums (empty for a log-field pattern). */
  readonly emfFields: readonly string[];
}

/** The template's AWS::Logs::MetricFilter metrics: custom metrics too, billed like EMF ones when they get data. */
export function deployedMetricFilters(templatePath: string = TEMPLATE): DeployedMetricFilter[] {
  const template = parseDocument(readFileSync(templatePath, 'utf8'), { logLevel: 'silent' }).toJS() as {
    Resources?: Record<string, { Type?: string; Properties?: Properties }>;
  };
  const out: DeployedMetricFilter[] = [];
  for (const resource of Object.values(template.Resources ?? {})) {
    if (resource.Type !== 'AWS::Logs::MetricFilter') continue;
    const pattern = String(resource.Properties?.FilterPattern ?? '');
    const transformations = (resource.Properties?.MetricTransformations ?? []) as ReadonlyArray<{ MetricName?: string }>;
    for (const t of transformations) {
      out.push({ metricName: String(t.MetricName), emfFields: [...pattern.matchAll(/\$\.([A-Za-z]+)\s*>=/g)].map((m) => String(m[1])) });
    }
  }
  return out;
}

/** The webhook endpoint a deploy with default parameters gets: the `Endpoint` parameter's default (FunctionUrl | HttpApi). */
export function deployedEndpoint(templatePath: string = TEMPLATE): 'FunctionUrl' | 'HttpApi' {
  const template = parseDocument(readFileSync(templatePath, 'utf8'), { logLevel: 'silent' }).toJS() as {
    Parameters?: Record<string, { Default?: unknown }>;
    Resources?: Record<string, { Type?: string }>;
  };
  const chosen = template.Parameters?.Endpoint?.Default;
  if (chosen === 'FunctionUrl' || chosen === 'HttpApi') return chosen;
  // A template without the parameter: whatever it declares.
  const types = Object.values(template.Resources ?? {}).map((r) => r.Type);
  if (types.includes('AWS::Lambda::Url')) return 'FunctionUrl';
  if (types.includes('AWS::Serverless::HttpApi') || types.includes('AWS::ApiGatewayV2::Api')) return 'HttpApi';
  throw new Error('template.yaml declares no webhook endpoint (Endpoint parameter, AWS::Lambda::Url or an HTTP API); the cost figure prices it');
}

/**
 * ProcessFunction's SQS event source as a deploy with default parameters gets it: BatchSize
 * (Lambda's default 10) and MaximumBatchingWindowInSeconds (default 0), each a literal or a
 * `!Ref` to a parameter, read as that parameter's default.
 */
export function deployedBatching(templatePath: string = TEMPLATE): { readonly batchSize: number; readonly windowSeconds: number } {
  const template = parseDocument(readFileSync(templatePath, 'utf8'), { logLevel: 'silent' }).toJS() as {
    Parameters?: Record<string, { Default?: unknown }>;
    Resources?: Record<string, { Type?: string; Properties?: Properties }>;
  };
  for (const resource of Object.values(template.Resources ?? {})) {
    if (resource.Type !== 'AWS::Serverless::Function') continue;
    const events = (resource.Properties?.Events ?? {}) as Record<string, { Type?: string; Properties?: Properties }>;
    const sqs = Object.values(events).find((e) => e.Type === 'SQS');
    if (sqs === undefined) continue;
    // An unknown tag keeps its scalar: `!Ref Name` reads as "Name".
    const literal = (name: string, value: unknown, fallback: number): number => {
      const resolved = typeof value === 'string' && template.Parameters?.[value] !== undefined ? template.Parameters[value]?.Default : (value ?? fallback);
      const n = Number(resolved);
      if (!Number.isFinite(n)) throw new Error(`the SQS event's ${name} ${JSON.stringify(value)} is neither a number nor a parameter with a numeric default; the cost figure needs one`);
      return n;
    };
    return { batchSize: literal('BatchSize', sqs.Properties?.BatchSize, 10), windowSeconds: literal('MaximumBatchingWindowInSeconds', sqs.Properties?.MaximumBatchingWindowInSeconds, 0) };
  }
  throw new Error('template.yaml has no function with an SQS event; the cost figure prices its batches');
}

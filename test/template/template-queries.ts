/**
 * Small read-only queries over a parsed template, so the tests read like the rules they pin:
 * a function's resolved property (Globals merged), FindInMap resolution, IAM permissions as
 * `action → resource` pairs, and where a metric comes from.
 */
import type { Resource, Template } from './load-template.ts';

export type Json = unknown;

export function isObject(value: Json): value is Record<string, Json> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function resource(template: Template, logicalId: string): Resource {
  const found = template.Resources[logicalId];
  if (found === undefined) throw new Error(`template.yaml has no resource ${logicalId}`);
  return found;
}

export function resourcesOfType(template: Template, type: string): [string, Resource][] {
  return Object.entries(template.Resources).filter(([, r]) => r.Type === type);
}

export function props(r: Resource): Record<string, Json> {
  return r.Properties ?? {};
}

/** A function's property, falling back to Globals.Function like SAM does. */
export function functionProperty(template: Template, logicalId: string, name: string): Json {
  const own = props(resource(template, logicalId))[name];
  return own !== undefined ? own : template.Globals?.Function?.[name];
}

/** A function's environment: Globals variables overridden by its own (SAM merges the maps). */
export function functionEnv(template: Template, logicalId: string): Record<string, Json> {
  const globalEnv = template.Globals?.Function?.Environment;
  const ownEnv = props(resource(template, logicalId)).Environment;
  const vars = (env: Json) => (isObject(env) && isObject(env.Variables) ? env.Variables : {});
  return { ...vars(globalEnv), ...vars(ownEnv) };
}

/** Resolves `Fn::FindInMap` with literal keys; returns other values unchanged. */
export function resolveMap(template: Template, value: Json): Json {
  if (!isObject(value) || !Array.isArray(value['Fn::FindInMap'])) return value;
  const [map, top, second] = value['Fn::FindInMap'] as [string, string, string];
  const resolved = template.Mappings?.[map]?.[top]?.[second];
  if (resolved === undefined) throw new Error(`FindInMap [${map}, ${top}, ${second}] does not resolve`);
  return resolved;
}

/** A number from a literal, a numeric string or a FindInMap; NaN otherwise. */
export function numberOf(template: Template, value: Json): number {
  const resolved = resolveMap(template, value);
  return typeof resolved === 'number' ? resolved : typeof resolved === 'string' && resolved.trim() !== '' ? Number(resolved) : Number.NaN;
}

/** `{Ref: X}` → `X`, `{Fn::GetAtt: [X, Arn]}` → `X.Arn`, strings as themselves. */
export function refName(value: Json): string {
  if (typeof value === 'string') return value;
  if (isObject(value)) {
    if (typeof value.Ref === 'string') return value.Ref;
    const getAtt = value['Fn::GetAtt'];
    if (Array.isArray(getAtt)) return getAtt.join('.');
  }
  return JSON.stringify(value);
}

/** The logical id of the role a function uses, when it names one with `!GetAtt Role.Arn`. */
export function roleOf(template: Template, functionId: string): string | undefined {
  const role = props(resource(template, functionId)).Role;
  if (role === undefined) return undefined;
  const name = refName(role);
  return name.endsWith('.Arn') ? name.slice(0, -'.Arn'.length) : name;
}

/** Every `action @ resource` pair an explicit role's inline policies allow. */
export function permissionsOf(template: Template, roleId: string): Set<string> {
  const pairs = new Set<string>();
  const policies = props(resource(template, roleId)).Policies;
  for (const policy of Array.isArray(policies) ? policies : []) {
    const document = isObject(policy) ? policy.PolicyDocument : undefined;
    const statements = isObject(document) ? document.Statement : undefined;
    for (const statement of Array.isArray(statements) ? statements : [statements]) {
      if (!isObject(statement) || statement.Effect !== 'Allow') continue;
      for (const action of asList(statement.Action)) {
        for (const target of asList(statement.Resource)) pairs.add(`${String(action)} @ ${refName(target)}`);
      }
    }
  }
  return pairs;
}

function asList(value: Json): Json[] {
  return Array.isArray(value) ? value : value === undefined ? [] : [value];
}

/** Every value under a key named `key` anywhere in the tree. */
export function valuesUnderKey(tree: Json, key: string): Json[] {
  const found: Json[] = [];
  const walk = (node: Json) => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (isObject(node)) {
      for (const [k, v] of Object.entries(node)) {
        if (k === key) found.push(v);
        walk(v);
      }
    }
  };
  walk(tree);
  return found;
}

/** Every string leaf of a value (including inside intrinsics). */
export function stringsIn(value: Json): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (isObject(value)) return Object.values(value).flatMap(stringsIn);
  return [];
}

/**
 * The functions behind the webhook endpoint: the one a function URL targets and the one the HTTP
 * API's integration invokes (template.yaml declares both, each under its Condition).
 */
export function endpointFunctions(template: Template): { url: string[]; httpApi: string[] } {
  const target = (value: Json) => refName(value).replace(/\.Arn$/, '');
  return {
    url: resourcesOfType(template, 'AWS::Lambda::Url').map(([, r]) => target(props(r).TargetFunctionArn)),
    httpApi: resourcesOfType(template, 'AWS::ApiGatewayV2::Integration').map(([, r]) => target(props(r).IntegrationUri)),
  };
}

/** The SQS event sources of a function. */
export function sqsEvents(template: Template, functionId: string): Record<string, Json>[] {
  const events = props(resource(template, functionId)).Events;
  return Object.values(isObject(events) ? events : {}).flatMap((event) =>
    isObject(event) && event.Type === 'SQS' && isObject(event.Properties) ? [event.Properties] : [],
  );
}

/** The metric names an alarm reads: its MetricName, its MetricStats, and names in its expressions. */
export function alarmMetricNames(alarm: Resource): string[] {
  const p = props(alarm);
  const names = typeof p.MetricName === 'string' ? [p.MetricName] : [];
  for (const query of Array.isArray(p.Metrics) ? p.Metrics : []) {
    if (!isObject(query)) continue;
    const stat = query.MetricStat;
    if (isObject(stat) && isObject(stat.Metric) && typeof stat.Metric.MetricName === 'string') names.push(stat.Metric.MetricName);
    if (typeof query.Expression === 'string') names.push(query.Expression);
  }
  return names;
}

/**
 * The app metrics a metric stands for: itself, or — for a metric made by a log metric filter —
 * the EMF fields its filter pattern reads.
 */
export function metricSources(template: Template, metricName: string): string[] {
  const sources = [metricName];
  for (const [, filter] of resourcesOfType(template, 'AWS::Logs::MetricFilter')) {
    const p = props(filter);
    const transforms = Array.isArray(p.MetricTransformations) ? p.MetricTransformations : [];
    if (transforms.some((t) => isObject(t) && t.MetricName === metricName)) sources.push(String(p.FilterPattern));
  }
  return sources;
}

/** True if the alarm reads `appMetric` directly, in an expression, or through a metric filter. */
export function alarmWatches(template: Template, alarm: Resource, appMetric: string): boolean {
  return alarmMetricNames(alarm).some((name) =>
    metricSources(template, name).some((source) => new RegExp(`\\b${appMetric}\\b`).test(source)),
  );
}

/** `{Name: QueueName, Value: !GetAtt X.QueueName}` dimensions as `QueueName=X.QueueName`. */
export function alarmDimensions(alarm: Resource): string[] {
  const dims = props(alarm).Dimensions;
  return (Array.isArray(dims) ? dims : []).map((d) => (isObject(d) ? `${String(d.Name)}=${refName(d.Value)}` : ''));
}

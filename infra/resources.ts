/**
 * The local stack's AWS resources, created on the emulators FROM `template.yaml`, so that the
 * queue, the dead-letter queue and the Ledger table behave locally as the template declares them
 * (visibility timeout, retention, redrive policy with maxReceiveCount, key schema, billing mode).
 *
 * The template is parsed with the `yaml` package and custom tags for CloudFormation's short forms
 * (`!Ref`, `!GetAtt`, `!Sub`, `!If`, …) turned into their long forms (`{ Ref }`, `{ "Fn::GetAtt" }`).
 * A tag we do not know is kept as its plain value and reported in `warnings`; it never crashes.
 * Values are then resolved against the template's parameters (defaults), conditions, mappings,
 * pseudo parameters and the resources created so far.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import {
  CreateTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  type AttributeDefinition,
  type CreateTableCommandInput,
  type KeySchemaElement,
} from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { parseDocument, type CollectionTag, type ScalarTag, type YAMLMap, type YAMLSeq } from 'yaml';
import type { Emulators } from './emulators.ts';
import { WEBHOOK_ROUTES } from '../lib/endpoint.ts';

export const DEFAULT_TEMPLATE_PATH = fileURLToPath(new URL('../template.yaml', import.meta.url));
export const LOCAL_STACK_NAME = 'simpli-webhook-bridge-local';

// ---------------------------------------------------------------------------------------------
// Parsing

export type CfnValue = unknown;
export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Readonly<Record<string, CfnValue>>;
  readonly Condition?: string;
}
export interface CfnTemplate {
  readonly Parameters?: Readonly<Record<string, { readonly Default?: CfnValue }>>;
  readonly Mappings?: Readonly<Record<string, Readonly<Record<string, Readonly<Record<string, CfnValue>>>>>>;
  readonly Conditions?: Readonly<Record<string, CfnValue>>;
  readonly Globals?: Readonly<Record<string, Readonly<Record<string, CfnValue>>>>;
  readonly Resources: Readonly<Record<string, CfnResource>>;
}

/** Intrinsic functions with a short form; `!Ref` and `!Condition` have no `Fn::` prefix. */
const INTRINSICS = [
  'Ref', 'Condition', 'GetAtt', 'Sub', 'Join', 'Select', 'Split', 'If', 'Equals', 'Not', 'And', 'Or',
  'FindInMap', 'Base64', 'Cidr', 'GetAZs', 'ImportValue', 'Transform', 'Length', 'ToJsonString',
] as const;

function longName(name: string): string {
  return name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`;
}

/** One custom tag per short form and node kind (a tag may be written on a scalar, a list or a map). */
const CFN_TAGS: (ScalarTag | CollectionTag)[] = INTRINSICS.flatMap((name): (ScalarTag | CollectionTag)[] => {
  const key = longName(name);
  const scalar: ScalarTag = {
    tag: `!${name}`,
    // `!GetAtt Queue.Arn` is the scalar form of `Fn::GetAtt: [Queue, Arn]`.
    resolve: (value: string) => ({ [key]: name === 'GetAtt' ? splitOnce(value, '.') : value }),
  };
  const collection = (kind: 'seq' | 'map'): CollectionTag => ({
    tag: `!${name}`,
    collection: kind,
    resolve: (node: YAMLMap.Parsed | YAMLSeq.Parsed) => ({ [key]: node.toJSON() }),
  });
  return [scalar, collection('seq'), collection('map')];
});

function splitOnce(value: string, separator: string): string[] {
  const at = value.indexOf(separator);
  return at < 0 ? [value] : [value.slice(0, at), value.slice(at + 1)];
}

/** Parses a CloudFormation/SAM YAML template; unknown tags become warnings, not errors. */
export function parseTemplate(text: string): { template: CfnTemplate; warnings: string[] } {
  const doc = parseDocument(text, { customTags: CFN_TAGS, logLevel: 'silent' });
  if (doc.errors.length > 0) throw new Error(`template.yaml is not valid YAML: ${doc.errors[0]?.message ?? ''}`);
  const template = doc.toJS({ maxAliasCount: 1000 }) as unknown;
  if (!isRecord(template) || !isRecord(template.Resources)) throw new Error('template.yaml has no Resources section');
  const warnings = doc.warnings.map((w) => w.message.split('\n')[0] ?? w.message);
  return { template: template as unknown as CfnTemplate, warnings };
}

export async function loadTemplate(path: string = DEFAULT_TEMPLATE_PATH): Promise<{ template: CfnTemplate; warnings: string[] }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new Error(`cannot read the SAM template at ${path}`, { cause });
  }
  return parseTemplate(text);
}

// ---------------------------------------------------------------------------------------------
// Resolving intrinsic functions

/** Marks a property removed with `!Ref AWS::NoValue`. */
const NO_VALUE = Symbol('AWS::NoValue');

interface Created {
  readonly type: string;
  /** What `!Ref` returns (queue URL, table name). */
  readonly ref: string;
  /** What `!GetAtt X.attr` returns. */
  readonly attributes: Readonly<Record<string, string>>;
}

interface ResolveContext {
  readonly template: CfnTemplate;
  readonly stackName: string;
  readonly region: string;
  readonly accountId: string;
  readonly created: ReadonlyMap<string, Created>;
}

class UnresolvableError extends Error {}

function resolve(value: CfnValue, ctx: ResolveContext): CfnValue {
  if (Array.isArray(value)) return value.map((v) => resolve(v, ctx)).filter((v) => v !== NO_VALUE);
  if (!isRecord(value)) return value;
  const keys = Object.keys(value);
  const only = keys.length === 1 ? keys[0] : undefined;
  if (only === 'Ref' || (only?.startsWith('Fn::'))) return intrinsic(only, value[only], ctx);
  const out: Record<string, CfnValue> = {};
  for (const key of keys) {
    const v = resolve(value[key], ctx);
    if (v !== NO_VALUE) out[key] = v;
  }
  return out;
}

function intrinsic(name: string, arg: CfnValue, ctx: ResolveContext): CfnValue {
  switch (name) {
    case 'Ref':
      return ref(String(resolve(arg, ctx)), ctx);
    case 'Fn::GetAtt': {
      const parts = Array.isArray(arg) ? arg.map((a) => String(resolve(a, ctx))) : splitOnce(String(arg), '.');
      return getAtt(parts[0] ?? '', parts[1] ?? '', ctx);
    }
    case 'Fn::Sub': {
      const [text, vars] = Array.isArray(arg) ? [arg[0], arg[1]] : [arg, {}];
      const locals = isRecord(vars) ? vars : {};
      return String(text).replace(/\$\{([^}]+)\}/g, (_, expr: string) => {
        if (expr.startsWith('!')) return `\${${expr.slice(1)}}`;
        if (expr in locals) return String(resolve(locals[expr], ctx));
        const [id, attr] = splitOnce(expr, '.');
        return String(attr === undefined ? ref(id ?? '', ctx) : getAtt(id ?? '', attr, ctx));
      });
    }
    case 'Fn::Join': {
      const [separator, list] = asArray(arg, name);
      return asArray(resolve(list, ctx), name).map(String).join(String(separator));
    }
    case 'Fn::Select': {
      const [index, list] = asArray(arg, name);
      return asArray(resolve(list, ctx), name)[Number(resolve(index, ctx))];
    }
    case 'Fn::Split': {
      const [separator, text] = asArray(arg, name);
      return String(resolve(text, ctx)).split(String(separator));
    }
    case 'Fn::If': {
      const [condition, whenTrue, whenFalse] = asArray(arg, name);
      return resolve(condition_(String(condition), ctx) ? whenTrue : whenFalse, ctx);
    }
    case 'Fn::Equals': {
      const [a, b] = asArray(arg, name);
      return String(resolve(a, ctx)) === String(resolve(b, ctx));
    }
    case 'Fn::Not':
      return !truthy(asArray(arg, name)[0], ctx);
    case 'Fn::And':
      return asArray(arg, name).every((c) => truthy(c, ctx));
    case 'Fn::Or':
      return asArray(arg, name).some((c) => truthy(c, ctx));
    case 'Fn::FindInMap': {
      const [map, top, second] = asArray(arg, name).map((a) => String(resolve(a, ctx)));
      const found = ctx.template.Mappings?.[map ?? '']?.[top ?? '']?.[second ?? ''];
      if (found === undefined) throw new UnresolvableError(`Fn::FindInMap [${map}, ${top}, ${second}] is not in Mappings`);
      return resolve(found, ctx);
    }
    case 'Fn::Base64':
      return Buffer.from(String(resolve(arg, ctx))).toString('base64');
    case 'Fn::GetAZs':
      return [`${ctx.region}a`, `${ctx.region}b`, `${ctx.region}c`];
    case 'Fn::Length':
      return asArray(resolve(arg, ctx), name).length;
    case 'Fn::ToJsonString':
      return JSON.stringify(resolve(arg, ctx));
    default:
      throw new UnresolvableError(`${name} cannot be resolved locally`);
  }
}

/** `Fn::If`'s first argument names a condition; `Fn::Not`/`And`/`Or` take conditions or `{Condition}`. */
function truthy(value: CfnValue, ctx: ResolveContext): boolean {
  if (isRecord(value) && typeof value.Condition === 'string') return condition_(value.Condition, ctx);
  return resolve(value, ctx) === true;
}

function condition_(name: string, ctx: ResolveContext): boolean {
  const definition = ctx.template.Conditions?.[name];
  if (definition === undefined) throw new UnresolvableError(`condition ${name} is not defined`);
  return truthy(definition, ctx);
}

function ref(id: string, ctx: ResolveContext): CfnValue {
  switch (id) {
    case 'AWS::Region':
      return ctx.region;
    case 'AWS::StackName':
      return ctx.stackName;
    case 'AWS::AccountId':
      return ctx.accountId;
    case 'AWS::Partition':
      return 'aws';
    case 'AWS::URLSuffix':
      return 'amazonaws.com';
    case 'AWS::StackId':
      return `arn:aws:cloudformation:${ctx.region}:${ctx.accountId}:stack/${ctx.stackName}/local`;
    case 'AWS::NoValue':
      return NO_VALUE;
  }
  const parameter = ctx.template.Parameters?.[id];
  if (parameter !== undefined) {
    if (parameter.Default === undefined) throw new UnresolvableError(`parameter ${id} has no Default`);
    return parameter.Default;
  }
  const created = ctx.created.get(id);
  if (created !== undefined) return created.ref;
  throw new UnresolvableError(`!Ref ${id}: not a parameter or a resource created locally`);
}

function getAtt(id: string, attribute: string, ctx: ResolveContext): CfnValue {
  const created = ctx.created.get(id);
  const value = created?.attributes[attribute];
  if (value === undefined) throw new UnresolvableError(`!GetAtt ${id}.${attribute}: not available locally`);
  return value;
}

function asArray(value: CfnValue, name: string): CfnValue[] {
  if (!Array.isArray(value)) throw new UnresolvableError(`${name} expects a list`);
  return value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Logical ids a value refers to (`Ref`, `GetAtt`, `${X}` in `Sub`): they must be created first. */
function references(value: CfnValue, out: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) for (const v of value) references(v, out);
  else if (isRecord(value)) {
    for (const [key, v] of Object.entries(value)) {
      if (key === 'Ref' && typeof v === 'string') out.add(v);
      else if (key === 'Fn::GetAtt') {
        const id = Array.isArray(v) ? v[0] : typeof v === 'string' ? splitOnce(v, '.')[0] : undefined;
        if (typeof id === 'string') out.add(id);
      } else if (key === 'Fn::Sub') {
        const text = Array.isArray(v) ? v[0] : v;
        for (const m of String(text).matchAll(/\$\{([^!}][^}.]*)/g)) if (m[1] !== undefined) out.add(m[1]);
        if (Array.isArray(v)) references(v[1], out);
      } else references(v, out);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Creating the resources

/** SQS queue properties → CreateQueue attribute names (all values are strings in the API). */
const QUEUE_ATTRIBUTES: Readonly<Record<string, string>> = {
  DelaySeconds: 'DelaySeconds',
  MaximumMessageSize: 'MaximumMessageSize',
  MessageRetentionPeriod: 'MessageRetentionPeriod',
  ReceiveMessageWaitTimeSeconds: 'ReceiveMessageWaitTimeSeconds',
  VisibilityTimeout: 'VisibilityTimeout',
  RedrivePolicy: 'RedrivePolicy',
  RedriveAllowPolicy: 'RedriveAllowPolicy',
  FifoQueue: 'FifoQueue',
  ContentBasedDeduplication: 'ContentBasedDeduplication',
  // Encryption (KmsMasterKeyId, SqsManagedSseEnabled), DeduplicationScope and FifoThroughputLimit
  // mean nothing on the emulator and are not passed.
};

/** Properties with no observable effect on an emulator (encryption, backups, names, tags). */
const SILENTLY_IGNORED = new Set([
  'QueueName',
  'Tags',
  'SqsManagedSseEnabled',
  'KmsMasterKeyId',
  'KmsDataKeyReusePeriodSeconds',
  'SSESpecification',
  'PointInTimeRecoverySpecification',
  'DeletionProtectionEnabled',
  'ContributorInsightsSpecification',
  'TableClass',
]);
const TABLE_PROPERTIES = new Set(['TableName', 'KeySchema', 'AttributeDefinitions', 'BillingMode', 'ProvisionedThroughput', 'GlobalSecondaryIndexes', 'LocalSecondaryIndexes']);

export interface ResourceOverrides {
  /** Replaces the template's VisibilityTimeout of the ticket queue (tests use 1 s). */
  readonly visibilityTimeoutSeconds?: number;
  /** Replaces the template's RedrivePolicy.maxReceiveCount of the ticket queue. */
  readonly maxReceiveCount?: number;
}

export interface LocalResourcesOptions {
  readonly emulators: Pick<Emulators, 'sqsEndpoint' | 'dynamodbEndpoint' | 'clientConfig' | 'region'>;
  readonly templatePath?: string;
  /** A template already parsed (tests); wins over templatePath. */
  readonly template?: CfnTemplate;
  readonly stackName?: string;
  readonly overrides?: ResourceOverrides;
  /** Logical ids, in case the template names them differently. */
  readonly logicalIds?: { readonly queue?: string; readonly deadLetterQueue?: string; readonly table?: string };
}

/** How Lambda's SQS event source is configured for a function (the template's `Type: SQS` event). */
export interface EventSourceSettings {
  readonly functionLogicalId: string | undefined;
  readonly functionTimeoutSeconds: number;
  readonly batchSize: number;
  readonly maximumBatchingWindowSeconds: number;
  readonly reportBatchItemFailures: boolean;
}

export interface HttpRoute {
  readonly method: string;
  readonly path: string;
}

export interface LocalResources {
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly deadLetterQueueUrl: string;
  readonly deadLetterQueueArn: string;
  readonly tableName: string;
  readonly maxReceiveCount: number;
  readonly visibilityTimeoutSeconds: number;
  /** The consumer of the ticket queue as the template declares it. */
  readonly processFunction: EventSourceSettings;
  /** Timeout of the function behind the webhook endpoint (the function URL's target). */
  readonly ingestTimeoutSeconds: number;
  /** The webhook routes the function answers (lib/endpoint.ts), e.g. `{ method: 'POST', path: '/webhooks/{provider}' }`. */
  readonly httpRoutes: readonly HttpRoute[];
  /**
   * Each function's environment as the template sets it (Globals merged), resolved against the
   * local resources. Variables that cannot be resolved locally (secret ARNs, parameters without a
   * default) are left out; the local stack supplies its own.
   */
  readonly functionEnvironments: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Things the local stack ignored (unknown tags, properties the emulators lack). */
  readonly warnings: readonly string[];
}

/**
 * Creates every SQS queue and DynamoDB table of the template on the emulators (dependencies first,
 * so a RedrivePolicy gets the real dead-letter queue ARN) and returns what the handlers and tests
 * need. Idempotent: an existing queue or table is reused.
 */
export async function createLocalResources(options: LocalResourcesOptions): Promise<LocalResources> {
  const parsed = options.template === undefined ? await loadTemplate(options.templatePath) : { template: options.template, warnings: [] };
  const { template } = parsed;
  const warnings = [...parsed.warnings];
  const ids = {
    queue: options.logicalIds?.queue ?? 'TicketQueue',
    deadLetterQueue: options.logicalIds?.deadLetterQueue ?? 'DeadLetterQueue',
    table: options.logicalIds?.table ?? 'Ledger',
  };
  const { emulators } = options;
  const sqs = new SQSClient({ ...emulators.clientConfig, endpoint: emulators.sqsEndpoint });
  const dynamodb = new DynamoDBClient({ ...emulators.clientConfig, endpoint: emulators.dynamodbEndpoint });
  const created = new Map<string, Created>();
  const ctx: ResolveContext = {
    template,
    stackName: options.stackName ?? LOCAL_STACK_NAME,
    region: emulators.region,
    accountId: '000000000000',
    created,
  };

  const wanted = Object.entries(template.Resources).filter(([id, r]) => {
    if (r.Type !== 'AWS::SQS::Queue' && r.Type !== 'AWS::DynamoDB::Table') return false;
    if (r.Condition === undefined) return true;
    try {
      return condition_(r.Condition, ctx);
    } catch (error) {
      warnings.push(`${id}: condition ${r.Condition} could not be evaluated (${(error as Error).message}); created anyway`);
      return true;
    }
  });
  const byId = new Map(wanted);
  const creating = new Map<string, Promise<void>>();

  const create = (id: string, path: readonly string[] = []): Promise<void> => {
    const existing = creating.get(id);
    if (existing !== undefined) return existing;
    const resource = byId.get(id);
    if (resource === undefined) return Promise.resolve();
    if (path.includes(id)) throw new Error(`template.yaml: circular reference ${[...path, id].join(' → ')}`);
    const promise = (async () => {
      await Promise.all([...references(resource.Properties ?? {})].map((dep) => create(dep, [...path, id])));
      const properties = resolveProperties(id, resource, ctx);
      if (resource.Type === 'AWS::SQS::Queue') {
        const overrides = id === ids.queue ? options.overrides : undefined;
        created.set(id, await createQueue(sqs, emulators.sqsEndpoint, ctx.stackName, id, properties, overrides, warnings));
      } else {
        created.set(id, await createTable(dynamodb, id, properties, ctx.stackName, warnings));
      }
    })();
    creating.set(id, promise);
    return promise;
  };

  try {
    for (const [id] of wanted) await create(id);
  } finally {
    sqs.destroy();
    dynamodb.destroy();
  }

  const queue = created.get(ids.queue);
  const deadLetterQueue = created.get(ids.deadLetterQueue);
  const table = created.get(ids.table);
  const missing = [
    [ids.queue, queue, 'AWS::SQS::Queue'],
    [ids.deadLetterQueue, deadLetterQueue, 'AWS::SQS::Queue'],
    [ids.table, table, 'AWS::DynamoDB::Table'],
  ].filter(([, found]) => found === undefined);
  if (queue === undefined || deadLetterQueue === undefined || table === undefined) {
    throw new Error(`template.yaml lacks ${missing.map(([id, , type]) => `${String(id)} (${String(type)})`).join(', ')}`);
  }
  const redrive = parseRedrive(queue.attributes.RedrivePolicy);
  if (redrive === undefined) throw new Error(`template.yaml: ${ids.queue} has no RedrivePolicy with maxReceiveCount`);
  if (redrive.deadLetterTargetArn !== deadLetterQueue.attributes.Arn) {
    warnings.push(`${ids.queue}'s RedrivePolicy targets ${redrive.deadLetterTargetArn}, not ${ids.deadLetterQueue}`);
  }
  return {
    queueUrl: queue.ref,
    queueArn: queue.attributes.Arn ?? '',
    deadLetterQueueUrl: deadLetterQueue.ref,
    deadLetterQueueArn: deadLetterQueue.attributes.Arn ?? '',
    tableName: table.ref,
    maxReceiveCount: redrive.maxReceiveCount,
    visibilityTimeoutSeconds: Number(queue.attributes.VisibilityTimeout ?? 30),
    processFunction: eventSourceOf(template, ids.queue, ctx, warnings),
    ingestTimeoutSeconds: ingestTimeoutOf(template, ctx),
    httpRoutes: WEBHOOK_ROUTES.map((path) => ({ method: 'POST', path })),
    functionEnvironments: functionEnvironmentsOf(template, ctx),
    warnings,
  };
}

function resolveProperties(id: string, resource: CfnResource, ctx: ResolveContext): Record<string, CfnValue> {
  try {
    const value = resolve(resource.Properties ?? {}, ctx);
    return isRecord(value) ? value : {};
  } catch (error) {
    if (error instanceof UnresolvableError) throw new Error(`template.yaml: ${id}: ${error.message}`);
    throw error;
  }
}

async function createQueue(
  sqs: SQSClient,
  endpoint: string,
  stackName: string,
  id: string,
  properties: Record<string, CfnValue>,
  overrides: ResourceOverrides | undefined,
  warnings: string[],
): Promise<Created> {
  const attributes: Record<string, string> = {};
  for (const [property, value] of Object.entries(properties)) {
    const attribute = QUEUE_ATTRIBUTES[property];
    if (attribute === undefined) {
      if (!SILENTLY_IGNORED.has(property)) warnings.push(`${id}.${property} is not applied locally`);
      continue;
    }
    // CloudFormation takes RedrivePolicy as an object; the SQS API takes it as a JSON string.
    attributes[attribute] = isRecord(value) ? JSON.stringify(value) : String(value);
  }
  if (overrides?.visibilityTimeoutSeconds !== undefined) attributes.VisibilityTimeout = String(overrides.visibilityTimeoutSeconds);
  if (overrides?.maxReceiveCount !== undefined) {
    const redrive = parseRedrive(attributes.RedrivePolicy);
    if (redrive === undefined) throw new Error(`${id} has no RedrivePolicy to override maxReceiveCount in`);
    attributes.RedrivePolicy = JSON.stringify({ ...redrive, maxReceiveCount: overrides.maxReceiveCount });
  }
  const fifo = attributes.FifoQueue === 'true';
  // Without a QueueName, CloudFormation names the queue after the stack and the logical id.
  const name = typeof properties.QueueName === 'string' ? properties.QueueName : `${stackName}-${id}${fifo ? '.fifo' : ''}`;
  const out = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  if (out.QueueUrl === undefined) throw new Error(`the SQS emulator returned no URL for ${name}`);
  // fauxqs answers `http://sqs.<region>.127.0.0.1:<port>/…`, which WHATWG URL rejects (a host
  // ending in an IPv4 address); the SQS client then warns on every call. The path identifies the
  // queue, so the URL is rebased on the emulator's endpoint, whose origin the client already uses.
  const queueUrl = `${endpoint.replace(/\/+$/, '')}${/^[a-z]+:\/\/[^/]+(\/.*)$/i.exec(out.QueueUrl)?.[1] ?? `/000000000000/${name}`}`;
  const got = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['All'] }));
  const arn = got.Attributes?.QueueArn;
  if (arn === undefined) throw new Error(`the SQS emulator returned no ARN for ${name}`);
  return { type: 'AWS::SQS::Queue', ref: queueUrl, attributes: { ...got.Attributes, Arn: arn, QueueName: name, QueueUrl: queueUrl } };
}

async function createTable(
  dynamodb: DynamoDBClient,
  id: string,
  properties: Record<string, CfnValue>,
  stackName: string,
  warnings: string[],
): Promise<Created> {
  const tableName = typeof properties.TableName === 'string' ? properties.TableName : `${stackName}-${id}`;
  const billingMode = properties.BillingMode === 'PROVISIONED' ? 'PROVISIONED' : 'PAY_PER_REQUEST';
  const input: CreateTableCommandInput = {
    TableName: tableName,
    KeySchema: properties.KeySchema as KeySchemaElement[],
    AttributeDefinitions: properties.AttributeDefinitions as AttributeDefinition[],
    BillingMode: billingMode,
    ...(isRecord(properties.ProvisionedThroughput)
      ? {
          ProvisionedThroughput: {
            ReadCapacityUnits: Number(properties.ProvisionedThroughput.ReadCapacityUnits),
            WriteCapacityUnits: Number(properties.ProvisionedThroughput.WriteCapacityUnits),
          },
        }
      : {}),
    ...(Array.isArray(properties.GlobalSecondaryIndexes) ? { GlobalSecondaryIndexes: properties.GlobalSecondaryIndexes as CreateTableCommandInput['GlobalSecondaryIndexes'] } : {}),
    ...(Array.isArray(properties.LocalSecondaryIndexes) ? { LocalSecondaryIndexes: properties.LocalSecondaryIndexes as CreateTableCommandInput['LocalSecondaryIndexes'] } : {}),
  };
  // dynalite has no TTL API (UpdateTimeToLive → UnknownOperationException; reference/aws.md D1):
  // TimeToLiveSpecification is skipped and Ledger items never expire locally. Streams, SSE,
  // point-in-time recovery and tags mean nothing on the emulator either.
  for (const property of Object.keys(properties)) {
    if (!TABLE_PROPERTIES.has(property) && !SILENTLY_IGNORED.has(property)) {
      warnings.push(`${id}.${property} is not applied locally${property === 'TimeToLiveSpecification' ? ' (dynalite has no TTL)' : ''}`);
    }
  }
  try {
    const out = await dynamodb.send(new CreateTableCommand(input));
    const arn = out.TableDescription?.TableArn ?? `arn:aws:dynamodb:local:000000000000:table/${tableName}`;
    return { type: 'AWS::DynamoDB::Table', ref: tableName, attributes: { Arn: arn } };
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
    return { type: 'AWS::DynamoDB::Table', ref: tableName, attributes: { Arn: `arn:aws:dynamodb:local:000000000000:table/${tableName}` } };
  }
}

function parseRedrive(json: string | undefined): { deadLetterTargetArn: string; maxReceiveCount: number } | undefined {
  if (json === undefined) return undefined;
  try {
    const value = JSON.parse(json) as unknown;
    if (!isRecord(value)) return undefined;
    const maxReceiveCount = Number(value.maxReceiveCount);
    if (!Number.isInteger(maxReceiveCount) || maxReceiveCount < 1) return undefined;
    return { deadLetterTargetArn: String(value.deadLetterTargetArn), maxReceiveCount };
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Function settings the emulation of Lambda needs

const FUNCTION_TYPES = ['AWS::Serverless::Function', 'AWS::Lambda::Function'];

function safeResolve(value: CfnValue, ctx: ResolveContext): CfnValue {
  try {
    return resolve(value, ctx);
  } catch {
    return undefined;
  }
}

function functionTimeout(resource: CfnResource, template: CfnTemplate, ctx: ResolveContext): number {
  const own = safeResolve(resource.Properties?.Timeout, ctx);
  const global = safeResolve(template.Globals?.Function?.Timeout, ctx);
  const seconds = Number(own ?? global ?? 3);
  return Number.isFinite(seconds) && seconds > 0 ? seconds : 3;
}

/** The function with an SQS event on `queueId`, and that event's batching settings (Lambda defaults otherwise). */
function eventSourceOf(template: CfnTemplate, queueId: string, ctx: ResolveContext, warnings: string[]): EventSourceSettings {
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (!FUNCTION_TYPES.includes(resource.Type)) continue;
    const events = resource.Properties?.Events;
    if (!isRecord(events)) continue;
    for (const event of Object.values(events)) {
      if (!isRecord(event) || event.Type !== 'SQS' || !isRecord(event.Properties)) continue;
      if (!references(event.Properties.Queue).has(queueId)) continue;
      const p = event.Properties;
      const number = (value: CfnValue, fallback: number) => {
        const n = Number(safeResolve(value, ctx) ?? fallback);
        return Number.isFinite(n) ? n : fallback;
      };
      const responseTypes = safeResolve(p.FunctionResponseTypes, ctx);
      const report = Array.isArray(responseTypes) && responseTypes.includes('ReportBatchItemFailures');
      if (!report) warnings.push(`${id}'s SQS event lacks FunctionResponseTypes: [ReportBatchItemFailures]`);
      return {
        functionLogicalId: id,
        functionTimeoutSeconds: functionTimeout(resource, template, ctx),
        batchSize: Math.min(10, number(p.BatchSize, 10)),
        maximumBatchingWindowSeconds: number(p.MaximumBatchingWindowInSeconds, 0),
        reportBatchItemFailures: report,
      };
    }
  }
  warnings.push(`no function in template.yaml has an SQS event on ${queueId}; Lambda defaults used`);
  return { functionLogicalId: undefined, functionTimeoutSeconds: 3, batchSize: 10, maximumBatchingWindowSeconds: 0, reportBatchItemFailures: true };
}

function ingestTimeoutOf(template: CfnTemplate, ctx: ResolveContext): number {
  for (const resource of Object.values(template.Resources)) {
    if (resource.Type !== 'AWS::Lambda::Url') continue;
    const target = resource.Properties?.TargetFunctionArn;
    const getAtt = isRecord(target) ? target['Fn::GetAtt'] : undefined;
    const id = Array.isArray(getAtt) ? String(getAtt[0]) : isRecord(target) && typeof target.Ref === 'string' ? target.Ref : undefined;
    const fn = id === undefined ? undefined : template.Resources[id];
    if (fn !== undefined && FUNCTION_TYPES.includes(fn.Type)) return functionTimeout(fn, template, ctx);
  }
  return 30;
}

/** Variables whose value names a secret in Secrets Manager: locally the JSON variables are used instead. */
const SKIPPED_VARIABLES = /_ARN$|^NODE_OPTIONS$/;

function functionEnvironmentsOf(template: CfnTemplate, ctx: ResolveContext): Record<string, Record<string, string>> {
  const global = template.Globals?.Function?.Environment;
  const globalVariables = isRecord(global) && isRecord(global.Variables) ? global.Variables : {};
  const out: Record<string, Record<string, string>> = {};
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (!FUNCTION_TYPES.includes(resource.Type)) continue;
    const own = resource.Properties?.Environment;
    const variables = { ...globalVariables, ...(isRecord(own) && isRecord(own.Variables) ? own.Variables : {}) };
    const env: Record<string, string> = {};
    for (const [name, value] of Object.entries(variables)) {
      if (SKIPPED_VARIABLES.test(name)) continue;
      const resolved = safeResolve(value, ctx);
      if (resolved === undefined || resolved === NO_VALUE || resolved === '' || typeof resolved === 'object') continue;
      env[name] = String(resolved);
    }
    out[id] = env;
  }
  return out;
}

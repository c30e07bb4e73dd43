/**
 * Pins template.yaml: schema validity, what each function runs and may do, the numbers that must
 * agree (visibility timeout, receive count, lease), encryption, routes, alarms, dashboard, outputs.
 * The SAM schema does not check Runtime, Metadata or plain CloudFormation resources (reference
 * aws.md A1), so those rules are checked here directly.
 */
import { existsSync, readFileSync } from 'node:fs';
import AjvDraft04 from 'ajv-draft-04';
import { describe, expect, it } from 'vitest';
import { LEDGER_KEY, LEDGER_TTL_ATTRIBUTE } from '../../lib/ledger.ts';
import { PROVIDER_NAMES } from '../../lib/providers/types.ts';
import { loadTemplate, parseTemplate, REPO_ROOT } from './load-template.ts';
import {
  alarmDimensions,
  alarmMetricNames,
  alarmWatches,
  endpointFunctions,
  functionEnv,
  functionProperty,
  isObject,
  metricSources,
  numberOf,
  permissionsOf,
  props,
  refName,
  resource,
  resourcesOfType,
  roleOf,
  sqsEvents,
  stringsIn,
  valuesUnderKey,
} from './template-queries.ts';

const template = loadTemplate();
const FUNCTIONS = ['IngestFunction', 'ProcessFunction'] as const;

// ajv-draft-04 is CommonJS with `exports.default`: under nodenext the default import is module.exports.
const Ajv = AjvDraft04.default;

const SCHEMA_PATH = `${REPO_ROOT}../shared/schemas/sam.schema.json`;
const schemaExists = existsSync(SCHEMA_PATH);
if (!schemaExists) {
  console.warn(`SAM schema not found at ${SCHEMA_PATH}: the schema validation test is skipped (it lives outside the repo).`);
}

describe('load-template', () => {
  it('turns CloudFormation short forms into their long forms', () => {
    const parsed = parseTemplate(
      'Resources:\n  A:\n    Type: X\n    Properties:\n      R: !Ref P\n      G: !GetAtt Q.Arn\n      S: !Sub "${P}-x"\n      I: !If [C, !Ref P, !Ref AWS::NoValue]\n      M: !FindInMap [T, Q, K]\n',
    );
    expect(props(resource(parsed, 'A'))).toEqual({
      R: { Ref: 'P' },
      G: { 'Fn::GetAtt': ['Q', 'Arn'] },
      S: { 'Fn::Sub': '${P}-x' },
      I: { 'Fn::If': ['C', { Ref: 'P' }, { Ref: 'AWS::NoValue' }] },
      M: { 'Fn::FindInMap': ['T', 'Q', 'K'] },
    });
  });

  it('refuses a tag CloudFormation does not know', () => {
    expect(() => parseTemplate('Resources:\n  A:\n    Type: X\n    Properties:\n      R: !Bogus P\n')).toThrow();
  });
});

describe('template.yaml', () => {
  it.skipIf(!schemaExists)('validates against the official SAM schema', () => {
    const schema: unknown = JSON.parse(readFileSync(SCHEMA_PATH, 'utf8'));
    const ajv = new Ajv({ strict: false, allErrors: true });
    const validate = ajv.compile(schema as object);
    const valid = validate(template);
    expect(validate.errors ?? [], 'schema errors').toEqual([]);
    expect(valid).toBe(true);
  });

  it('is a SAM template', () => {
    expect(template.Transform).toBe('AWS::Serverless-2016-10-31');
  });
});

describe('functions', () => {
  it.each(FUNCTIONS)('%s runs on nodejs24.x or nodejs22.x, arm64', (fn) => {
    expect(['nodejs24.x', 'nodejs22.x']).toContain(functionProperty(template, fn, 'Runtime'));
    expect(functionProperty(template, fn, 'Architectures')).toEqual(['arm64']);
  });

  it.each(FUNCTIONS)('%s has a Handler whose file exports `handler` and is the esbuild entry point', (fn) => {
    const handler = String(props(resource(template, fn)).Handler);
    const match = /^(.+)\.([A-Za-z_$][\w$]*)$/.exec(handler);
    expect(match, `Handler "${handler}" is <path>.<export>`).not.toBeNull();
    const [, modulePath = '', exportName = ''] = match ?? [];
    const source = `${modulePath}.ts`;
    expect(existsSync(`${REPO_ROOT}${source}`), `${source} exists`).toBe(true);
    // Importing the handler would run its config at load, so read its source instead.
    const text = readFileSync(`${REPO_ROOT}${source}`, 'utf8');
    expect(text).toMatch(new RegExp(`export\\s+(?:const|let|async\\s+function|function)\\s+${exportName}\\b|export\\s*\\{[^}]*\\b${exportName}\\b[^}]*\\}`));

    const metadata = resource(template, fn).Metadata ?? {};
    expect(metadata.BuildMethod).toBe('esbuild');
    const build = isObject(metadata.BuildProperties) ? metadata.BuildProperties : {};
    expect(build.EntryPoints).toEqual([source]);
    for (const entry of Array.isArray(build.EntryPoints) ? build.EntryPoints : []) {
      expect(existsSync(`${REPO_ROOT}${String(entry)}`), `entry point ${String(entry)} exists`).toBe(true);
    }
  });

  it.each(FUNCTIONS)('%s is bundled as ESM .mjs for its runtime, with the createRequire banner the AWS SDK needs', (fn) => {
    const build = resource(template, fn).Metadata?.BuildProperties;
    expect(build).toMatchObject({ Format: 'esm', OutExtension: ['.js=.mjs'], Minify: true, Sourcemap: true, SourcesContent: 'false' });
    expect(isObject(build) ? build.KeepNames : undefined, 'no KeepNames (issue #10: names come from the source map)').toBeUndefined();
    const runtime = String(functionProperty(template, fn, 'Runtime'));
    expect(isObject(build) ? build.Target : undefined).toBe(runtime.replace(/^nodejs(\d+)\.x$/, 'node$1'));
    const banner = isObject(build) && Array.isArray(build.Banner) ? build.Banner.join('\n') : '';
    expect(banner).toContain('createRequire(import.meta.url)');
    expect(banner).toMatch(/const require=createRequire/);
  });

  it('IngestFunction answers within the helpdesks’ 5–10 s; ProcessFunction has room for QA’s 30 s plus a retry', () => {
    const ingestTimeout = numberOf(template, functionProperty(template, 'IngestFunction', 'Timeout'));
    const processTimeout = numberOf(template, functionProperty(template, 'ProcessFunction', 'Timeout'));
    expect(ingestTimeout).toBeLessThanOrEqual(10);
    expect(processTimeout).toBeGreaterThanOrEqual(65);
    expect(processTimeout).toBeLessThanOrEqual(900);
  });

  it('X-Ray is off unless EnableTracing is true', () => {
    expect(template.Parameters?.EnableTracing?.Default).toBe('false');
    expect(template.Conditions?.TracingEnabled).toEqual({ 'Fn::Equals': [{ Ref: 'EnableTracing' }, 'true'] });
    expect(functionProperty(template, 'IngestFunction', 'Tracing')).toEqual({ 'Fn::If': ['TracingEnabled', 'Active', 'PassThrough'] });
  });

  it('logs JSON with Lambda’s system lines at WARN (no START/END/REPORT per invocation) and the application level from LogLevel, for every function', () => {
    for (const fn of [...FUNCTIONS, 'ReconcileFunction']) {
      const logging = functionProperty(template, fn, 'LoggingConfig') as Record<string, unknown>;
      expect(logging, fn).toMatchObject({ LogFormat: 'JSON', SystemLogLevel: 'WARN', ApplicationLogLevel: { Ref: 'LogLevel' } });
    }
    // Below INFO Lambda would drop the EMF lines, which carry no "level" and count as INFO.
    expect(template.Parameters?.LogLevel?.AllowedValues).toEqual(['DEBUG', 'INFO']);
    expect(template.Parameters?.LogLevel?.Default).toBe('INFO');
  });

  it('sets the Powertools service name and the log level parameter, and no eager source-map parsing, for every function', () => {
    for (const fn of FUNCTIONS) {
      const env = functionEnv(template, fn);
      expect(env.POWERTOOLS_SERVICE_NAME).toBe('simpli-webhook-bridge');
      expect(env.POWERTOOLS_LOG_LEVEL).toEqual({ Ref: 'LogLevel' });
      // --enable-source-maps parses the whole map at every cold start (issue #10).
      expect(String(env.NODE_OPTIONS ?? '')).not.toContain('--enable-source-maps');
      expect(env.DETAILED_METRICS, fn).toEqual({ Ref: 'DetailedMetrics' });
    }
    // On by default: the dashboard needs them; false keeps the alarms (their filters read the lines).
    expect(template.Parameters?.DetailedMetrics).toMatchObject({ AllowedValues: ['true', 'false'], Default: 'true' });
  });
});

describe('environment (lib/config.ts is the source of truth for names)', () => {
  const configSource = readFileSync(`${REPO_ROOT}lib/config.ts`, 'utf8');
  /** Variables read by the runtime or libraries rather than lib/config.ts. */
  const notConfig = (name: string) => /^(POWERTOOLS_|NODE_OPTIONS$|AWS_ENDPOINT_URL_)/.test(name);
  /** config.ts reads `NAME` literally, or `${name}_ARN` for secrets sources. */
  const configReads = (name: string) => configSource.includes(`'${name}'`) || (name.endsWith('_ARN') && configSource.includes(`'${name.slice(0, -4)}'`));

  it.each(FUNCTIONS)('%s sets only variables lib/config.ts reads', (fn) => {
    const unknown = Object.keys(functionEnv(template, fn)).filter((name) => !notConfig(name) && !configReads(name));
    expect(unknown).toEqual([]);
  });

  it('IngestFunction gets its queue, secrets, helpdesk config, public URL and cache time', () => {
    expect(Object.keys(functionEnv(template, 'IngestFunction'))).toEqual(
      expect.arrayContaining(['QUEUE_URL', 'WEBHOOK_SECRETS_ARN', 'HELPDESK_CONFIG_ARN', 'PUBLIC_BASE_URL', 'SECRETS_CACHE_SECONDS']),
    );
    const env = functionEnv(template, 'IngestFunction');
    expect(env.QUEUE_URL).toEqual({ Ref: 'TicketQueue' });
    expect(env.WEBHOOK_SECRETS_ARN).toEqual({ Ref: 'WebhookSecrets' });
    expect(env.HELPDESK_CONFIG_ARN).toEqual({ Ref: 'HelpdeskConfigSecret' });
  });

  it('ProcessFunction gets the Simpli URLs, options, Ledger, DLQ, helpdesk config, receive count and lease', () => {
    const env = functionEnv(template, 'ProcessFunction');
    expect(Object.keys(env)).toEqual(
      expect.arrayContaining([
        'TRIAGE_URL', 'SENTIMENT_URL', 'QA_URL', 'REPLY_URL', 'SIMPLI_API_KEY', 'DRAFT_REPLIES', 'CONFIDENCE_THRESHOLD',
        'LEDGER_TABLE', 'DEAD_LETTER_QUEUE_URL', 'HELPDESK_CONFIG_ARN', 'MAX_RECEIVE_COUNT', 'LEASE_SECONDS',
      ]),
    );
    expect(env.TRIAGE_URL).toEqual({ Ref: 'TriageUrl' });
    expect(env.LEDGER_TABLE).toEqual({ Ref: 'Ledger' });
    expect(env.DEAD_LETTER_QUEUE_URL).toEqual({ Ref: 'DeadLetterQueue' });
  });

  it('the Simpli API key parameter is NoEcho and optional', () => {
    expect(template.Parameters?.SimpliApiKey).toMatchObject({ NoEcho: true, Default: '' });
  });
});

describe('queue, retries and leases', () => {
  const processTimeout = numberOf(template, functionProperty(template, 'ProcessFunction', 'Timeout'));
  const queue = props(resource(template, 'TicketQueue'));
  const dlq = props(resource(template, 'DeadLetterQueue'));

  it('ProcessFunction consumes TicketQueue with ReportBatchItemFailures, a bounded batch and capped concurrency', () => {
    const [event, ...others] = sqsEvents(template, 'ProcessFunction');
    expect(others).toEqual([]);
    expect(event).toBeDefined();
    expect(refName(event?.Queue)).toBe('TicketQueue.Arn');
    expect(event?.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
    expect(numberOf(template, event?.BatchSize)).toBeLessThanOrEqual(10);
    // The window is the BatchingWindowSeconds parameter (0–60 s, default 10): see the next test.
    expect(refName(event?.MaximumBatchingWindowInSeconds)).toBe('BatchingWindowSeconds');
    const scaling = isObject(event?.ScalingConfig) ? event.ScalingConfig : {};
    // Lambda accepts 2..1000.
    expect(numberOf(template, scaling.MaximumConcurrency)).toBeGreaterThanOrEqual(2);
    expect(numberOf(template, scaling.MaximumConcurrency)).toBeLessThanOrEqual(1000);
  });

  it('BatchingWindowSeconds: 10 s by default (fuller batches at low traffic), at most 60 s, which the visibility timeout covers', () => {
    const parameter = template.Parameters?.BatchingWindowSeconds;
    expect(parameter).toMatchObject({ Type: 'Number', MinValue: 0, MaxValue: 60, Default: 10 });
    // Lambda's limit for a standard queue is 300 s; a record gathered at the start of the longest
    // window must still be invisible when the function's last possible second ends.
    const maxWindow = Number(parameter?.MaxValue);
    const timeout = numberOf(template, functionProperty(template, 'ProcessFunction', 'Timeout'));
    expect(maxWindow).toBeLessThanOrEqual(300);
    expect(numberOf(template, queue.VisibilityTimeout)).toBeGreaterThan(maxWindow + timeout);
  });

  it('does not reserve concurrency for the SQS consumer (throttled batches would burn receives)', () => {
    expect(functionProperty(template, 'ProcessFunction', 'ReservedConcurrentExecutions')).toBeUndefined();
  });

  it('TicketQueue’s visibility timeout is at least 6 × ProcessFunction’s timeout', () => {
    expect(Number.isFinite(processTimeout)).toBe(true);
    expect(numberOf(template, queue.VisibilityTimeout)).toBeGreaterThanOrEqual(6 * processTimeout);
  });

  it('the redrive maxReceiveCount equals MAX_RECEIVE_COUNT and is at least 5', () => {
    const redrive = isObject(queue.RedrivePolicy) ? queue.RedrivePolicy : {};
    expect(refName(redrive.deadLetterTargetArn)).toBe('DeadLetterQueue.Arn');
    const maxReceiveCount = numberOf(template, redrive.maxReceiveCount);
    expect(maxReceiveCount).toBe(numberOf(template, functionEnv(template, 'ProcessFunction').MAX_RECEIVE_COUNT));
    expect(maxReceiveCount).toBeGreaterThanOrEqual(5);
  });

  it('LEASE_SECONDS outlives the function timeout and expires before the message reappears', () => {
    const lease = numberOf(template, functionEnv(template, 'ProcessFunction').LEASE_SECONDS);
    expect(lease).toBeGreaterThan(processTimeout);
    expect(lease).toBeLessThan(numberOf(template, queue.VisibilityTimeout));
  });

  it('the DeadLetterQueue keeps messages longer than TicketQueue (dead-lettered messages keep their enqueue time)', () => {
    expect(numberOf(template, dlq.MessageRetentionPeriod)).toBeGreaterThan(numberOf(template, queue.MessageRetentionPeriod));
  });

  it('both queues and the Ledger are encrypted at rest', () => {
    for (const q of [queue, dlq]) expect(q.SqsManagedSseEnabled === true || q.KmsMasterKeyId !== undefined).toBe(true);
    expect(props(resource(template, 'Ledger')).SSESpecification).toMatchObject({ SSEEnabled: true });
  });
});

describe('Ledger table (lib/ledger.ts)', () => {
  const ledger = props(resource(template, 'Ledger'));

  it('is keyed by the Ledger key as a string, with the TTL attribute lib/ledger.ts writes', () => {
    expect(ledger.KeySchema).toEqual([{ AttributeName: LEDGER_KEY, KeyType: 'HASH' }]);
    expect(ledger.AttributeDefinitions).toEqual([{ AttributeName: LEDGER_KEY, AttributeType: 'S' }]);
    expect(ledger.TimeToLiveSpecification).toEqual({ AttributeName: LEDGER_TTL_ATTRIBUTE, Enabled: true });
  });

  it('is on demand with point-in-time recovery', () => {
    expect(ledger.BillingMode).toBe('PAY_PER_REQUEST');
    expect(ledger.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
  });

  it('keeps items longer than the DLQ keeps messages, so a redriven event still finds its steps', () => {
    const ttlDays = numberOf(template, functionEnv(template, 'ProcessFunction').LEDGER_TTL_DAYS);
    const dlqDays = numberOf(template, props(resource(template, 'DeadLetterQueue')).MessageRetentionPeriod) / 86_400;
    expect(ttlDays).toBeGreaterThan(dlqDays);
  });
});

describe('least privilege', () => {
  const XRAY = { 'Fn::If': ['TracingEnabled', [{ 'Fn::Sub': 'arn:${AWS::Partition}:iam::aws:policy/AWSXRayDaemonWriteAccess' }], { Ref: 'AWS::NoValue' }] };

  it.each(FUNCTIONS)('%s uses an explicit role, not SAM’s generated one (which attaches wildcard managed policies)', (fn) => {
    const roleId = roleOf(template, fn);
    expect(roleId).toBeDefined();
    expect(resource(template, roleId ?? '').Type).toBe('AWS::IAM::Role');
    expect(props(resource(template, fn)).Policies).toBeUndefined();
    const role = props(resource(template, roleId ?? ''));
    // Only X-Ray's managed policy, only when tracing is on (X-Ray has no resource-level permissions).
    expect(role.ManagedPolicyArns === undefined || JSON.stringify(role.ManagedPolicyArns) === JSON.stringify(XRAY)).toBe(true);
    expect(stringsIn(role.AssumeRolePolicyDocument)).toContain('lambda.amazonaws.com');
  });

  it('IngestFunction may only write its logs, send to TicketQueue and read its two secrets', () => {
    expect([...permissionsOf(template, roleOf(template, 'IngestFunction') ?? '')].sort()).toEqual(
      [
        'logs:CreateLogStream @ IngestLogGroup.Arn',
        'logs:PutLogEvents @ IngestLogGroup.Arn',
        'secretsmanager:GetSecretValue @ HelpdeskConfigSecret',
        'secretsmanager:GetSecretValue @ WebhookSecrets',
        'sqs:SendMessage @ TicketQueue.Arn',
      ].sort(),
    );
  });

  it('ProcessFunction may only write its logs, poll TicketQueue, send to the DLQ, use the Ledger item by item and read the helpdesk config', () => {
    const granted = permissionsOf(template, roleOf(template, 'ProcessFunction') ?? '');
    const allowed = new Set([
      'logs:CreateLogStream @ ProcessLogGroup.Arn',
      'logs:PutLogEvents @ ProcessLogGroup.Arn',
      'sqs:ReceiveMessage @ TicketQueue.Arn',
      'sqs:DeleteMessage @ TicketQueue.Arn',
      'sqs:GetQueueAttributes @ TicketQueue.Arn',
      'sqs:ChangeMessageVisibility @ TicketQueue.Arn',
      'sqs:SendMessage @ DeadLetterQueue.Arn',
      'dynamodb:GetItem @ Ledger.Arn',
      'dynamodb:UpdateItem @ Ledger.Arn',
      'dynamodb:PutItem @ Ledger.Arn',
      'secretsmanager:GetSecretValue @ HelpdeskConfigSecret',
    ]);
    const required = [
      'logs:PutLogEvents @ ProcessLogGroup.Arn',
      'sqs:ReceiveMessage @ TicketQueue.Arn',
      'sqs:DeleteMessage @ TicketQueue.Arn',
      'sqs:GetQueueAttributes @ TicketQueue.Arn',
      'sqs:SendMessage @ DeadLetterQueue.Arn',
      'dynamodb:GetItem @ Ledger.Arn',
      'dynamodb:UpdateItem @ Ledger.Arn',
      'secretsmanager:GetSecretValue @ HelpdeskConfigSecret',
    ];
    expect([...granted].filter((p) => !allowed.has(p))).toEqual([]);
    expect(required.filter((p) => !granted.has(p))).toEqual([]);
  });

  it('no Action or Resource anywhere contains a wildcard', () => {
    const wild = ['Action', 'NotAction', 'Resource', 'NotResource'].flatMap((key) =>
      valuesUnderKey(template.Resources, key).flatMap(stringsIn).filter((s) => s.includes('*')),
    );
    expect(wild).toEqual([]);
  });
});

describe('the webhook endpoint', () => {
  it('is IngestFunction\'s function URL by default, an HTTP API on request', () => {
    expect(template.Parameters?.Endpoint?.Default).toBe('FunctionUrl');
    expect(template.Parameters?.Endpoint?.AllowedValues).toEqual(['FunctionUrl', 'HttpApi']);
    expect(endpointFunctions(template)).toEqual({ url: ['IngestFunction'], httpApi: ['IngestFunction'] });
    expect(resource(template, 'IngestFunctionUrl').Condition).toBe('UseFunctionUrl');
    for (const id of ['WebhookApi', 'WebhookApiIntegration', 'WebhookApiRoute', 'WebhookApiStage', 'WebhookApiPermission']) {
      expect(resource(template, id).Condition, id).toBe('UseHttpApi');
    }
  });

  it('the URL is public (the function authenticates every request) and may be invoked only through the URL', () => {
    expect(props(resource(template, 'IngestFunctionUrl'))).toMatchObject({ AuthType: 'NONE', InvokeMode: 'BUFFERED' });
    const permissions = resourcesOfType(template, 'AWS::Lambda::Permission')
      .filter(([, r]) => r.Condition === 'UseFunctionUrl')
      .map(([, r]) => props(r));
    // Both are required for a public function URL since October 2025 (https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html).
    expect(permissions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Action: 'lambda:InvokeFunctionUrl', FunctionUrlAuthType: 'NONE', Principal: '*' }),
        expect.objectContaining({ Action: 'lambda:InvokeFunction', InvokedViaFunctionUrl: true, Principal: '*' }),
      ]),
    );
    expect(permissions).toHaveLength(2);
  });

  it('the HTTP API sends every request to the function as payload 2.0, with one $default route, throttled', () => {
    expect(props(resource(template, 'WebhookApiIntegration'))).toMatchObject({ IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '2.0' });
    expect(resourcesOfType(template, 'AWS::ApiGatewayV2::Route').map(([, r]) => props(r).RouteKey)).toEqual(['$default']);
    const stage = props(resource(template, 'WebhookApiStage'));
    const settings = isObject(stage.DefaultRouteSettings) ? stage.DefaultRouteSettings : {};
    expect(numberOf(template, settings.ThrottlingBurstLimit)).toBeGreaterThan(0);
    expect(numberOf(template, settings.ThrottlingRateLimit)).toBeGreaterThan(0);
    expect(props(resource(template, 'WebhookApiPermission'))).toMatchObject({ Action: 'lambda:InvokeFunction', Principal: 'apigateway.amazonaws.com' });
  });

  it('IngestFunction has no API events of its own (the endpoint resources above are the only way in)', () => {
    expect(props(resource(template, 'IngestFunction')).Events).toBeUndefined();
  });
});

describe('alarms', () => {
  const alarms = resourcesOfType(template, 'AWS::CloudWatch::Alarm');
  type Alarm = (typeof alarms)[number][1];
  /** The first alarm that passes `test`; fails the test when there is none. */
  const find = (what: string, test: (alarm: Alarm) => boolean): Alarm => {
    const found = alarms.find(([, alarm]) => test(alarm));
    if (found === undefined) expect.fail(`no alarm for ${what}`);
    return found[1];
  };
  const metric = (alarm: Alarm) => ({ namespace: props(alarm).Namespace, name: props(alarm).MetricName });

  it('fires when the DeadLetterQueue holds any message', () => {
    const alarm = find('DLQ depth', (a) => {
      const m = metric(a);
      return m.namespace === 'AWS/SQS' && m.name === 'ApproximateNumberOfMessagesVisible' && alarmDimensions(a).includes('QueueName=DeadLetterQueue.QueueName');
    });
    const p = props(alarm);
    const fires = (p.ComparisonOperator === 'GreaterThanThreshold' && numberOf(template, p.Threshold) === 0) ||
      (p.ComparisonOperator === 'GreaterThanOrEqualToThreshold' && numberOf(template, p.Threshold) === 1);
    expect(fires).toBe(true);
  });

  it('fires when TicketQueue’s oldest message is older than a threshold', () => {
    find('oldest message age', (a) => metric(a).name === 'ApproximateAgeOfOldestMessage' && alarmDimensions(a).includes('QueueName=TicketQueue.QueueName'));
  });

  it.each(FUNCTIONS.flatMap((fn) => [[fn, 'Errors'], [fn, 'Throttles']] as const))('watches %s %s', (fn, name) => {
    find(`${fn} ${name}`, (a) => metric(a).namespace === 'AWS/Lambda' && metric(a).name === name && alarmDimensions(a).includes(`FunctionName=${fn}`));
  });

  it('watches signature rejections (401s), summed over providers and reasons', () => {
    find('signature rejections', (a) =>
      alarmMetricNames(a).some((name) => metricSources(template, name).some((source) => /\$\.stage\s*=\s*"rejected"/.test(source) && /\b401\b/.test(source))),
    );
  });

  it('counts rejections only at a log level that keeps the WARN "rejected" lines', () => {
    const levels = template.Parameters?.LogLevel?.AllowedValues;
    expect(levels).toEqual(expect.arrayContaining(['INFO']));
    expect(levels).not.toContain('ERROR');
  });

  it('watches the write-back failure rate (WriteBackFailures against WriteBacks)', () => {
    find('write-back failure rate', (a) => alarmWatches(template, a, 'WriteBackFailures') && alarmWatches(template, a, 'WriteBacks'));
  });

  it('every alarm notifies AlarmTopicArn when it is set, and nothing otherwise', () => {
    expect(template.Conditions?.HasAlarmTopic).toEqual({ 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'AlarmTopicArn' }, ''] }] });
    for (const [id, alarm] of alarms) {
      expect(props(alarm).AlarmActions, id).toEqual({ 'Fn::If': ['HasAlarmTopic', [{ Ref: 'AlarmTopicArn' }], { Ref: 'AWS::NoValue' }] });
    }
  });

  it('the metric filters read what the apps really write (EMF metrics, or log stages and fields)', () => {
    const appSources = ['functions/ingest/app.ts', 'functions/process/app.ts', 'functions/process/event-log.ts', 'functions/reconcile/app.ts'].map((f) => readFileSync(`${REPO_ROOT}${f}`, 'utf8')).join('\n');
    const emitted = new Set([...appSources.matchAll(/addMetric\(\s*'([A-Za-z]+)'/g)].map((m) => m[1]));
    const filters = resourcesOfType(template, 'AWS::Logs::MetricFilter');
    expect(filters.length).toBeGreaterThan(0);
    for (const [id, filter] of filters) {
      const pattern = String(props(filter).FilterPattern);
      const metrics = [...pattern.matchAll(/\$\.([A-Za-z]+)\s*>=/g)].map((m) => m[1]);
      const stages = [...pattern.matchAll(/\$\.stage\s*=\s*"([^"]+)"/g)].map((m) => m[1]);
      const fields = [...pattern.matchAll(/\$\.([a-z][A-Za-z]*)\s*=[^=]/g)].map((m) => m[1]);
      expect(metrics.length + stages.length, `${id} reads something`).toBeGreaterThan(0);
      for (const metric of metrics) expect(emitted, `${id} reads $.${metric}`).toContain(metric);
      for (const stage of stages) expect(appSources, `${id} reads stage ${stage}`).toContain(`stage: '${stage}'`);
      for (const field of fields) expect(appSources, `${id} reads $.${field}`).toMatch(new RegExp(`\\b${field}:`));
    }
  });
});

describe('dashboard', () => {
  const dashboards = resourcesOfType(template, 'AWS::CloudWatch::Dashboard');

  it('exists, is valid JSON, and shows the pipeline from webhook to write-back', () => {
    expect(dashboards).toHaveLength(1);
    const body = dashboards.map(([, dashboard]) => props(dashboard).DashboardBody)[0];
    const text = isObject(body) && typeof body['Fn::Sub'] === 'string' ? body['Fn::Sub'] : String(body);
    const json: unknown = JSON.parse(text.replace(/\$\{[^}]+\}/g, 'x'));
    expect(isObject(json) && Array.isArray(json.widgets) && json.widgets.length > 0).toBe(true);
    for (const shown of [
      'WebhooksAccepted', 'WebhooksRejected', 'EventsProcessed', 'DuplicatesSuppressed', 'StepFailures',
      'SimpliCallLatency', 'EndToEndLatency', 'ApproximateAgeOfOldestMessage', '${DeadLetterQueue.QueueName}',
    ]) {
      expect(text, shown).toContain(shown);
    }
  });
});

describe('outputs', () => {
  const outputs = template.Outputs ?? {};
  const value = (name: string) => JSON.stringify(outputs[name]?.Value ?? null);

  it('gives the base webhook URL, one URL per provider and the guide-compatible URL', () => {
    expect(outputs.WebhookUrl).toBeDefined();
    for (const provider of PROVIDER_NAMES) {
      const key = Object.keys(outputs).find((k) => k.toLowerCase() === `${provider}webhookurl`);
      expect(key, `an output for ${provider}`).toBeDefined();
      expect(value(key ?? '')).toContain(`/webhooks/${provider}`);
    }
    expect(value('GuideCompatWebhookUrl')).toContain('/webhook');
    // Every URL names both endpoints and the custom base (the function URL's own ends in "/").
    for (const [name, output] of Object.entries(outputs)) {
      if (!name.endsWith('WebhookUrl')) continue;
      expect(JSON.stringify(output.Value), name).toContain('"IngestFunctionUrl","FunctionUrl"');
      expect(JSON.stringify(output.Value), name).toContain('${WebhookApi}.execute-api');
      expect(JSON.stringify(output.Value), name).toContain('PublicBaseUrl');
    }
  });

  it('gives the queues, table, secrets, dashboard and alarms', () => {
    for (const [name, ref] of [
      ['TicketQueueUrl', 'TicketQueue'],
      ['DeadLetterQueueUrl', 'DeadLetterQueue'],
      ['LedgerTableName', 'Ledger'],
      ['WebhookSecretsArn', 'WebhookSecrets'],
      ['HelpdeskConfigSecretArn', 'HelpdeskConfigSecret'],
      ['DashboardName', 'BridgeDashboard'],
    ] as const) {
      expect(outputs[name]?.Value, name).toEqual({ Ref: ref });
    }
    const alarmIds = resourcesOfType(template, 'AWS::CloudWatch::Alarm').map(([id]) => id);
    for (const id of alarmIds) expect(value('AlarmNames'), id).toContain(`"${id}"`);
  });
});

describe('data retention', () => {
  // The stateful resources whose loss on a stack delete or a replacing update loses data.
  it.each(['Ledger', 'DeadLetterQueue', 'WebhookSecrets', 'HelpdeskConfigSecret'])(
    '%s is retained on delete and on replacement',
    (name) => {
      const r = resource(template, name);
      expect(r.DeletionPolicy).toBe('Retain');
      expect(r.UpdateReplacePolicy).toBe('Retain');
    },
  );
});

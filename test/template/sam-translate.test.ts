/**
 * template.yaml through AWS's own SAM transform (aws-sam-translator, the library CloudFormation's
 * AWS::Serverless transform and `sam deploy` run): what CloudFormation would be asked to create,
 * for each choice of the webhook endpoint. The CodeUri is replaced by an S3 URI first, as
 * `sam deploy` does after uploading the build. Skipped with a message where python3 with
 * aws-sam-translator and cfn-lint (its YAML loader reads the short intrinsic tags) is absent.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { TEMPLATE_PATH } from './load-template.ts';

const SCRIPT = `
import json, sys
from cfnlint.decode import cfn_yaml
from samtranslator.translator.translator import Translator
from samtranslator.parser.parser import Parser
template = json.loads(json.dumps(cfn_yaml.load(sys.argv[1]), default=str))
for resource in template['Resources'].values():
    if resource.get('Type') == 'AWS::Serverless::Function':
        resource['Properties']['CodeUri'] = 's3://bucket/key.zip'
out = Translator(managed_policy_map={}, sam_parser=Parser()).translate(sam_template=template, parameter_values=json.loads(sys.argv[2]))
print(json.dumps(out))
`;

const probe = spawnSync('python3', ['-c', 'import samtranslator, cfnlint'], { encoding: 'utf8' });
const HAVE_TRANSLATOR = probe.status === 0;
if (!HAVE_TRANSLATOR) console.warn('python3 with aws-sam-translator and cfn-lint not found: skipping the SAM transform test (pip install aws-sam-translator cfn-lint).');

const REQUIRED = { TriageUrl: 'https://triage.example.com', SentimentUrl: 'https://sentiment.example.com', QaUrl: 'https://qa.example.com', ReplyUrl: 'https://reply.example.com' };

interface Transformed {
  Resources: Record<string, { Type: string; Condition?: string; Properties?: Record<string, unknown> }>;
  Conditions: Record<string, unknown>;
}

function transform(parameters: Record<string, string>): Transformed {
  const run = spawnSync('python3', ['-c', SCRIPT, TEMPLATE_PATH, JSON.stringify({ ...REQUIRED, ...parameters })], {
    encoding: 'utf8',
    env: { ...process.env, AWS_DEFAULT_REGION: 'us-east-1' },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.status !== 0) throw new Error(`the SAM transform failed:\n${run.stderr}`);
  return JSON.parse(run.stdout) as Transformed;
}

const byCondition = (t: Transformed, condition: string) =>
  Object.entries(t.Resources)
    .filter(([, r]) => r.Condition === condition)
    .map(([id, r]) => `${id} ${r.Type}`)
    .sort();

describe.skipIf(!HAVE_TRANSLATOR)('template.yaml through the SAM transform', () => {
  const transformed = HAVE_TRANSLATOR ? transform({}) : undefined;

  it('gives the function URL and its two permissions under UseFunctionUrl, the HTTP API under UseHttpApi, and nothing else in front of IngestFunction', () => {
    const t = transformed as Transformed;
    expect(byCondition(t, 'UseFunctionUrl')).toEqual([
      'IngestFunctionUrl AWS::Lambda::Url',
      'IngestFunctionUrlInvokePermission AWS::Lambda::Permission',
      'IngestFunctionUrlPermission AWS::Lambda::Permission',
    ]);
    expect(byCondition(t, 'UseHttpApi')).toEqual([
      'WebhookApi AWS::ApiGatewayV2::Api',
      'WebhookApiIntegration AWS::ApiGatewayV2::Integration',
      'WebhookApiPermission AWS::Lambda::Permission',
      'WebhookApiRoute AWS::ApiGatewayV2::Route',
      'WebhookApiStage AWS::ApiGatewayV2::Stage',
    ]);
    // SAM adds no API or URL of its own (no Events, no FunctionUrlConfig on the function).
    const unconditional = Object.values(t.Resources).filter((r) => r.Condition === undefined).map((r) => r.Type);
    expect(unconditional.filter((type) => type.startsWith('AWS::ApiGateway') || type === 'AWS::Lambda::Url')).toEqual([]);
    expect(t.Resources.IngestFunction?.Type).toBe('AWS::Lambda::Function');
  });

  it('reserves IngestFunction concurrency only when IngestConcurrencyLimit is set', () => {
    const t = transformed as Transformed;
    expect(t.Resources.IngestFunction?.Properties?.ReservedConcurrentExecutions).toEqual({
      'Fn::If': ['HasIngestConcurrencyLimit', { Ref: 'IngestConcurrencyLimit' }, { Ref: 'AWS::NoValue' }],
    });
    expect(t.Conditions.HasIngestConcurrencyLimit).toEqual({ 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'IngestConcurrencyLimit' }, '0'] }] });
  });

  it('transforms with Endpoint=HttpApi too', () => {
    const t = transform({ Endpoint: 'HttpApi', IngestConcurrencyLimit: '20' });
    expect(byCondition(t, 'UseHttpApi')).toHaveLength(5);
  });
});

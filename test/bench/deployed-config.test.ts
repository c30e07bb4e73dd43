/** The cost figure prices the template's memory and log settings, read from the file (issue #10). */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deployedBatching, deployedEndpoint, deployedFunctions, deployedMetricFilters } from '../../infra/bench/deployed-config.ts';

function templateFile(yaml: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'deployed-config-')), 'template.yaml');
  writeFileSync(file, yaml);
  return file;
}

describe('deployed function settings from a template', () => {
  it('takes a function’s own MemorySize over Globals, Globals over Lambda’s 128 MB default, and the system log level', () => {
    const file = templateFile(`
Globals:
  Function:
    MemorySize: 384
Resources:
  A:
    Type: AWS::Serverless::Function
    Properties:
      MemorySize: 256
      LoggingConfig:
        LogGroup: !Ref G
        LogFormat: JSON
        SystemLogLevel: WARN
  B:
    Type: AWS::Serverless::Function
    Properties:
      Handler: b.handler
  G:
    Type: AWS::Logs::LogGroup
`);
    expect(deployedFunctions(file)).toEqual({
      A: { name: 'A', memoryMb: 256, systemLogLevel: 'WARN' },
      B: { name: 'B', memoryMb: 384, systemLogLevel: undefined },
    });
    expect(deployedFunctions(templateFile('Resources:\n  C:\n    Type: AWS::Serverless::Function\n    Properties: {}\n'))).toEqual({
      C: { name: 'C', memoryMb: 128, systemLogLevel: undefined },
    });
  });

  it('refuses a MemorySize it cannot price (a !Ref), naming the function', () => {
    const file = templateFile('Resources:\n  D:\n    Type: AWS::Serverless::Function\n    Properties:\n      MemorySize: !Ref Memory\n');
    expect(() => deployedFunctions(file)).toThrow(/D: MemorySize/);
  });

  it('reads the real template: every function has a memory and logs system lines at WARN', () => {
    const functions = Object.values(deployedFunctions());
    expect(functions.map((f) => f.name).sort()).toEqual(['IngestFunction', 'ProcessFunction', 'ReconcileFunction']);
    for (const f of functions) {
      expect(f.memoryMb).toBeGreaterThanOrEqual(128);
      expect(f.systemLogLevel).toBe('WARN');
    }
  });

  it('lists the template’s metric filters with the EMF fields they sum', () => {
    const file = templateFile(`
Resources:
  Sums:
    Type: AWS::Logs::MetricFilter
    Properties:
      FilterPattern: '{ $.WriteBacks >= 1 }'
      MetricTransformations:
        - MetricName: WriteBacksTotal
  Lines:
    Type: AWS::Logs::MetricFilter
    Properties:
      FilterPattern: '{ $.stage = "rejected" && $.status = 401 }'
      MetricTransformations:
        - MetricName: WebhooksUnauthorizedTotal
`);
    expect(deployedMetricFilters(file)).toEqual([
      { metricName: 'WriteBacksTotal', emfFields: ['WriteBacks'] },
      { metricName: 'WebhooksUnauthorizedTotal', emfFields: [] },
    ]);
  });
});

describe('the deployed webhook endpoint', () => {
  it('is the Endpoint parameter’s default, else what the template declares', () => {
    expect(deployedEndpoint(templateFile('Parameters:\n  Endpoint:\n    Type: String\n    Default: HttpApi\nResources: {}\n'))).toBe('HttpApi');
    expect(deployedEndpoint(templateFile('Parameters:\n  Endpoint:\n    Type: String\n    Default: FunctionUrl\nResources: {}\n'))).toBe('FunctionUrl');
    expect(deployedEndpoint(templateFile('Resources:\n  U:\n    Type: AWS::Lambda::Url\n'))).toBe('FunctionUrl');
    expect(deployedEndpoint(templateFile('Resources:\n  A:\n    Type: AWS::Serverless::HttpApi\n'))).toBe('HttpApi');
    expect(() => deployedEndpoint(templateFile('Resources: {}\n'))).toThrow(/declares no webhook endpoint/);
  });

  it('is the function URL for template.yaml', () => {
    expect(deployedEndpoint()).toBe('FunctionUrl');
  });
});

describe('the deployed batching of the SQS event source', () => {
  const withEvent = (properties: string, parameters = '') =>
    templateFile(`${parameters}Resources:\n  P:\n    Type: AWS::Serverless::Function\n    Properties:\n      Events:\n        Q:\n          Type: SQS\n          Properties:\n${properties}`);

  it('reads literals, a parameter’s default through !Ref, and Lambda’s defaults when unset', () => {
    expect(deployedBatching(withEvent('            BatchSize: 5\n            MaximumBatchingWindowInSeconds: 2\n'))).toEqual({ batchSize: 5, windowSeconds: 2 });
    expect(
      deployedBatching(withEvent('            MaximumBatchingWindowInSeconds: !Ref W\n', 'Parameters:\n  W:\n    Type: Number\n    Default: 7\n')),
    ).toEqual({ batchSize: 10, windowSeconds: 7 });
    expect(deployedBatching(withEvent('            Queue: q\n'))).toEqual({ batchSize: 10, windowSeconds: 0 });
  });

  it('refuses what it cannot price, and a template with no SQS event', () => {
    expect(() => deployedBatching(withEvent('            MaximumBatchingWindowInSeconds: !Ref Missing\n'))).toThrow(/MaximumBatchingWindowInSeconds "Missing"/);
    expect(() => deployedBatching(templateFile('Resources: {}\n'))).toThrow(/no function with an SQS event/);
  });

  it('is batches of 10 gathered for 10 s for template.yaml', () => {
    expect(deployedBatching()).toEqual({ batchSize: 10, windowSeconds: 10 });
  });
});

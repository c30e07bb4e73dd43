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

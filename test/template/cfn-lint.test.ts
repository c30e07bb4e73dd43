/**
 * Runs cfn-lint (https://github.com/aws-cloudformation/cfn-lint) on template.yaml with the
 * informational rules on (`--include-checks I`), once with cfn-lint's own condition scenarios and
 * once per rendering of the condition-driving parameters (every Condition true, every one false).
 * Any error, warning or informational finding fails. Skipped with a message where cfn-lint is absent.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { loadTemplate, TEMPLATE_PATH } from './load-template.ts';

const probe = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' });
const HAVE_CFN_LINT = probe.status === 0;
if (!HAVE_CFN_LINT) {
  console.warn('cfn-lint not found on PATH: skipping the cfn-lint test (pip install cfn-lint to run it).');
}

const template = loadTemplate();
const REQUIRED = { TriageUrl: 'https://triage.example.com', SentimentUrl: 'https://sentiment.example.com', QaUrl: 'https://qa.example.com', ReplyUrl: 'https://reply.example.com' };

/** A value that makes `{ Fn::Equals: [Ref P, v] }` false for a parameter P, per its declaration. */
function otherValue(param: string, v: string): string {
  const decl = template.Parameters?.[param] ?? {};
  const allowed = decl.AllowedValues as string[] | undefined;
  const alt = allowed?.find((a) => a !== v);
  if (alt !== undefined) return alt;
  if (decl.Type === 'Number') return v === '0' ? '20' : '0';
  if (v !== '') return '';
  if (/Arn$/.test(param)) return 'arn:aws:sns:us-east-1:123456789012:alarms';
  if (/Url$/.test(param)) return 'https://hooks.example.com';
  throw new Error(`cfn-lint.test: no non-empty sample value for parameter ${param}; add one to otherValue()`);
}

type Eq = { param: string; value: string; negated: boolean };
/** Each Condition of the form Equals[Ref P, v] or Not[Equals[Ref P, v]] (the forms this template uses). */
function equalsOf(expr: unknown, negated = false): Eq {
  const e = expr as Record<string, unknown>;
  if (Array.isArray(e['Fn::Not'])) return equalsOf(e['Fn::Not'][0], !negated);
  const args = e['Fn::Equals'] as unknown[] | undefined;
  if (!args) throw new Error(`cfn-lint.test: unsupported Condition form ${JSON.stringify(expr)}; extend equalsOf()`);
  const ref = args.find((a) => typeof a === 'object' && a !== null && 'Ref' in a) as { Ref: string };
  const value = args.find((a) => typeof a === 'string') as string;
  return { param: ref.Ref, value, negated };
}

function render(allTrue: boolean): string[] {
  const values: Record<string, string> = { ...REQUIRED };
  for (const expr of Object.values(template.Conditions ?? {})) {
    const { param, value, negated } = equalsOf(expr);
    values[param] = allTrue !== negated ? value : otherValue(param, value);
  }
  return Object.entries(values).map(([k, v]) => `${k}=${v}`);
}

function lint(params: string[]): string {
  const args = ['--include-checks', 'I', '--format', 'parseable'];
  if (params.length > 0) args.push('--parameters', ...params);
  const run = spawnSync('cfn-lint', [...args, '--', TEMPLATE_PATH], { encoding: 'utf8' });
  return `${run.stdout}${run.stderr}`.trim() + (run.status === 0 ? '' : `\n(exit ${run.status})`);
}

describe.skipIf(!HAVE_CFN_LINT)('cfn-lint on template.yaml (informational rules on)', () => {
  it('has Conditions to exercise', () => {
    expect(Object.keys(template.Conditions ?? {}).length).toBeGreaterThan(0);
  });
  it('reports nothing with its own condition scenarios', () => {
    expect(lint([])).toBe('');
  });
  it('reports nothing with every Condition true', () => {
    expect(lint(render(true))).toBe('');
  });
  it('reports nothing with every Condition false', () => {
    expect(lint(render(false))).toBe('');
  });
});

/**
 * Issue #10: readable stack traces without a cold-start cost. Each function is built as `sam build`
 * builds it (template.yaml's BuildProperties: minified without KeepNames, a map without sources,
 * no --enable-source-maps), imported by the Lambda runtime's Node in a fresh process, and its
 * handler is made to throw inside our code; the stack must name our .ts file and function, as
 * functions/shared/source-mapped-stack.ts maps it from the shipped map when the stack is read.
 * The oracle for every frame is Node's own formatter: the same bundle run with
 * --enable-source-maps must print the same names and positions (Node prints absolute paths).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFunction, templateFunctions, type BuiltBundle } from '../../infra/build.ts';
import { FUNCTION_ENV, NODE24 } from '../../infra/bench/cold-start.ts';

const run = promisify(execFile);

/** An event each handler cannot read, and where (file:line is ours) it fails. */
const CASES = [
  { name: 'IngestFunction', event: { rawPath: '/webhooks/generic', headers: null }, frame: /\n {4}at toIngestInput \(lib\/endpoint\.ts:\d+:\d+\)/ },
  { name: 'ProcessFunction', event: { Records: null }, frame: /\n {4}at processBatch \(lib\/process-batch\.ts:\d+:\d+\)/ },
] as const;

const SCRIPT = `
const m = await import(process.env.BUNDLE);
try {
  await m.handler(JSON.parse(process.env.EVENT), { awsRequestId: 'stack-trace-test', getRemainingTimeInMillis: () => 5000 });
  console.log('NO ERROR');
} catch (error) {
  console.log(error.stack);
}`;

/** `at [async ]name (path:line:column)` or `at path:line:column`; the frame lines of a stack. */
function frames(stack: string): { name: string | undefined; path: string; position: string; text: string }[] {
  return stack
    .split('\n')
    .filter((line) => line.startsWith('    at '))
    .map((text) => {
      const named = /^ {4}at (.+) \((.+):(\d+:\d+)\)$/.exec(text);
      if (named !== null) return { name: named[1], path: String(named[2]), position: String(named[3]), text };
      const bare = /^ {4}at (.+):(\d+:\d+)$/.exec(text);
      return { name: undefined, path: String(bare?.[1] ?? text), position: String(bare?.[2] ?? ''), text };
    });
}

let dir = '';
const bundles = new Map<string, BuiltBundle>();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stack-trace-'));
  for (const f of templateFunctions()) bundles.set(f.name, await buildFunction(f.name, f.entryPoint, f.options, join(dir, f.name)));
}, 120_000);

afterAll(async () => {
  if (dir !== '') await rm(dir, { recursive: true, force: true });
});

describe('stack traces of the deployed bundles', () => {
  for (const { name, event, frame } of CASES) {
    it(`${name}: an error thrown in the handler has a stack naming our source file and function`, async () => {
      const bundle = bundles.get(name);
      expect(bundle, `${name} is an esbuild function of template.yaml`).toBeDefined();
      expect(existsSync(`${bundle?.file}.map`), 'the map ships beside the bundle').toBe(true);
      const env = {
        PATH: process.env.PATH ?? '',
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'x',
        AWS_SECRET_ACCESS_KEY: 'x',
        ...FUNCTION_ENV[name],
        BUNDLE: pathToFileURL(String(bundle?.file)).href,
        EVENT: JSON.stringify(event),
      };
      const { stdout } = await run(NODE24, ['--input-type=module', '-e', SCRIPT], { env });
      expect(stdout).toMatch(/^TypeError: /);
      expect(stdout).toMatch(frame);
      // No frame of ours is left as a minified position in the bundle.
      expect(stdout).not.toMatch(/handler\.mjs:\d+:\d+/);
      // Every frame as Node's --enable-source-maps names it: the TypeScript function names from the
      // map's `names` (enclosing function, else the caller's call site), never a minified identifier.
      const node = await run(NODE24, ['--enable-source-maps', '--input-type=module', '-e', SCRIPT], { env });
      const ours = frames(stdout);
      const reference = frames(node.stdout);
      expect(ours.length).toBeGreaterThanOrEqual(4);
      expect(ours.map((f) => f.name)).toEqual(reference.map((f) => f.name));
      expect(ours.map((f) => f.position)).toEqual(reference.map((f) => f.position));
      for (const [i, f] of ours.entries()) {
        const expected = reference[i];
        if (f.name === undefined) expect(f.text).toBe(expected?.text);
        else expect(expected?.path.endsWith(`/${f.path}`), `${f.text} is at ${expected?.path}`).toBe(true);
      }
    }, 60_000);
  }
});

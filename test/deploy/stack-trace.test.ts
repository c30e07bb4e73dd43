/**
 * Issue #10: readable stack traces without a cold-start cost. Each function is built as `sam build`
 * builds it (template.yaml's BuildProperties: minified, KeepNames, a map without sources, no
 * --enable-source-maps), imported by the Lambda runtime's Node in a fresh process, and its handler
 * is made to throw inside our code; the stack must name our .ts file and function, as
 * functions/shared/source-mapped-stack.ts maps it from the shipped map when the stack is read.
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
  { name: 'IngestFunction', event: { rawPath: '/webhooks/generic', headers: null }, frame: /\n {4}at toIngestInput \(lib\/api-gateway\.ts:\d+:\d+\)/ },
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
      const { stdout } = await run(NODE24, ['--input-type=module', '-e', SCRIPT], {
        env: {
          PATH: process.env.PATH ?? '',
          AWS_REGION: 'us-east-1',
          AWS_ACCESS_KEY_ID: 'x',
          AWS_SECRET_ACCESS_KEY: 'x',
          ...FUNCTION_ENV[name],
          BUNDLE: pathToFileURL(String(bundle?.file)).href,
          EVENT: JSON.stringify(event),
        },
      });
      expect(stdout).toMatch(/^TypeError: /);
      expect(stdout).toMatch(frame);
      // No frame of ours is left as a minified position in the bundle.
      expect(stdout).not.toMatch(/handler\.mjs:\d+:\d+/);
    }, 60_000);
  }
});

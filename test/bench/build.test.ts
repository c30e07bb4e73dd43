import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFunction, templateFunctions, type BuiltBundle } from '../../infra/build.ts';
import { FUNCTION_ENV, NODE24 } from '../../infra/bench/cold-start.ts';

const run = promisify(execFile);

/** Imports a bundle in a fresh Node 24 process with only `env`; returns its export names or the error. */
async function importBundle(file: string, env: Record<string, string>): Promise<{ exports?: Record<string, string>; error?: string }> {
  const script = `
    try {
      const m = await import(process.env.BUNDLE);
      console.log(JSON.stringify({ exports: Object.fromEntries(Object.entries(m).map(([k, v]) => [k, typeof v])) }));
    } catch (error) {
      console.log(JSON.stringify({ error: String(error && error.message) }));
    }`;
  const { stdout } = await run(NODE24, ['--input-type=module', '-e', script], {
    env: { PATH: process.env.PATH ?? '', AWS_REGION: 'us-east-1', ...env, BUNDLE: pathToFileURL(file).href },
  });
  return JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as { exports?: Record<string, string>; error?: string };
}

describe('npm run build (the functions bundled as sam build bundles them)', () => {
  const functions = templateFunctions();
  let outRoot: string;
  const bundles = new Map<string, BuiltBundle>();

  beforeAll(async () => {
    outRoot = await mkdtemp(join(tmpdir(), 'bridge-build-'));
    for (const f of functions) bundles.set(f.name, await buildFunction(f.name, f.entryPoint, f.options, join(outRoot, f.name)));
  }, 60_000);
  afterAll(async () => {
    await rm(outRoot, { recursive: true, force: true });
  });

  it('builds every function of template.yaml as ESM .mjs bundles with source maps', () => {
    expect(functions.map((f) => f.name).sort()).toEqual(['IngestFunction', 'ProcessFunction', 'ReconcileFunction']);
    for (const f of functions) {
      expect(f.options).toMatchObject({ bundle: true, platform: 'node', format: 'esm', outExtension: { '.js': '.mjs' }, minify: true, sourcemap: true });
      expect(f.options.banner?.js).toContain('createRequire');
      expect(bundles.get(f.name)?.file).toMatch(new RegExp(`${f.name}/handler\\.mjs$`));
    }
  });

  it.each(['IngestFunction', 'ProcessFunction', 'ReconcileFunction'])('%s loads in a fresh Node process and exports an async handler when its environment is set', async (name) => {
    const bundle = bundles.get(name);
    if (bundle === undefined) throw new Error(`${name} was not built`);
    const result = await importBundle(bundle.file, FUNCTION_ENV[name] ?? {});
    expect(result).toEqual({ exports: { handler: 'function' } });
  });

  it('stops the cold start with a message naming the missing variable', async () => {
    const bundle = bundles.get('IngestFunction');
    if (bundle === undefined) throw new Error('IngestFunction was not built');
    const { QUEUE_URL: _unset, ...env } = FUNCTION_ENV.IngestFunction ?? {};
    const result = await importBundle(bundle.file, env);
    expect(result.error).toMatch(/QUEUE_URL/);
  });

  it('refuses a BuildProperties key it does not translate, so the local build cannot silently differ', async () => {
    const { samEsbuildOptions } = await import('../../infra/build.ts');
    expect(() => samEsbuildOptions({ Format: 'esm', Splitting: true })).toThrow(/BuildProperties\.Splitting/);
    expect(samEsbuildOptions({})).toMatchObject({ format: 'cjs', target: 'es2020', minify: true });
  });

  it('bundles only each function’s half of the providers: no write-back in ingest, no verification in the consumer', () => {
    /** Bytes each provider file contributes to a bundle (the metafile's inputs also list dropped files). */
    const bytes = (name: string) =>
      new Map(Object.values(bundles.get(name)?.metafile.outputs ?? {}).flatMap((o) => Object.entries(o.inputs).map(([f, i]) => [f, i.bytesInOutput] as const)));
    const ingest = bytes('IngestFunction');
    const consumer = bytes('ProcessFunction');
    expect(ingest.get('lib/providers/zendesk/verify.ts')).toBeGreaterThan(500);
    expect(consumer.get('lib/providers/zendesk/write-back.ts')).toBeGreaterThan(500);
    // What may remain of the other half is a hoisted constant or regular expression, not code.
    const leftover = (map: Map<string, number>, suffixes: string[]) =>
      [...map].filter(([f, n]) => f.startsWith('lib/providers/') && suffixes.some((s) => f.endsWith(s)) && n > 100);
    expect(leftover(ingest, ['write-back.ts', 'normalize.ts', 'api.ts'])).toEqual([]);
    expect(leftover(consumer, ['verify.ts'])).toEqual([]);
  });

  it('keeps out of each bundle what its cold start would pay for and never uses (issue #10)', () => {
    const inputs = (name: string) =>
      Object.values(bundles.get(name)?.metafile.outputs ?? {}).flatMap((o) => Object.entries(o.inputs).filter(([, i]) => i.bytesInOutput > 0).map(([f]) => f));
    const matching = (name: string, pattern: RegExp) => inputs(name).filter((f) => pattern.test(f));
    for (const name of ['IngestFunction', 'ProcessFunction', 'ReconcileFunction']) {
      expect(inputs(name).length, `${name} was built`).toBeGreaterThan(10);
      // No zod at all: zod/mini was 30.5 KB of each bundle's delta over its SDK floor; lib/schema.ts
      // does what the bridge used of it (zod's classic API would be ~450 KB).
      expect(matching(name, /node_modules\/zod\//), `${name}: zod`).toEqual([]);
      expect(matching(name, /^lib\/schema\.ts$/), `${name}: lib/schema.ts`).toHaveLength(1);
      // No middy: it ran one before/after hook (functions/shared/json-logger.ts withLambdaContext), for 3 KB.
      expect(matching(name, /node_modules\/@middy\//), `${name}: middy`).toEqual([]);
      // No X-Ray tracer: Tracing is a template switch, not code in the bundle.
      expect(matching(name, /@aws-lambda-powertools\/tracer|aws-xray-sdk/), `${name}: tracer`).toEqual([]);
      // Logs and EMF metrics come from functions/shared (json-logger.ts, emf-metrics.ts): Powertools'
      // Logger and Metrics packages were 32 KB and ~3 % of each cold start.
      expect(matching(name, /@aws-lambda-powertools\//), `${name}: Powertools`).toEqual([]);
    }
    // Ingest verifies and enqueues: no Ledger, pipeline, Simpli client or DynamoDB client.
    expect(matching('IngestFunction', /^lib\/(ledger|pipeline|steps)\.ts$|^lib\/simpli\/|@aws-sdk\/client-dynamodb/)).toEqual([]);
    // The consumer and the reconciler never see an HTTP request.
    for (const name of ['ProcessFunction', 'ReconcileFunction']) {
      expect(matching(name, /^lib\/(ingest|endpoint)\.ts$|^functions\/ingest\//), name).toEqual([]);
      // Only ingest enforces allowedIps (lib/config.ts parseIngestHelpdeskConfig).
      expect(matching(name, /^lib\/ip-allow\.ts$/), name).toEqual([]);
    }
  });
});

/**
 * Emulates `sam build` for every esbuild function of template.yaml, step by step as
 * aws-lambda-builders' NodejsNpmEsbuild workflow does (aws/aws-lambda-builders,
 * aws_lambda_builders/workflows/nodejs_npm_esbuild/workflow.py, esbuild.py, and
 * workflows/nodejs_npm/actions.py), on a temp copy with no node_modules and no esbuild on PATH:
 *   1. CopySourceAction, excluding .aws-sam, .git and node_modules (workflow.py EXCLUDED_FILES);
 *   2. the install action: `npm install -q --no-audit --no-save --unsafe-perm --omit=dev`
 *      (NodejsNpmInstallAction), or `npm ci` when UseNpmCi is set and a lockfile exists;
 *   3. esbuild looked up in `npm root`/.bin, else "Cannot find esbuild" (esbuild.py esbuild_binary);
 *   4. the esbuild CLI flags as EsbuildCommandBuilder builds them: defaults --bundle
 *      --platform=node --outdir, --target=es2020/--format=cjs/--minify only when the key is absent,
 *      then true booleans as --flag (false ones DROPPED), strings as --flag=value, lists as
 *      --flag:item, keys in kebab case;
 *   5. the handler rewrite: the artifact's root holds the bundle, so Handler
 *      `functions/ingest/handler.handler` is loaded as `handler.mjs`, export `handler`.
 * Then each artifact is imported by the runtime's Node (the `node` dev dependency) with the
 * function's NODE_OPTIONS and invoked with a sample event from events/.
 * Deviation for CI time: one copy and one install serve all functions (sam build makes one per
 * function; the copies are identical as every function has CodeUri ./).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTemplate, REPO_ROOT } from '../template/load-template.ts';

const template = loadTemplate();
const FUNCTIONS = Object.entries(template.Resources).filter(
  ([, r]) => r.Type === 'AWS::Serverless::Function' && r.Metadata?.BuildMethod === 'esbuild',
);
const RUNTIME_NODE = join(REPO_ROOT, 'node_modules/node/bin/node');
const EXCLUDED = new Set(['.aws-sam', '.git', 'node_modules']);

const kebab = (key: string) => key.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();

/** esbuild.py EsbuildCommandBuilder: build_default_values + build_esbuild_args_from_config + entry points. */
function esbuildArgs(properties: Record<string, unknown>, outdir: string): string[] {
  const args = ['--bundle', '--platform=node', `--outdir=${outdir}`];
  if (!('Target' in properties)) args.push('--target=es2020');
  if (!('Format' in properties)) args.push('--format=cjs');
  if (!('Minify' in properties)) args.push('--minify');
  for (const [key, value] of Object.entries(properties)) {
    if (key === 'EntryPoints' || key === 'UseNpmCi') continue;
    if (typeof value === 'boolean') {
      if (value) args.push(`--${kebab(key)}`);
    } else if (Array.isArray(value)) {
      for (const item of value) args.push(`--${kebab(key)}:${String(item)}`);
    } else {
      args.push(`--${kebab(key)}=${String(value)}`);
    }
  }
  return [...args, ...(properties.EntryPoints as string[])];
}

function eventFor(name: string): string {
  const events = JSON.stringify(template.Resources[name]?.Properties?.Events ?? {});
  return events.includes('"SQS"') ? 'events/sqs/ticket-created.json' : 'events/generic/ticket-created.json';
}

let work = '';
let installLog = '';
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'sam-build-'));
  const src = join(work, 'src');
  cpSync(REPO_ROOT, src, { recursive: true, filter: (path) => !EXCLUDED.has(basename(path)) });
  const useCi = FUNCTIONS.some(([, r]) => (r.Metadata?.BuildProperties as Record<string, unknown> | undefined)?.UseNpmCi === true);
  const command = useCi && existsSync(join(src, 'package-lock.json')) ? ['ci'] : ['install', '-q', '--no-audit', '--no-save', '--unsafe-perm', '--omit=dev'];
  // No esbuild on PATH: only the directory of the Node running npm, and the system's.
  const env = { ...process.env, PATH: `${dirname(process.execPath)}:/usr/bin:/bin` };
  const run = spawnSync('npm', command, { cwd: src, env, encoding: 'utf8' });
  installLog = `npm ${command.join(' ')} (exit ${run.status})\n${run.stdout}${run.stderr}`;
}, 300_000);
afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('sam build, emulated per function on a clean copy', () => {
  it('finds esbuild functions in the template', () => {
    expect(FUNCTIONS.length).toBeGreaterThan(0);
    expect(existsSync(RUNTIME_NODE), 'the `node` dev dependency provides the runtime’s Node').toBe(true);
  });

  it.each(FUNCTIONS.map(([name]) => name))('%s builds and its artifact runs on the runtime’s Node', (name) => {
    const src = join(work, 'src');
    expect(installLog).toMatch(/\(exit 0\)/);
    const root = spawnSync('npm', ['root'], { cwd: src, encoding: 'utf8' }).stdout.trim();
    const esbuild = join(root, '.bin', 'esbuild');
    if (!existsSync(esbuild)) throw new Error('Cannot find esbuild. esbuild must be installed on the host machine to use this feature.');
    const resource = template.Resources[name];
    const properties = (resource?.Metadata?.BuildProperties ?? {}) as Record<string, unknown>;
    const artifacts = join(work, 'build', name);
    const built = spawnSync(esbuild, esbuildArgs(properties, artifacts), { cwd: src, encoding: 'utf8' });
    expect(built.status, built.stderr).toBe(0);
    const files = readdirSync(artifacts);
    // Handler rewrite: <dir>/<file>.<export> → <file> at the artifact root.
    const handler = String(resource?.Properties?.Handler);
    const file = `${basename(handler.slice(0, handler.lastIndexOf('.')))}.mjs`;
    const exportName = handler.slice(handler.lastIndexOf('.') + 1);
    expect(files).toContain(file);
    const mapFile = files.find((f) => f.endsWith('.map'));
    if (mapFile) expect(JSON.parse(readFileSync(join(artifacts, mapFile), 'utf8')).sourcesContent, 'no sources in the shipped map').toBeUndefined();
    const env = JSON.parse(readFileSync(join(REPO_ROOT, 'events/env.json'), 'utf8'))[name] ?? {};
    const nodeOptions = (template.Globals?.Function?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables?.NODE_OPTIONS;
    const script = `const m = await import(${JSON.stringify(`file://${join(artifacts, file)}`)});
      const event = JSON.parse(require('node:fs').readFileSync(${JSON.stringify(join(REPO_ROOT, eventFor(name)))}, 'utf8'));
      let outcome;
      try { const r = await m[${JSON.stringify(exportName)}](event, { awsRequestId: 'sam-build-test', getRemainingTimeInMillis: () => 5000 }); outcome = { kind: typeof r }; }
      catch (e) { outcome = { kind: 'error', message: String(e && e.message) }; }
      console.log('OUTCOME ' + JSON.stringify({ type: typeof m[${JSON.stringify(exportName)}], ...outcome }));
      process.exit(0);`;
    const run = spawnSync(RUNTIME_NODE, ['--input-type=commonjs', '-e', `(async () => { ${script} })()`], {
      encoding: 'utf8',
      timeout: 30_000,
      env: { PATH: '/usr/bin:/bin', AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'x', AWS_MAX_ATTEMPTS: '1', ...env, ...(typeof nodeOptions === 'string' ? { NODE_OPTIONS: nodeOptions } : {}) },
    });
    const line = run.stdout.split('\n').find((l) => l.startsWith('OUTCOME '));
    expect(line, `${run.stdout}${run.stderr}`).toBeDefined();
    const outcome = JSON.parse(String(line).slice('OUTCOME '.length));
    expect(outcome.type).toBe('function');
    // A network error from the unreachable queue is fine; a module-loading error is not.
    expect(String(outcome.message ?? '')).not.toMatch(/Cannot find|require is not defined|Dynamic require|is not a function/);
  }, 120_000);
});

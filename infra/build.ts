/**
 * `npm run build`: bundles every function of template.yaml with esbuild exactly as `sam build`
 * does for `Metadata: BuildMethod: esbuild` — the BuildProperties are read from the template and
 * turned into the same esbuild options (reference/aws.md §A3: PascalCase keys → flags; SAM always
 * adds bundle + platform node, and defaults Target es2020, Format cjs, Minify true) — into an
 * .aws-sam-like `dist/<LogicalId>/handler.mjs`. The benchmarks reuse `buildFunction` for the real
 * bundles and for their baselines.
 */
import { readFileSync } from 'node:fs';
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions, type Metafile } from 'esbuild';
import { parseDocument } from 'yaml';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const DIST = join(ROOT, 'dist');
export const TEMPLATE = join(ROOT, 'template.yaml');

/** One function of the template as `sam build` sees it. */
export interface TemplateFunction {
  readonly name: string;
  readonly entryPoint: string;
  /** The esbuild options its BuildProperties stand for, without entry points and outdir. */
  readonly options: BuildOptions;
  /** Globals + the function's own environment variables with literal values (e.g. NODE_OPTIONS). */
  readonly environment: Readonly<Record<string, string>>;
}

export interface BuiltBundle {
  readonly name: string;
  /** Absolute path of the bundle (`handler.mjs`). */
  readonly file: string;
  readonly bytes: number;
  readonly metafile: Metafile;
}

type Properties = Readonly<Record<string, unknown>>;

/** The esbuild functions of template.yaml (intrinsics like !Ref are kept as plain values). */
export function templateFunctions(templatePath: string = TEMPLATE): TemplateFunction[] {
  // CloudFormation tags (!Ref, !GetAtt…) are unknown to the YAML parser: it warns and keeps the value.
  const template = parseDocument(readFileSync(templatePath, 'utf8')).toJS() as {
    Globals?: { Function?: { Environment?: { Variables?: Properties } } };
    Resources?: Record<string, { Type?: string; Metadata?: { BuildMethod?: string; BuildProperties?: Properties }; Properties?: Properties }>;
  };
  const globalEnv = template.Globals?.Function?.Environment?.Variables ?? {};
  const functions: TemplateFunction[] = [];
  for (const [name, resource] of Object.entries(template.Resources ?? {})) {
    if (resource.Type !== 'AWS::Serverless::Function' || resource.Metadata?.BuildMethod !== 'esbuild') continue;
    const properties = resource.Metadata.BuildProperties ?? {};
    const handler = String(resource.Properties?.Handler ?? '');
    const entryPoints = properties.EntryPoints;
    const entryPoint = Array.isArray(entryPoints) ? String(entryPoints[0]) : `${handler.slice(0, handler.lastIndexOf('.'))}.ts`;
    const ownEnv = (resource.Properties?.Environment as { Variables?: Properties } | undefined)?.Variables ?? {};
    const environment = Object.fromEntries(
      Object.entries({ ...globalEnv, ...ownEnv }).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
    );
    functions.push({ name, entryPoint, options: samEsbuildOptions(properties), environment });
  }
  return functions;
}

/**
 * BuildProperties → esbuild options, as aws-lambda-builders passes them to the esbuild CLI.
 * Throws on a property this script does not translate, so the build can never silently differ.
 */
export function samEsbuildOptions(properties: Properties): BuildOptions {
  const options: BuildOptions = { bundle: true, platform: 'node', target: 'es2020', format: 'cjs', minify: true };
  const list = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : [String(value)]);
  const pairs = (value: unknown): Record<string, string> =>
    Object.fromEntries(list(value).map((item) => [item.slice(0, item.indexOf('=')), item.slice(item.indexOf('=') + 1)]));
  for (const [key, value] of Object.entries(properties)) {
    switch (key) {
      case 'EntryPoints':
      case 'UseNpmCi':
        break; // consumed by the builder, never passed to esbuild
      case 'Format':
        options.format = value as 'esm' | 'cjs' | 'iife';
        break;
      case 'Target':
        options.target = String(value);
        break;
      // As aws-lambda-builders builds the CLI flags (aws_lambda_builders/workflows/nodejs_npm_esbuild/
      // esbuild.py, _get_config_type_callback): a boolean true is `--flag`, a boolean false is
      // DROPPED (esbuild's default applies: no minify once the key is present, source content kept),
      // and a string is `--flag=value`.
      case 'Minify':
        options.minify = cliBoolean(value, false);
        break;
      case 'Sourcemap':
        options.sourcemap = cliBoolean(value, false);
        break;
      case 'SourcesContent':
        options.sourcesContent = cliBoolean(value, true);
        break;
      case 'KeepNames':
        options.keepNames = cliBoolean(value, false);
        break;
      case 'OutExtension':
        options.outExtension = pairs(value);
        break;
      case 'Banner':
        options.banner = pairs(value);
        break;
      case 'External':
        options.external = list(value);
        break;
      case 'MainFields':
        options.mainFields = String(value).split(',');
        break;
      case 'Loader':
        options.loader = pairs(value) as Record<string, NonNullable<BuildOptions['loader']>[string]>;
        break;
      default:
        throw new Error(`infra/build.ts does not translate BuildProperties.${key}: add it so the local build matches sam build`);
    }
  }
  return options;
}

/** A boolean esbuild flag as the esbuild CLI receives it from aws-lambda-builders. */
function cliBoolean(value: unknown, esbuildDefault: boolean): boolean {
  if (value === true || value === 'true') return true;
  if (value === 'false') return false;
  if (value === false) return esbuildDefault; // the flag is dropped
  throw new Error(`infra/build.ts: boolean BuildProperty value ${JSON.stringify(value)} is neither true, false, 'true' nor 'false'`);
}

/**
 * Bundles one entry point into `outDir` with `options` and writes its esbuild metafile beside the
 * directory (`<outDir>.meta.json`, for bundle composition) — not in it, as SAM uploads the directory.
 */
export async function buildFunction(name: string, entryPoint: string, options: BuildOptions, outDir: string = join(DIST, name)): Promise<BuiltBundle> {
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  const result = await build({
    ...options,
    absWorkingDir: ROOT,
    entryPoints: [resolve(ROOT, entryPoint)],
    outdir: outDir,
    metafile: true,
    logLevel: 'warning',
  });
  const extension = options.outExtension?.['.js'] ?? '.js';
  const file = join(outDir, `${basename(entryPoint, extname(entryPoint))}${extension}`);
  await writeFile(`${outDir}.meta.json`, JSON.stringify(result.metafile));
  return { name, file, bytes: (await stat(file)).size, metafile: result.metafile };
}

/** Builds every esbuild function of the template into `outRoot/<LogicalId>/`. */
export async function buildAll(outRoot: string = DIST): Promise<Record<string, BuiltBundle>> {
  const functions = templateFunctions();
  const bundles = await Promise.all(functions.map((f) => buildFunction(f.name, f.entryPoint, f.options, join(outRoot, f.name))));
  return Object.fromEntries(bundles.map((bundle) => [bundle.name, bundle]));
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  for (const bundle of Object.values(await buildAll())) {
    console.log(`${bundle.name.padEnd(16)} ${relative(ROOT, bundle.file)}  ${(bundle.bytes / 1024).toFixed(1)} KB`);
  }
}

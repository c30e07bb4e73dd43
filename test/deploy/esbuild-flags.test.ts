/**
 * infra/build.ts turns BuildProperties into esbuild options the way aws-lambda-builders builds the
 * esbuild CLI flags (aws_lambda_builders/workflows/nodejs_npm_esbuild/esbuild.py,
 * EsbuildCommandBuilder._get_config_type_callback / _create_boolean_config): a boolean false is
 * dropped, so only a string 'false' turns a default-on option such as sourcesContent off.
 */
import { describe, expect, it } from 'vitest';
import { samEsbuildOptions, templateFunctions } from '../../infra/build.ts';

describe('BuildProperties → esbuild options as sam build passes them', () => {
  it('drops a boolean false: SourcesContent: false leaves esbuild’s default (sources embedded)', () => {
    expect(samEsbuildOptions({ SourcesContent: false }).sourcesContent).toBe(true);
  });
  it('passes a string: SourcesContent: "false" becomes --sources-content=false', () => {
    expect(samEsbuildOptions({ SourcesContent: 'false' }).sourcesContent).toBe(false);
  });
  it('Minify: false present means no --minify flag (the builder adds its default only when the key is absent)', () => {
    expect(samEsbuildOptions({ Minify: false }).minify).toBe(false);
    expect(samEsbuildOptions({}).minify).toBe(true);
  });
  it('every template function ships source maps without source content, minified, without KeepNames (names come from the map, issue #10)', () => {
    const fns = templateFunctions();
    expect(fns.length).toBeGreaterThan(0);
    for (const f of fns) {
      expect(f.options, f.name).toMatchObject({ sourcemap: true, sourcesContent: false, minify: true });
      expect(f.options.keepNames, `${f.name}: KeepNames' __name() wrappers cost bytes and load time`).toBeUndefined();
    }
  });
});

/**
 * Reads template.yaml the way CloudFormation does: the short-form intrinsic tags (`!Ref`, `!Sub`,
 * `!If`, …) become their long forms (`{ Ref: … }`, `{ 'Fn::Sub': … }`), so tests can walk plain data.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseDocument, type CollectionTag, type ScalarTag } from 'yaml';

/** The repository root (this file is test/template/load-template.ts). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const TEMPLATE_PATH = `${REPO_ROOT}template.yaml`;

export type Template = {
  readonly AWSTemplateFormatVersion?: string;
  readonly Transform?: string | readonly string[];
  readonly Parameters?: Record<string, Record<string, unknown>>;
  readonly Conditions?: Record<string, unknown>;
  readonly Mappings?: Record<string, Record<string, Record<string, unknown>>>;
  readonly Globals?: Record<string, Record<string, unknown>>;
  readonly Resources: Record<string, Resource>;
  readonly Outputs?: Record<string, { Value: unknown; Description?: string }>;
};

export type Resource = {
  readonly Type: string;
  readonly Condition?: string;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
  readonly Metadata?: Record<string, unknown>;
  readonly Properties?: Record<string, unknown>;
};

/** Short tag → long form. `!GetAtt A.B` becomes `['A', 'B']` like CloudFormation does. */
const INTRINSICS = {
  Ref: 'Ref',
  Condition: 'Condition',
  GetAtt: 'Fn::GetAtt',
  Sub: 'Fn::Sub',
  If: 'Fn::If',
  Equals: 'Fn::Equals',
  Not: 'Fn::Not',
  And: 'Fn::And',
  Or: 'Fn::Or',
  Select: 'Fn::Select',
  Join: 'Fn::Join',
  Split: 'Fn::Split',
  FindInMap: 'Fn::FindInMap',
  GetAZs: 'Fn::GetAZs',
  ImportValue: 'Fn::ImportValue',
  Base64: 'Fn::Base64',
  Cidr: 'Fn::Cidr',
} as const;

function tagsFor(short: string, long: string): (ScalarTag | CollectionTag)[] {
  const wrap = (value: unknown) => ({ [long]: value });
  const scalar: ScalarTag = {
    tag: `!${short}`,
    resolve: (value: string) => wrap(short === 'GetAtt' ? splitGetAtt(value) : value),
  };
  const seq: CollectionTag = {
    tag: `!${short}`,
    collection: 'seq',
    resolve: (value) => wrap(value.toJSON()),
  };
  const map: CollectionTag = {
    tag: `!${short}`,
    collection: 'map',
    resolve: (value) => wrap(value.toJSON()),
  };
  return [scalar, seq, map];
}

function splitGetAtt(value: string): string[] {
  const dot = value.indexOf('.');
  return dot < 0 ? [value] : [value.slice(0, dot), value.slice(dot + 1)];
}

export const CLOUDFORMATION_TAGS: (ScalarTag | CollectionTag)[] = Object.entries(INTRINSICS).flatMap(([short, long]) =>
  tagsFor(short, long),
);

/** Parses CloudFormation/SAM YAML text; unknown tags are an error, not silently kept. */
export function parseTemplate(text: string): Template {
  const document = parseDocument(text, { customTags: CLOUDFORMATION_TAGS, strict: true, uniqueKeys: true, prettyErrors: true });
  // The yaml package only warns about an unresolved tag and keeps the plain value; that would hide a typo.
  const problems = [...document.errors, ...document.warnings];
  if (problems.length > 0) throw new Error(`template does not parse:\n${problems.map((p) => p.message).join('\n')}`);
  return document.toJS() as Template;
}

/** Loads and parses the repository's template.yaml. */
export function loadTemplate(path: string = TEMPLATE_PATH): Template {
  return parseTemplate(readFileSync(path, 'utf8'));
}

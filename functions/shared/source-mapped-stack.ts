/**
 * Readable stack traces without a cold-start cost (issue #10). `NODE_OPTIONS=--enable-source-maps`
 * makes Node read and parse every bundle's source map at load (22–25 % longer cold starts, issue
 * #10), and `process.setSourceMapsEnabled(true)` called later does not cover modules already
 * loaded. So the bundles ship `handler.mjs.map` (minified without KeepNames, whose `__name`
 * wrappers cost bytes and load time: function names come from the map's `names`), and this hook
 * maps the positions and names itself: V8 calls `Error.prepareStackTrace` only when an error's
 * `stack` is first read (Powertools' Logger reads it when an error is logged), and the map of a
 * file is read and parsed then, once per container. Nothing happens at cold start but one
 * assignment.
 *
 * A frame of a bundled file becomes `at fn (lib/ingest.ts:54:11)`; a frame without a map (Node
 * internals, unbundled runs) keeps V8's own text. Any failure falls back to V8's text too.
 */
import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';

/** V8 call sites also expose the enclosing function's position (not in @types/node). */
type CallSite = NodeJS.CallSite & { getEnclosingLineNumber?(): number | null; getEnclosingColumnNumber?(): number | null };

interface LoadedMap {
  readonly map: SourceMap;
  /** The sources' common folder prefix (the project root the bundle was built from), stripped when printed. */
  readonly root: string;
}

const maps = new Map<string, LoadedMap | null>();

/** The parsed `<file>.map` beside a bundle, or null (cached either way: one read per file). */
function mapFor(fileName: string): LoadedMap | null {
  let loaded = maps.get(fileName);
  if (loaded === undefined) {
    loaded = null;
    try {
      const path = fileName.startsWith('file://') ? fileURLToPath(fileName) : fileName;
      if (path.endsWith('.mjs') || path.endsWith('.js')) {
        const payload = JSON.parse(readFileSync(`${path}.map`, 'utf8')) as { sources?: unknown };
        const sources = Array.isArray(payload.sources) ? payload.sources.filter((x): x is string => typeof x === 'string') : [];
        loaded = { map: new SourceMap(payload as ConstructorParameters<typeof SourceMap>[0]), root: commonFolder(sources) };
      }
    } catch {
      loaded = null; // no map shipped, or unreadable: V8's positions stand
    }
    maps.set(fileName, loaded);
  }
  return loaded;
}

/** The longest folder prefix (ending in '/') shared by every path; one pass over them. */
function commonFolder(paths: readonly string[]): string {
  let prefix = paths[0] ?? '';
  for (const p of paths) {
    let i = 0;
    while (i < prefix.length && i < p.length && prefix[i] === p[i]) i++;
    prefix = prefix.slice(0, i);
  }
  return prefix.slice(0, prefix.lastIndexOf('/') + 1);
}

/**
 * One frame, as Node's own `--enable-source-maps` formatter writes it (serializeJSStackFrame and
 * getOriginalSymbolName in nodejs/node lib/internal/source_map/prepare_stack_trace.js), with the
 * project root stripped from the path. `caller` is the next frame (the one that called this one).
 */
function formatFrame(site: CallSite, caller: CallSite | undefined): string {
  const fileName = site.getFileName();
  const line = site.getLineNumber();
  const column = site.getColumnNumber();
  if (fileName === undefined || fileName === null || line === null || column === null) return `    at ${String(site)}`;
  const loaded = mapFor(fileName);
  if (loaded === null) return `    at ${String(site)}`;
  const entry = loaded.map.findEntry(line - 1, column - 1);
  if (!('originalSource' in entry)) return `    at ${String(site)}`;
  const mapped = originalSymbolName(loaded.map, site, caller);
  const prefix = site.isAsync() ? 'async ' : site.isConstructor() ? 'new ' : '';
  const typeName = site.getTypeName();
  const ownName = `${typeName !== null && typeName !== 'global' ? `${typeName}.` : ''}${site.getFunctionName() ?? site.getMethodName() ?? '<anonymous>'}`;
  const name = mapped !== undefined && mapped !== '' ? mapped : ownName;
  const where = `${entry.originalSource.slice(loaded.root.length)}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
  return `    at ${prefix}${name} (${where})`;
}

/**
 * The name the source gave the function, from the map's `names`: a minified bundle (no KeepNames)
 * only has short identifiers. As Node does: the name mapped at the ENCLOSING function's position,
 * else — esbuild maps a function's name on its identifier, not on the `function` keyword where V8
 * puts the enclosing position — the name mapped at the caller's call position in the same file
 * (`D4(e,…)` in the caller maps to `toIngestInput`).
 */
function originalSymbolName(map: SourceMap, site: CallSite, caller: CallSite | undefined): string | undefined {
  const enclosingLine = site.getEnclosingLineNumber?.();
  const enclosingColumn = site.getEnclosingColumnNumber?.();
  if (enclosingLine != null && enclosingColumn != null) {
    const enclosing = map.findEntry(enclosingLine - 1, enclosingColumn - 1);
    if ('name' in enclosing && typeof enclosing.name === 'string' && enclosing.name !== '') return enclosing.name;
  }
  if (caller === undefined || caller.getFileName() !== site.getFileName()) return undefined;
  const callerLine = caller.getLineNumber();
  const callerColumn = caller.getColumnNumber();
  if (callerLine === null || callerColumn === null) return undefined;
  const call = map.findEntry(callerLine - 1, callerColumn - 1);
  return 'name' in call && typeof call.name === 'string' ? call.name : undefined;
}

/** Formats `error.stack` with original positions; see the file comment. */
export function sourceMappedStack(error: unknown, sites: readonly NodeJS.CallSite[]): string {
  const header = error instanceof Error ? `${error.name}${error.message === '' ? '' : `: ${error.message}`}` : String(error);
  const frames = sites.map((site, i) => {
    try {
      return formatFrame(site as CallSite, sites[i + 1] as CallSite | undefined);
    } catch {
      return `    at ${String(site)}`;
    }
  });
  return [header, ...frames].join('\n');
}

/**
 * Installs the hook for a bundled function (an `.mjs` file, as deployed). Leaves unbundled runs,
 * `--enable-source-maps` and a hook someone else installed (a test runner's) alone.
 */
export function installSourceMappedStacks(moduleUrl: string): void {
  if (!moduleUrl.endsWith('.mjs') || process.sourceMapsEnabled) return;
  // Node ≥ 22 installs its own default (named ErrorPrepareStackTrace); anything else is someone's.
  const current = Error.prepareStackTrace;
  if (current !== undefined && current.name !== 'ErrorPrepareStackTrace') return;
  Error.prepareStackTrace = sourceMappedStack;
}

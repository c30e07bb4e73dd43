/**
 * The listing cursor a pass stores in its watermark item (lib/reconcile/watermark.ts) is read back
 * by the lister that wrote it, possibly hours later and by another version of the bridge. A cursor
 * that is not what the lister expects (hand-edited, truncated, written by an older format) is a
 * clear, permanent error naming what to do — never a bare SyntaxError, and never a guess that
 * could skip changes. Nothing is lost: the watermark and the stored cursor stay as they were, and
 * a run with `--since` starts the pass over from a time of the operator's choosing.
 */
import { UpstreamError } from '../errors.ts';
import type { ProviderName } from '../providers/types.ts';

/** The error for a stored cursor the lister cannot continue from. */
export function invalidCursor(provider: ProviderName, what: string, cause?: unknown): UpstreamError {
  return new UpstreamError(
    { service: provider, reason: 'invalid_cursor', retryable: false },
    `${provider}: the stored reconciliation cursor ${what}: run \`npm run reconcile -- --provider ${provider} --since <ISO time>\` to start the pass over from that time (the watermark is unchanged and nothing was enqueued from it)`,
    cause === undefined ? undefined : { cause },
  );
}

/** The cursor's JSON object, or invalid_cursor when it is not a JSON object. */
export function cursorObject(provider: ProviderName, text: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw invalidCursor(provider, 'is not JSON', cause);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw invalidCursor(provider, 'is not a JSON object');
  return parsed as Record<string, unknown>;
}

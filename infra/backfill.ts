/**
 * `npm run backfill` — enqueues the existing tickets of a period (the backlog a team has when it
 * first connects the bridge) through the same listing and identity as reconciliation, so running
 * it twice, or alongside webhooks, processes nothing twice. Prints progress per page and a
 * summary; `--dry-run` lists and compares with the Ledger only (no queue message, no Simpli call).
 *
 *   npm run backfill -- --provider zendesk --since 2026-11-01 [--until 2026-12-01T00:00:00Z] [--status open] [--limit N] [--dry-run]
 *     tickets CREATED in [since, until]; their creation, and their resolution when resolved or closed
 *     local: against the running `npm start` (.local/stack.json);  AWS: --stack NAME
 */
import { parseArgs } from 'node:util';
import { backfillProvider } from '../functions/reconcile/app.ts';
import type { PassReport } from '../lib/reconcile/pass.ts';
import { formatReport } from './reconcile.ts';
import { PASS_OPTIONS, passOnTarget, positiveIntegerArg, providerArg, runPassCommand, timeArg, type ToolTarget } from './reconcile-target.ts';

const USAGE = 'npm run backfill -- --provider NAME --since ISO [--until ISO] [--status open] [--limit N] [--dry-run] [--stack NAME]';

export async function backfillCommand(argv: readonly string[], print: (line: string) => void, target: (stack: string | undefined) => ToolTarget): Promise<PassReport | undefined> {
  const { values } = parseArgs({
    args: [...argv],
    options: { ...PASS_OPTIONS, until: { type: 'string' }, status: { type: 'string' }, limit: { type: 'string' } },
  });
  if (values.help === true) {
    print(USAGE);
    return undefined;
  }
  const provider = providerArg(values.provider);
  if (values.since === undefined) throw new Error('--since is missing: give the start of the period to backfill (an ISO 8601 time or date, or e.g. 30d)');
  const nowMs = Date.now();
  const sinceMs = timeArg('--since', values.since, nowMs);
  const untilMs = values.until === undefined ? undefined : timeArg('--until', values.until, nowMs);
  if (untilMs !== undefined && untilMs < sinceMs) throw new Error('--until is before --since: the period is empty');
  if (values.status !== undefined && values.status !== 'open') throw new Error(`--status "${values.status}" is not supported: use --status open, or leave it out for every ticket`);
  const limit = positiveIntegerArg('--limit', values.limit);
  return passOnTarget(target(values.stack), print, formatReport, (deps) =>
    backfillProvider(deps, provider, {
      sinceMs,
      untilMs,
      openOnly: values.status === 'open',
      limit,
      dryRun: values['dry-run'] === true,
      onPage: (p) => print(`  page ${p.pages}: ${p.records} tickets listed, ${p.found} events in the period, ${p.enqueued} enqueued, ${p.known} already known`),
    }),
  );
}

if (process.argv[1] !== undefined && import.meta.filename === process.argv[1]) {
  runPassCommand('backfill', backfillCommand);
}

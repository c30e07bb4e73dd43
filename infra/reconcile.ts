/**
 * `npm run reconcile` — one reconciliation pass now: asks the helpdesk's listing API what changed
 * since the watermark (or `--since`), and enqueues what the Ledger has not seen, with the webhooks'
 * identity. Prints what it found, what it enqueued and what was already known.
 *
 *   npm run reconcile -- --provider zendesk [--since 2026-12-03T15:00:00Z | --since 1h] [--dry-run] [--max-pages N]
 *     local: against the running `npm start` (.local/stack.json); HELPDESK_CONFIG as npm start has it
 *     AWS:   --stack NAME (TicketQueueUrl, LedgerTableName, HelpdeskConfigSecretArn outputs)
 */
import { parseArgs } from 'node:util';
import { reconcileProvider } from '../functions/reconcile/app.ts';
import type { PassReport } from '../lib/reconcile/pass.ts';
import { PASS_OPTIONS, passOnTarget, positiveIntegerArg, providerArg, runPassCommand, timeArg, type ToolTarget } from './reconcile-target.ts';

const USAGE = 'npm run reconcile -- --provider NAME [--since ISO|1h] [--dry-run] [--max-pages N] [--stack NAME]';

export async function reconcileCommand(argv: readonly string[], print: (line: string) => void, target: (stack: string | undefined) => ToolTarget): Promise<PassReport | undefined> {
  const { values } = parseArgs({
    args: [...argv],
    options: { ...PASS_OPTIONS, 'max-pages': { type: 'string' } },
  });
  if (values.help === true) {
    print(USAGE);
    return undefined;
  }
  const provider = providerArg(values.provider);
  const sinceMs = values.since === undefined ? undefined : timeArg('--since', values.since, Date.now());
  const maxPages = positiveIntegerArg('--max-pages', values['max-pages']);
  return passOnTarget(target(values.stack), print, formatReport, (deps) =>
    reconcileProvider(deps, provider, {
      sinceMs,
      dryRun: values['dry-run'] === true,
      maxPages,
      onPage: (p) => print(`  page ${p.pages}: ${p.records} tickets listed, ${p.found} events found, ${p.enqueued} enqueued, ${p.known} already known`),
    }),
  );
}

export function formatReport(report: PassReport): string[] {
  const verb = report.dryRun ? 'would enqueue' : 'enqueued';
  const fresh = report.events.filter((e) => e.outcome !== 'known');
  return [
    `${report.mode} ${report.provider} since ${new Date(report.sinceMs).toISOString()}${report.resumed ? ' (continuing the interrupted pass)' : ''}${report.dryRun ? ' — DRY RUN, nothing enqueued' : ''}`,
    ...fresh.map((e) => `  ${report.dryRun ? 'new' : '+'} ${e.eventId}`),
    ...report.rejected.map((r) => `  ! not enqueued: ${r}`),
    `found ${report.found}, ${verb} ${report.dryRun ? fresh.length : report.enqueued}, already known ${report.known} (${report.records} tickets in ${report.pages} page(s))`,
    report.mode === 'backfill'
      ? report.complete
        ? 'listing complete'
        : 'stopped at --limit: run it again to go on (what was enqueued is skipped as known)'
      : report.complete
      ? report.watermarkMs === undefined || report.dryRun
        ? 'listing complete'
        : `listing complete; watermark ${new Date(report.watermarkMs).toISOString()} (lag ${report.lagSeconds ?? 0} s)`
      : (report.stopped ?? 'stopped at the page/time bound: the next run continues where this one stopped'),
  ];
}

if (process.argv[1] !== undefined && import.meta.filename === process.argv[1]) {
  runPassCommand('reconcile', reconcileCommand);
}

/**
 * One event's log lines and metrics, from the stages lib/pipeline.ts reports (issue #10, cost).
 *
 * At INFO an event writes ONE line, its outcome — `done`, `duplicate`, `leased`, `retry` or
 * `dead-lettered` — carrying what the stages did: the attempt, each Simpli step's duration
 * (`steps`), each write-back's duration (`writeBacks`), what failed and why (`stepsFailed`,
 * `writeBacksFailed`: "retry:<reason>" or "failed:<reason>") and the steps left out of the
 * write-back as older than the ticket (`stale`). The stages themselves (`claimed`, `step`,
 * `write-back`, `stale`) are DEBUG lines; a stage that failed or will be retried is still its own
 * WARN or ERROR line, as before. Levels of the outcome lines are unchanged: `done`/`duplicate`
 * INFO, `leased`/`retry` WARN, `dead-lettered` ERROR.
 *
 * Metrics go into the invocation's MetricBatch (one EMF document per dimension set), with the
 * names, units and dimensions the template's metric filters, alarms and dashboard read.
 */
import { MetricUnit, type Logger } from '../shared/observability.ts';
import type { StageEvent } from '../../lib/pipeline.ts';
import type { MetricBatch } from '../shared/metric-batch.ts';

type Outcome = 'done' | 'duplicate' | 'leased' | 'retry' | 'dead-lettered';

const OUTCOMES: ReadonlySet<string> = new Set<Outcome>(['done', 'duplicate', 'leased', 'retry', 'dead-lettered']);

/** What the stages of one event did, for its outcome line. */
interface Summary {
  attempt?: number | undefined;
  readonly steps: Record<string, number>;
  readonly stepsFailed: Record<string, string>;
  readonly writeBacks: Record<string, number>;
  readonly writeBacksFailed: Record<string, string>;
  stale?: { readonly steps: readonly string[]; readonly reason: string | undefined } | undefined;
}

/** A stage handler for one event: logs (per the rules above) and records its metrics. */
export function createEventLog(log: Logger, metrics: MetricBatch, provider: string): (stage: StageEvent) => void {
  const summary: Summary = { steps: {}, stepsFailed: {}, writeBacks: {}, writeBacksFailed: {} };
  const byProvider = metrics.group({ provider });
  return (stage) => {
    recordMetrics(stage, metrics, byProvider, provider);
    if (OUTCOMES.has(stage.stage)) {
      const fields = { ...stage, ...outcomeFields(summary) };
      if (stage.stage === 'dead-lettered') log.error(stage.stage, fields);
      else if (stage.stage === 'retry' || stage.stage === 'leased') log.warn(stage.stage, fields);
      else log.info(stage.stage, fields);
      return;
    }
    collect(summary, stage);
    if (stage.outcome === 'failed') log.error(stage.stage, { ...stage });
    else if (stage.outcome === 'retry') log.warn(stage.stage, { ...stage });
    else log.debug(stage.stage, { ...stage });
  };
}

function collect(summary: Summary, stage: StageEvent): void {
  const name = stage.step ?? 'unknown';
  const failure = `${stage.outcome ?? 'failed'}:${stage.reason ?? 'unknown'}`;
  switch (stage.stage) {
    case 'claimed':
      summary.attempt = stage.attempt;
      break;
    case 'step':
      if (stage.outcome === 'ok') summary.steps[name] = stage.durationMs ?? 0;
      else summary.stepsFailed[name] = failure;
      break;
    case 'write-back':
      if (stage.outcome === 'ok') summary.writeBacks[name] = stage.durationMs ?? 0;
      else summary.writeBacksFailed[name] = failure;
      break;
    case 'stale':
      summary.stale = { steps: stage.step === undefined ? [] : stage.step.split(','), reason: stage.reason };
      break;
    default:
      break;
  }
}

/** The summary's non-empty parts. */
function outcomeFields(summary: Summary): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  if (summary.attempt !== undefined) fields.attempt = summary.attempt;
  for (const key of ['steps', 'stepsFailed', 'writeBacks', 'writeBacksFailed'] as const) {
    if (Object.keys(summary[key]).length > 0) fields[key] = summary[key];
  }
  if (summary.stale !== undefined) fields.stale = summary.stale;
  return fields;
}

function recordMetrics(stage: StageEvent, metrics: MetricBatch, byProvider: ReturnType<MetricBatch['group']>, provider: string): void {
  switch (stage.stage) {
    case 'done':
      byProvider.addMetric('EventsProcessed', MetricUnit.Count, 1);
      if (stage.durationMs !== undefined) byProvider.addMetric('EndToEndLatency', MetricUnit.Milliseconds, stage.durationMs);
      break;
    case 'duplicate':
      byProvider.addMetric('DuplicatesSuppressed', MetricUnit.Count, 1);
      break;
    case 'dead-lettered':
      byProvider.addMetric('EventsDeadLettered', MetricUnit.Count, 1);
      break;
    case 'write-back':
      // WriteBacks counts successes only: the failure-rate alarm divides by failed + succeeded.
      if (stage.outcome !== 'ok') byProvider.addMetric('WriteBackFailures', MetricUnit.Count, 1);
      else byProvider.addMetric('WriteBacks', MetricUnit.Count, 1);
      break;
    case 'step': {
      const byUpstream = metrics.group({ provider, upstream: stage.upstream ?? stepService(stage.step) });
      if (stage.outcome === 'ok') byUpstream.addMetric('SimpliCallLatency', MetricUnit.Milliseconds, stage.durationMs ?? 0);
      else byUpstream.addMetric('StepFailures', MetricUnit.Count, 1);
      break;
    }
    default:
      break;
  }
}

function stepService(step: string | undefined): string {
  if (step === 'classify' || step === 'route') return 'triage';
  if (step === 'draft') return 'reply';
  return step ?? 'unknown';
}

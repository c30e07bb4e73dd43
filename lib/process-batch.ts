/**
 * An SQS batch → per-record outcomes, records processed concurrently. Only failed records are
 * reported (`ReportBatchItemFailures`), so SQS redelivers just those.
 *
 * Two records of one batch with the same event id are one event: the first is processed, the
 * others are acknowledged as duplicates at once — the first's message stays in the queue until it
 * is done or parked, so nothing is lost and nothing waits for a lease to expire.
 */
import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';
import { reasonOf } from './errors.ts';
import type { LedgerError } from './ledger.ts';
import type { Outcome, ProcessResult } from './pipeline.ts';
import { decodeQueuedEvent } from './queue-message.ts';
import type { QueuedEvent } from './providers/types.ts';

export interface RecordOutcome {
  readonly messageId: string;
  readonly eventId: string | undefined;
  readonly outcome: Outcome;
  readonly reason?: string | undefined;
}

export interface BatchDeps {
  processEvent(event: QueuedEvent, record: SQSRecord): Promise<ProcessResult>;
  /** Parks a message that is not a bridge event at all (it would fail forever). */
  deadLetterRaw(record: SQSRecord, error: LedgerError): Promise<void>;
  now(): number;
  onRecord?(outcome: RecordOutcome, event: QueuedEvent | undefined): void;
}

export async function processBatch(records: readonly SQSRecord[], deps: BatchDeps): Promise<{ response: SQSBatchResponse; outcomes: RecordOutcome[] }> {
  const seen = new Set<string>();
  const outcomes = await Promise.all(
    records.map(async (record): Promise<RecordOutcome> => {
      let event: QueuedEvent;
      try {
        event = decodeQueuedEvent(record.body);
      } catch (error) {
        const at = new Date(deps.now()).toISOString();
        try {
          await deps.deadLetterRaw(record, { reason: reasonOf(error), step: undefined, message: String(error), at });
          return report(deps, { messageId: record.messageId, eventId: undefined, outcome: 'dead-lettered', reason: reasonOf(error) }, undefined);
        } catch {
          return report(deps, { messageId: record.messageId, eventId: undefined, outcome: 'retry', reason: 'dead_letter_unavailable' }, undefined);
        }
      }
      if (seen.has(event.eventId)) {
        return report(deps, { messageId: record.messageId, eventId: event.eventId, outcome: 'duplicate' }, event);
      }
      seen.add(event.eventId);
      try {
        const result = await deps.processEvent(event, record);
        return report(deps, { messageId: record.messageId, eventId: event.eventId, outcome: result.outcome, reason: result.reason }, event);
      } catch (error) {
        // Ledger or DLQ unavailable, or a bug: SQS redelivers after the visibility timeout.
        return report(deps, { messageId: record.messageId, eventId: event.eventId, outcome: 'retry', reason: reasonOf(error) }, event);
      }
    }),
  );
  return {
    response: { batchItemFailures: outcomes.filter((o) => o.outcome === 'retry').map((o) => ({ itemIdentifier: o.messageId })) },
    outcomes,
  };
}

function report(deps: BatchDeps, outcome: RecordOutcome, event: QueuedEvent | undefined): RecordOutcome {
  deps.onRecord?.(outcome, event);
  return outcome;
}

/**
 * One reconciliation or backfill pass over one provider's listing API:
 *
 *   take the watermark's lease → list a page (from the stored cursor when the last pass stopped
 *   early, else from the watermark minus the overlap window) → derive the events with the webhook
 *   identity → ask the Ledger which it holds → enqueue the rest through lib/enqueue → record the
 *   page's cursor → … → at the listing's end advance the watermark → give the lease back.
 *
 * Bounded by pages and a deadline; a pass that stops early continues, at the next run, where it
 * stopped. The page's events are enqueued BEFORE its cursor is recorded: a crash in between lists
 * that page again, and the duplicates it enqueues are absorbed by the Ledger's claim, never lost.
 * Backfill uses the same listing and identity, but no watermark: it is idempotent through the
 * Ledger alone (an event already enqueued and not yet processed is absorbed by the claim).
 */
import { isValidTicketId } from '../ticket-id.ts';
import type { HttpClient } from '../http.ts';
import type { ProviderName, ProviderSettings, QueuedEvent } from '../providers/types.ts';
import type { HelpdeskLister, ListedRecord } from './types.ts';
import type { WatermarkStore } from './watermark.ts';

export type PassMode = 'reconcile' | 'backfill';

export interface PassOptions {
  readonly mode: PassMode;
  readonly provider: ProviderName;
  readonly lister: HelpdeskLister;
  readonly settings: ProviderSettings;
  readonly http: HttpClient;
  /** Which event ids the Ledger holds (lib/reconcile/known.ts). */
  readonly known: (eventIds: readonly string[]) => Promise<Set<string>>;
  readonly enqueue: (events: readonly QueuedEvent[]) => Promise<void>;
  /** Reconcile only. */
  readonly watermarks?: WatermarkStore | undefined;
  readonly now: () => number;
  /** Unique per run: the watermark lease owner and the queued events' requestId. */
  readonly runId: string;
  /** Start here instead of at the watermark (reconcile) / the period's start (backfill, required). */
  readonly sinceMs?: number | undefined;
  /** Backfill: only tickets created up to this time. */
  readonly untilMs?: number | undefined;
  /** Backfill: only tickets that are still open. */
  readonly openOnly?: boolean | undefined;
  /** Backfill: at most this many tickets. */
  readonly limit?: number | undefined;
  /** List and compare with the Ledger only: nothing is enqueued, no watermark is written. */
  readonly dryRun?: boolean | undefined;
  readonly maxPages: number;
  /** No page is requested after this time (epoch ms). */
  readonly deadlineMs: number;
  /** A pass starts this much before the watermark (clock skew, late writes). */
  readonly overlapMs: number;
  /** The first pass of a provider (no watermark yet) looks back this far. */
  readonly initialLookbackMs: number;
  readonly leaseSeconds: number;
  readonly onPage?: ((progress: PassProgress) => void) | undefined;
}

export interface PassProgress {
  readonly pages: number;
  readonly records: number;
  readonly found: number;
  readonly enqueued: number;
  readonly known: number;
}

export interface PassEvent {
  readonly eventId: string;
  readonly eventType: QueuedEvent['eventType'];
  readonly ticketId: string;
  /** `enqueued`; `new` in a dry run (would be enqueued); `known` when the Ledger holds it. */
  readonly outcome: 'enqueued' | 'new' | 'known';
}

export interface PassReport extends PassProgress {
  readonly mode: PassMode;
  readonly provider: ProviderName;
  readonly dryRun: boolean;
  /** Where this pass's listing started (epoch ms). */
  readonly sinceMs: number;
  /** The listing reached its end (else the next run continues from the stored cursor). */
  readonly complete: boolean;
  /** Continued an interrupted pass's stored cursor. */
  readonly resumed: boolean;
  /** The watermark after the pass (reconcile). */
  readonly watermarkMs: number | undefined;
  /** Seconds between now and the watermark: how far behind reconciliation is (ReconcileLag). */
  readonly lagSeconds: number | undefined;
  readonly events: readonly PassEvent[];
  /** Listed records that cannot be processed (lib/reconcile/types.ts ListPage.rejected). */
  readonly rejected: readonly string[];
  /** Why the lister stopped the pass early (ListPage.stop); the next run continues there. */
  readonly stopped?: string | undefined;
}

export async function runPass(options: PassOptions): Promise<PassReport> {
  const { mode, provider, now } = options;
  const dryRun = options.dryRun === true;
  const useWatermark = mode === 'reconcile';
  if (useWatermark && options.watermarks === undefined) throw new Error('reconcile needs the watermark store');
  if (mode === 'backfill' && options.sinceMs === undefined) throw new Error('backfill needs the start of its period (--since)');
  const store = options.watermarks;
  const state = useWatermark && store !== undefined ? await (dryRun ? store.get(provider) : store.acquire(provider, options.runId, now(), options.leaseSeconds)) : undefined;

  try {
    const resumed = useWatermark && options.sinceMs === undefined && state?.cursor !== undefined && state.passSinceMs !== undefined;
    const sinceMs = resumed
      ? (state?.passSinceMs ?? 0)
      : (options.sinceMs ?? (state?.watermarkMs === undefined ? now() - options.initialLookbackMs : state.watermarkMs - options.overlapMs));
    let cursor = resumed ? state?.cursor : undefined;
    let passMaxMs = resumed ? (state?.passMaxMs ?? sinceMs) : sinceMs;
    const progress = { pages: 0, records: 0, found: 0, enqueued: 0, known: 0 };
    const events: PassEvent[] = [];
    const rejected: string[] = [];
    const seen = new Set<string>();
    let tickets = 0;
    let complete = false;
    let stopped: string | undefined;
    let lastRequestMs = now();

    while (progress.pages < options.maxPages && now() < options.deadlineMs && (options.limit === undefined || tickets < options.limit)) {
      lastRequestMs = now();
      const page = await options.lister.listPage(options.http, options.settings, { sinceMs, untilMs: options.untilMs, cursor, messages: mode === 'reconcile' });
      progress.pages++;
      progress.records += page.records.length;
      rejected.push(...(page.rejected ?? []));
      const selected: QueuedEvent[] = [];
      for (const record of page.records) {
        passMaxMs = Math.max(passMaxMs, record.updatedAtMs);
        // Enqueued events bypass ingest: every lister's ids get the check a webhook's gets there.
        if (!isValidTicketId(provider, record.ticketId)) {
          rejected.push(`a record whose id (${record.ticketId.length} characters) is not a ${provider} ticket id`);
          continue;
        }
        if (options.limit !== undefined && tickets >= options.limit) break;
        const chosen = select(record, mode, sinceMs, options).filter((e) => !seen.has(e.eventId));
        if (chosen.length === 0) continue;
        tickets++;
        for (const event of chosen) {
          seen.add(event.eventId);
          selected.push(event);
        }
      }
      const known = await options.known(selected.map((e) => e.eventId));
      const fresh = selected.filter((e) => !known.has(e.eventId));
      if (!dryRun && fresh.length > 0) await options.enqueue(fresh);
      progress.found += selected.length;
      progress.known += selected.length - fresh.length;
      if (!dryRun) progress.enqueued += fresh.length;
      for (const e of selected) {
        events.push({ eventId: e.eventId, eventType: e.eventType, ticketId: e.ticketId, outcome: known.has(e.eventId) ? 'known' : dryRun ? 'new' : 'enqueued' });
      }
      options.onPage?.({ ...progress });
      if (page.next === undefined) {
        complete = true;
        break;
      }
      cursor = page.next;
      if (useWatermark && !dryRun && store !== undefined) {
        await store.progress(provider, options.runId, { cursor, passSinceMs: sinceMs, passMaxMs }, now());
      }
      if (page.stop !== undefined) {
        stopped = page.stop;
        break;
      }
    }

    let watermarkMs = state?.watermarkMs;
    if (useWatermark && complete && !dryRun && store !== undefined) {
      // Everything changed before the last request (less the vendor's settle time) was listed.
      const reached = Math.max(passMaxMs, lastRequestMs - (options.lister.settleMs ?? 0));
      await store.complete(provider, options.runId, reached, now());
      watermarkMs = Math.max(reached, watermarkMs ?? reached);
    }
    return {
      mode,
      provider,
      dryRun,
      sinceMs,
      complete,
      resumed,
      watermarkMs,
      lagSeconds: watermarkMs === undefined ? undefined : Math.max(0, Math.round((now() - watermarkMs) / 1000)),
      events,
      rejected,
      ...(stopped === undefined ? {} : { stopped }),
      ...progress,
    };
  } finally {
    if (useWatermark && !dryRun && store !== undefined) await store.release(provider, options.runId);
  }
}

/**
 * The record's events this pass is about. Reconcile: a creation only when the ticket was created
 * inside the pass's window (an older ticket's creation belongs to an earlier window, or predates
 * the bridge). Backfill: tickets created in the period (and open, with `--status open`).
 */
function select(record: ListedRecord, mode: PassMode, sinceMs: number, options: PassOptions): QueuedEvent[] {
  if (mode === 'backfill') {
    if (record.createdAtMs < sinceMs) return [];
    if (options.untilMs !== undefined && record.createdAtMs > options.untilMs) return [];
    if (options.openOnly === true && !record.open) return [];
  }
  const receivedAt = new Date(options.now()).toISOString();
  return record.events
    .filter((e) => mode === 'backfill' || e.eventType !== 'ticket.created' || record.createdAtMs >= sinceMs)
    .map((e) => ({
      provider: options.provider,
      eventType: e.eventType,
      eventId: `${options.provider}:${e.identity}`,
      ticketId: e.ticketId,
      payload: e.payload,
      receivedAt,
      requestId: `${options.mode}-${options.runId}`,
    }));
}

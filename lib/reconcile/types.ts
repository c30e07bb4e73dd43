/**
 * Reconciliation and backfill (issue #11): each helpdesk's listing API is asked what changed, and
 * what the Ledger has not seen is enqueued with the SAME identity the webhook would have produced,
 * so an event that did arrive by webhook is a duplicate and one that did not is processed once.
 */
import type { HttpClient } from '../http.ts';
import type { EventType, ProviderName, ProviderSettings } from '../providers/types.ts';

/** One business event derived from an API record, identified exactly as its webhook would be. */
export interface ListedEvent {
  readonly eventType: EventType;
  readonly ticketId: string;
  /** As in ParsedEvent: the Ledger key is `${provider}:${identity}`. */
  readonly identity: string;
  /** What the provider's normalize() reads (documented per provider in its list.ts). */
  readonly payload: unknown;
}

/** One record of a listing: the events it implies and when the helpdesk last changed it. */
export interface ListedRecord {
  readonly ticketId: string;
  /** The record's `updated_at` (epoch ms): the watermark advances to the largest one seen. */
  readonly updatedAtMs: number;
  readonly createdAtMs: number;
  /** Open (not resolved/closed), for `backfill --status open`. */
  readonly open: boolean;
  readonly events: readonly ListedEvent[];
}

export interface ListQuery {
  /** Records changed at or after this time (epoch ms). */
  readonly sinceMs: number;
  /** Backfill only: records changed up to this time. */
  readonly untilMs?: number | undefined;
  /** Where the previous page stopped (opaque to the engine); absent for the first page. */
  readonly cursor?: string | undefined;
  /** Also list customer messages where the lister can (reconcile; backfill takes tickets only). */
  readonly messages?: boolean | undefined;
}

export interface ListPage {
  readonly records: readonly ListedRecord[];
  /** The cursor of the next page; undefined when the listing has reached its end. */
  readonly next: string | undefined;
  /**
   * Records the bridge cannot process (an id ingest would refuse with 422, no usable time), each
   * said in a sentence: reported by the pass, never enqueued.
   */
  readonly rejected?: readonly string[] | undefined;
  /**
   * The lister asks the pass to stop after this page although the listing goes on (e.g. the
   * helpdesk's API allowance is nearly spent), saying why; the next run continues from `next`.
   */
  readonly stop?: string | undefined;
}

/** A provider's listing API. Implementations use the HttpClient (timeouts, 429 + Retry-After). */
export interface HelpdeskLister {
  readonly provider: ProviderName;
  /** The listing is complete up to this long before a request (Zendesk excludes the last minute). */
  readonly settleMs?: number | undefined;
  listPage(http: HttpClient, settings: ProviderSettings, query: ListQuery): Promise<ListPage>;
}

/**
 * A lister's numeric setting (page size, search window, API usage share) from the provider's
 * settings: a positive finite number as given, anything else the lister's default (a page size of
 * 0 or -1 would list nothing or loop; such settings are for tests and tuning, not documented knobs).
 */
export function listSetting(settings: ProviderSettings, name: string, fallback: number): number {
  const value = settings[name];
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : fallback;
}

/**
 * Events a pass enqueues bypass ingest, so the pass itself refuses a listed record whose id ingest
 * would answer 422 `invalid_ticket_id` for — whichever lister produced it (the Intercom and HubSpot
 * listers check nothing themselves). A stand-in lister returns the records as an API might.
 */
import { describe, expect, it } from 'vitest';
import type { HttpClient } from '../../lib/http.ts';
import type { ProviderName, QueuedEvent } from '../../lib/providers/types.ts';
import { runPass } from '../../lib/reconcile/pass.ts';
import type { HelpdeskLister, ListedRecord } from '../../lib/reconcile/types.ts';

const NOW = Date.parse('2026-12-03T12:00:00Z');

function record(ticketId: string): ListedRecord {
  return {
    ticketId,
    updatedAtMs: NOW - 60_000,
    createdAtMs: NOW - 60_000,
    open: true,
    events: [{ eventType: 'ticket.created', ticketId, identity: `ticket.created:${ticketId}`, payload: { id: ticketId } }],
  };
}

async function pass(provider: ProviderName, ids: readonly string[]) {
  const lister: HelpdeskLister = { provider, listPage: async () => ({ records: ids.map(record), next: undefined }) };
  const enqueued: QueuedEvent[] = [];
  const report = await runPass({
    mode: 'backfill',
    provider,
    lister,
    settings: {},
    http: {} as HttpClient,
    known: async () => new Set(),
    enqueue: async (events) => void enqueued.push(...events),
    now: () => NOW,
    runId: 'run-1',
    sinceMs: NOW - 3_600_000,
    maxPages: 5,
    deadlineMs: NOW + 60_000,
    overlapMs: 0,
    initialLookbackMs: 0,
    leaseSeconds: 60,
  });
  return { report, enqueued };
}

describe('a pass checks listed ticket ids as ingest does', () => {
  it.each([
    ['intercom', ['..', 'a/b', '../../admins'], '215'],
    ['hubspot', ['12a', '..', '9'.repeat(21)], '4711'],
  ] as const)('%s: refuses %j, enqueues only the well-formed id', async (provider, bad, good) => {
    const { report, enqueued } = await pass(provider, [...bad, good]);
    expect(enqueued.map((e) => e.ticketId)).toEqual([good]);
    expect(report.rejected).toHaveLength(bad.length);
    for (const line of report.rejected) expect(line).toMatch(new RegExp(`is not a ${provider} ticket id`));
  });
});

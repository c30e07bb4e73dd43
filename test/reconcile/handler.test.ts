/**
 * ReconcileFunction's core (functions/reconcile/app.ts) on real emulators: one pass per configured
 * provider, EventsRecovered and ReconcileLag published per provider, one provider's failure does
 * not stop the others but fails the invocation.
 */
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReconcileHandler } from '../../functions/reconcile/app.ts';
import { zendeskKit } from '../support/helpdesk-kits.ts';
import { seed, startRig, type Rig } from '../support/reconcile-rig.ts';

interface Published {
  dimensions: Record<string, string>;
  metrics: Record<string, { unit: string; value: number }>;
}

function recordingMetrics(published: Published[]): Metrics {
  return {
    singleMetric() {
      const entry: Published = { dimensions: {}, metrics: {} };
      published.push(entry);
      return {
        addDimension(name: string, value: string) {
          entry.dimensions[name] = value;
        },
        addMetric(name: string, unit: string, value: number) {
          entry.metrics[name] = { unit, value };
        },
      };
    },
  } as unknown as Metrics;
}

describe('ReconcileFunction handler', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRig(zendeskKit({ pageSize: 50 }));
    await seed(rig, 1000, 30, 20);
  }, 60_000);
  afterAll(async () => {
    await rig.stop();
  });

  it('reconciles each configured provider, publishes EventsRecovered and ReconcileLag, and fails when one provider fails', async () => {
    const published: Published[] = [];
    const handler = createReconcileHandler({
      ...rig.deps,
      // The first pass looks back 5 hours to reach the seeded tickets; freshdesk has no settings.
      limits: { ...rig.deps.limits, lookbackSeconds: 5 * 3600 },
      providers: ['zendesk', 'freshdesk'],
      metrics: recordingMetrics(published),
    });
    const error = await handler({}, { getRemainingTimeInMillis: () => 300_000 }).catch((e: unknown) => e);
    expect(String(error)).toMatch(/reconciliation failed for freshdesk: HELPDESK_CONFIG.freshdesk is not set/);
    // 30 tickets, every third solved: 30 + 10 events; the first 20 (7 solved) came by webhook.
    expect(published).toEqual([
      { dimensions: { provider: 'zendesk' }, metrics: { EventsRecovered: { unit: 'Count', value: 13 }, ReconcileLag: expect.objectContaining({ unit: 'Seconds' }) } },
    ]);
    await rig.h.drain();
    expect(rig.simpliCalls('/route').size).toBe(30);
  });
});

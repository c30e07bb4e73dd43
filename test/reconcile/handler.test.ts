/**
 * ReconcileFunction's core (functions/reconcile/app.ts) on real emulators: one pass per configured
 * provider, EventsRecovered and ReconcileLag published per provider, one provider's failure does
 * not stop the others but fails the invocation.
 */
import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReconcileHandler } from '../../functions/reconcile/app.ts';
import { zendeskKit } from '../support/helpdesk-kits.ts';
import { seed, startRig, type Rig } from '../support/reconcile-rig.ts';

interface Published {
  dimensions: Record<string, string>;
  metrics: Record<string, { unit: string; value: number }>;
}

/**
 * Powertools' real Metrics, its EMF documents read back from stdout (where it writes them) while
 * `run` runs: a fake of singleMetric() once hid that ReconcileLag was published without its
 * provider dimension.
 */
async function publishedWhile<T>(published: Published[], run: () => Promise<T>): Promise<T> {
  const write = process.stdout.write;
  let text = '';
  process.stdout.write = ((chunk: unknown, ...rest: unknown[]) => {
    if (String(chunk).startsWith('{"_aws"')) {
      text += String(chunk);
      return true;
    }
    return (write as (...a: unknown[]) => boolean).call(process.stdout, chunk, ...rest);
  }) as typeof process.stdout.write;
  try {
    return await run();
  } finally {
    process.stdout.write = write;
    for (const line of text.split('\n').filter((l) => l.startsWith('{'))) {
      const doc = JSON.parse(line) as Record<string, unknown> & { _aws: { CloudWatchMetrics: { Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] } };
      for (const directive of doc._aws.CloudWatchMetrics) {
        for (const dims of directive.Dimensions) {
          published.push({
            dimensions: Object.fromEntries(dims.filter((d) => d !== 'service').map((d) => [d, String(doc[d])])),
            metrics: Object.fromEntries(directive.Metrics.map((m) => [m.Name, { unit: m.Unit, value: doc[m.Name] as number }])),
          });
        }
      }
    }
  }
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
      metrics: new Metrics({ namespace: 'SimpliWebhookBridge', serviceName: 'simpli-webhook-bridge' }),
    });
    const error = await publishedWhile(published, () => handler({}, { getRemainingTimeInMillis: () => 300_000 }).catch((e: unknown) => e));
    expect(String(error)).toMatch(/reconciliation failed for freshdesk: HELPDESK_CONFIG.freshdesk is not set/);
    // 30 tickets, every third solved: 30 + 10 events; the first 20 (7 solved) came by webhook.
    expect(published).toEqual([
      { dimensions: { provider: 'zendesk' }, metrics: { EventsRecovered: { unit: 'Count', value: 13 }, ReconcileLag: expect.objectContaining({ unit: 'Seconds' }) } },
    ]);
    await rig.h.drain();
    expect(rig.simpliCalls('/route').size).toBe(30);
  });
});

/**
 * A replay after the Ledger forgot the event (issue #13 finding 5). For schemes whose signature has
 * no timestamp, the body's own time (signed with it where the scheme signs the body) is compared
 * with the Ledger's TTL: an event older than the Ledger remembers is ignored, never processed again.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createKit } from './redteam-kit.ts';

const DAY_MS = 86_400_000;
const NOW_MS = Date.UTC(2026, 11, 3, 12, 0, 0);
const fixture = (path: string) => readFileSync(new URL(`../fixtures/${path}`, import.meta.url), 'utf8');
const intercomAt = (ms: number) => JSON.stringify({ ...JSON.parse(fixture('intercom/conversation-user-replied.json')), created_at: Math.floor(ms / 1000), first_sent_at: Math.floor(ms / 1000) });
const salesforceAt = (ms: number) => fixture('salesforce/case-created.xml').replace(/<sf:LastModifiedDate>[^<]*</, `<sf:LastModifiedDate>${new Date(ms).toISOString()}<`);

describe('events older than the Ledger remembers are ignored as replays', () => {
  const kit = createKit({ nowMs: NOW_MS, ledgerTtlDays: 30 });

  it('Intercom: a notification created 31 days ago is ignored (200), one of yesterday is queued', async () => {
    const old = await kit.post('intercom', '/webhooks/intercom', intercomAt(NOW_MS - 31 * DAY_MS));
    expect(old).toMatchObject({ status: 200, body: { status: 'ignored' }, events: [] });
    expect(String(old.body.reason)).toMatch(/longer ago than the Ledger remembers/);
    const fresh = await kit.post('intercom', '/webhooks/intercom', intercomAt(NOW_MS - DAY_MS));
    expect(fresh).toMatchObject({ status: 202 });
    expect(fresh.events).toHaveLength(1);
  });

  it('the day of margin for clock skew: 29.5 days old is refused with a 30-day Ledger', async () => {
    const r = await kit.post('intercom', '/webhooks/intercom', intercomAt(NOW_MS - 29.5 * DAY_MS));
    expect(r.events).toEqual([]);
  });

  it('Salesforce: a Case modified 40 days ago is acknowledged and not queued; a fresh one is queued', async () => {
    const old = await kit.post('salesforce', '/webhooks/salesforce/ticket-created', salesforceAt(NOW_MS - 40 * DAY_MS));
    expect(old.status).toBe(200);
    expect(old.events).toEqual([]);
    const fresh = await kit.post('salesforce', '/webhooks/salesforce/ticket-created', salesforceAt(NOW_MS - 60_000));
    expect(fresh.events).toHaveLength(1);
  });

  it('without a Ledger TTL configured nothing is refused by age', async () => {
    const open = createKit({ nowMs: NOW_MS });
    const r = await open.post('intercom', '/webhooks/intercom', intercomAt(NOW_MS - 400 * DAY_MS));
    expect(r.events).toHaveLength(1);
  });
});

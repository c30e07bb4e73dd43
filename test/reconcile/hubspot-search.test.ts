/**
 * HubSpot's ticket search pages through at most 10,000 results per query (a 400 beyond; the CRM
 * search guide). lib/providers/hubspot/list.ts therefore starts a new query from the last seen
 * hs_lastmodifieddate after every page, and pages with `after` only through tickets sharing one
 * millisecond. Against the strict fake (window shrunk to 30 results) with the OpenAPI check on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UpstreamError } from '../../lib/errors.ts';
import { createHttpClient } from '../../lib/http.ts';
import { hubspotLister } from '../../lib/providers/hubspot/list.ts';
import type { ListPage } from '../../lib/reconcile/types.ts';
import { HUBSPOT_TOKEN, hubspotTicket, startFakeHubSpot, type FakeHubSpot } from '../support/fake-hubspot.ts';
import { startFakeServer, type FakeServer } from '../support/fake-server.ts';
import { helpdeskContract } from '../support/helpdesk-contracts.ts';

const T0 = Date.UTC(2026, 10, 2, 9, 0, 0);

describe('HubSpot ticket search past the result window', () => {
  let fake: FakeHubSpot;
  let server: FakeServer;
  const http = createHttpClient({ sleep: async () => {} });
  const settings = () => ({ baseUrl: server.url, accessToken: HUBSPOT_TOKEN, searchPageSize: 10, searchWindow: 30 });

  async function listAll(sinceMs: number): Promise<{ ids: string[]; pages: number }> {
    const ids: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page: ListPage = await hubspotLister.listPage(http, settings(), { sinceMs, cursor });
      pages++;
      ids.push(...page.records.map((r) => r.ticketId));
      cursor = page.next;
    } while (cursor !== undefined && pages < 100);
    return { ids, pages };
  }

  beforeAll(async () => {
    fake = startFakeHubSpot({ now: () => T0 + 86_400_000, window: 30 });
    server = await startFakeServer(fake.respond, { contract: helpdeskContract });
  });
  afterAll(async () => {
    server.assertNoViolations();
    await server.stop();
  });

  it('lists 100 tickets, 3× the window, each at least once, by new queries from the last hs_lastmodifieddate', async () => {
    fake.tickets.clear();
    for (let i = 0; i < 100; i++) fake.tickets.set(String(7000 + i), hubspotTicket(7000 + i, T0 + i * 1000, i % 4 === 0));
    const { ids, pages } = await listAll(T0);
    expect(new Set(ids)).toEqual(new Set(Array.from({ length: 100 }, (_, i) => String(7000 + i))));
    // Each new query re-lists the previous page's last ticket (GTE): 10 + 10 × 9 new = 100 in 11 pages.
    expect(pages).toBe(11);
    const afters = fake.searches.map((r) => (r.body as { after: string }).after);
    expect(new Set(afters)).toEqual(new Set(['0']));
  });

  it('pages with after through tickets that share one millisecond, within the window', async () => {
    fake.tickets.clear();
    fake.searches.length = 0;
    for (let i = 0; i < 25; i++) fake.tickets.set(String(8000 + i), hubspotTicket(8000 + i, T0, false));
    for (let i = 0; i < 5; i++) fake.tickets.set(String(8100 + i), hubspotTicket(8100 + i, T0 + 5000, false));
    const { ids } = await listAll(T0);
    expect(new Set(ids).size).toBe(30);
    // 25 share T0: offsets 0, 10, 20 in one query; the third page reaches the 5 later ones and the end.
    expect(fake.searches.map((r) => (r.body as { after: string }).after)).toEqual(['0', '10', '20']);
  });

  it('says so, instead of skipping, when more tickets share one millisecond than the window holds', async () => {
    fake.tickets.clear();
    for (let i = 0; i < 45; i++) fake.tickets.set(String(9000 + i), hubspotTicket(9000 + i, T0, false));
    const error = await listAll(T0).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamError);
    expect((error as UpstreamError).reason).toBe('search_window');
    expect((error as Error).message).toMatch(/more than 30 tickets share hs_lastmodifieddate 2026-11-02T09:00:00.000Z/);
  });
});

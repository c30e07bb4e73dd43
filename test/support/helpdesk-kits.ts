/** The fake helpdesks reconciliation is tested against, as rig kits. */
import { freshdeskProvider } from '../../lib/providers/freshdesk/index.ts';
import { zendeskProvider } from '../../lib/providers/zendesk/index.ts';
import { FRESHDESK_API_KEY, freshdeskTicket, freshdeskWebhooks, startFakeFreshdesk, type FakeFreshdesk } from './fake-freshdesk.ts';
import { startFakeZendesk, ZENDESK_EMAIL, ZENDESK_TOKEN, zendeskTicket, zendeskWebhooks, type FakeZendesk } from './fake-zendesk.ts';
import type { HelpdeskKit } from './reconcile-rig.ts';

export function zendeskKit(options: { pageSize: number; rateLimitEvery?: number }) {
  return (clock: () => number, baseUrl: () => string): HelpdeskKit & { fake: FakeZendesk } => {
    const fake = startFakeZendesk({ now: clock, baseUrl, ...(options.rateLimitEvery === undefined ? {} : { rateLimitEvery: options.rateLimitEvery }) });
    return {
      provider: 'zendesk',
      implementation: zendeskProvider,
      fake,
      respond: fake.respond,
      rateLimited: fake.rateLimited,
      settings: (url) => ({ baseUrl: url, email: ZENDESK_EMAIL, apiToken: ZENDESK_TOKEN, exportPageSize: options.pageSize }),
      addTicket: (id, createdAtMs, solved) => void fake.tickets.set(id, zendeskTicket(id, createdAtMs, solved ? 'solved' : 'open')),
      webhooks: (id) => {
        const ticket = fake.tickets.get(id);
        return ticket === undefined ? [] : zendeskWebhooks(ticket).map((body) => ({ path: '/webhooks/zendesk', body }));
      },
      writeBacks: (id) => fake.writeBacks(id),
    };
  };
}

export function freshdeskKit(options: { pageSize: number; rateLimitEvery?: number }) {
  return (clock: () => number): HelpdeskKit & { fake: FakeFreshdesk } => {
    const fake = startFakeFreshdesk({ now: clock, ...(options.rateLimitEvery === undefined ? {} : { rateLimitEvery: options.rateLimitEvery }) });
    return {
      provider: 'freshdesk',
      implementation: freshdeskProvider,
      fake,
      respond: fake.respond,
      rateLimited: fake.rateLimited,
      settings: (url) => ({ baseUrl: url, apiKey: FRESHDESK_API_KEY, listPageSize: options.pageSize }),
      addTicket: (id, createdAtMs, solved) => void fake.tickets.set(id, freshdeskTicket(id, createdAtMs, solved)),
      webhooks: (id) => {
        const ticket = fake.tickets.get(id);
        return ticket === undefined ? [] : freshdeskWebhooks(ticket);
      },
      writeBacks: (id) => fake.writeBacks(id),
    };
  };
}

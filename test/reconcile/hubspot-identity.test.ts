/**
 * A HubSpot event has one identity whichever path brings it: the webhook notification
 * (test/fixtures/hubspot, HubSpot's documented notification fields) and the ticket record the
 * search API returns for the same ticket (api-ticket.json, the CRM object shape of
 * crm-tickets-v3.json `SimplePublicObject`). Expected ids are written by hand.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hubspotProvider } from '../../lib/providers/hubspot/index.ts';
import { recordOf } from '../../lib/providers/hubspot/list.ts';
import { readSettings } from '../../lib/providers/hubspot/settings.ts';
import type { ProviderSettings } from '../../lib/providers/types.ts';

const text = (name: string) => readFileSync(new URL(`../fixtures/hubspot/${name}`, import.meta.url), 'utf8');
const apiTicket = JSON.parse(text('api-ticket.json')) as { id: string; properties: Record<string, unknown> };

function webhookIds(body: unknown, settings: ProviderSettings = {}): string[] {
  const raw = JSON.stringify(body);
  const result = hubspotProvider.parse({ method: 'POST', url: 'https://bridge.example.com/webhooks/hubspot', rawBody: Buffer.from(raw), headers: {}, query: {} }, settings);
  return result.kind === 'events' ? result.events.map((e) => `hubspot:${e.identity}`) : [];
}

function listedIds(record: unknown, eventType: string, settings: ProviderSettings = {}): string[] {
  return recordOf(record, readSettings(settings)).flatMap((r) => r.events.filter((e) => e.eventType === eventType).map((e) => `hubspot:${e.identity}`));
}

const closed = (stage: string) => ({ ...apiTicket, properties: { ...apiTicket.properties, hs_pipeline_stage: stage, closed_date: '2025-07-15T22:12:00.000Z' } });

describe('HubSpot identity: the webhook notification and the search result of one ticket', () => {
  it('ticket.creation → hubspot:ticket.created:3052741912 on both paths', () => {
    expect(webhookIds(JSON.parse(text('ticket-creation.json')))).toEqual(['hubspot:ticket.created:3052741912']);
    expect(listedIds(apiTicket, 'ticket.created')).toEqual(['hubspot:ticket.created:3052741912']);
  });

  it('hs_pipeline_stage → "4" and the ticket in stage 4 → hubspot:ticket.resolved:3052741912 on both paths', () => {
    expect(webhookIds(JSON.parse(text('ticket-closed.json')))).toEqual(['hubspot:ticket.resolved:3052741912']);
    expect(listedIds(closed('4'), 'ticket.resolved')).toEqual(['hubspot:ticket.resolved:3052741912']);
    // Stage 1 (New): no resolution on either path.
    expect(listedIds(apiTicket, 'ticket.resolved')).toEqual([]);
  });

  it('custom pipelines: closedStageIds decide on both paths alike', () => {
    const settings = { closedStageIds: ['81726354'] };
    const notification = (JSON.parse(text('ticket-closed.json')) as Record<string, unknown>[]).map((n) => ({ ...n, propertyValue: '81726354' }));
    expect(webhookIds(notification, settings)).toEqual(['hubspot:ticket.resolved:3052741912']);
    expect(listedIds(closed('81726354'), 'ticket.resolved', settings)).toEqual(['hubspot:ticket.resolved:3052741912']);
    expect(listedIds(closed('4'), 'ticket.resolved', settings)).toEqual([]);
  });

  it('the listed resolution is dated by closed_date (the ordering rules read occurredAt), the creation by createdAt', () => {
    const [record] = recordOf(closed('4'), readSettings({}));
    expect(record?.events.map((e) => [e.eventType, (e.payload as { occurredAt: number }).occurredAt])).toEqual([
      ['ticket.created', Date.parse('2025-07-15T21:12:00.733Z')],
      ['ticket.resolved', Date.parse('2025-07-15T22:12:00.000Z')],
    ]);
  });
});

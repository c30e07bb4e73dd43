/**
 * The Ledger's per-ticket ordering state on real DynamoDB (dynalite): the lock, the conditional
 * marks, and two writers racing for one ticket.
 */
import { type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TicketBusyError } from '../../lib/errors.ts';
import type { Ledger, TicketLockInput } from '../../lib/ledger.ts';
import { decideOrdering, type TicketMark } from '../../lib/ordering.ts';
import { formatTicketState } from '../../infra/inspect.ts';
import { startDynaliteLedger } from '../support/ledger-table.ts';

describe('Ledger ticket state on DynamoDB (dynalite)', () => {
  let stopLedger: () => Promise<void>;
  let client: DynamoDBClient;
  let ledger: Ledger;
  const T0 = Date.UTC(2026, 10, 27);
  const lock = (ticketId: string, owner: string, nowMs = T0, extra: Partial<TicketLockInput> = {}) =>
    tickets().acquire({ provider: 'zendesk', ticketId, owner, nowMs, leaseSeconds: 60, ttlSeconds: 3600, ...extra });
  const tickets = () => {
    if (ledger.tickets === undefined) throw new Error('createLedger must provide ticket states');
    return ledger.tickets;
  };
  const commit = (ticketId: string, owner: string, advance: Record<string, TicketMark>, resolved?: TicketMark) =>
    tickets().commit({ provider: 'zendesk', ticketId, owner, nowMs: T0 + 1, ttlSeconds: 3600, advance, resolved });

  beforeAll(async () => {
    ({ client, ledger, stop: stopLedger } = await startDynaliteLedger());
  });
  afterAll(async () => {
    await stopLedger?.();
  });

  it('keeps the state in an item of its own, keyed ticket#<provider>#<id>, with no event attributes', async () => {
    expect((await lock('k1', 'a')).kind).toBe('acquired');
    await commit('k1', 'a', { triage: { atMs: 100, eventId: 'zendesk:ticket.created:k1' } });
    const item = await client.send(new GetItemCommand({ TableName: 'Ledger', Key: { eventId: { S: 'ticket#zendesk#k1' } } }));
    expect(item.Item?.triageAt?.N).toBe('100');
    expect(item.Item?.triageEvent?.S).toBe('zendesk:ticket.created:k1');
    expect(item.Item?.ticketId).toBeUndefined();
    expect(item.Item?.status).toBeUndefined();
    expect(item.Item?.lockOwner).toBeUndefined();
    expect(Number(item.Item?.expiresAt?.N)).toBe(Math.floor((T0 + 1) / 1000) + 3600);
  });

  it('gives the lock to one holder at a time, to the same holder again, and to anyone once it expires', async () => {
    expect((await lock('k2', 'a')).kind).toBe('acquired');
    const busy = await lock('k2', 'b', T0 + 59_000);
    expect(busy.kind).toBe('busy');
    expect((await lock('k2', 'a', T0 + 1_000)).kind).toBe('acquired');
    expect((await lock('k2', 'b', T0 + 62_000)).kind).toBe('acquired');
  });

  it('returns the marks recorded by earlier commits when the lock is taken', async () => {
    await lock('k3', 'a');
    await commit('k3', 'a', { qa: { atMs: 300, eventId: 'r' }, triage: { atMs: 300, eventId: 'r' } }, { atMs: 300, eventId: 'r' });
    const next = await lock('k3', 'b');
    expect(next).toEqual({
      kind: 'acquired',
      state: { marks: { triage: { atMs: 300, eventId: 'r' }, qa: { atMs: 300, eventId: 'r' } }, resolved: { atMs: 300, eventId: 'r' } },
    });
  });

  it('releases the lock on commit and on release', async () => {
    await lock('k4', 'a');
    await commit('k4', 'a', {});
    expect((await lock('k4', 'b')).kind).toBe('acquired');
    await tickets().release('zendesk', 'k4', 'b');
    expect((await lock('k4', 'c')).kind).toBe('acquired');
    expect((await tickets().get('zendesk', 'k4'))?.lockOwner).toBe('c');
  });

  it('refuses a commit from a holder whose lock was taken over, with TicketBusyError', async () => {
    await lock('k5', 'a');
    await lock('k5', 'b', T0 + 61_000);
    const late = commit('k5', 'a', { sentiment: { atMs: 100, eventId: 'm1' } });
    await expect(late).rejects.toBeInstanceOf(TicketBusyError);
    await expect(late).rejects.toMatchObject({ reason: 'ticket_lock_lost' });
    expect((await tickets().get('zendesk', 'k5'))?.marks.sentiment).toBeUndefined();
  });

  it('never moves a mark back, even for a holder of the lock', async () => {
    await lock('k6', 'a');
    await commit('k6', 'a', { sentiment: { atMs: 200, eventId: 'm2' } });
    await lock('k6', 'b');
    await expect(commit('k6', 'b', { sentiment: { atMs: 100, eventId: 'm1' } })).rejects.toBeInstanceOf(TicketBusyError);
    await expect(commit('k6', 'b', { sentiment: { atMs: 200, eventId: 'm0' } })).rejects.toBeInstanceOf(TicketBusyError);
    await commit('k6', 'b', { sentiment: { atMs: 200, eventId: 'm2' } });
    expect((await tickets().get('zendesk', 'k6'))?.marks.sentiment).toEqual({ atMs: 200, eventId: 'm2' });
  });

  it('is shown by npm run inspect for a ticket id: who wrote each group, the resolution, a held lock', async () => {
    await lock('k7', 'a');
    await commit('k7', 'a', { triage: { atMs: Date.UTC(2024, 3, 19, 14, 30), eventId: 'zendesk:ticket.resolved:k7:r1' }, qa: { atMs: Date.UTC(2024, 3, 19, 14, 30), eventId: 'zendesk:ticket.resolved:k7:r1' } }, { atMs: Date.UTC(2024, 3, 19, 14, 30), eventId: 'zendesk:ticket.resolved:k7:r1' });
    await lock('k7', 'consumer-2', T0);
    const state = await tickets().get('zendesk', 'k7');
    if (state === undefined) throw new Error('no state');
    expect(formatTicketState('zendesk', 'k7', state, T0).split('\n')).toEqual([
      'ticket zendesk k7 (ordering)',
      '  triage    written from zendesk:ticket.resolved:k7:r1 (helpdesk time 2024-04-19T14:30:00.000Z)',
      '  sentiment not written',
      '  qa        written from zendesk:ticket.resolved:k7:r1 (helpdesk time 2024-04-19T14:30:00.000Z)',
      '  resolved  zendesk:ticket.resolved:k7:r1 at 2024-04-19T14:30:00.000Z',
      `  lock      held by consumer-2 until ${new Date(T0 + 60_000).toISOString()}`,
    ]);
  });

  it('lets exactly one of two concurrent writers hold a ticket', async () => {
    for (let round = 0; round < 10; round++) {
      const results = await Promise.all([lock(`race-${round}`, 'a'), lock(`race-${round}`, 'b')]);
      expect(results.filter((r) => r.kind === 'acquired')).toHaveLength(1);
    }
  });

  it('ends with the newer of two concurrent writers, and only the winner of each turn writes fields', async () => {
    // Each writer: take the lock (retrying while busy), decide, "write", commit. The log records the
    // writes that carried fields, in the order they happened.
    for (let round = 0; round < 5; round++) {
      const ticketId = `pair-${round}`;
      const log: string[] = [];
      let holders = 0;
      const writer = async (eventId: string, atMs: number) => {
        for (;;) {
          const got = await lock(ticketId, eventId);
          if (got.kind === 'busy') {
            await new Promise((resolve) => setTimeout(resolve, 5));
            continue;
          }
          holders++;
          expect(holders).toBe(1);
          const decision = decideOrdering(got.state, { eventType: 'message.created', atMs, eventId }, { sentiment: { score: 0, label: 'neutral' } });
          if (decision.staleSteps.length === 0) log.push(eventId);
          await new Promise((resolve) => setTimeout(resolve, 3));
          holders--;
          await commit(ticketId, eventId, decision.advance);
          return;
        }
      };
      // Alternate which one starts first.
      const older = () => writer('old', 100);
      const newer = () => writer('new', 200);
      await Promise.all(round % 2 === 0 ? [older(), newer()] : [newer(), older()]);
      expect(log.at(-1)).toBe('new');
      expect(log.filter((id) => id === 'new')).toHaveLength(1);
      expect((await tickets().get('zendesk', ticketId))?.marks.sentiment).toEqual({ atMs: 200, eventId: 'new' });
    }
  });
});

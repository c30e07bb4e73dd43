/**
 * Reconciliation and backfill on the real handlers (fauxqs + dynalite) with a fake helpdesk API:
 * a rig per provider kit, seeding tickets of which only some came by webhook, and the checks that
 * each ticket was processed exactly once (counted at the fake Simpli and the fake helpdesk).
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { expect } from 'vitest';
import { backfillProvider, reconcileProvider, type BackfillOptions, type ReconcileDeps, type RunOptions } from '../../functions/reconcile/app.ts';
import { signers } from '../../infra/sign/index.ts';
import { createHttpClient } from '../../lib/http.ts';
import type { Provider, ProviderName, ProviderSettings } from '../../lib/providers/types.ts';
import type { PassReport } from '../../lib/reconcile/pass.ts';
import { createWatermarkStore, type WatermarkStore } from '../../lib/reconcile/watermark.ts';
import { DEFAULT_SECRET, startHarness, type Harness } from './bridge-harness.ts';
import { preloadContract } from './helpdesk-contracts.ts';
import type { Responder } from './fake-server.ts';

export const HOUR = 3_600_000;

/** A fake helpdesk as the rig needs it. */
export interface HelpdeskKit {
  readonly provider: ProviderName;
  readonly implementation: Provider;
  readonly respond: Responder;
  readonly rateLimited: readonly number[];
  settings(url: string): ProviderSettings;
  addTicket(id: number, createdAtMs: number, solved: boolean): void;
  /** The webhooks the helpdesk would have sent; `headers` when the provider's signer cannot make them. */
  webhooks(id: number): { path: string; body: string; headers?: Record<string, string> }[];
  writeBacks(id: number): number;
  /** The helpdesk's ticket id for a seeded number (Salesforce: an 18-character Case id); default String(id). */
  ticketId?(id: number): string;
  /**
   * The write counts a solved ticket may show, given an open one's: its creation processed before
   * or after its resolution (README "Ordering"). Default: the open count, or one more.
   */
  solvedWrites?(openWrites: number): readonly number[];
  /** Customer messages seeded per ticket, for a kit that seeds them (each a `message.created`). */
  readonly messagesPerTicket?: number;
  /** The texts of a ticket's customer messages (each analysed once when processed). */
  messageTexts?(id: number): string[];
}

export interface Rig {
  readonly h: Harness;
  readonly kit: HelpdeskKit;
  readonly watermarks: WatermarkStore;
  readonly sleeps: number[];
  readonly deps: ReconcileDeps;
  advance(ms: number): void;
  /** The rig's clock (the fake helpdesk's and the passes'), ahead of Date.now() by what advance() added. */
  now(): number;
  reconcile(options?: RunOptions): Promise<PassReport>;
  backfill(options: BackfillOptions): Promise<PassReport>;
  simpliCalls(path: string): Map<string, number>;
  stop(): Promise<void>;
}

export async function startRig(makeKit: (clock: () => number, baseUrl: () => string) => HelpdeskKit): Promise<Rig> {
  let offsetMs = 0;
  const clock = () => Date.now() + offsetMs;
  let baseUrl = '';
  const kit = makeKit(clock, () => baseUrl);
  const h = await startHarness({
    providers: { [kit.provider]: kit.implementation },
    secrets: { [kit.provider]: [DEFAULT_SECRET] },
    settings: (url) => ({ [kit.provider]: kit.settings(url) }),
    helpdesk: kit.respond,
  });
  baseUrl = h.helpdesk.url;
  // Before any event is processed: the first check of a request against a large vendor file would
  // stall the seeding's Simpli calls past their timeout, and the events would be retried.
  await preloadContract(kit.provider);
  const dynamodb = new DynamoDBClient({ ...h.emulators.clientConfig, endpoint: h.emulators.dynamodbEndpoint });
  const sleeps: number[] = [];
  const deps: ReconcileDeps = {
    dynamodb,
    sqs: h.sqs,
    queueUrl: h.queueUrl,
    tableName: h.tableName,
    settingsFor: async (p) => (p === kit.provider ? kit.settings(h.helpdesk.url) : undefined),
    limits: { maxPages: 100, overlapSeconds: 300, lookbackSeconds: 3600, leaseSeconds: 60 },
    now: clock,
    // Retry-After is honoured: recorded here instead of slept through.
    http: (deadlineMs) => createHttpClient({ now: clock, deadlineMs, sleep: async (ms) => void sleeps.push(ms) }),
  };
  return {
    h,
    kit,
    watermarks: createWatermarkStore(dynamodb, h.tableName),
    sleeps,
    deps,
    advance: (ms) => {
      offsetMs += ms;
    },
    now: clock,
    reconcile: (options = {}) => reconcileProvider(deps, kit.provider, options),
    backfill: (options) => backfillProvider(deps, kit.provider, options),
    simpliCalls(path) {
      const counts = new Map<string, number>();
      for (const r of h.simpli.calls('POST', path)) {
        const body = r.body as { ticket_id?: unknown; conversation_id?: unknown };
        const id = String(body.ticket_id ?? body.conversation_id);
        counts.set(id, (counts.get(id) ?? 0) + 1);
      }
      return counts;
    },
    async stop() {
      dynamodb.destroy();
      await h.stop();
    },
  };
}

/**
 * `count` tickets created between 4 and 2 hours ago, evenly; every third solved an hour later. Webhooks reached the bridge for the first `viaWebhook`; the queue is drained.
 */
export async function seed(rig: Rig, firstId: number, count = 100, viaWebhook = 70): Promise<{ ids: number[]; solved: Set<number>; startMs: number }> {
  const start = Date.now() - 4 * HOUR;
  const ids = Array.from({ length: count }, (_, i) => firstId + i);
  const solved = new Set(ids.filter((_, i) => i % 3 === 0));
  const sign = signers[rig.kit.provider];
  for (const [i, id] of ids.entries()) {
    rig.kit.addTicket(id, start + Math.floor((i * 2 * HOUR) / count), solved.has(id));
    if (i >= viaWebhook) continue;
    for (const hook of rig.kit.webhooks(id)) {
      const { path, body } = hook;
      const url = `https://bridge.example.com${path}`;
      const headers = hook.headers ?? sign?.({ method: 'POST', url, body: Buffer.from(body), secret: DEFAULT_SECRET, nowMs: Date.now() }).headers ?? {};
      // 202, or 200 with the SOAP Ack for Salesforce; that they were processed is checked after the drain.
      expect([200, 202]).toContain((await rig.h.post(path, body, headers)).statusCode);
    }
  }
  await rig.h.drain(500);
  // The write-backs moved updated_at to now; listings may hide the last minute of changes.
  rig.advance(2 * 60_000);
  return { ids, solved, startMs: start };
}

export function expectEachProcessedOnce(rig: Rig, ids: readonly number[], solved: ReadonlySet<number>): void {
  const routed = rig.simpliCalls('/route');
  const evaluated = rig.simpliCalls('/evaluate');
  const ticketId = (id: number) => rig.kit.ticketId?.(id) ?? String(id);
  for (const id of ids) {
    expect(routed.get(ticketId(id)), `ticket ${id} triaged`).toBe(1);
    expect(evaluated.get(ticketId(id)) ?? 0, `ticket ${id} QA`).toBe(solved.has(id) ? 1 : 0);
  }
  if (rig.kit.messageTexts !== undefined) {
    const analysed = new Map<string, number>();
    for (const r of rig.h.simpli.calls('POST', '/analyze')) {
      const text = String((r.body as { text?: unknown }).text);
      analysed.set(text, (analysed.get(text) ?? 0) + 1);
    }
    for (const id of ids) {
      const texts = rig.kit.messageTexts(id);
      expect(texts, `ticket ${id} messages`).toHaveLength(rig.kit.messagesPerTicket ?? -1);
      for (const text of texts) expect(analysed.get(text), `ticket ${id} message "${text}" analysed`).toBe(1);
    }
  }
  // Every ticket of a kind got the same write-backs, whichever path brought its events — up to the
  // ordering rules (README "Ordering"): an event older than one processed before it writes only its
  // note. A solved ticket's creation processed after its resolution is one such; with customer
  // messages, so is a creation processed after the (newer) message: its sentiment tags are then the
  // message's alone. Each of these can save one write, never add one.
  const open = ids.filter((id) => !solved.has(id));
  const closed = ids.filter((id) => solved.has(id));
  const writes = (id: number) => rig.kit.writeBacks(id);
  const most = Math.max(...open.map(writes));
  // A ticket whose customer messages were processed before its creation writes one field group fewer.
  const slack = rig.kit.messagesPerTicket === undefined ? 0 : 1;
  expect(most).toBeGreaterThan(0);
  for (const id of open) expect(writes(id), `ticket ${id} writes`).toBeGreaterThanOrEqual(most - slack);
  // A solved ticket also gets its QA write. Its creation writes fields only when processed before
  // the resolution: processed after it (same batch, any order) it writes only its note (the ordering
  // rules, README "Ordering"), so a solved ticket has at least the open ones' count, at most one more.
  const solvedWrites = slack === 0 ? (rig.kit.solvedWrites?.(most) ?? [most, most + 1]) : undefined;
  for (const id of closed) {
    if (solvedWrites !== undefined) {
      expect(solvedWrites, `ticket ${id} writes`).toContain(writes(id));
      continue;
    }
    expect(writes(id), `ticket ${id} writes`).toBeLessThanOrEqual(most + 1);
    expect(writes(id), `ticket ${id} writes`).toBeGreaterThanOrEqual(most - slack);
  }
}

export const runId = () => randomUUID();

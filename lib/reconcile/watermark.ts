/**
 * The per-provider reconciliation watermark, an item of its own in the Ledger table under the key
 * `reconcile:watermark:{provider}` (no provider is named `reconcile`, so it can never meet an
 * event key, and it has no TTL). It holds:
 * - `watermarkMs`: every change before it has been reconciled (the largest `updated_at` seen by a
 *   finished pass; a pass starts an overlap window earlier, for clock skew and late writes);
 * - `cursor` + `passSinceMs`: where an unfinished pass stopped, so the next run continues there;
 * - a lease (`leaseOwner`, `leaseUntil`), taken with a conditional write: two runs never both
 *   list or advance the watermark; every progress write is conditional on still holding it.
 */
import { ConditionalCheckFailedException, GetItemCommand, UpdateItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LeaseConflictError } from '../errors.ts';
import { LEDGER_KEY } from '../ledger.ts';
import type { ProviderName } from '../providers/types.ts';

export const WATERMARK_PREFIX = 'reconcile:watermark:';

export interface WatermarkState {
  readonly watermarkMs: number | undefined;
  readonly cursor: string | undefined;
  readonly passSinceMs: number | undefined;
  /** Largest updated_at seen so far by the unfinished pass. */
  readonly passMaxMs: number | undefined;
  readonly lastRunAt: string | undefined;
}

export interface WatermarkStore {
  get(provider: ProviderName): Promise<WatermarkState>;
  /** Takes the provider's lease; LeaseConflictError('reconcile_busy') when another run holds it. */
  acquire(provider: ProviderName, owner: string, nowMs: number, leaseSeconds: number): Promise<WatermarkState>;
  /** Records where the pass stopped (after the page's events were enqueued). */
  progress(provider: ProviderName, owner: string, update: { cursor: string; passSinceMs: number; passMaxMs: number }, nowMs: number): Promise<void>;
  /** The pass reached the end: advance the watermark (never backwards) and forget the cursor. */
  complete(provider: ProviderName, owner: string, watermarkMs: number, nowMs: number): Promise<void>;
  /** Gives the lease back (also after a failure; the cursor stays). */
  release(provider: ProviderName, owner: string): Promise<void>;
}

export function createWatermarkStore(client: DynamoDBClient, tableName: string): WatermarkStore {
  const key = (provider: ProviderName) => ({ [LEDGER_KEY]: { S: `${WATERMARK_PREFIX}${provider}` } });
  const lost = (provider: ProviderName, cause: unknown) =>
    new LeaseConflictError('reconcile_lease_lost', `another reconciliation run of ${provider} took over: this one stops without advancing the watermark`, { cause });

  async function conditional(provider: ProviderName, input: ConstructorParameters<typeof UpdateItemCommand>[0]) {
    try {
      return await client.send(new UpdateItemCommand(input));
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw lost(provider, error);
      throw error;
    }
  }

  async function get(provider: ProviderName): Promise<WatermarkState> {
    const out = await client.send(new GetItemCommand({ TableName: tableName, Key: key(provider), ConsistentRead: true }));
    return stateOf(out.Item);
  }

  return {
    get,

    async acquire(provider, owner, nowMs, leaseSeconds) {
      try {
        const out = await client.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: key(provider),
            ConditionExpression: 'attribute_not_exists(leaseUntil) OR leaseUntil < :nowMs',
            UpdateExpression: 'SET leaseOwner = :owner, leaseUntil = :until, lastRunAt = :now',
            ExpressionAttributeValues: {
              ':owner': { S: owner },
              ':nowMs': { N: String(nowMs) },
              ':until': { N: String(nowMs + leaseSeconds * 1000) },
              ':now': { S: new Date(nowMs).toISOString() },
            },
            ReturnValues: 'ALL_NEW',
          }),
        );
        return stateOf(out.Attributes);
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        throw new LeaseConflictError('reconcile_busy', `another reconciliation run of ${provider} is in progress: try again when it ends (its lease lasts at most ${leaseSeconds} s)`, { cause: error });
      }
    },

    async progress(provider, owner, update, nowMs) {
      await conditional(provider, {
        TableName: tableName,
        Key: key(provider),
        ConditionExpression: 'leaseOwner = :owner',
        UpdateExpression: 'SET #cursor = :cursor, passSinceMs = :since, passMaxMs = :max, updatedAt = :now',
        ExpressionAttributeNames: { '#cursor': 'cursor' },
        ExpressionAttributeValues: {
          ':owner': { S: owner },
          ':cursor': { S: update.cursor },
          ':since': { N: String(update.passSinceMs) },
          ':max': { N: String(update.passMaxMs) },
          ':now': { S: new Date(nowMs).toISOString() },
        },
      });
    },

    async complete(provider, owner, watermarkMs, nowMs) {
      // Never backwards (a `--since` run over an old period leaves a newer watermark alone). We hold
      // the lease, so no other run writes between this read and the conditional write.
      const current = await get(provider);
      const next = Math.max(watermarkMs, current.watermarkMs ?? watermarkMs);
      await conditional(provider, {
        TableName: tableName,
        Key: key(provider),
        ConditionExpression: 'leaseOwner = :owner',
        UpdateExpression: 'SET watermarkMs = :wm, updatedAt = :now REMOVE #cursor, passSinceMs, passMaxMs',
        ExpressionAttributeNames: { '#cursor': 'cursor' },
        ExpressionAttributeValues: { ':owner': { S: owner }, ':wm': { N: String(next) }, ':now': { S: new Date(nowMs).toISOString() } },
      });
    },

    async release(provider, owner) {
      try {
        await client.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: key(provider),
            ConditionExpression: 'leaseOwner = :owner',
            UpdateExpression: 'REMOVE leaseOwner, leaseUntil',
            ExpressionAttributeValues: { ':owner': { S: owner } },
          }),
        );
      } catch (error) {
        // Someone else holds it now: nothing of ours to release.
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    },
  };
}

function stateOf(item: Record<string, AttributeValue> | undefined): WatermarkState {
  const n = (name: string) => (item?.[name]?.N === undefined ? undefined : Number(item[name].N));
  return {
    watermarkMs: n('watermarkMs'),
    cursor: item?.cursor?.S,
    passSinceMs: n('passSinceMs'),
    passMaxMs: n('passMaxMs'),
    lastRunAt: item?.lastRunAt?.S,
  };
}

/**
 * Which event ids the Ledger already holds (any status: done, processing, retrying or failed — an
 * event the pipeline has seen is the pipeline's to finish, through SQS or the DLQ's redrive).
 * BatchGetItem, 100 keys per request, only the key projected; unprocessed keys are asked again.
 */
import { BatchGetItemCommand, type BatchGetItemCommandOutput, type DynamoDBClient, type KeysAndAttributes } from '@aws-sdk/client-dynamodb';
import { LEDGER_KEY } from '../ledger.ts';

const MAX_KEYS = 100;
const MAX_ROUNDS = 8;

export async function knownEventIds(client: DynamoDBClient, tableName: string, eventIds: readonly string[]): Promise<Set<string>> {
  const known = new Set<string>();
  const unique = [...new Set(eventIds)];
  for (let i = 0; i < unique.length; i += MAX_KEYS) {
    let request: Record<string, KeysAndAttributes> | undefined = {
      [tableName]: {
        Keys: unique.slice(i, i + MAX_KEYS).map((id) => ({ [LEDGER_KEY]: { S: id } })),
        ProjectionExpression: '#pk',
        ExpressionAttributeNames: { '#pk': LEDGER_KEY },
        ConsistentRead: true,
      },
    };
    for (let round = 0; request !== undefined && Object.keys(request).length > 0; round++) {
      if (round >= MAX_ROUNDS) throw new Error(`the Ledger left keys unprocessed ${MAX_ROUNDS} times (throttled): run the reconciliation again later`);
      if (round > 0) await new Promise((r) => setTimeout(r, 50 * 2 ** round));
      const out: BatchGetItemCommandOutput = await client.send(new BatchGetItemCommand({ RequestItems: request }));
      for (const item of out.Responses?.[tableName] ?? []) {
        const id = item[LEDGER_KEY]?.S;
        if (id !== undefined) known.add(id);
      }
      request = out.UnprocessedKeys;
    }
  }
  return known;
}

/**
 * The Ledger table as template.yaml declares it (one string hash key, `eventId`, on demand),
 * created on the test's dynalite.
 */
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { startEmulators } from '../../infra/emulators.ts';
import { createLedger, type Ledger } from '../../lib/ledger.ts';

export async function createLedgerTable(client: DynamoDBClient, tableName = 'Ledger'): Promise<string> {
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      KeySchema: [{ AttributeName: 'eventId', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'eventId', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  return tableName;
}

/** A Ledger on its own dynalite (real emulators), its table created; `stop` closes both. */
export async function startDynaliteLedger(): Promise<{ readonly client: DynamoDBClient; readonly ledger: Ledger; stop(): Promise<void> }> {
  const emulators = await startEmulators();
  const client = new DynamoDBClient({ ...emulators.clientConfig, endpoint: emulators.dynamodbEndpoint });
  await createLedgerTable(client);
  return {
    client,
    ledger: createLedger(client, 'Ledger'),
    stop: async () => {
      client.destroy();
      await emulators.stop();
    },
  };
}

/**
 * The Ledger table as template.yaml declares it (one string hash key, `eventId`, on demand),
 * created on the test's dynalite.
 */
import { CreateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';

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

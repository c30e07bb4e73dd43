/**
 * Cold-start baseline for ProcessFunction: the AWS SDK clients it bundles (DynamoDB, SQS,
 * Secrets Manager), created as the real handler creates them (DynamoDB and SQS at load, Secrets
 * Manager on first use), and a handler that does nothing with them.
 */
import { DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';

const dynamodb = new DynamoDBClient({});
const sqs = new SQSClient({});
let secrets: SecretsManagerClient | undefined;

export const handler = async (event: { send?: boolean }) => {
  if (event.send === true) {
    await dynamodb.send(new UpdateItemCommand({ TableName: '', Key: {} }));
    await dynamodb.send(new GetItemCommand({ TableName: '', Key: {} }));
    await sqs.send(new SendMessageCommand({ QueueUrl: '', MessageBody: '' }));
    secrets ??= new SecretsManagerClient({});
    await secrets.send(new GetSecretValueCommand({ SecretId: '' }));
  }
  return { batchItemFailures: [] };
};

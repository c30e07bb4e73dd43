/**
 * Cold-start baseline for ReconcileFunction: the AWS SDK clients it bundles (DynamoDB, SQS,
 * Secrets Manager), created as the real handler creates them, and a handler that does nothing.
 */
import { BatchGetItemCommand, DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';

const dynamodb = new DynamoDBClient({});
const sqs = new SQSClient({});
let secrets: SecretsManagerClient | undefined;

export const handler = async (event: { send?: boolean }) => {
  if (event.send === true) {
    await dynamodb.send(new UpdateItemCommand({ TableName: '', Key: {} }));
    await dynamodb.send(new BatchGetItemCommand({ RequestItems: {} }));
    await sqs.send(new SendMessageBatchCommand({ QueueUrl: '', Entries: [] }));
    secrets ??= new SecretsManagerClient({});
    await secrets.send(new GetSecretValueCommand({ SecretId: '' }));
  }
  return { reports: [] };
};

/**
 * Cold-start baseline for IngestFunction: the AWS SDK clients it bundles (SQS, Secrets Manager),
 * created as the real handler creates them (SQS at load, Secrets Manager on first use), and a
 * handler that does nothing with them.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';

const sqs = new SQSClient({ maxAttempts: 2 });
let secrets: SecretsManagerClient | undefined;

export const handler = async (event: { send?: boolean }) => {
  if (event.send === true) {
    await sqs.send(new SendMessageBatchCommand({ QueueUrl: '', Entries: [] }));
    secrets ??= new SecretsManagerClient({});
    await secrets.send(new GetSecretValueCommand({ SecretId: '' }));
  }
  return { statusCode: 202 };
};

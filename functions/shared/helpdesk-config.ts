/**
 * HELPDESK_CONFIG as the consumer and the reconciler read it: inline JSON or a Secrets Manager
 * ARN, cached for SECRETS_CACHE_SECONDS; the Secrets Manager client is created on first use only.
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { parseHelpdeskConfig, type HelpdeskConfig, type SecretsSource } from '../../lib/config.ts';
import { jsonSource } from '../../lib/secrets.ts';

export function helpdeskConfigSource(config: { readonly helpdeskConfig: SecretsSource<HelpdeskConfig>; readonly secretsCacheSeconds: number }) {
  let secretsManager: SecretsManagerClient | undefined;
  return jsonSource<HelpdeskConfig | undefined>('HELPDESK_CONFIG', config.helpdeskConfig, parseHelpdeskConfig, {
    client: () => (secretsManager ??= new SecretsManagerClient({})),
    cacheSeconds: config.secretsCacheSeconds,
    fallback: undefined,
  });
}

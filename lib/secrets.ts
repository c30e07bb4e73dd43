/**
 * Webhook secrets and helpdesk settings: inline JSON (local, tests) or a Secrets Manager secret
 * (AWS), cached for `cacheSeconds` (default 300 s, SECRETS_CACHE_SECONDS). After a rotation removes
 * a secret, it is still accepted for at most that long.
 */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { cached, type Cached } from './cached.ts';
import type { SecretsSource } from './config.ts';
import { ConfigError } from './errors.ts';

export function jsonSource<T>(
  name: string,
  source: SecretsSource<T>,
  parse: (json: string, origin: string) => T,
  options: { client: () => SecretsManagerClient; cacheSeconds: number; fallback: T; now?: () => number },
): Cached<T> {
  const { inline, secretArn } = source;
  if (inline !== undefined) return { get: async () => inline, clear: () => {} };
  if (secretArn === undefined) return { get: async () => options.fallback, clear: () => {} };
  return cached(
    async () => {
      const out = await options.client().send(new GetSecretValueCommand({ SecretId: secretArn }));
      if (out.SecretString === undefined) {
        throw new ConfigError('empty_secret', `the secret ${name}_ARN names has no SecretString: store the JSON as text`);
      }
      return parse(out.SecretString, `the secret named by ${name}_ARN`);
    },
    options.cacheSeconds * 1000,
    options.now,
  );
}

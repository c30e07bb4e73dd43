import { createHmac } from 'node:crypto';
import type { Signer } from './types.ts';

/** The Simpli guide's scheme: hex HMAC-SHA256 of the body in `x-webhook-signature`. */
export const signGeneric: Signer = ({ body, secret }) => ({
  headers: { 'x-webhook-signature': createHmac('sha256', secret).update(body).digest('hex') },
});

/** Standard Webhooks: base64 HMAC-SHA256 of `id.timestamp.body`, `v1,` prefixed. */
export function signStandardWebhook(input: { body: Buffer; secret: string; nowMs: number; id: string }): Record<string, string> {
  const timestamp = String(Math.floor(input.nowMs / 1000));
  const key = input.secret.startsWith('whsec_') ? Buffer.from(input.secret.slice(6), 'base64') : Buffer.from(input.secret);
  const signature = createHmac('sha256', key).update(`${input.id}.${timestamp}.`).update(input.body).digest('base64');
  return { 'webhook-id': input.id, 'webhook-timestamp': timestamp, 'webhook-signature': `v1,${signature}` };
}

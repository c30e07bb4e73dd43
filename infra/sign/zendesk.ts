import { createHash, createHmac } from 'node:crypto';
import type { Signer } from './types.ts';

/**
 * Zendesk's scheme: base64 HMAC-SHA256 of TIMESTAMP + BODY with the signing secret, the timestamp
 * ISO-8601 UTC without milliseconds, plus the identifying headers Zendesk sends with every request.
 */
export const signZendesk: Signer = ({ body, secret, nowMs }) => {
  const timestamp = new Date(nowMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const signature = createHmac('sha256', secret).update(timestamp).update(body).digest('base64');
  // Zendesk's invocation ids are numeric; derive one from the request so re-signing is deterministic.
  const invocation = BigInt(`0x${createHash('sha256').update(timestamp).update(body).digest('hex').slice(0, 12)}`).toString();
  return {
    headers: {
      'x-zendesk-account-id': '123456',
      'x-zendesk-webhook-id': '01F1KRFQ6BG29CNWFR60NK5FNY',
      'x-zendesk-webhook-invocation-id': invocation,
      'x-zendesk-webhook-signature': signature,
      'x-zendesk-webhook-signature-timestamp': timestamp,
    },
  };
};

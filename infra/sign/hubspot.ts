import { createHash, createHmac } from 'node:crypto';
import { v3SignedUri } from '../../lib/providers/hubspot/verify.ts';
import type { Signer } from './types.ts';

/**
 * HubSpot's headers for a CRM-object delivery: the v3 signature (base64 HMAC-SHA256 of method +
 * URI + body + timestamp ms) and, as real deliveries also carry, the v1 hash with its version
 * header (helpdesks.md §5.2).
 */
export const signHubSpot: Signer = ({ method, url, body, secret, nowMs }) => {
  const timestamp = String(Math.floor(nowMs));
  const v3 = createHmac('sha256', secret).update(method.toUpperCase()).update(v3SignedUri(url)).update(body).update(timestamp).digest('base64');
  const v1 = createHash('sha256').update(secret).update(body).digest('hex');
  return {
    headers: {
      'x-hubspot-signature-v3': v3,
      'x-hubspot-request-timestamp': timestamp,
      'x-hubspot-signature': v1,
      'x-hubspot-signature-version': 'v1',
    },
  };
};

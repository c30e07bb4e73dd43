import { createHmac } from 'node:crypto';
import type { Signer } from './types.ts';

/** Intercom: `X-Hub-Signature: sha1=` + hex HMAC-SHA1 of the body with the app's client secret. */
export const signIntercom: Signer = ({ body, secret }) => ({
  headers: {
    'content-type': 'application/json',
    'user-agent': 'intercom-parrot-service-client/1.0',
    'x-hub-signature': `sha1=${createHmac('sha1', secret).update(body).digest('hex')}`,
  },
});

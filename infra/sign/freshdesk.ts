import type { Signer } from './types.ts';

/**
 * Freshdesk signs nothing: the rule's "Requires authentication" sends the shared token as the
 * HTTP Basic password (the user name is free; we use "freshdesk").
 */
export const signFreshdesk: Signer = ({ secret }) => ({
  headers: { authorization: `Basic ${Buffer.from(`freshdesk:${secret}`).toString('base64')}` },
});

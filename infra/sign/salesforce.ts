import type { Signer } from './types.ts';

/**
 * Salesforce outbound messages are unsigned SOAP: the shared token rides in the endpoint URL's
 * `token` query parameter, which is all an outbound message can carry (helpdesks.md §4.2).
 */
export const signSalesforce: Signer = ({ url, secret }) => {
  const target = new URL(url);
  target.searchParams.set('token', secret);
  return {
    headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: '""' },
    url: target.toString(),
  };
};

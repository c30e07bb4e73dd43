/**
 * Signs as a connector's specification says the sender does (issue #12): the HMAC of its message
 * template, a token in a header / the query / HTTP Basic, or Standard Webhooks. Written from the
 * specification's meaning, independently of lib/providers/connector/verify.ts.
 */
import { createHmac, randomUUID } from 'node:crypto';
import type { ConnectorSpec } from '../../lib/providers/connector/spec.ts';
import { signStandardWebhook } from './generic.ts';
import type { Signer } from './types.ts';

export function connectorSigner(spec: ConnectorSpec): Signer {
  const auth = spec.authenticity;
  return ({ method, url, body, secret, nowMs }) => {
    if (auth.type === 'standard-webhooks') return { headers: signStandardWebhook({ body, secret, nowMs, id: `msg_${randomUUID()}` }) };
    if (auth.type === 'token') {
      if (auth.in === 'header') return { headers: { [(auth.name ?? '').toLowerCase()]: secret } };
      if (auth.in === 'basic') return { headers: { authorization: `Basic ${Buffer.from(`bridge:${secret}`).toString('base64')}` } };
      const withToken = new URL(url);
      withToken.searchParams.set(auth.name ?? '', secret);
      return { headers: {}, url: withToken.toString() };
    }
    const headers: Record<string, string> = {};
    let timestamp = '';
    if (auth.timestamp !== undefined) {
      const { format } = auth.timestamp;
      timestamp = format === 'iso8601' ? new Date(nowMs).toISOString() : format === 'unix-ms' ? String(nowMs) : String(Math.floor(nowMs / 1000));
      headers[auth.timestamp.header.toLowerCase()] = timestamp;
    }
    const mac = createHmac(auth.algorithm, secret);
    // The message template, placeholder by placeholder: {body} {timestamp} {url} {method} {header.<name>}.
    const template = auth.message ?? '{body}';
    for (const piece of template.split(/(\{[a-z]+(?:\.[A-Za-z0-9_-]+)?\})/)) {
      if (piece === '{body}') mac.update(body);
      else if (piece === '{timestamp}') mac.update(timestamp);
      else if (piece === '{url}') mac.update(url);
      else if (piece === '{method}') mac.update(method.toUpperCase());
      else if (piece.startsWith('{header.')) mac.update(headers[piece.slice(8, -1).toLowerCase()] ?? '');
      else mac.update(piece);
    }
    headers[auth.header.toLowerCase()] = `${auth.prefix ?? ''}${mac.digest(auth.encoding)}`;
    return { headers };
  };
}

/**
 * A configured secret that is no key is a configuration error, never an open door (issue #13
 * finding 8): `whsec_` alone decodes to an empty HMAC key, which anybody can sign with.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadIngestConfig } from '../../lib/config.ts';
import { ConfigError } from '../../lib/errors.ts';
import { verifyStandardWebhook } from '../../lib/standard-webhooks.ts';
import type { WebhookRequest } from '../../lib/providers/types.ts';

const NOW_MS = Date.UTC(2026, 11, 3, 12, 0, 0);
const configWith = (secrets: unknown) => () => loadIngestConfig({ QUEUE_URL: 'http://q', WEBHOOK_SECRETS: JSON.stringify(secrets) });

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('secrets that are no key stop the cold start', () => {
  for (const secret of ['whsec_', 'whsec_!!!!', 'whsec_====', 'whsec_ ', '', '   ']) {
    it(`${JSON.stringify(secret)} → ConfigError unusable_secret naming the entry, not the value`, () => {
      const error = caught(configWith({ zendesk: ['good-secret-1'], generic: ['fine-secret', secret] }));
      expect(error).toBeInstanceOf(ConfigError);
      expect(error).toMatchObject({ reason: 'unusable_secret' });
      const message = (error as Error).message;
      expect(message).toContain('WEBHOOK_SECRETS.generic[1]');
      expect(message).not.toContain('fine-secret');
    });
  }

  it('a whsec_ secret with a real key, and plain secrets, are accepted', () => {
    const key = `whsec_${Buffer.from('0123456789abcdef01234567').toString('base64')}`;
    expect(configWith({ generic: [key, 'plain-secret'], hubspot: ['client-secret'] })().webhookSecrets.inline).toEqual({ generic: [key, 'plain-secret'], hubspot: ['client-secret'] });
  });
});

describe('verification never uses an empty key, whatever reaches it', () => {
  const body = Buffer.from('{"event":"ticket.created","ticket_id":"G-1"}');
  const timestamp = String(Math.floor(NOW_MS / 1000));
  const emptyKeySignature = createHmac('sha256', Buffer.alloc(0)).update(`msg_1.${timestamp}.`).update(body).digest('base64');
  const request: WebhookRequest = {
    method: 'POST',
    url: 'https://bridge.example.com/webhooks/generic',
    rawBody: body,
    headers: { 'webhook-id': 'msg_1', 'webhook-timestamp': timestamp, 'webhook-signature': `v1,${emptyKeySignature}` },
    query: {},
  };
  for (const secret of ['whsec_', 'whsec_====']) {
    it(`a request signed with the empty key is refused for ${secret}`, () => {
      expect(caught(() => verifyStandardWebhook(request, [secret], NOW_MS))).toMatchObject({ name: 'AuthenticityError', reason: 'no_matching_signature' });
    });
  }
});

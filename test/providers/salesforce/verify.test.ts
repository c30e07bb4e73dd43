import { describe, expect, it } from 'vitest';
import { AuthenticityError, BadRequestError } from '../../../lib/errors.ts';
import { salesforceProvider } from '../../../lib/providers/salesforce/index.ts';
import { canonicalId, sameId, toId18 } from '../../../lib/providers/salesforce/salesforce-id.ts';
import type { ProviderSettings, WebhookRequest } from '../../../lib/providers/types.ts';
import { envelope, fixture, ORG_ID_15, ORG_ID_18, outbound, TOKEN } from './support.ts';

function verify(request: WebhookRequest, settings: ProviderSettings = {}, secrets: readonly string[] = [TOKEN]): void {
  salesforceProvider.verify({ request, secrets, settings, nowMs: 0 });
}

function rejection(request: WebhookRequest, settings: ProviderSettings = {}, secrets: readonly string[] = [TOKEN]): unknown {
  try {
    verify(request, settings, secrets);
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

const body = fixture('case-created');

describe('Salesforce outbound message authenticity (shared token + organization allow-list)', () => {
  it('accepts the token in the `token` query parameter', () => {
    expect(() => verify(outbound(body, 'ticket.created'))).not.toThrow();
  });

  it('accepts the token in the x-webhook-token header (Flow / Apex callouts)', () => {
    expect(() => verify(outbound(body, 'ticket.created', { query: {}, headers: { 'x-webhook-token': TOKEN } }))).not.toThrow();
  });

  it('accepts any of several active tokens (rotation)', () => {
    expect(() => verify(outbound(body, 'ticket.created', { query: { token: 'new-token' } }), {}, ['old-token', 'new-token'])).not.toThrow();
  });

  it.each([
    ['no token at all', { query: {} }, 'missing_token'],
    ['an empty token', { query: { token: '' } }, 'missing_token'],
    ['a wrong token', { query: { token: 'guess' } }, 'no_matching_token'],
    ['a prefix of the token', { query: { token: TOKEN.slice(0, -1) } }, 'no_matching_token'],
    ['a wrong header token', { query: {}, headers: { 'x-webhook-token': 'guess' } }, 'no_matching_token'],
  ])('rejects %s', (_case, options, reason) => {
    const error = rejection(outbound(body, 'ticket.created', options));
    expect(error).toBeInstanceOf(AuthenticityError);
    expect((error as AuthenticityError).reason).toBe(reason);
  });

  it('fails closed without a configured token', () => {
    const error = rejection(outbound(body, 'ticket.created', { query: { token: '' } }), {}, []);
    expect(error).toBeInstanceOf(AuthenticityError);
    expect((error as AuthenticityError).reason).toBe('no_secret_configured');
  });

  describe('organizationIds allow-list', () => {
    it.each([
      ['the 18-character id', [ORG_ID_18]],
      ['the 15-character id', [ORG_ID_15]],
      ['the 18-character id lower-cased by a form', [ORG_ID_18.toLowerCase()]],
      ['a comma-separated string', `00D000000000001,${ORG_ID_15}`],
    ])('accepts the org when the list holds %s', (_case, organizationIds) => {
      expect(() => verify(outbound(body, 'ticket.created'), { organizationIds })).not.toThrow();
    });

    it('rejects another organization', () => {
      const error = rejection(outbound(body, 'ticket.created'), { organizationIds: ['00D5e000000XyZb'] });
      expect(error).toBeInstanceOf(AuthenticityError);
      expect((error as AuthenticityError).reason).toBe('organization_not_allowed');
    });

    it('rejects a 15-character id that differs only in case (15-character ids are case-sensitive)', () => {
      const error = rejection(outbound(body, 'ticket.created'), { organizationIds: [ORG_ID_15.toLowerCase()] });
      expect((error as AuthenticityError).reason).toBe('organization_not_allowed');
    });

    it('rejects a message without OrganizationId', () => {
      const noOrg = body.replace(/<OrganizationId>[^<]*<\/OrganizationId>/, '');
      const error = rejection(outbound(noOrg, 'ticket.created'), { organizationIds: [ORG_ID_18] });
      expect((error as AuthenticityError).reason).toBe('missing_organization_id');
    });

    it('fails closed on a malformed allow-list instead of skipping the check', () => {
      for (const organizationIds of [['not-an-id'], [], 42, [`${ORG_ID_18.slice(0, 15)}ZZZ`]]) {
        const error = rejection(outbound(body, 'ticket.created'), { organizationIds });
        expect(error).toBeInstanceOf(AuthenticityError);
        expect((error as AuthenticityError).reason).toBe('invalid_organization_ids_setting');
      }
    });

    it('checks the token before reading the body (an unauthenticated body is never parsed)', () => {
      const error = rejection(outbound('<!DOCTYPE x [<!ENTITY a "b">]><x/>', 'ticket.created', { query: { token: 'guess' } }), {
        organizationIds: [ORG_ID_18],
      });
      expect((error as AuthenticityError).reason).toBe('no_matching_token');
    });

    it('answers 400 (not 401) for an authenticated but unparseable body', () => {
      const error = rejection(outbound('<notxml', 'ticket.created'), { organizationIds: [ORG_ID_18] });
      expect(error).toBeInstanceOf(BadRequestError);
    });

    it('reads the org from a minimal envelope too', () => {
      expect(() => verify(outbound(envelope(''), 'ticket.created'), { organizationIds: [ORG_ID_15] })).not.toThrow();
    });
  });
});

describe('Salesforce ids (15 ⇄ 18 characters)', () => {
  // Suffixes computed by hand with the documented algorithm (5-character chunks, upper-case bits
  // reversed, alphabet A–Z0–5); a0D30000001n7Pv → EAI is the widely quoted example.
  it.each([
    ['a0D30000001n7Pv', 'a0D30000001n7PvEAI'],
    ['00D5e000000XyZa', '00D5e000000XyZaEAK'],
    ['5005e00000QxYz1', '5005e00000QxYz1AAF'],
  ])('%s ⇄ %s', (id15, id18) => {
    expect(toId18(id15)).toBe(id18);
    expect(canonicalId(id18)).toBe(id15);
    expect(canonicalId(id18.toLowerCase())).toBe(id15);
    expect(sameId(id15, id18)).toBe(true);
  });

  it('refuses malformed ids and suffixes that cannot belong to the id', () => {
    expect(canonicalId('00D5e000000XyZ')).toBeUndefined();
    expect(canonicalId('00D5e000000XyZa!!!')).toBeUndefined();
    expect(canonicalId('000000000000000PAA')).toBeUndefined();
    expect(sameId('00D5e000000XyZa', '00D5e000000XyZb')).toBe(false);
  });
});

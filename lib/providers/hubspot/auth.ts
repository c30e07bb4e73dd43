/**
 * HubSpot API credentials (issue #13):
 * - a private app's access token (`accessToken`), used as given (it does not expire);
 * - a public (OAuth) app's `refreshToken` + `clientId` + `clientSecret`: access tokens come from
 *   `POST {baseUrl}/oauth/v1/token` with a form-encoded `grant_type=refresh_token`, `client_id`,
 *   `client_secret`, `refresh_token`, and the answer carries `access_token`, `refresh_token`,
 *   `token_type: bearer` and `expires_in` in seconds (30 minutes) ("Refresh an access token",
 *   https://developers.hubspot.com/docs/api-reference/legacy/authentication/oauth-tokens/v1/refresh-oauth-token;
 *   OAuth guide https://developers.hubspot.com/docs/api-reference/legacy/authentication/oauth-tokens/v1/guide).
 *   HubSpot deprecates the v1 OAuth API on 2027-02-16 in favour of its v3 endpoints
 *   (https://developers.hubspot.com/docs/api-reference/auth-oauth-v3/guide): `tokenUrl` points the
 *   bridge at another token endpoint without a code change.
 *
 * OAuth tokens are cached per container, renewed 5 minutes before `expires_in` runs out, and once
 * more when the API answers 401 anyway (a token revoked early); concurrent events share one token
 * request.
 */
import { createHash } from 'node:crypto';
import { UpstreamError } from '../../errors.ts';
import type { HttpClient, HttpRequest, HttpResponse } from '../../http.ts';
import { requestToken } from '../../oauth-token.ts';
import { createTokenRegistry, createTokenSource } from '../../token-cache.ts';

export interface HubSpotOAuth {
  readonly refreshToken: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Token endpoint; `{baseUrl}/oauth/v1/token` by default. */
  readonly tokenUrl: string;
}

export interface HubSpotAuth {
  readonly kind: 'oauth' | 'private_app';
  /** Sends `request` with a Bearer token; with OAuth, renews once on 401 and repeats it. */
  request(http: HttpClient, request: HttpRequest): Promise<HttpResponse>;
}

/** Renew this long before `expires_in` ends: a call never starts with a token about to die. */
export const REFRESH_MARGIN_MS = 5 * 60_000;

/** OAuth tokens per app installation, for the life of the container. */
export const hubspotTokens = createTokenRegistry();

export function privateAppAuth(accessToken: string): HubSpotAuth {
  return { kind: 'private_app', request: (http, request) => http.request(withToken(request, accessToken)) };
}

export function oauthAuth(oauth: HubSpotOAuth, now: () => number = Date.now): HubSpotAuth {
  const key = createHash('sha256').update([oauth.tokenUrl, oauth.clientId, oauth.clientSecret, oauth.refreshToken].join('\0')).digest('base64url');
  const source = hubspotTokens.sourceFor(key, () => createTokenSource({ now, refreshMarginMs: REFRESH_MARGIN_MS }));
  const fetchToken = (http: HttpClient) => () =>
    requestToken(http, {
      service: 'hubspot',
      url: oauth.tokenUrl,
      form: { grant_type: 'refresh_token', client_id: oauth.clientId, client_secret: oauth.clientSecret, refresh_token: oauth.refreshToken },
      settings: 'HELPDESK_CONFIG.hubspot.refreshToken, clientId and clientSecret (reinstall the app if the refresh token was revoked)',
      now: now(),
    });
  return {
    kind: 'oauth',
    async request(http, request) {
      const token = await source.get(fetchToken(http));
      try {
        return await http.request(withToken(request, token));
      } catch (error) {
        if (!(error instanceof UpstreamError) || error.status !== 401) throw error;
        source.invalidate(token);
        return http.request(withToken(request, await source.get(fetchToken(http))));
      }
    },
  };
}

function withToken(request: HttpRequest, token: string): HttpRequest {
  return { ...request, headers: { ...request.headers, authorization: `Bearer ${token}` } };
}

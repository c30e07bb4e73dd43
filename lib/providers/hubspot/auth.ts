/**
 * HubSpot API credentials (issue #13):
 * - a private app's access token (`accessToken`), used as given (it does not expire);
 * - a public (OAuth) app's `refreshToken` + `clientId` + `clientSecret`: access tokens come from
 *   `POST {baseUrl}/oauth/2026-03/token` (HUBSPOT_TOKEN_PATH) with every parameter form-encoded in
 *   the body, none in the query: `grant_type=refresh_token`, `client_id`, `client_secret`,
 *   `refresh_token`; the answer carries `access_token`, `refresh_token`, `token_type` and
 *   `expires_in` in seconds ("Refresh an access token", 2026-03 reference,
 *   https://developers.hubspot.com/docs/api-reference/2026-03/authentication/oauth-tokens/refresh-oauth-token;
 *   migration guide, step 3 "Update refresh token logic": swap `/oauth/v1/token` for
 *   `/oauth/2026-03/token`, read `access_token` and `expires_in`,
 *   https://developers.hubspot.com/docs/api-reference/legacy/authentication/oauth-tokens/v1/migration-guide).
 *   HubSpot retires the v1 endpoint on 2027-02-16 (same guide); `tokenUrl` still overrides the
 *   endpoint. Errors follow RFC 6749 §5.2 (`error`, `error_description`) and keep HubSpot's `status`
 *   and `message` (changelog "New OAuth v3 API endpoints and standardized error responses",
 *   https://developers.hubspot.com/changelog/new-oauth-v3-api-endpoints-and-standardized-error-responses).
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
  /** Token endpoint; `{baseUrl}${HUBSPOT_TOKEN_PATH}` by default. */
  readonly tokenUrl: string;
}

export interface HubSpotAuth {
  readonly kind: 'oauth' | 'private_app';
  /** Sends `request` with a Bearer token; with OAuth, renews once on 401 and repeats it. */
  request(http: HttpClient, request: HttpRequest): Promise<HttpResponse>;
}

/** HubSpot's current token endpoint (2026-03 OAuth API), under `baseUrl`. */
export const HUBSPOT_TOKEN_PATH = '/oauth/2026-03/token';

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

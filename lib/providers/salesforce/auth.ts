/**
 * Salesforce API credentials (issue #13). Three ways, chosen by which settings are present:
 *
 * 1. OAuth 2.0 client credentials (`clientId` + `clientSecret`): POST
 *    `{instanceUrl}/services/oauth2/token` with `grant_type=client_credentials`, form-encoded; the
 *    answer carries `access_token`, `instance_url`, `token_type: Bearer`, `issued_at` and no
 *    `expires_in` ("OAuth 2.0 Client Credentials Flow for Server-to-Server Integration",
 *    https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_client_credentials_flow.htm;
 *    the request/answer as in "Connect to Connect REST API Using OAuth",
 *    https://developer.salesforce.com/docs/atlas.en-us.chatterapi.meta/chatterapi/quickstart_connecting.htm).
 *    The flow needs the org's My Domain URL, which is `instanceUrl`.
 * 2. OAuth 2.0 JWT bearer (`clientId` + `username` + `privateKey`): the same endpoint with
 *    `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer` and an RS256 `assertion` whose claims
 *    are iss = consumer key, sub = username, aud = login URL, exp within 3 minutes ("OAuth 2.0 JWT
 *    Bearer Flow for Server-to-Server Integration",
 *    https://help.salesforce.com/s/articleView?id=xcloud.remoteaccess_oauth_jwt_flow.htm).
 * 3. A static `accessToken`, used as given (as before): it cannot renew, so a 401 stays permanent.
 *
 * API calls made with a token from flows 1 and 2 go to the `instance_url` its answer names, as
 * Salesforce's own walk-through does (Connect REST API quickstart above: "The response includes the
 * server instance and the access token"; step 2: use the returned `instance_url` as the server
 * instance and the `access_token` in the Authorization header) — but only
 * when it is trusted (`trustedInstanceOrigin`): https on a `*.salesforce.com` host (My Domain
 * `*.my.salesforce.com`, sandboxes `*.sandbox.my.salesforce.com`, instanced `eu55.salesforce.com`:
 * help.salesforce.com "My Domain"), or exactly the configured `instanceUrl`'s origin. Anything else
 * is ignored and the calls stay on `instanceUrl`, so a token endpoint can never send the bridge's
 * credentials to another host.
 *
 * A token lives as long as the org's session timeout, which the answer does not say: it is kept
 * until `tokenLifetimeSeconds` (when set) or until the API answers `401` with errorCode
 * `INVALID_SESSION_ID` ("Session expired or invalid", REST API Developer Guide, "Status Codes and
 * Error Responses", https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm),
 * then requested once more and the call repeated once.
 */
import { createHash, createSign } from 'node:crypto';
import { PermanentEventError, UpstreamError } from '../../errors.ts';
import type { HttpClient, HttpRequest, HttpResponse } from '../../http.ts';
import { requestToken } from '../../oauth-token.ts';
import { createTokenRegistry, createTokenSource } from '../../token-cache.ts';
import type { ProviderSettings } from '../types.ts';

export const DEFAULT_JWT_AUDIENCE = 'https://login.salesforce.com';
/** The JWT bearer flow accepts an `exp` at most 3 minutes ahead. */
const JWT_LIFETIME_SECONDS = 180;

export interface SalesforceAuth {
  /** `client_credentials`, `jwt_bearer` or `static`, for logs and tests. */
  readonly kind: 'client_credentials' | 'jwt_bearer' | 'static';
  /** Sends `request` with a Bearer token; on 401 INVALID_SESSION_ID renews the token once and repeats it. */
  request(http: HttpClient, request: HttpRequest): Promise<HttpResponse>;
}

/** Tokens per credential set, for the life of the container (a Lambda execution environment). */
export const salesforceTokens = createTokenRegistry();

const invalid = (setting: string, what: string) => new PermanentEventError(`invalid_setting_${setting}`, `HELPDESK_CONFIG.salesforce.${setting} ${what}`);

/** True when settings name any way to call the API. */
export function hasSalesforceCredentials(settings: ProviderSettings): boolean {
  return typeof settings.accessToken === 'string' || typeof settings.clientId === 'string';
}

/**
 * The auth of these settings; throws PermanentEventError naming the setting when none is complete.
 * `now` is injectable for tests of expiry.
 */
export function salesforceAuth(settings: ProviderSettings, instanceUrl: string, now: () => number = Date.now): SalesforceAuth {
  const { clientId, clientSecret, username, privateKey, accessToken } = settings;
  if (clientId !== undefined) {
    if (typeof clientId !== 'string' || clientId.trim() === '') throw invalid('clientId', 'must be the consumer key of the external client app (or connected app)');
    const lifetimeMs = tokenLifetimeMs(settings.tokenLifetimeSeconds);
    const tokenUrl = `${instanceUrl}/services/oauth2/token`;
    if (privateKey !== undefined || username !== undefined) {
      if (typeof username !== 'string' || username.trim() === '') throw invalid('username', 'must be the username of the integration user the JWT bearer flow acts as');
      if (typeof privateKey !== 'string' || !privateKey.includes('PRIVATE KEY')) {
        throw invalid('privateKey', 'must be the PEM private key whose certificate is uploaded to the app (-----BEGIN PRIVATE KEY----- …)');
      }
      const audience = typeof settings.jwtAudience === 'string' ? settings.jwtAudience : DEFAULT_JWT_AUDIENCE;
      const form = (nowMs: number) => ({
        grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
        assertion: jwtAssertion({ iss: clientId, sub: username, aud: audience, exp: Math.floor(nowMs / 1000) + JWT_LIFETIME_SECONDS }, privateKey),
      });
      return renewing('jwt_bearer', key(tokenUrl, clientId, username, privateKey), instanceUrl, form, 'HELPDESK_CONFIG.salesforce.clientId, username and privateKey', lifetimeMs, now);
    }
    if (typeof clientSecret !== 'string' || clientSecret === '') throw invalid('clientSecret', 'must be the consumer secret of the app whose clientId is set');
    const form = () => ({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret });
    return renewing('client_credentials', key(tokenUrl, clientId, clientSecret), instanceUrl, form, 'HELPDESK_CONFIG.salesforce.clientId and clientSecret', lifetimeMs, now);
  }
  if (typeof accessToken !== 'string' || accessToken.trim() === '') {
    throw invalid('accessToken', 'is missing: set clientId + clientSecret (client credentials flow, renews itself), or an OAuth access token of the integration user');
  }
  const token = accessToken.trim();
  return { kind: 'static', request: (http, request) => http.request(withToken(request, token).request) };
}

function renewing(
  kind: 'client_credentials' | 'jwt_bearer',
  cacheKey: string,
  instanceUrl: string,
  form: (nowMs: number) => Record<string, string>,
  settingsNamed: string,
  lifetimeMs: number | undefined,
  now: () => number,
): SalesforceAuth {
  const tokenUrl = `${instanceUrl}/services/oauth2/token`;
  const source = salesforceTokens.sourceFor(cacheKey, () => createTokenSource({ now }));
  const fetchToken = (http: HttpClient) => async () => {
    const issuedAt = now();
    const token = await requestToken(http, { service: 'salesforce', url: tokenUrl, form: form(issuedAt), settings: settingsNamed, now: issuedAt });
    return {
      accessToken: token.accessToken,
      expiresAtMs: lifetimeMs === undefined ? token.expiresAtMs : issuedAt + lifetimeMs,
      instanceUrl: trustedInstanceOrigin(token.instanceUrl, instanceUrl),
    };
  };
  /** The request sent to the token's instance instead of the configured one. */
  const onInstance = (request: HttpRequest, origin: string | undefined): HttpRequest =>
    origin !== undefined && request.url.startsWith(`${instanceUrl}/`) ? { ...request, url: `${origin}${request.url.slice(instanceUrl.length)}` } : request;
  return {
    kind,
    async request(http, request) {
      const issued = await source.getIssued(fetchToken(http));
      const first = withToken(onInstance(request, issued.instanceUrl), issued.accessToken);
      try {
        return await http.request(first.request);
      } catch (error) {
        if (!(error instanceof UpstreamError) || error.status !== 401 || !first.sessionInvalid()) throw error;
        source.invalidate(issued.accessToken);
        const renewedToken = await source.getIssued(fetchToken(http));
        const renewed = withToken(onInstance(request, renewedToken.instanceUrl), renewedToken.accessToken);
        return http.request(renewed.request);
      }
    },
  };
}

/**
 * The origin API calls go to for a token answer's `instance_url`, or undefined (stay on the
 * configured `instanceUrl`) unless it is https on a `*.salesforce.com` host with no credentials or
 * port, or exactly the configured origin (a local fake, a proxy the deployment chose).
 */
export function trustedInstanceOrigin(instanceUrl: string | undefined, configured: string): string | undefined {
  if (instanceUrl === undefined || !URL.canParse(instanceUrl) || !URL.canParse(configured)) return undefined;
  const url = new URL(instanceUrl);
  if (url.origin === new URL(configured).origin) return url.origin;
  const salesforceHost = url.hostname.endsWith('.salesforce.com') && /^[a-z0-9.-]+$/.test(url.hostname);
  if (url.protocol !== 'https:' || !salesforceHost || url.port !== '' || url.username !== '' || url.password !== '') return undefined;
  return url.origin;
}

/** The request with the Bearer token, noting whether a 401 said INVALID_SESSION_ID. */
function withToken(request: HttpRequest, token: string): { request: HttpRequest; sessionInvalid: () => boolean } {
  let sessionInvalid = false;
  const classify = request.isRetryable;
  return {
    request: {
      ...request,
      headers: { ...request.headers, authorization: `Bearer ${token}` },
      isRetryable: (status, body) => {
        if (status === 401 && body.includes('INVALID_SESSION_ID')) sessionInvalid = true;
        return classify?.(status, body) ?? (status === 408 || status === 429 || status >= 500);
      },
    },
    sessionInvalid: () => sessionInvalid,
  };
}

function tokenLifetimeMs(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 300 || value > 86_400) {
    throw invalid('tokenLifetimeSeconds', 'must be whole seconds from 300 to 86400: the org\'s session timeout (Setup › Session Settings), e.g. 7200');
  }
  return value * 1000;
}

/** A cache key that identifies the credentials without holding them. */
function key(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\0')).digest('base64url');
}

/** RS256 JWT (RFC 7515 compact form, RFC 7519 claims) signed with node:crypto. */
export function jwtAssertion(claims: Readonly<Record<string, string | number>>, privateKeyPem: string): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const signingInput = `${encode({ alg: 'RS256' })}.${encode(claims)}`;
  let signature: string;
  try {
    signature = createSign('RSA-SHA256').update(signingInput).sign(privateKeyPem, 'base64url');
  } catch (cause) {
    throw new PermanentEventError('invalid_setting_privateKey', 'HELPDESK_CONFIG.salesforce.privateKey is not a usable RSA private key (PEM)', { cause });
  }
  return `${signingInput}.${signature}`;
}

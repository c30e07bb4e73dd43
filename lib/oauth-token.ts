/**
 * One OAuth 2.0 token request (RFC 6749 §4.4 client credentials, §6 refresh, RFC 7523 JWT bearer):
 * a form-encoded POST whose JSON answer carries `access_token` and, for some vendors, `expires_in`
 * (seconds). Every failure is a retryable UpstreamError (`token_request_failed`): the event is
 * retried by SQS and parked with that reason only after its deliveries run out, so a credential
 * fixed in the meantime loses nothing. The message names the settings to check and the OAuth
 * `error` code (RFC 6749 §5.2), never the response text or a secret.
 */
import { UpstreamError } from './errors.ts';
import type { HttpClient } from './http.ts';
import type { IssuedToken } from './token-cache.ts';

export interface TokenRequest {
  /** `salesforce`, `hubspot`: the service named in errors and logs. */
  readonly service: string;
  readonly url: string;
  readonly form: Readonly<Record<string, string>>;
  /** What to check when it fails, e.g. "HELPDESK_CONFIG.salesforce.clientId and clientSecret". */
  readonly settings: string;
  readonly now: number;
  readonly timeoutMs?: number;
}

/** RFC 6749 §5.2 error codes are ASCII words; anything else is not repeated in a log. */
const ERROR_CODE = /^[A-Za-z0-9_.-]{1,64}$/;

export async function requestToken(http: HttpClient, request: TokenRequest): Promise<IssuedToken> {
  let failedBody = '';
  let text: string;
  try {
    const response = await http.request({
      service: request.service,
      method: 'POST',
      url: request.url,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(request.form).toString(),
      timeoutMs: request.timeoutMs ?? 10_000,
      isRetryable: (status, body) => {
        failedBody = body;
        // Retried in place only when the server is the problem; a refused credential is not.
        return status === 429 || status >= 500;
      },
    });
    text = response.body;
  } catch (cause) {
    const status = cause instanceof UpstreamError ? cause.status : undefined;
    const code = oauthError(failedBody);
    throw new UpstreamError(
      { service: request.service, reason: 'token_request_failed', retryable: true, status },
      `${request.service}: the token request to ${request.url} failed (${status === undefined ? 'no answer' : `HTTP ${status}`}${code === undefined ? '' : `, ${code}`}); check ${request.settings}. The event is retried.`,
      { cause },
    );
  }
  let json: { access_token?: unknown; accessToken?: unknown; expires_in?: unknown; expiresIn?: unknown; instance_url?: unknown };
  try {
    json = JSON.parse(text) as typeof json;
  } catch (cause) {
    throw invalid(request, 'is not JSON', cause);
  }
  // HubSpot's newer reference pages spell the fields in camelCase; the OAuth spelling is snake_case.
  const token = json?.access_token ?? json?.accessToken;
  if (typeof token !== 'string' || token === '') throw invalid(request, 'has no access_token');
  // It becomes an Authorization header: visible ASCII only (RFC 6750 §2.1's b64token is narrower),
  // so a control character can never split or forge a header.
  if (!/^[\x21-\x7e]{1,8192}$/.test(token)) throw invalid(request, 'has an access_token that is not a Bearer token (control characters, spaces or over 8 KiB)');
  const expiresIn = json.expires_in ?? json.expiresIn;
  const seconds = typeof expiresIn === 'number' ? expiresIn : typeof expiresIn === 'string' && /^\d+$/.test(expiresIn) ? Number(expiresIn) : undefined;
  const instanceUrl = typeof json.instance_url === 'string' ? json.instance_url : undefined;
  return { accessToken: token, expiresAtMs: seconds === undefined ? undefined : request.now + seconds * 1000, ...(instanceUrl === undefined ? {} : { instanceUrl }) };
}

function oauthError(body: string): string | undefined {
  try {
    // RFC 6749's `error`; HubSpot's token endpoint names its failure in `status` (BAD_REFRESH_TOKEN…).
    const json = JSON.parse(body) as { error?: unknown; status?: unknown } | null;
    const code = json?.error ?? json?.status;
    return typeof code === 'string' && ERROR_CODE.test(code) ? code : undefined;
  } catch {
    return undefined;
  }
}

function invalid(request: TokenRequest, what: string, cause?: unknown): UpstreamError {
  return new UpstreamError(
    { service: request.service, reason: 'token_request_failed', retryable: true, status: 200 },
    `${request.service}: the answer of the token request to ${request.url} ${what}; the event is retried`,
    cause === undefined ? undefined : { cause },
  );
}

/**
 * Calls to the HubSpot API with the deployment's token. The shared HttpClient already retries 429
 * and 5xx honouring `Retry-After`; on top of that, HubSpot announces its budget in rate-limit
 * headers on every answer (2018-11-06 changelog, helpdesks.md §5.4: `X-HubSpot-RateLimit-Remaining`
 * within `X-HubSpot-RateLimit-Interval-Milliseconds`, and `-Secondly-Remaining`; the interval names
 * are NOT CONFIRMED there, so absent or unknown headers simply mean "no pacing"), so when a
 * response says the budget is spent, the next call of the same event waits for the window to
 * pass instead of provoking a 429.
 */
import { UpstreamError } from '../../errors.ts';
import type { HttpClient, HttpResponse } from '../../http.ts';
import { privateAppAuth, type HubSpotAuth } from './auth.ts';

/** HubSpot's documented timeout guidance does not exist for the API; the guide's 10 s is used. */
export const HUBSPOT_TIMEOUT_MS = 10_000;
/** Longest pause the pacing inserts; a longer window is left to the HttpClient's 429 handling and SQS. */
export const MAX_PACING_MS = 10_000;

export interface HubSpotApi {
  get(path: string): Promise<unknown>;
  send(method: 'POST' | 'PATCH', path: string, json: unknown): Promise<unknown>;
}

export interface PacingOptions {
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** `auth` is a private-app token, or the renewing OAuth credentials of auth.ts. */
export function createHubSpotApi(http: HttpClient, baseUrl: string, auth: string | HubSpotAuth, pacing: Pacer = createPacer()): HubSpotApi {
  const credentials = typeof auth === 'string' ? privateAppAuth(auth) : auth;
  async function call(method: string, path: string, json?: unknown): Promise<unknown> {
    await pacing.beforeRequest();
    const response = await credentials.request(http, {
      service: 'hubspot',
      method,
      url: `${baseUrl}${path}`,
      ...(json === undefined ? {} : { json }),
      timeoutMs: HUBSPOT_TIMEOUT_MS,
    });
    pacing.afterResponse(response);
    return parseBody(response, method, path);
  }
  return { get: (path) => call('GET', path), send: (method, path, json) => call(method, path, json) };
}

export interface Pacer {
  beforeRequest(): Promise<void>;
  afterResponse(response: HttpResponse): void;
}

/** Waits out a spent rate-limit window before the next call (state lives per pacer, i.e. per event). */
export function createPacer(options: PacingOptions = {}): Pacer {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let notBeforeMs = 0;
  return {
    async beforeRequest() {
      const waitMs = notBeforeMs - now();
      if (waitMs > 0) await sleep(waitMs);
    },
    afterResponse(response) {
      const waitMs = spentWindowMs(response.headers);
      if (waitMs !== undefined) notBeforeMs = Math.max(notBeforeMs, now() + Math.min(waitMs, MAX_PACING_MS));
    },
  };
}

/** How long to wait when a response says a budget is used up; undefined when there is budget left. */
export function spentWindowMs(headers: Headers): number | undefined {
  const remaining = numberHeader(headers, 'x-hubspot-ratelimit-remaining');
  if (remaining !== undefined && remaining <= 0) return numberHeader(headers, 'x-hubspot-ratelimit-interval-milliseconds') ?? 1_000;
  const secondly = numberHeader(headers, 'x-hubspot-ratelimit-secondly-remaining');
  if (secondly !== undefined && secondly <= 0) return 1_000;
  return undefined;
}

function numberHeader(headers: Headers, name: string): number | undefined {
  const value = headers.get(name);
  if (value === null || !/^\d+$/.test(value.trim())) return undefined;
  return Number(value.trim());
}

function parseBody(response: HttpResponse, method: string, path: string): unknown {
  if (response.body.trim() === '') return undefined;
  try {
    return JSON.parse(response.body);
  } catch (cause) {
    throw new UpstreamError(
      { service: 'hubspot', reason: 'invalid_response', retryable: true, status: response.status },
      `hubspot: ${method} ${path.split('?')[0] ?? path} answered ${response.status} with a body that is not JSON`,
      { cause },
    );
  }
}

/**
 * The one HTTP client for Simpli and helpdesk APIs: per-call timeout, classification of failures
 * into retryable / permanent UpstreamErrors, and retries with full-jitter exponential backoff that
 * honour `Retry-After` and never run past the invocation's deadline.
 *
 * Node's global fetch (undici) keeps connections alive in one pool per container, so repeated
 * calls to the same host reuse their TLS connection.
 */
import { UpstreamError } from './errors.ts';

export interface HttpRequest {
  /** Name for errors, logs and metrics: `triage`, `zendesk`, … */
  readonly service: string;
  readonly method: string;
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Serialized with JSON.stringify and sent as application/json. */
  readonly json?: unknown;
  /** A body sent as it is (e.g. an OAuth token request's form); set its content-type in `headers`. */
  readonly body?: string;
  readonly timeoutMs: number;
  /**
   * Overrides the status-based classification for a vendor whose failures need the body: e.g.
   * Salesforce's daily limit is `403 REQUEST_LIMIT_EXCEEDED`, which passes with time.
   */
  readonly isRetryable?: (status: number, body: string) => boolean;
  /**
   * Whether a retryable failure may be retried within this invocation (default: yes). A service
   * that may still be working on a timed-out call says no: the error stays retryable, so SQS
   * redelivers it, after the visibility timeout.
   */
  readonly retryInPlace?: (error: UpstreamError) => boolean;
  /**
   * Awaited before each wait for an in-invocation retry (backoff or `Retry-After`): the pipeline
   * writes the step results it holds, so that a crash during the wait cannot cost them. An error
   * it throws ends the request with that error.
   */
  readonly beforeWait?: (delayMs: number) => Promise<void>;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: string;
}

export interface HttpClient {
  /** Resolves on 2xx; throws UpstreamError otherwise, after the retries the deadline allows. */
  request(request: HttpRequest): Promise<HttpResponse>;
}

export type FetchFn = (url: string, init: RequestInit) => Promise<Response>;

export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 4, baseDelayMs: 200, maxDelayMs: 5_000 };

export interface HttpClientOptions {
  readonly fetch?: FetchFn;
  readonly retry?: RetryPolicy;
  /** Epoch ms after which no new attempt starts (Lambda's remaining time minus a margin). */
  readonly deadlineMs?: number;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
  /** Called before each retry, for logs and metrics. */
  readonly onRetry?: (info: { service: string; attempt: number; delayMs: number; error: UpstreamError }) => void;
}

const sleepMs = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** `client` with `beforeWait` on every request that has none of its own. */
export function withBeforeWait(client: HttpClient, beforeWait: (delayMs: number) => Promise<void>): HttpClient {
  return { request: (request) => client.request(request.beforeWait === undefined ? { ...request, beforeWait } : request) };
}

/** Builds an HttpClient; cheap, so one per event carries that event's deadline. */
export function createHttpClient(options: HttpClientOptions = {}): HttpClient {
  const doFetch: FetchFn = options.fetch ?? ((url, init) => fetch(url, init));
  const retry = options.retry ?? DEFAULT_RETRY;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? sleepMs;
  const random = options.random ?? Math.random;
  const deadlineMs = options.deadlineMs ?? Number.POSITIVE_INFINITY;

  async function once(request: HttpRequest): Promise<HttpResponse> {
    const headers: Record<string, string> = { accept: 'application/json', ...request.headers };
    let body: string | undefined = request.body;
    if (request.json !== undefined) {
      body = JSON.stringify(request.json);
      headers['content-type'] = 'application/json';
    }
    // Never let one call outlive the invocation: the timeout is capped by the deadline.
    const timeoutMs = Math.max(1, Math.min(request.timeoutMs, deadlineMs - now()));
    let response: Response;
    try {
      response = await doFetch(request.url, {
        method: request.method,
        headers,
        ...(body === undefined ? {} : { body }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (cause) {
      const timedOut = cause instanceof Error && (cause.name === 'TimeoutError' || cause.name === 'AbortError');
      throw new UpstreamError(
        { service: request.service, reason: timedOut ? 'timeout' : 'network_error', retryable: true },
        `${request.service}: ${request.method} ${redactUrl(request.url)} ${timedOut ? `timed out after ${timeoutMs} ms` : 'failed to connect'}`,
        { cause },
      );
    }
    let text: string;
    try {
      text = await response.text();
    } catch (cause) {
      throw new UpstreamError(
        { service: request.service, reason: 'network_error', retryable: true, status: response.status },
        `${request.service}: response body of ${request.method} ${redactUrl(request.url)} was cut off`,
        { cause },
      );
    }
    if (response.ok) return { status: response.status, headers: response.headers, body: text };
    const status = response.status;
    const retryable = request.isRetryable?.(status, text) ?? (status === 408 || status === 425 || status === 429 || status >= 500);
    throw new UpstreamError(
      {
        service: request.service,
        reason: `http_${status}`,
        retryable,
        status,
        retryAfterMs: retryAfterMs(response.headers, now()),
      },
      `${request.service}: ${request.method} ${redactUrl(request.url)} answered ${status}`,
    );
  }

  return {
    async request(request) {
      for (let attempt = 1; ; attempt++) {
        try {
          return await once(request);
        } catch (error) {
          if (!(error instanceof UpstreamError) || !error.retryable || attempt >= retry.maxAttempts) throw error;
          if (request.retryInPlace?.(error) === false) throw error;
          const backoffMs = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (attempt - 1));
          // Full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"), but never
          // sooner than the server asked for.
          const delayMs = Math.max(error.retryAfterMs ?? 0, Math.round(random() * backoffMs));
          // A wait that ends past the deadline would only burn billed time: leave it to SQS.
          if (now() + delayMs + 50 >= deadlineMs) throw error;
          options.onRetry?.({ service: request.service, attempt, delayMs, error });
          await request.beforeWait?.(delayMs);
          await sleep(delayMs);
        }
      }
    },
  };
}

/**
 * How long the server asked us to wait: `Retry-After`, else the reset time of the vendors'
 * rate-limit headers (Intercom `X-RateLimit-Reset`, Zendesk `X-Rate-Limit-Reset`, both epoch
 * seconds; HubSpot `X-HubSpot-RateLimit-Interval-Milliseconds` is the window, a safe upper bound).
 */
export function retryAfterMs(headers: Headers, nowMs: number): number | undefined {
  const retryAfter = parseRetryAfterMs(headers.get('retry-after'), nowMs);
  if (retryAfter !== undefined) return retryAfter;
  const reset = headers.get('x-ratelimit-reset') ?? headers.get('x-rate-limit-reset');
  if (reset !== null && /^\d+$/.test(reset.trim())) {
    const value = Number(reset.trim());
    // Epoch seconds when it looks like a date, else seconds from now.
    return value > 1_000_000_000 ? Math.max(0, value * 1000 - nowMs) : value * 1000;
  }
  const intervalMs = headers.get('x-hubspot-ratelimit-interval-milliseconds');
  if (intervalMs !== null && /^\d+$/.test(intervalMs.trim()) && headers.get('x-hubspot-ratelimit-remaining') === '0') {
    return Number(intervalMs.trim());
  }
  return undefined;
}

/** `Retry-After` as delay-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfterMs(value: string | null, nowMs: number): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const dateMs = Date.parse(trimmed);
  return Number.isNaN(dateMs) ? undefined : Math.max(0, dateMs - nowMs);
}

/** Drops the query string (tokens live there for some vendors) before a URL reaches a log. */
function redactUrl(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : `${url.slice(0, q)}?…`;
}

import { describe, expect, it } from 'vitest';
import { UpstreamError } from '../../lib/errors.ts';
import { createHttpClient, parseRetryAfterMs, retryAfterMs, type FetchFn } from '../../lib/http.ts';
import { isRetryableSalesforceError } from '../../lib/providers/salesforce/limits.ts';

/** A fetch that answers from a script and records when each call started (fake clock). */
function scripted(replies: (Response | Error)[]) {
  const calls: number[] = [];
  let clock = 1_000_000;
  const fetch: FetchFn = async () => {
    calls.push(clock);
    const reply = replies.shift();
    if (reply === undefined) throw new Error('no more replies');
    if (reply instanceof Error) throw reply;
    return reply;
  };
  return {
    calls,
    fetch,
    now: () => clock,
    sleep: async (ms: number) => {
      clock += ms;
    },
  };
}

const request = { service: 'zendesk', method: 'PUT', url: 'https://h/tickets/1?token=secret', json: { a: 1 }, timeoutMs: 1000 };

describe('createHttpClient', () => {
  it('retries a 429 no sooner than its Retry-After, then succeeds', async () => {
    const s = scripted([new Response('{}', { status: 429, headers: { 'retry-after': '2' } }), new Response('ok', { status: 200 })]);
    const http = createHttpClient({ fetch: s.fetch, now: s.now, sleep: s.sleep, random: () => 0 });
    const response = await http.request(request);
    expect(response.status).toBe(200);
    expect(s.calls).toHaveLength(2);
    expect((s.calls[1] ?? 0) - (s.calls[0] ?? 0)).toBeGreaterThanOrEqual(2000);
  });

  it('retries 5xx, timeouts and network errors with backoff, up to maxAttempts', async () => {
    const timeout = Object.assign(new Error('t'), { name: 'TimeoutError' });
    const s = scripted([new Response('', { status: 503 }), timeout, new TypeError('fetch failed'), new Response('', { status: 502 })]);
    const http = createHttpClient({ fetch: s.fetch, now: s.now, sleep: s.sleep, retry: { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1000 } });
    const error = await http.request(request).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamError);
    expect((error as UpstreamError).reason).toBe('http_502');
    expect((error as UpstreamError).retryable).toBe(true);
    expect(s.calls).toHaveLength(4);
  });

  it('does not retry a permanent 4xx and marks it not retryable', async () => {
    const s = scripted([new Response('{"detail":"nope"}', { status: 422 })]);
    const http = createHttpClient({ fetch: s.fetch, now: s.now, sleep: s.sleep });
    const error = (await http.request(request).catch((e: unknown) => e)) as UpstreamError;
    expect(error).toMatchObject({ reason: 'http_422', retryable: false, status: 422, service: 'zendesk' });
    expect(s.calls).toHaveLength(1);
  });

  it('gives up instead of waiting past the deadline, leaving the retry to SQS', async () => {
    const s = scripted([new Response('', { status: 429, headers: { 'retry-after': '120' } })]);
    const http = createHttpClient({ fetch: s.fetch, now: s.now, sleep: s.sleep, deadlineMs: s.now() + 30_000 });
    const error = (await http.request(request).catch((e: unknown) => e)) as UpstreamError;
    expect(error.reason).toBe('http_429');
    expect(error.retryAfterMs).toBe(120_000);
    expect(s.calls).toHaveLength(1);
  });

  it('keeps the query string (tokens) out of error messages', async () => {
    const s = scripted([new Response('', { status: 404 })]);
    const http = createHttpClient({ fetch: s.fetch, now: s.now, sleep: s.sleep });
    const error = (await http.request(request).catch((e: unknown) => e)) as UpstreamError;
    expect(error.message).not.toContain('secret');
  });
});

describe('parseRetryAfterMs', () => {
  it('reads delay-seconds and HTTP dates, and ignores garbage', () => {
    expect(parseRetryAfterMs('3', 0)).toBe(3000);
    expect(parseRetryAfterMs('Thu, 01 Jan 1970 00:00:10 GMT', 4000)).toBe(6000);
    expect(parseRetryAfterMs('soon', 0)).toBeUndefined();
    expect(parseRetryAfterMs(null, 0)).toBeUndefined();
  });
});

describe('retryAfterMs (vendor rate-limit headers when Retry-After is absent)', () => {
  it('reads Intercom’s and Zendesk’s reset time in epoch seconds', () => {
    expect(retryAfterMs(new Headers({ 'x-ratelimit-reset': '1700000010' }), 1_700_000_000_000)).toBe(10_000);
    expect(retryAfterMs(new Headers({ 'x-rate-limit-reset': '1700000003' }), 1_700_000_000_000)).toBe(3_000);
  });

  it('waits HubSpot’s interval when its remaining budget is zero', () => {
    const headers = new Headers({ 'x-hubspot-ratelimit-interval-milliseconds': '10000', 'x-hubspot-ratelimit-remaining': '0' });
    expect(retryAfterMs(headers, 0)).toBe(10_000);
    expect(retryAfterMs(new Headers({ 'x-hubspot-ratelimit-interval-milliseconds': '10000', 'x-hubspot-ratelimit-remaining': '7' }), 0)).toBeUndefined();
  });

  it('prefers Retry-After', () => {
    expect(retryAfterMs(new Headers({ 'retry-after': '2', 'x-ratelimit-reset': '1700000010' }), 1_700_000_000_000)).toBe(2_000);
  });
});

describe('a per-request retry classification', () => {
  it('retries Salesforce’s 403 REQUEST_LIMIT_EXCEEDED but not another 403', async () => {
    const limit = '[{"message":"TotalRequests Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}]';
    const s = scripted([new Response(limit, { status: 403 }), new Response('{}', { status: 200 })]);
    const http = createHttpClient({ fetch: s.fetch, now: s.now, sleep: s.sleep });
    expect((await http.request({ ...request, isRetryable: isRetryableSalesforceError })).status).toBe(200);

    const denied = scripted([new Response('[{"errorCode":"INSUFFICIENT_ACCESS"}]', { status: 403 })]);
    const http2 = createHttpClient({ fetch: denied.fetch, now: denied.now, sleep: denied.sleep });
    const error = (await http2.request({ ...request, isRetryable: isRetryableSalesforceError }).catch((e: unknown) => e)) as UpstreamError;
    expect(error.retryable).toBe(false);
  });
});

/**
 * The webhook endpoint's event (payload 2.0, as a Lambda function URL sends it — the same format as
 * an API Gateway HTTP API's) ⇄ the core: the raw request out of the event, and every ingest result
 * or error into one response. Callers get a status and a generic text; the detail of a rejection
 * goes to the logs only (401s never say which check failed).
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { AuthenticityError, BridgeError, ConfigError, ForbiddenError, NotFoundError, PayloadTooLargeError, QueueUnavailableError, UnprocessableEventError } from './errors.ts';
import type { IngestInput, IngestResult } from './ingest.ts';
import type { ProviderIngest } from './providers/types.ts';

/** Seconds a helpdesk should wait before retrying after a queue outage. */
export const RETRY_AFTER_SECONDS = 30;

/**
 * The routes, all POST. A function URL hands the function every method and path
 * (https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html), so the function itself
 * turns away what no helpdesk sends — before any other work, as API Gateway's routes did.
 */
export const WEBHOOK_ROUTES = ['/webhooks/{provider}', '/webhooks/{provider}/{event}', '/webhook/ticket-created', '/webhook/ticket-resolved'] as const;
// The one matcher of those routes: provider and event of /webhooks/…, or the guide's event.
const WEBHOOK_PATH = /^\/(?:webhooks\/([^/]+)(?:\/([^/]+))?|webhook\/(ticket-(?:created|resolved)))\/?$/;

/**
 * The path the routes are matched on: rawPath without a named API Gateway stage (`/prod/webhooks/x`
 * on stage `prod`), for a deployment that puts its own staged API in front of the function. A
 * function URL and the template's HTTP API use `$default`, whose rawPath has no stage.
 */
export function routePath(event: APIGatewayProxyEventV2): string {
  const stage = event.requestContext.stage;
  return stage && stage !== '$default' && event.rawPath.startsWith(`/${stage}/`) ? event.rawPath.slice(stage.length + 1) : event.rawPath;
}

/**
 * 404 for a path that is no webhook route, 405 for another method than POST on one; undefined for
 * a webhook request. Scanners probe every public URL: these are answered without a log line at
 * INFO or a metric of ours (Lambda's Url4xxCount counts them).
 */
export function routeMiss(path: string, method: string): Response | undefined {
  if (!WEBHOOK_PATH.test(path)) return json(404, { error: 'not_found', message: 'no such webhook route; POST to /webhooks/{provider}' });
  if (method !== 'POST') {
    return json(405, { error: 'method_not_allowed', message: 'webhooks are POST requests' }, { allow: 'POST' });
  }
  return undefined;
}

/** Extracts provider, event and the raw request; `publicBaseUrl` is what the helpdesk called. */
export function toIngestInput(event: APIGatewayProxyEventV2, publicBaseUrl: string | undefined): IngestInput {
  const match = WEBHOOK_PATH.exec(routePath(event));
  // The guide's bridge has /webhook/ticket-created and /webhook/ticket-resolved for the generic provider.
  const guideEvent = match?.[3];
  const provider = guideEvent !== undefined ? 'generic' : (match?.[1] ?? '');
  const routeEvent = guideEvent ?? match?.[2];
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (value !== undefined) headers[name.toLowerCase()] = value;
  }
  const query: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(event.rawQueryString ?? '')) query[name] ??= value;
  const rawBody = event.body === undefined ? Buffer.alloc(0) : Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
  // The same content as rawBody, so the bytes verified are the text parsed: a well-formed string
  // encodes to UTF-8 and back unchanged (one with lone surrogates would not, so it is decoded).
  const text = event.isBase64Encoded || event.body?.isWellFormed() !== true ? undefined : event.body;
  return {
    provider: decodeSegment(provider),
    routeEvent: routeEvent === undefined ? undefined : decodeSegment(routeEvent),
    requestId: event.requestContext.requestId,
    // The TCP peer as Lambda's URL endpoint saw it; never X-Forwarded-For, which the caller writes.
    sourceIp: event.requestContext.http.sourceIp,
    request: {
      method: event.requestContext.http.method.toUpperCase(),
      url: requestUrl(event, publicBaseUrl),
      rawBody,
      text,
      headers,
      query,
    },
  };
}

/**
 * The URL as the helpdesk called it. On the function URL the host is `domainName`
 * (`<url-id>.lambda-url.<region>.on.aws`). With a custom domain or a proxy in front (CloudFront),
 * PUBLIC_BASE_URL says what the helpdesk sees (HubSpot v3 signs this exact URL). A named API
 * Gateway stage in `rawPath` is still taken off, for a deployment that puts an API in front.
 */
export function requestUrl(event: APIGatewayProxyEventV2, publicBaseUrl: string | undefined): string {
  const query = event.rawQueryString ? `?${event.rawQueryString}` : '';
  if (publicBaseUrl !== undefined) return `${publicBaseUrl.replace(/\/+$/, '')}${routePath(event)}${query}`;
  // Trusted parts only: the host is the endpoint's own (Lambda's, not a header), and the scheme is https unless the header says
  // exactly `http` (the local API). An unchecked header once made the URL
  // `https://collector.example/hook?u=://<host>/…`, another URL's HubSpot signature (issue #13 finding 7).
  const proto = event.headers?.['x-forwarded-proto']?.trim().toLowerCase() === 'http' ? 'http' : 'https';
  return `${proto}://${event.requestContext.domainName}${event.rawPath}${query}`;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

type Response = APIGatewayProxyStructuredResultV2 & { statusCode: number; body: string };

const json = (statusCode: number, body: unknown, headers: Record<string, string> = {}): Response => ({
  statusCode,
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

export function toHttpResponse(result: IngestResult, provider: ProviderIngest | undefined): Response {
  const custom = provider?.acceptedResponse?.(result.parse) ?? (result.parse.kind === 'ignored' ? result.parse.response : undefined);
  if (custom !== undefined) return { statusCode: 200, headers: { 'content-type': custom.contentType }, body: custom.body };
  if (result.kind === 'ignored') return json(200, { status: 'ignored', reason: result.reason });
  return json(202, { status: 'accepted', eventIds: result.events.map((e) => e.eventId) });
}

/** The one mapping from errors to responses. Unknown errors are 500 with nothing echoed. */
export function errorToHttpResponse(error: unknown): Response {
  if (error instanceof AuthenticityError) return json(401, { error: 'unauthorized' });
  // Like 401, a 403 tells a stranger nothing about the allow-list.
  if (error instanceof ForbiddenError) return json(403, { error: 'forbidden' });
  if (error instanceof QueueUnavailableError) {
    return json(503, { error: 'unavailable', message: 'try again later' }, { 'retry-after': String(RETRY_AFTER_SECONDS) });
  }
  // A misconfigured deployment (e.g. a bad allowedIps entry in the HELPDESK_CONFIG secret, loaded
  // after the cold start) is no fault of the request: 503, so the helpdesk retries after the fix.
  if (error instanceof ConfigError) {
    return json(503, { error: 'unavailable', message: 'try again later' }, { 'retry-after': String(RETRY_AFTER_SECONDS) });
  }
  if (error instanceof PayloadTooLargeError) return json(413, { error: 'payload_too_large', message: error.message });
  if (error instanceof NotFoundError) return json(404, { error: error.reason, message: error.message });
  if (error instanceof UnprocessableEventError) return json(422, { error: error.reason, message: error.message });
  // Only authenticated requests get this far, so saying what was wrong with the body is safe.
  if (error instanceof BridgeError && !error.retryable) return json(400, { error: error.reason, message: error.message });
  return json(500, { error: 'internal_error' });
}

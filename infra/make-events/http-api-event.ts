/**
 * The one builder of sample webhook events (payload 2.0) for events/: a helpdesk's POST as the
 * function URL (or the HTTP API's `$default` route) hands it to IngestFunction — lower-cased
 * headers, raw body, route key `$default`, no path parameters — signed with a provider's signer at
 * a fixed time, so regenerating rewrites identical files (`npm run send` re-signs with the current time).
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { LOCAL_DEV_SECRET } from '../../lib/config.ts';
import type { Signer } from '../sign/types.ts';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface SampleRequest {
  /** `generic`, `zendesk`, … — the `{provider}` route segment. */
  readonly provider: string;
  /** The `{event}` route segment, for routes that name the event. */
  readonly event?: string | undefined;
  /** Overrides the `/webhooks/{provider}[/{event}]` path (the guide's `/webhook/ticket-created`). */
  readonly rawPath?: string;
  readonly body: string;
  /** Undefined: an unsigned request. */
  readonly signer: Signer | undefined;
  readonly nowMs: number;
  readonly requestId: string;
  /** The vendor's own headers (content type, user agent, …). */
  readonly headers: Readonly<Record<string, string>>;
  readonly sourceIp?: string;
}

export function sampleHttpApiEvent(request: SampleRequest): APIGatewayProxyEventV2 {
  const { provider, event, body, nowMs } = request;
  const rawPath = request.rawPath ?? (event === undefined ? `/webhooks/${provider}` : `/webhooks/${provider}/${event}`);
  const routeKey = '$default';
  const signed = request.signer?.({ method: 'POST', url: `https://localhost${rawPath}`, body: Buffer.from(body), secret: LOCAL_DEV_SECRET, nowMs });
  const rawQueryString = signed?.url === undefined ? '' : new URL(signed.url).search.slice(1);
  const userAgent = request.headers['user-agent'] ?? 'sample';
  const sample: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey,
    rawPath,
    rawQueryString,
    headers: {
      accept: '*/*',
      'content-length': String(Buffer.byteLength(body)),
      host: 'localhost',
      'x-forwarded-for': request.sourceIp ?? '127.0.0.1',
      'x-forwarded-port': '443',
      'x-forwarded-proto': 'https',
      ...request.headers,
      ...signed?.headers,
    },
    requestContext: {
      accountId: '123456789012',
      apiId: 'local',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: { method: 'POST', path: rawPath, protocol: 'HTTP/1.1', sourceIp: request.sourceIp ?? '127.0.0.1', userAgent },
      requestId: request.requestId,
      routeKey,
      stage: '$default',
      time: clf(nowMs),
      timeEpoch: nowMs,
    },
    body,
    isBase64Encoded: false,
  };
  return rawQueryString === '' ? sample : { ...sample, queryStringParameters: Object.fromEntries(new URLSearchParams(rawQueryString)) };
}

/** Writes `events/<dir>/<file>` as pretty JSON with a final newline. */
export function writeSample(dir: string, file: string, value: unknown): void {
  writeFileSync(`${REPO_ROOT}events/${dir}/${file}`, `${JSON.stringify(value, null, 2)}\n`);
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** API Gateway's `requestContext.time`: `17/Apr/2024:17:18:10 +0000`. */
function clf(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`;
}

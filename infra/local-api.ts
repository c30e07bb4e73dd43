/**
 * The local webhook endpoint (reference/aws.md D3): a node:http server that turns each request into
 * the payload 2.0 event the deployed IngestFunction receives from its function URL — built from the
 * RAW bytes, so signatures verify exactly as on AWS — invokes the handler, and writes its result back.
 *
 * Like a function URL (https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html), every
 * method and path reaches the function, with route key `$default` and no path parameters: the
 * handler itself answers 404 or 405 to what is no webhook route (lib/endpoint.ts routeMiss).
 * The deployed HTTP API option (Endpoint=HttpApi) has one `$default` route too, so it sends the same.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { createLambdaContext, withTimeout } from './poller.ts';

export type WebhookHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2 | string | object | undefined>;

export interface LocalApiOptions {
  readonly handler: WebhookHandler;
  readonly port?: number;
  readonly host?: string;
  /** The function's Timeout (a function URL waits as long as the function may run). */
  readonly timeoutMs?: number;
  readonly region?: string;
  readonly functionName?: string;
  /** A client that has not sent its headers by then gets 408 and is closed (default 10 s). */
  readonly headersTimeoutMs?: number;
  /** A client that has not sent its whole request by then gets 408 and is closed (default 30 s). */
  readonly requestTimeoutMs?: number;
  /** Body limit; past it the reading stops and 413 is answered at once (default a function URL's 6 MB). */
  readonly maxPayloadBytes?: number;
  /** Called after each response (the local stack logs it). */
  readonly onResponse?: (info: { method: string; path: string; statusCode: number; durationMs: number }) => void;
}

export interface LocalApi {
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  stop(): Promise<void>;
}

/**
 * A function URL's request payload limit, 6 MB (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html,
 * "Invocation payload (request and response): 6 MB each for synchronous"). IngestFunction refuses
 * far smaller bodies itself (413).
 */
const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;
/** How long the local endpoint waits for the function when no Timeout is given (Lambda's default is 3 s; the template sets 10 s). */
const DEFAULT_TIMEOUT_MS = 30_000;
/** A client still sending its request after this is a slow client (408). */
const REQUEST_TIMEOUT_MS = 30_000;
/** Headers are a few hundred bytes: a client still sending them after this is a slow-loris. */
const HEADERS_TIMEOUT_MS = 10_000;

export async function startLocalApi(options: LocalApiOptions): Promise<LocalApi> {
  const region = options.region ?? 'us-east-1';
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxPayloadBytes = options.maxPayloadBytes ?? MAX_PAYLOAD_BYTES;
  const headersTimeout = options.headersTimeoutMs ?? HEADERS_TIMEOUT_MS;
  const requestTimeout = Math.max(options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS, headersTimeout);
  // Node answers 408 and closes a connection past either timeout (issue #13 finding 15: slow
  // clients were never timed out); it checks every `connectionsCheckingInterval` ms.
  const serverOptions = { headersTimeout, requestTimeout, connectionsCheckingInterval: Math.min(1_000, headersTimeout) };
  const server = createServer(serverOptions, (req, res) => {
    void handle(req, res).catch((error: unknown) => {
      // A client that timed out or went away (Node answered it 408 and closed it): nothing to do.
      if (req.socket.destroyed) return;
      // A bug in the harness, not in the handler: say so rather than hang the client.
      if (!res.headersSent) send(res, 500, { 'content-type': 'application/json' }, JSON.stringify({ message: 'Internal Server Error' }));
      console.error('local API error:', error);
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const startedMs = Date.now();
    const body = await readRaw(req, maxPayloadBytes);
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = (req.method ?? 'GET').toUpperCase();
    const done = (statusCode: number) => options.onResponse?.({ method, path: url.pathname, statusCode, durationMs: Date.now() - startedMs });
    if (body === undefined) {
      // Answer now and read no more of the body: close the connection once the answer is out.
      res.once('finish', () => {
        req.socket.end();
        setTimeout(() => req.socket.destroy(), 1_000).unref();
      });
      send(res, 413, { 'content-type': 'application/json', connection: 'close' }, JSON.stringify({ message: 'Request Entity Too Large' }));
      return done(413);
    }
    const event = toUrlEvent(req, body, startedMs);
    let result: Awaited<ReturnType<WebhookHandler>>;
    try {
      const context = createLambdaContext({ functionName: options.functionName ?? 'IngestFunction', timeoutMs, region });
      result = await withTimeout(options.handler(event, context), timeoutMs, options.functionName ?? 'IngestFunction');
    } catch (error) {
      // What a function URL answers when the function fails or times out.
      console.error('ingest handler failed:', error);
      send(res, 500, { 'content-type': 'application/json' }, JSON.stringify({ message: 'Internal Server Error' }));
      return done(500);
    }
    const response = toHttpResponse(result);
    send(res, response.statusCode, response.headers, response.body, response.cookies);
    done(response.statusCode);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://localhost:${port}`,
    port,
    server,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Content types passed as text (function URLs and HTTP APIs alike); anything else arrives base64-encoded. */
export function isTextual(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  return (
    type.startsWith('text/') ||
    type === 'application/json' ||
    type.endsWith('+json') ||
    type === 'application/xml' ||
    type.endsWith('+xml') ||
    type === 'application/x-www-form-urlencoded' ||
    type === 'application/javascript'
  );
}

/** The function URL event (payload 2.0) of one request (https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html#urls-payloads). */
export function toUrlEvent(req: IncomingMessage, rawBody: Buffer, startedMs: number): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  // rawHeaders keeps duplicates; they are joined with ',' (cookies go to `cookies`).
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = (req.rawHeaders[i] ?? '').toLowerCase();
    const value = req.rawHeaders[i + 1] ?? '';
    if (name === 'cookie') {
      cookies.push(...value.split(';').map((c) => c.trim()).filter((c) => c !== ''));
      continue;
    }
    headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
  }
  // The TCP peer, as the endpoint's sourceIp (allowedIps checks it). No loopback default: a socket
  // without an address (already closed) must not pass an allow-list as 127.0.0.1.
  const sourceIp = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
  // The endpoint adds the forwarding headers; the ingest handler rebuilds the called URL from them.
  // The scheme and port are the server's own facts, never the client's (issue #13 finding 7).
  headers['x-forwarded-for'] ??= sourceIp;
  headers['x-forwarded-port'] = String(req.socket.localPort ?? '');
  headers['x-forwarded-proto'] = 'http';

  const target = req.url ?? '/';
  const queryAt = target.indexOf('?');
  const rawPath = queryAt < 0 ? target : target.slice(0, queryAt);
  const rawQueryString = queryAt < 0 ? '' : target.slice(queryAt + 1);
  const queryStringParameters: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(rawQueryString)) {
    queryStringParameters[name] = queryStringParameters[name] === undefined ? value : `${queryStringParameters[name]},${value}`;
  }
  const textual = isTextual(headers['content-type']);
  const host = headers.host ?? 'localhost';
  const requestId = randomUUID();
  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString,
    headers,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: host,
      domainPrefix: host.split('.')[0]?.split(':')[0] ?? host,
      http: {
        method: (req.method ?? 'GET').toUpperCase(),
        path: rawPath,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey: '$default',
      stage: '$default',
      time: clfTime(startedMs),
      timeEpoch: startedMs,
    },
    isBase64Encoded: rawBody.length > 0 && !textual,
  };
  if (cookies.length > 0) event.cookies = cookies;
  if (Object.keys(queryStringParameters).length > 0) event.queryStringParameters = queryStringParameters;
  if (rawBody.length > 0) event.body = textual ? rawBody.toString('utf8') : rawBody.toString('base64');
  return event;
}

/** The mapping of a payload 2.0 result: a structured result, or any other value as JSON 200. */
function toHttpResponse(result: Awaited<ReturnType<WebhookHandler>>): {
  statusCode: number;
  headers: Record<string, string>;
  body: Buffer;
  cookies: readonly string[];
} {
  if (result !== null && typeof result === 'object' && 'statusCode' in result) {
    const r = result as APIGatewayProxyStructuredResultV2;
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(r.headers ?? {})) headers[name.toLowerCase()] = String(value);
    const body = r.body === undefined ? Buffer.alloc(0) : Buffer.from(r.body, r.isBase64Encoded === true ? 'base64' : 'utf8');
    return { statusCode: r.statusCode ?? 200, headers, body, cookies: r.cookies ?? [] };
  }
  const body = Buffer.from(typeof result === 'string' ? result : (JSON.stringify(result) ?? ''));
  return { statusCode: 200, headers: { 'content-type': 'application/json' }, body, cookies: [] };
}

function send(res: ServerResponse, statusCode: number, headers: Record<string, string>, body: string | Buffer, cookies: readonly string[] = []): void {
  res.writeHead(statusCode, { ...headers, ...(cookies.length > 0 ? { 'set-cookie': [...cookies] } : {}) });
  res.end(body);
}

/**
 * The raw request bytes, or undefined as soon as they pass `limit` (a declared Content-Length over
 * it, or a chunked upload that grows past it): the reading stops there instead of taking in the rest.
 */
function readRaw(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      req.pause();
      resolve(undefined);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) {
        chunks.push(chunk);
        return;
      }
      req.off('data', onData);
      req.pause();
      chunks.length = 0;
      resolve(undefined);
    };
    req.on('data', onData);
    req.on('end', () => resolve(size > limit ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** `12/Mar/2020:19:03:58 +0000`, as the endpoint writes `requestContext.time`. */
function clfTime(ms: number): string {
  const d = new Date(ms);
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(d.getUTCDate())}/${months[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
}

/**
 * The local HTTP API (reference/aws.md D3): a node:http server that turns each request into the
 * API Gateway HTTP API payload 2.0 event the deployed IngestFunction receives — built from the RAW
 * bytes, so signatures verify exactly as behind API Gateway — invokes the handler, and writes its
 * result back.
 *
 * Like HTTP API, only the template's routes reach the function (POST on `/webhooks/{provider}`,
 * `/webhooks/{provider}/{event}`, `/webhook/ticket-created|ticket-resolved`); any other method or
 * path gets API Gateway's own `404 {"message":"Not Found"}` without invoking it. An unknown
 * provider or event inside a route is the handler's 404.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { createLambdaContext, withTimeout } from './poller.ts';
import type { HttpRoute } from './resources.ts';

export type HttpApiHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2 | string | object | undefined>;

export interface LocalApiOptions {
  readonly handler: HttpApiHandler;
  readonly port?: number;
  readonly host?: string;
  /** The function's Timeout; HTTP API itself gives up after 30 s. */
  readonly timeoutMs?: number;
  readonly region?: string;
  readonly functionName?: string;
  /** The API's routes (template.yaml's HttpApi events); DEFAULT_ROUTES otherwise. */
  readonly routes?: readonly HttpRoute[];
  /** A client that has not sent its headers by then gets 408 and is closed (default 10 s). */
  readonly headersTimeoutMs?: number;
  /** A client that has not sent its whole request by then gets 408 and is closed (default 30 s, HTTP API's timeout). */
  readonly requestTimeoutMs?: number;
  /** Body limit; past it the reading stops and 413 is answered at once (default HTTP API's 10 MiB). */
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

/** The routes template.yaml declares, for callers without the template. */
export const DEFAULT_ROUTES: readonly HttpRoute[] = [
  { method: 'POST', path: '/webhooks/{provider}' },
  { method: 'POST', path: '/webhooks/{provider}/{event}' },
  { method: 'POST', path: '/webhook/ticket-created' },
  { method: 'POST', path: '/webhook/ticket-resolved' },
];

/** HTTP API's payload limit. */
const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;
/** HTTP API's integration timeout. */
const API_TIMEOUT_MS = 30_000;
/** Headers are a few hundred bytes: a client still sending them after this is a slow-loris. */
const HEADERS_TIMEOUT_MS = 10_000;

export async function startLocalApi(options: LocalApiOptions): Promise<LocalApi> {
  const region = options.region ?? 'us-east-1';
  const timeoutMs = Math.min(options.timeoutMs ?? API_TIMEOUT_MS, API_TIMEOUT_MS);
  const routes = options.routes ?? DEFAULT_ROUTES;
  const maxPayloadBytes = options.maxPayloadBytes ?? MAX_PAYLOAD_BYTES;
  const headersTimeout = options.headersTimeoutMs ?? HEADERS_TIMEOUT_MS;
  const requestTimeout = Math.max(options.requestTimeoutMs ?? API_TIMEOUT_MS, headersTimeout);
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
    const route = matchRoute(method, url.pathname, routes);
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
    if (route === undefined) {
      send(res, 404, { 'content-type': 'application/json' }, JSON.stringify({ message: 'Not Found' }));
      return done(404);
    }
    const event = toHttpApiEvent(req, body, { routeKey: route.routeKey, pathParameters: route.parameters, startedMs });
    let result: Awaited<ReturnType<HttpApiHandler>>;
    try {
      const context = createLambdaContext({ functionName: options.functionName ?? 'IngestFunction', timeoutMs, region });
      result = await withTimeout(options.handler(event, context), timeoutMs, options.functionName ?? 'IngestFunction');
    } catch (error) {
      // What HTTP API answers when the function fails or times out.
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

/** HTTP API route matching: exact segments and `{name}` parameters (no greedy `{proxy+}` needed here). */
function matchRoute(method: string, path: string, routes: readonly HttpRoute[]): { routeKey: string; parameters: Record<string, string> } | undefined {
  const segments = path.split('/');
  for (const route of routes) {
    if (route.method !== 'ANY' && route.method !== method) continue;
    const parts = route.path.split('/');
    if (parts.length !== segments.length) continue;
    const parameters: Record<string, string> = {};
    const ok = parts.every((part, i) => {
      const segment = segments[i] ?? '';
      if (part.startsWith('{') && part.endsWith('}')) {
        if (segment === '') return false;
        parameters[part.slice(1, -1)] = decodeSafe(segment);
        return true;
      }
      return part === segment;
    });
    if (ok) return { routeKey: `${route.method} ${route.path}`, parameters };
  }
  return undefined;
}

/** Content types HTTP API passes as text; anything else arrives base64-encoded. */
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

/** The HTTP API payload 2.0 event of one request (see `sam local generate-event apigateway http-api-proxy`). */
export function toHttpApiEvent(
  req: IncomingMessage,
  rawBody: Buffer,
  route: { routeKey: string; pathParameters: Record<string, string>; startedMs: number },
): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  // rawHeaders keeps duplicates; HTTP API joins them with ',' (cookies go to `cookies`).
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = (req.rawHeaders[i] ?? '').toLowerCase();
    const value = req.rawHeaders[i + 1] ?? '';
    if (name === 'cookie') {
      cookies.push(...value.split(';').map((c) => c.trim()).filter((c) => c !== ''));
      continue;
    }
    headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
  }
  // The TCP peer, as API Gateway's sourceIp (allowedIps checks it). No loopback default: a socket
  // without an address (already closed) must not pass an allow-list as 127.0.0.1.
  const sourceIp = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
  // API Gateway adds the forwarding headers; the ingest handler rebuilds the called URL from them.
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
    routeKey: route.routeKey,
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
      routeKey: route.routeKey,
      stage: '$default',
      time: clfTime(route.startedMs),
      timeEpoch: route.startedMs,
    },
    isBase64Encoded: rawBody.length > 0 && !textual,
  };
  if (cookies.length > 0) event.cookies = cookies;
  if (Object.keys(queryStringParameters).length > 0) event.queryStringParameters = queryStringParameters;
  if (Object.keys(route.pathParameters).length > 0) event.pathParameters = route.pathParameters;
  if (rawBody.length > 0) event.body = textual ? rawBody.toString('utf8') : rawBody.toString('base64');
  return event;
}

/** HTTP API's mapping of a payload 2.0 result: a structured result, or any other value as JSON 200. */
function toHttpResponse(result: Awaited<ReturnType<HttpApiHandler>>): {
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

function decodeSafe(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** `12/Mar/2020:19:03:58 +0000`, as HTTP API writes `requestContext.time`. */
function clfTime(ms: number): string {
  const d = new Date(ms);
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(d.getUTCDate())}/${months[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
}

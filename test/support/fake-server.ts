/**
 * A local HTTP server standing in for Simpli or a helpdesk API. It records every request
 * (method, path, headers, parsed JSON body) and answers with what the test's `respond` returns;
 * tests assert on `requests`. With a `contract` (helpdesk-contracts.ts: the vendor's OpenAPI file or
 * its documented rules) every request is checked first: one that breaks it is answered 400 with the
 * validator's message, as a strict API would, and recorded in `violations`, which
 * `assertNoViolations()` turns into a test failure.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly rawBody: string;
  readonly body: unknown;
}

export interface FakeReply {
  readonly status?: number;
  readonly json?: unknown;
  readonly text?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Wait this long before answering (timeouts, latency benchmarks). */
  readonly delayMs?: number;
}

/** The JSON body of a recorded request, failing the test clearly when there was no such request. */
export function jsonBody<T>(request: RecordedRequest | undefined): T {
  if (request === undefined) throw new Error('expected a recorded request, and there was none');
  return request.body as T;
}

export type Responder = (request: RecordedRequest) => FakeReply | Promise<FakeReply>;

/** The contract violations of a request ([] when it keeps the contract). */
export type RequestContract = (request: RecordedRequest) => string[] | Promise<string[]>;

export interface FakeServerOptions {
  readonly contract?: RequestContract;
}

export interface FakeServer {
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Every contract violation seen (one line each, with the validator's message). */
  readonly violations: string[];
  /** Throws, listing them, when any request broke the contract; then forgets them. */
  assertNoViolations(): void;
  /** Requests whose path matches. */
  calls(method: string, path: string | RegExp): RecordedRequest[];
  respond(responder: Responder): void;
  stop(): Promise<void>;
}

export async function startFakeServer(responder: Responder = () => ({ status: 200, json: {} }), options: FakeServerOptions = {}): Promise<FakeServer> {
  let current = responder;
  const requests: RecordedRequest[] = [];
  const violations: string[] = [];
  const server: Server = createServer(async (req, res) => {
    const rawBody = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://localhost');
    let body: unknown = rawBody;
    try {
      body = rawBody === '' ? undefined : JSON.parse(rawBody);
    } catch {
      // keep the text
    }
    const recorded: RecordedRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, rawBody, body };
    requests.push(recorded);
    let reply: FakeReply;
    try {
      const broken = options.contract === undefined ? [] : await options.contract(recorded);
      violations.push(...broken);
      reply = broken.length > 0 ? { status: 400, json: { error: 'contract_violation', message: broken.join('; ') } } : await current(recorded);
    } catch (error) {
      reply = { status: 500, json: { error: String(error) } };
    }
    if (reply.delayMs !== undefined) await new Promise((r) => setTimeout(r, reply.delayMs));
    if (res.destroyed) return;
    const text = reply.text ?? (reply.json === undefined ? '' : JSON.stringify(reply.json));
    res.writeHead(reply.status ?? 200, {
      ...(reply.json === undefined ? {} : { 'content-type': 'application/json' }),
      ...reply.headers,
    });
    res.end(text);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    violations,
    assertNoViolations() {
      if (violations.length === 0) return;
      const found = violations.splice(0);
      throw new Error(`the fake helpdesk API received ${found.length} request(s) its contract refuses:\n- ${found.join('\n- ')}`);
    },
    calls: (method, path) =>
      requests.filter((r) => r.method === method && (typeof path === 'string' ? r.path === path : path.test(r.path))),
    respond(next) {
      current = next;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

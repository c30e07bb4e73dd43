/**
 * The red-team tests' way in: the real ingest handler (functions/ingest/app.ts) with every provider,
 * each request signed as its helpdesk signs it (infra/sign), events recorded instead of queued, and
 * the handler's log lines captured.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { createIngestHandler } from '../../functions/ingest/app.ts';
import { DEFAULT_MAX_BODY_BYTES } from '../../lib/config.ts';
import { providers } from '../../lib/providers/registry.ts';
import type { ProviderName, QueuedEvent } from '../../lib/providers/types.ts';
import { signers } from '../../infra/sign/index.ts';

export const HOST = 'bridge.example.com';
export const ORG_ID = '00D5e000000XyZaEAK';
export const secretOf = (provider: ProviderName) => `${provider}-redteam-secret`;

export interface Posted {
  readonly status: number;
  readonly body: Record<string, unknown>;
  /** What this request enqueued. */
  readonly events: readonly QueuedEvent[];
}

export interface KitOptions {
  readonly settings?: Partial<Record<ProviderName, Record<string, unknown>>>;
  readonly nowMs?: number;
  readonly publicBaseUrl?: string;
  readonly ledgerTtlDays?: number;
}

export interface PostOptions {
  readonly headers?: Record<string, string>;
  readonly contentType?: string;
  /** Sign for this URL instead of the one the bridge rebuilds. */
  readonly signedUrl?: string;
  readonly unsigned?: boolean;
}

export function createKit(options: KitOptions = {}) {
  const nowMs = options.nowMs ?? Date.now();
  const logs: string[] = [];
  const logger = new Logger({ serviceName: 'redteam', logLevel: 'DEBUG' });
  // Powertools writes through console; collect its lines instead of printing them.
  const sink = (...args: unknown[]) => logs.push(args.map(String).join(' '));
  (logger as unknown as { console: Record<string, unknown> }).console = { log: sink, info: sink, warn: sink, error: sink, debug: sink, trace: sink };
  let batch: QueuedEvent[] = [];
  const handler = createIngestHandler({
    providers,
    secretsFor: async (p) => [secretOf(p)],
    settingsFor: async (p) => ({ ...(p === 'salesforce' ? { organizationIds: [ORG_ID] } : {}), ...options.settings?.[p] }),
    enqueue: async (events) => {
      batch.push(...events);
    },
    maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
    publicBaseUrl: options.publicBaseUrl,
    ledgerTtlDays: options.ledgerTtlDays,
    now: () => nowMs,
    logger,
  });

  async function post(provider: ProviderName, path: string, body: string | Buffer, post: PostOptions = {}): Promise<Posted> {
    const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body);
    const [rawPath = path, rawQueryString = ''] = path.split('?');
    const signer = signers[provider];
    // A connector (no built-in signer) is posted `unsigned`, with its credentials in `headers`.
    if (signer === undefined && post.unsigned !== true) throw new Error(`no signer for ${provider}`);
    const url = post.signedUrl ?? `https://${HOST}${path}`;
    const signed = post.unsigned === true || signer === undefined ? { headers: {} as Record<string, string>, url: undefined } : signer({ method: 'POST', url, body: bytes, secret: secretOf(provider), nowMs });
    const query = signed.url === undefined ? rawQueryString : new URL(signed.url).search.slice(1);
    const contentType = post.contentType ?? (provider === 'salesforce' ? 'text/xml; charset=utf-8' : 'application/json');
    const event: APIGatewayProxyEventV2 = {
      version: '2.0',
      routeKey: '$default',
      rawPath,
      rawQueryString: query,
      headers: { host: HOST, 'content-type': contentType, ...signed.headers, ...post.headers },
      requestContext: {
        accountId: '000000000000',
        apiId: 'redteam',
        domainName: HOST,
        domainPrefix: 'bridge',
        http: { method: 'POST', path: rawPath, protocol: 'HTTP/1.1', sourceIp: '203.0.113.9', userAgent: 'redteam' },
        requestId: 'redteam',
        routeKey: '$default',
        stage: '$default',
        time: new Date(nowMs).toISOString(),
        timeEpoch: nowMs,
      },
      body: bytes.toString('base64'),
      isBase64Encoded: true,
    };
    batch = [];
    const response = await handler(event);
    const events = batch;
    const text = response.body ?? '';
    const json = response.headers?.['content-type'] === 'application/json';
    return { status: response.statusCode ?? 0, body: json ? (JSON.parse(text) as Record<string, unknown>) : { text }, events };
  }

  return { post, logs, nowMs };
}

export type Kit = ReturnType<typeof createKit>;

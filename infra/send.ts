/**
 * `npm run send -- <event-file> [--url http://localhost:3000] [--secret local-dev-secret] [--as-is]`
 *
 * Replays an API Gateway HTTP API event (a file in events/) against the local stack as the
 * helpdesk would send it NOW: the body is re-signed with the current time by the provider's signer
 * (infra/sign/), replacing the file's stale signature headers, and POSTed to the same path and
 * query. Prints the status and the body; exits non-zero on a non-2xx answer.
 * A connector (`/webhooks/<name>` declared in HELPDESK_CONFIG, or a preset by its name) is signed
 * as its specification says (infra/sign/connector.ts).
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { LOCAL_DEV_SECRET, parseHelpdeskConfig, type HelpdeskConfig } from '../lib/config.ts';
import { PRESETS } from '../lib/providers/connector/presets/index.ts';
import { CONNECTOR_NAME, connectorSpecSchema } from '../lib/providers/connector/spec.ts';
import { PROVIDER_NAMES, type ProviderName } from '../lib/providers/types.ts';
import { signStandardWebhook } from './sign/generic.ts';
import { connectorSigner } from './sign/connector.ts';
import { signers } from './sign/index.ts';

/** Headers that carry a signature, token or timestamp a re-signed request must not keep. */
const STALE_HEADERS = [
  /^x-webhook-signature$/,
  /^webhook-(id|timestamp|signature)$/,
  /^x-zendesk-webhook-(signature|signature-timestamp|invocation-id)$/,
  /^x-hubspot-(signature|signature-v3|signature-version|request-timestamp)$/,
  /^x-hub-signature(-256)?$/,
  /^authorization$/,
];
/** Set by the client or API Gateway, not by the helpdesk. */
const TRANSPORT_HEADERS = new Set(['host', 'content-length', 'connection', 'transfer-encoding', 'x-forwarded-for', 'x-forwarded-port', 'x-forwarded-proto', 'x-amzn-trace-id']);

export type SampleEvent = Pick<APIGatewayProxyEventV2, 'rawPath' | 'rawQueryString' | 'headers' | 'body' | 'isBase64Encoded'> & {
  readonly requestContext?: { readonly http?: { readonly method?: string; readonly path?: string } };
};

export interface SendOptions {
  /** Base URL of the local API. */
  readonly baseUrl: string;
  readonly secret: string;
  /** Send the file's headers unchanged (e.g. to replay an unsigned or a stale request). */
  readonly asIs?: boolean;
  readonly nowMs?: number;
  /** HELPDESK_CONFIG as the stack has it, for connectors' specifications (presets need none). */
  readonly helpdeskConfig?: HelpdeskConfig | undefined;
}

export interface SendResult {
  readonly provider: ProviderName | undefined;
  readonly url: string;
  readonly signed: boolean;
  readonly status: number;
  readonly body: string;
}

/** `/webhooks/{provider}/…` → provider (a built-in or a connector's name); the guide's `/webhook/…` → generic. */
export function providerOf(rawPath: string): ProviderName | undefined {
  if (/^\/webhook\//.test(rawPath)) return 'generic';
  const name = /^\/webhooks\/([^/?]+)/.exec(rawPath)?.[1]?.toLowerCase();
  return (PROVIDER_NAMES as readonly string[]).includes(name ?? '') || CONNECTOR_NAME.test(name ?? '') ? name : undefined;
}

/** A connector's signer, from HELPDESK_CONFIG[name].connector or the preset it (or its name) names. */
function connectorSignerFor(name: string, config: HelpdeskConfig | undefined) {
  const settings = config?.[name] ?? {};
  const preset = typeof settings.preset === 'string' ? settings.preset : name;
  const raw = settings.connector ?? (Object.hasOwn(PRESETS, preset) ? PRESETS[preset] : undefined);
  const spec = connectorSpecSchema().safeParse(raw);
  return spec.success ? connectorSigner(spec.data) : undefined;
}

/** Builds the request (re-signed unless `asIs`) and sends it. */
export async function sendEvent(event: SampleEvent, options: SendOptions): Promise<SendResult> {
  const rawPath = event.rawPath || event.requestContext?.http?.path || '/';
  const query = event.rawQueryString ? `?${event.rawQueryString}` : '';
  const method = event.requestContext?.http?.method ?? 'POST';
  const body = event.body === undefined ? Buffer.alloc(0) : Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
  const provider = providerOf(rawPath);
  let url = `${options.baseUrl.replace(/\/+$/, '')}${rawPath}${query}`;

  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    const lower = name.toLowerCase();
    if (value === undefined || TRANSPORT_HEADERS.has(lower)) continue;
    if (!options.asIs && STALE_HEADERS.some((h) => h.test(lower))) continue;
    headers[lower] = value;
  }
  const signer = provider === undefined ? undefined : (signers[provider] ?? connectorSignerFor(provider, options.helpdeskConfig));
  const signed = !options.asIs && signer !== undefined;
  if (signed) {
    const nowMs = options.nowMs ?? Date.now();
    const original = event.headers ?? {};
    // A Standard Webhooks sample stays one (same delivery id); other generic samples use the guide's HMAC.
    const standardId = provider === 'generic' ? original['webhook-id'] : undefined;
    const added =
      standardId !== undefined
        ? { headers: signStandardWebhook({ body, secret: options.secret, nowMs, id: standardId }) }
        : signer({ method, url, body, secret: options.secret, nowMs });
    Object.assign(headers, added.headers);
    if (added.url !== undefined) url = added.url;
  }

  let response: Response;
  try {
    response = await fetch(url, { method, headers, ...(body.length > 0 ? { body } : {}) });
  } catch (cause) {
    throw new Error(`nothing answers at ${url}: is the local stack running? Start it with \`npm start\``, { cause });
  }
  return { provider, url, signed, status: response.status, body: await response.text() };
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      url: { type: 'string', default: `http://localhost:${process.env.PORT ?? 3000}` },
      secret: { type: 'string', default: LOCAL_DEV_SECRET },
      'as-is': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const file = positionals[0];
  if (values.help || file === undefined) {
    console.error('usage: npm run send -- <event-file> [--url http://localhost:3000] [--secret local-dev-secret] [--as-is]');
    return values.help ? 0 : 2;
  }
  const event = JSON.parse(await readFile(resolve(file), 'utf8')) as SampleEvent;
  // The stack's HELPDESK_CONFIG, when exported, tells how a custom connector signs; presets need none.
  const helpdeskConfig = process.env.HELPDESK_CONFIG ? parseHelpdeskConfig(process.env.HELPDESK_CONFIG, 'HELPDESK_CONFIG') : undefined;
  const result = await sendEvent(event, { baseUrl: values.url, secret: values.secret, asIs: values['as-is'], helpdeskConfig });
  const how = result.signed ? `re-signed for ${result.provider}` : result.provider === undefined ? 'unknown provider, sent as is' : 'sent as is';
  console.log(`POST ${result.url} (${how})`);
  console.log(`${result.status}${result.body === '' ? '' : ` ${result.body}`}`);
  return result.status >= 200 && result.status < 300 ? 0 : 1;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      const cause = error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : '';
      console.error(`send failed: ${error instanceof Error ? error.message : String(error)}${cause}`);
      process.exit(1);
    },
  );
}

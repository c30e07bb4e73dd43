/**
 * The Freshdesk API reads the bridge needs: the ticket (thin webhooks, current tags before a
 * merge) and its conversations (QA on resolution).
 */
import { UpstreamError } from '../../errors.ts';
import type { HttpClient } from '../../http.ts';
import { pathSegment } from '../../ticket-id.ts';

export const FRESHDESK_TIMEOUT_MS = 10_000;
/** `per_page` is at most 100; 10 pages is far more thread than QA needs. */
const PAGE_SIZE = 100;
const MAX_PAGES = 10;

export interface FreshdeskApi {
  readonly baseUrl: string;
  readonly authorization: string;
}

export interface FreshdeskConversation {
  readonly text: string;
  readonly isPrivate: boolean;
  /** True when the customer wrote it (an incoming reply). */
  readonly incoming: boolean;
}

/** `GET /api/v2/tickets/{id}` → the ticket object. */
export async function fetchTicket(http: HttpClient, api: FreshdeskApi, ticketId: string): Promise<Record<string, unknown>> {
  const body = await getJson(http, api, `${api.baseUrl}/api/v2/tickets/${pathSegment(ticketId)}`);
  if (Array.isArray(body)) throw malformed('GET ticket answered a list');
  return body as Record<string, unknown>;
}

/** `GET /api/v2/tickets/{id}/conversations` (replies and notes, oldest first; not the description). */
export async function fetchConversations(http: HttpClient, api: FreshdeskApi, ticketId: string): Promise<FreshdeskConversation[]> {
  const all: FreshdeskConversation[] = [];
  for (let page = 1; page <= MAX_PAGES; page++) {
    const body = await getJson(http, api, `${api.baseUrl}/api/v2/tickets/${pathSegment(ticketId)}/conversations?per_page=${PAGE_SIZE}&page=${page}`);
    if (!Array.isArray(body)) throw malformed('GET conversations answered something other than a list');
    for (const item of body as unknown[]) {
      if (item === null || typeof item !== 'object') continue;
      const c = item as Record<string, unknown>;
      const text = typeof c.body_text === 'string' ? c.body_text : typeof c.body === 'string' ? c.body : '';
      all.push({ text, isPrivate: c.private === true, incoming: c.incoming === true });
    }
    if (body.length < PAGE_SIZE) break;
  }
  return all;
}

async function getJson(http: HttpClient, api: FreshdeskApi, url: string): Promise<object> {
  const response = await http.request({ service: 'freshdesk', method: 'GET', url, headers: { authorization: api.authorization }, timeoutMs: FRESHDESK_TIMEOUT_MS });
  try {
    const parsed: unknown = JSON.parse(response.body);
    if (parsed !== null && typeof parsed === 'object') return parsed;
  } catch {
    // fall through
  }
  throw malformed(`GET ${new URL(url).pathname} answered a body that is not JSON`);
}

function malformed(message: string): UpstreamError {
  return new UpstreamError({ service: 'freshdesk', reason: 'invalid_response', retryable: true }, `freshdesk: ${message}`);
}

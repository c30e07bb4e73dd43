/**
 * The Zendesk API reads normalization needs when a webhook lacks them: the ticket (thin trigger
 * bodies) and its comments (QA on resolution needs the conversation).
 */
import { UpstreamError } from '../../errors.ts';
import type { HttpClient } from '../../http.ts';

/** Zendesk answers in well under this; 10 s is also Zendesk's own webhook timeout. */
export const ZENDESK_TIMEOUT_MS = 10_000;
/** Comments come 100 to a page; 10 pages is a 1,000-comment thread, more than QA needs. */
const MAX_COMMENT_PAGES = 10;

export interface ZendeskApi {
  readonly baseUrl: string;
  readonly authorization: string;
}

export interface ZendeskComment {
  readonly id: string;
  readonly authorId: string;
  readonly text: string;
  readonly isPublic: boolean;
}

/** `GET /api/v2/tickets/{id}` → the ticket object (paths as Zendesk's OpenAPI lists them, without `.json`). */
export async function fetchTicket(http: HttpClient, api: ZendeskApi, ticketId: string): Promise<Record<string, unknown>> {
  const body = await getJson(http, api, `${api.baseUrl}/api/v2/tickets/${encodeURIComponent(ticketId)}`);
  const ticket = body.ticket;
  if (ticket === null || typeof ticket !== 'object') throw malformed('GET ticket answered without a ticket');
  return ticket as Record<string, unknown>;
}

/** `GET /api/v2/tickets/{id}/comments`, oldest first, following `next_page` on the same host. */
export async function fetchComments(http: HttpClient, api: ZendeskApi, ticketId: string): Promise<ZendeskComment[]> {
  const comments: ZendeskComment[] = [];
  let url: string | undefined = `${api.baseUrl}/api/v2/tickets/${encodeURIComponent(ticketId)}/comments`;
  for (let page = 0; url !== undefined && page < MAX_COMMENT_PAGES; page++) {
    const body = await getJson(http, api, url);
    const list = Array.isArray(body.comments) ? body.comments : [];
    for (const item of list as Record<string, unknown>[]) {
      const text = typeof item.plain_body === 'string' ? item.plain_body : typeof item.body === 'string' ? item.body : '';
      comments.push({ id: String(item.id ?? ''), authorId: String(item.author_id ?? ''), text, isPublic: item.public !== false });
    }
    // Never send the API token to another host, whatever a response says.
    const next = typeof body.next_page === 'string' && URL.canParse(body.next_page) ? body.next_page : undefined;
    url = next !== undefined && new URL(next).origin === new URL(api.baseUrl).origin ? next : undefined;
  }
  return comments;
}

async function getJson(http: HttpClient, api: ZendeskApi, url: string): Promise<Record<string, unknown>> {
  const response = await http.request({ service: 'zendesk', method: 'GET', url, headers: { authorization: api.authorization }, timeoutMs: ZENDESK_TIMEOUT_MS });
  try {
    const parsed: unknown = JSON.parse(response.body);
    if (parsed !== null && typeof parsed === 'object') return parsed as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw malformed(`GET ${new URL(url).pathname} answered a body that is not a JSON object`);
}

function malformed(message: string): UpstreamError {
  // A garbled answer may be a transient proxy page: retry rather than park.
  return new UpstreamError({ service: 'zendesk', reason: 'invalid_response', retryable: true }, `zendesk: ${message}`);
}

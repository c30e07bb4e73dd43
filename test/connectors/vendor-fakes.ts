/**
 * Strict fakes of the helpdesk APIs the presets write to, built from each vendor's documentation
 * (cited in lib/providers/connector/presets/*.ts): a request with the wrong auth scheme, method,
 * path or body shape gets the vendor's 401/404/422-style refusal, so a preset that drifts fails.
 */
import type { FakeReply, RecordedRequest, Responder } from '../support/fake-server.ts';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
const onlyKeys = (v: Json, keys: readonly string[]) => Object.keys(v).every((k) => keys.includes(k));
const invalid = (why: string): FakeReply => ({ status: 422, json: { error: why } });

export const ZAMMAD_TOKEN = 'zammad-access-token';
export const JIRA_EMAIL = 'bot@acme.example';
export const JIRA_TOKEN = 'jira-api-token';
export const HELPSCOUT_TOKEN = 'helpscout-oauth-token';
export const FRONT_TOKEN = 'front-api-token';

/** Zammad: `Token token=`; PUT /api/v1/tickets/{id} {priority_id, article}; POST /api/v1/tags/add {item, object, o_id}. */
function zammad(r: RecordedRequest, path: string): FakeReply {
  if (r.headers.authorization !== `Token token=${ZAMMAD_TOKEN}`) return { status: 401, json: { error: 'authentication failed' } };
  const body = r.body;
  if (!isObject(body)) return invalid('body must be a JSON object');
  const ticket = /^\/api\/v1\/tickets\/(\d+)$/.exec(path);
  if (r.method === 'PUT' && ticket !== null) {
    if (!onlyKeys(body, ['priority_id', 'article'])) return invalid(`unexpected keys ${Object.keys(body)}`);
    if (body.priority_id !== undefined && ![1, 2, 3].includes(body.priority_id as number)) return invalid('priority_id must be 1, 2 or 3');
    const article = body.article;
    if (article !== undefined) {
      if (!isObject(article) || typeof article.body !== 'string' || article.type !== 'note' || article.internal !== true) return invalid('article must be an internal note with a body');
    }
    return { status: 200, json: { id: Number(ticket[1]) } };
  }
  if (r.method === 'POST' && path === '/api/v1/tags/add') {
    if (typeof body.item !== 'string' || body.object !== 'Ticket' || !/^\d+$/.test(String(body.o_id))) return invalid('need item, object "Ticket", o_id');
    return { status: 201, json: true };
  }
  return { status: 404, json: { error: 'No route matches' } };
}

/** Jira Cloud: Basic email:token; GET/PUT /rest/api/3/issue/{key}; POST /rest/servicedeskapi/request/{key}/comment. */
function jira(r: RecordedRequest, path: string, labels: Map<string, string[]>): FakeReply {
  const expected = `Basic ${Buffer.from(`${JIRA_EMAIL}:${JIRA_TOKEN}`).toString('base64')}`;
  if (r.headers.authorization !== expected) return { status: 401, json: { errorMessages: ['Client must be authenticated'] } };
  const issue = /^\/rest\/api\/3\/issue\/([A-Z][A-Z0-9]*-\d+)$/.exec(path);
  if (r.method === 'GET' && issue?.[1] !== undefined) {
    if (r.query.get('fields') !== 'labels') return { status: 400, json: { errorMessages: ['ask for fields=labels'] } };
    return { status: 200, json: { key: issue[1], fields: { labels: labels.get(issue[1]) ?? [] } } };
  }
  const body = r.body;
  if (r.method === 'PUT' && issue?.[1] !== undefined) {
    if (!isObject(body) || !isObject(body.fields) || !onlyKeys(body, ['fields', 'update'])) return { status: 400, json: { errors: { body: 'fields required' } } };
    const f = body.fields;
    if (!onlyKeys(f, ['labels', 'priority'])) return { status: 400, json: { errors: { fields: 'unexpected field' } } };
    if (f.labels !== undefined && !(Array.isArray(f.labels) && f.labels.every((l) => typeof l === 'string' && !/\s/.test(l)))) return { status: 400, json: { errors: { labels: 'labels cannot contain spaces' } } };
    if (f.priority !== undefined && !(isObject(f.priority) && ['Highest', 'High', 'Medium', 'Low', 'Lowest'].includes(f.priority.name as string))) return { status: 400, json: { errors: { priority: 'unknown priority' } } };
    if (Array.isArray(f.labels)) labels.set(issue[1], f.labels as string[]);
    return { status: 204 };
  }
  if (r.method === 'POST' && /^\/rest\/servicedeskapi\/request\/[A-Z][A-Z0-9]*-\d+\/comment$/.test(path)) {
    if (!isObject(body) || typeof body.body !== 'string' || typeof body.public !== 'boolean' || !onlyKeys(body, ['body', 'public'])) return { status: 400, json: { errorMessage: 'body and public required' } };
    return { status: 201, json: { id: '1000', body: body.body, public: body.public } };
  }
  return { status: 404, json: { errorMessages: ['not found'] } };
}

/** Help Scout Mailbox API 2.0: Bearer; GET /v2/conversations/{id}; PUT …/tags {tags}; POST …/notes {text}. */
function helpscout(r: RecordedRequest, path: string, tags: Map<string, string[]>): FakeReply {
  if (r.headers.authorization !== `Bearer ${HELPSCOUT_TOKEN}`) return { status: 401, json: { error: 'Unauthorized' } };
  const convo = /^\/v2\/conversations\/(\d+)(\/tags|\/notes)?$/.exec(path);
  if (convo?.[1] === undefined) return { status: 404, json: {} };
  const id = convo[1];
  if (r.method === 'GET' && convo[2] === undefined) {
    return { status: 200, json: { id: Number(id), tags: (tags.get(id) ?? []).map((tag, i) => ({ id: i + 1, tag, color: '#929499' })) } };
  }
  const body = r.body;
  if (r.method === 'PUT' && convo[2] === '/tags') {
    if (!isObject(body) || !Array.isArray(body.tags) || !body.tags.every((t) => typeof t === 'string')) return { status: 400, json: { message: 'tags must be a list of strings' } };
    tags.set(id, body.tags as string[]);
    return { status: 204 };
  }
  if (r.method === 'POST' && convo[2] === '/notes') {
    if (!isObject(body) || typeof body.text !== 'string' || body.text === '') return { status: 400, json: { message: 'text is required' } };
    return { status: 201, headers: { 'resource-id': '9001' } };
  }
  return { status: 405, json: {} };
}

/** Front Core API: Bearer; POST /conversations/{id}/comments {body}. */
function front(r: RecordedRequest, path: string): FakeReply {
  if (r.headers.authorization !== `Bearer ${FRONT_TOKEN}`) return { status: 401, json: { _error: { status: 401 } } };
  if (r.method === 'POST' && /^\/conversations\/cnv_[a-z0-9]+\/comments$/.test(path)) {
    const body = r.body;
    if (!isObject(body) || typeof body.body !== 'string' || !onlyKeys(body, ['body', 'author_id', 'attachments'])) return { status: 400, json: { _error: { message: 'body is required' } } };
    return { status: 201, json: { id: 'com_1', body: body.body } };
  }
  return { status: 404, json: { _error: { status: 404 } } };
}

/** One server for every vendor: `/zammad/…`, `/jira/…`, `/helpscout/…`, `/front/…` are their API origins. */
export function vendorFakes(): Responder {
  const jiraLabels = new Map<string, string[]>([['SD-1', ['customer-vip']]]);
  const helpscoutTags = new Map<string, string[]>([['123', ['vip']]]);
  return (r) => {
    const [, vendor = '', rest = ''] = /^\/([a-z]+)(\/.*)?$/.exec(r.path) ?? [];
    if (vendor === 'zammad') return zammad(r, rest);
    if (vendor === 'jira') return jira(r, rest, jiraLabels);
    if (vendor === 'helpscout') return helpscout(r, rest, helpscoutTags);
    if (vendor === 'front') return front(r, rest);
    return { status: 404, json: {} };
  };
}

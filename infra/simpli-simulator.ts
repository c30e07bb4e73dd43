/**
 * LOCAL SIMPLI SIMULATOR — NOT the Simpli services. One HTTP server that answers the Simpli
 * endpoints the bridge calls with the documented response shapes (reference/simpli.md §2.1–2.4),
 * computed by deterministic keyword heuristics, so that the local stack, the tests and the
 * benchmarks run without Simpli. `npm start` uses it for every Simpli URL that is not set.
 *
 *   Triage     POST /classify       → {category, urgency, sentiment, confidence}
 *              POST /route          → {team, agent, reason}
 *   Sentiment  POST /analyze        → {score, label, escalation_risk, triggers}
 *   Reply      POST /api/v1/draft   → {draft_id, draft, confidence, suggested_template, language}
 *   QA         POST /evaluate       → {score, summary}
 *
 * Latency per endpoint is configurable (fixed or a range), every call is counted and recorded, and
 * an endpoint can be made to fail for the next N calls (fault tests).
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const SIMULATED_ENDPOINTS = ['classify', 'route', 'analyze', 'draft', 'evaluate'] as const;
export type SimulatedEndpoint = (typeof SIMULATED_ENDPOINTS)[number];

const PATHS: Readonly<Record<string, SimulatedEndpoint>> = {
  '/classify': 'classify',
  '/route': 'route',
  '/analyze': 'analyze',
  '/api/v1/draft': 'draft',
  '/evaluate': 'evaluate',
  // The simpli-support repos' QA client uses the /api/v1 prefix (reference/simpli.md §2.4).
  '/api/v1/evaluate': 'evaluate',
};

/** Fixed milliseconds, or a uniform range. */
export type Latency = number | { readonly minMs: number; readonly maxMs: number };

export interface SimulatorOptions {
  readonly port?: number;
  readonly host?: string;
  /** One latency for every endpoint, or per endpoint (missing ones answer at once). */
  readonly latency?: Latency | Partial<Record<SimulatedEndpoint, Latency>>;
  /** When set, every endpoint but /health needs `X-API-Key: <apiKey>` (401 otherwise), like simpli-core. */
  readonly apiKey?: string | undefined;
  /** Route answers `agent: null` (nobody on shift), as Triage may. */
  readonly noAgents?: boolean | undefined;
}

export interface SimulatedCall {
  readonly endpoint: SimulatedEndpoint;
  readonly body: unknown;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly at: number;
}

export interface SimpliSimulator {
  /** Base URL of every service (they share one server). */
  readonly url: string;
  readonly triageUrl: string;
  readonly sentimentUrl: string;
  readonly qaUrl: string;
  readonly replyUrl: string;
  /** Calls per endpoint since start (or reset). */
  readonly counts: Readonly<Record<SimulatedEndpoint, number>>;
  readonly calls: readonly SimulatedCall[];
  readonly totalCalls: number;
  setLatency(latency: Latency | Partial<Record<SimulatedEndpoint, Latency>>): void;
  /** The next `times` calls of `endpoint` answer `status` (default 503). */
  failNext(endpoint: SimulatedEndpoint, times?: number, status?: number): void;
  reset(): void;
  stop(): Promise<void>;
}

export async function startSimpliSimulator(options: SimulatorOptions = {}): Promise<SimpliSimulator> {
  const counts = Object.fromEntries(SIMULATED_ENDPOINTS.map((e) => [e, 0])) as Record<SimulatedEndpoint, number>;
  const calls: SimulatedCall[] = [];
  const failures = new Map<SimulatedEndpoint, { times: number; status: number }>();
  let latency: Partial<Record<SimulatedEndpoint, Latency>> = perEndpoint(options.latency);

  const server = createServer((req, res) => {
    void handle(req, res).catch(() => {
      if (!res.headersSent) reply(res, 500, { error: 'simulator_error' });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname.replace(/\/+$/, '');
    const raw = await readText(req);
    if (req.method === 'GET' && path === '/health') return reply(res, 200, { status: 'ok', simulator: true });
    const endpoint = PATHS[path];
    if (endpoint === undefined || req.method !== 'POST') return reply(res, 404, { detail: 'Not Found' });
    const header = req.headers['x-request-id'];
    const requestId = typeof header === 'string' ? header : null;
    if (options.apiKey !== undefined && req.headers['x-api-key'] !== options.apiKey) {
      return reply(res, 401, { error_code: 'AUTHENTICATION_ERROR', detail: 'Invalid or missing API key', request_id: requestId }, requestId);
    }
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      return reply(res, 400, { detail: 'There was an error parsing the body' }, requestId);
    }
    counts[endpoint]++;
    calls.push({ endpoint, body, headers: req.headers, at: Date.now() });
    const errors = validateSimpliRequest(endpoint, body);
    if (errors.length > 0) return reply(res, 422, validationErrorBody(errors, requestId), requestId);
    const wait = delayOf(latency[endpoint]);
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const fault = failures.get(endpoint);
    if (fault !== undefined && fault.times > 0) {
      fault.times--;
      return reply(res, fault.status, { detail: 'simulated failure' }, requestId);
    }
    const answered = answer(endpoint, isRecord(body) ? body : {});
    reply(res, 200, endpoint === 'route' && options.noAgents === true ? { ...(answered as object), agent: null } : answered, requestId);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    triageUrl: url,
    sentimentUrl: url,
    qaUrl: url,
    replyUrl: url,
    counts,
    calls,
    get totalCalls() {
      return calls.length;
    },
    setLatency(next) {
      latency = perEndpoint(next);
    },
    failNext(endpoint, times = 1, status = 503) {
      failures.set(endpoint, { times, status });
    },
    reset() {
      for (const e of SIMULATED_ENDPOINTS) counts[e] = 0;
      calls.length = 0;
      failures.clear();
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function perEndpoint(latency: SimulatorOptions['latency']): Partial<Record<SimulatedEndpoint, Latency>> {
  if (latency === undefined) return {};
  if (typeof latency === 'number' || 'minMs' in latency) {
    const all = latency as Latency;
    return Object.fromEntries(SIMULATED_ENDPOINTS.map((e) => [e, all]));
  }
  return latency as Partial<Record<SimulatedEndpoint, Latency>>;
}

function delayOf(latency: Latency | undefined): number {
  if (latency === undefined) return 0;
  if (typeof latency === 'number') return latency;
  return latency.minMs + Math.random() * Math.max(0, latency.maxMs - latency.minMs);
}

// ---------------------------------------------------------------------------------------------
// Request validation, as the real services do it

export interface FieldError {
  /** pydantic's location joined with " -> ", e.g. "body -> text". */
  readonly field: string;
  readonly message: string;
}

/** simpli-core's 422 body (reference/simpli.md, "The real Sentiment service"). */
export function validationErrorBody(errors: readonly FieldError[], requestId: string | null): unknown {
  return { error_code: 'VALIDATION_ERROR', detail: 'Request validation failed', request_id: requestId, errors };
}

/** Sentiment's `customer_id` pattern (simpli-sentiment's request model). */
const CUSTOMER_ID = /^[A-Za-z0-9][A-Za-z0-9\-_]{0,63}$/;
const CHANNELS = ['email', 'chat', 'phone', 'social', 'web'];
const ROLES = ['customer', 'agent', 'system'];

/**
 * What the real service would refuse with 422 (extra keys are ignored, as pydantic does):
 * Sentiment, its real request model (simpli-sentiment @ e30184e: customer_id pattern, text 1–10,000
 * code points of valid Unicode, channel enum or null); Triage, QA and Reply, the guide's bodies
 * (reference/simpli.md §2 and "Where sources disagree").
 */
export function validateSimpliRequest(endpoint: SimulatedEndpoint, body: unknown): FieldError[] {
  const errors: FieldError[] = [];
  const at = (field: string, message: string) => errors.push({ field: `body -> ${field}`, message });
  if (!isRecord(body)) {
    errors.push({ field: 'body', message: 'Input should be a valid dictionary or object to extract fields from' });
    return errors;
  }
  const string = (field: string, opts: { min?: number; max?: number } = {}) => {
    const v = body[field];
    if (v === undefined) return at(field, 'Field required');
    if (typeof v !== 'string') return at(field, 'Input should be a valid string');
    if (!v.isWellFormed()) return at(field, 'Input should be a valid string, unable to parse raw data as a unicode string');
    const length = [...v].length;
    if (opts.min !== undefined && length < opts.min) at(field, `String should have at least ${opts.min} character${opts.min === 1 ? '' : 's'}`);
    if (opts.max !== undefined && length > opts.max) at(field, `String should have at most ${opts.max} characters`);
  };
  const messages = (field: string) => {
    const v = body[field];
    if (v === undefined) return at(field, 'Field required');
    if (!Array.isArray(v)) return at(field, 'Input should be a valid list');
    v.forEach((m, i) => {
      if (!isRecord(m)) {
        at(`${field} -> ${i}`, 'Input should be a valid dictionary');
        return;
      }
      if (typeof m.role !== 'string' || !ROLES.includes(m.role)) at(`${field} -> ${i} -> role`, `Input should be ${ROLES.map((r) => `'${r}'`).join(', ')}`);
      if (typeof m.content !== 'string' || !m.content.isWellFormed()) at(`${field} -> ${i} -> content`, 'Input should be a valid string');
    });
  };
  switch (endpoint) {
    case 'analyze': {
      const id = body.customer_id;
      if (id === undefined) at('customer_id', 'Field required');
      else if (typeof id !== 'string') at('customer_id', 'Input should be a valid string');
      else if (!CUSTOMER_ID.test(id)) at('customer_id', `String should match pattern '${CUSTOMER_ID.source}'`);
      string('text', { min: 1, max: 10_000 });
      const channel = body.channel;
      if (channel !== undefined && channel !== null && !(typeof channel === 'string' && CHANNELS.includes(channel))) {
        at('channel', `Input should be ${CHANNELS.map((c) => `'${c}'`).join(', ')}`);
      }
      break;
    }
    case 'classify':
      string('subject');
      string('body');
      break;
    case 'route':
      string('ticket_id', { min: 1 });
      string('category', { min: 1 });
      break;
    case 'evaluate':
      string('conversation_id', { min: 1 });
      string('agent_id');
      messages('messages');
      break;
    case 'draft':
      string('ticket_id', { min: 1 });
      messages('conversation');
      messages('messages');
      break;
  }
  return errors;
}

// ---------------------------------------------------------------------------------------------
// The heuristics (deterministic: the same request always gets the same answer)

const CATEGORIES: readonly (readonly [string, readonly string[]])[] = [
  ['billing', ['billing', 'refund', 'invoice', 'charge', 'charged', 'payment', 'subscription', 'price', 'credit card']],
  ['technical', ['error', 'crash', 'bug', 'broken', 'exception', 'not working', 'fails', 'failed', 'timeout', '500']],
  ['account', ['password', 'login', 'log in', 'sign in', 'locked', '2fa', 'account access']],
  ['shipping', ['shipping', 'delivery', 'package', 'tracking', 'shipment']],
  ['feature_request', ['feature', 'suggestion', 'would be nice', 'wish', 'could you add']],
];

const TEAMS: Readonly<Record<string, string>> = {
  billing: 'billing',
  technical: 'engineering-support',
  account: 'account-security',
  shipping: 'logistics',
  feature_request: 'product',
  general: 'general-support',
};

const POSITIVE = ['thank', 'thanks', 'great', 'love', 'awesome', 'happy', 'excellent', 'perfect', 'resolved', 'appreciate'];
const NEGATIVE = ['angry', 'terrible', 'awful', 'worst', 'frustrated', 'unacceptable', 'broken', 'disappointed', 'hate', 'useless', 'crash', 'error'];
/** Sentiment's documented escalation keywords. */
const ESCALATION = ['cancel', 'lawsuit', 'manager', 'refund'];

function answer(endpoint: SimulatedEndpoint, body: Record<string, unknown>): unknown {
  switch (endpoint) {
    case 'classify':
      return classify(`${str(body.subject)} ${str(body.body)}`);
    case 'route':
      return route(body);
    case 'analyze':
      return analyze(str(body.text));
    case 'draft':
      return draft(body);
    case 'evaluate':
      return evaluate(body);
  }
}

function classify(text: string): { category: string; urgency: string; sentiment: string; confidence: number } {
  const t = text.toLowerCase();
  let category = 'general';
  let hits = 0;
  for (const [name, words] of CATEGORIES) {
    const n = words.filter((w) => t.includes(w)).length;
    if (n > hits) {
      category = name;
      hits = n;
    }
  }
  const urgency = /\b(outage|down|urgent|asap|immediately|lawsuit|security|data loss)\b/.test(t)
    ? 'urgent'
    : /\b(crash|cannot|can't|blocked|charged twice|refund)\b/.test(t)
      ? 'high'
      : category === 'feature_request' || category === 'general'
        ? 'low'
        : 'medium';
  const score = sentimentScore(t);
  return {
    category,
    urgency,
    sentiment: labelOf(score),
    // Below the bridge's default threshold (0.6) when no keyword matched: "needs manual triage".
    confidence: hits === 0 ? 0.45 : round(Math.min(0.97, 0.7 + 0.1 * hits)),
  };
}

function route(body: Record<string, unknown>): { team: string; agent: string; reason: string } {
  const category = str(body.category) || 'general';
  const team = TEAMS[category] ?? 'general-support';
  const agent = `A-${String(parseInt(digest(`${team}:${str(body.ticket_id)}`).slice(0, 6), 16) % 1000).padStart(3, '0')}`;
  return { team, agent, reason: `category ${category}, urgency ${str(body.urgency) || 'unknown'} (simulated rule)` };
}

function analyze(text: string): { score: number; label: string; escalation_risk: number; triggers: string[] } {
  const t = text.toLowerCase();
  const score = sentimentScore(t);
  const triggers = ESCALATION.filter((w) => t.includes(w));
  const escalationRisk = round(Math.min(1, 0.3 * triggers.length + (score < 0 ? -score * 0.5 : 0)));
  return { score, label: labelOf(score), escalation_risk: escalationRisk, triggers };
}

function sentimentScore(t: string): number {
  const pos = POSITIVE.filter((w) => t.includes(w)).length;
  const neg = NEGATIVE.filter((w) => t.includes(w)).length + ESCALATION.filter((w) => t.includes(w)).length * 0.5;
  return round(Math.max(-1, Math.min(1, (pos - neg) * 0.35)));
}

/** The documented thresholds: positive ≥ 0.3, negative ≤ −0.3. */
function labelOf(score: number): string {
  return score >= 0.3 ? 'positive' : score <= -0.3 ? 'negative' : 'neutral';
}

function draft(body: Record<string, unknown>): unknown {
  const ticketId = str(body.ticket_id);
  const language = str(body.language) || 'en';
  const conversation = Array.isArray(body.conversation) ? body.conversation : [];
  const last = conversation.filter(isRecord).map((m) => str(m.content)).at(-1) ?? '';
  const { category } = classify(last);
  const greeting = str(body.style) === 'formal' ? 'Dear customer,' : 'Hi there,';
  return {
    draft_id: `d-${digest(`${ticketId}:${last}`).slice(0, 8)}`,
    draft: `${greeting}\n\nThank you for reaching out about your ${category.replace('_', ' ')} question. We are looking into it and will get back to you shortly.\n\n(Simulated draft.)`,
    confidence: category === 'general' ? 0.55 : 0.82,
    suggested_template: category === 'general' ? null : `${category}-acknowledgement`,
    language,
  };
}

function evaluate(body: Record<string, unknown>): unknown {
  const conversation = Array.isArray(body.messages) ? body.messages.filter(isRecord) : [];
  const agentTurns = conversation.filter((m) => m.role === 'agent');
  const empathy = agentTurns.some((m) => /sorry|understand|apolog|thank/i.test(str(m.content)));
  const score = round(Math.min(1, 0.5 + (agentTurns.length > 0 ? 0.2 : 0) + (empathy ? 0.2 : 0)));
  return {
    score,
    summary: `${conversation.length} messages, ${agentTurns.length} from agents; ${empathy ? 'empathetic' : 'no empathy markers'} (simulated QA).`,
  };
}

function reply(res: ServerResponse, status: number, json: unknown, requestId: string | null = null): void {
  // simpli-core echoes X-Request-ID on every answer (reference/simpli.md, "The real Sentiment service").
  res.writeHead(status, { 'content-type': 'application/json', ...(requestId === null ? {} : { 'x-request-id': requestId }) });
  res.end(JSON.stringify(json));
}

function readText(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

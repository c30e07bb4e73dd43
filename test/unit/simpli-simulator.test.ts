/**
 * The local Simpli simulator refuses what the real services refuse, with simpli-core's 422 body.
 * Sentiment's request model is checked against the service's own OpenAPI file, read at test time
 * (../shared/specs/simpli-sentiment.openapi.json; skipped with a message where absent).
 */
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimpliSimulator, type SimpliSimulator } from '../../infra/simpli-simulator.ts';

const SPEC = new URL('../../../shared/specs/simpli-sentiment.openapi.json', import.meta.url);

let sim: SimpliSimulator;
beforeAll(async () => {
  sim = await startSimpliSimulator({ apiKey: 'k' });
});
afterAll(() => sim.stop());

async function post(path: string, body: unknown, headers: Record<string, string> = { 'x-api-key': 'k' }) {
  const r = await fetch(`${sim.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: r.status, body: (await r.json()) as Record<string, unknown>, requestId: r.headers.get('x-request-id') };
}

describe('the Simpli simulator validates like the real services', () => {
  it('answers 401 without the configured X-API-Key', async () => {
    const r = await post('/analyze', { customer_id: 'C', text: 't' }, {});
    expect(r.status).toBe(401);
    expect(r.body).toMatchObject({ error_code: 'AUTHENTICATION_ERROR' });
  });

  it('refuses a lone surrogate in Sentiment text with the 422 body, echoing X-Request-ID', async () => {
    const r = await post('/analyze', { customer_id: 'C-1', text: 'half \uD83D' }, { 'x-api-key': 'k', 'x-request-id': 'rid-1' });
    expect(r.status).toBe(422);
    expect(r.requestId).toBe('rid-1');
    expect(r.body).toMatchObject({ error_code: 'VALIDATION_ERROR', detail: 'Request validation failed', request_id: 'rid-1' });
    expect(r.body.errors).toEqual([{ field: 'body -> text', message: expect.stringContaining('unicode') }]);
  });

  it('counts Sentiment text in code points: 10,000 emoji pass, 10,001 do not', async () => {
    expect((await post('/analyze', { customer_id: 'C-1', text: '😀'.repeat(10_000) })).status).toBe(200);
    expect((await post('/analyze', { customer_id: 'C-1', text: '😀'.repeat(10_001) })).status).toBe(422);
  });

  it('refuses the old QA body and accepts the guide body', async () => {
    expect((await post('/evaluate', { ticket_id: 'T', conversation: [] })).status).toBe(422);
    const ok = await post('/evaluate', { conversation_id: 'T', agent_id: '', messages: [{ role: 'agent', content: 'Hi' }] });
    expect(ok.status).toBe(200);
    expect(typeof ok.body.score).toBe('number');
  });

  it('refuses a Reply body without `messages` or `conversation`, and /route without a category', async () => {
    expect((await post('/api/v1/draft', { ticket_id: 'T', conversation: [] })).status).toBe(422);
    expect((await post('/api/v1/draft', { ticket_id: 'T', messages: [] })).status).toBe(422);
    expect((await post('/route', { ticket_id: 'T' })).status).toBe(422);
  });

  it.runIf(existsSync(SPEC))('agrees with the Sentiment OpenAPI file on every AnalyzeRequest constraint', async () => {
    const spec = JSON.parse(readFileSync(SPEC, 'utf8'));
    const model = spec.components.schemas.AnalyzeRequest;
    const channels: string[] = spec.components.schemas.Channel.enum;
    expect(model.required.sort()).toEqual(['customer_id', 'text']);
    for (const field of model.required as string[]) {
      const body: Record<string, unknown> = { customer_id: 'C-1', text: 't' };
      delete body[field];
      expect((await post('/analyze', body)).status).toBe(422);
    }
    const { maxLength, minLength } = model.properties.text;
    expect((await post('/analyze', { customer_id: 'C-1', text: 'a'.repeat(maxLength) })).status).toBe(200);
    expect((await post('/analyze', { customer_id: 'C-1', text: 'a'.repeat(maxLength + 1) })).status).toBe(422);
    expect((await post('/analyze', { customer_id: 'C-1', text: 'a'.repeat(minLength - 1) })).status).toBe(422);
    const pattern = new RegExp(model.properties.customer_id.pattern);
    for (const id of ['C-1', 'a_b', '-x', 'x@y.z', 'x'.repeat(65), '']) {
      expect((await post('/analyze', { customer_id: id, text: 't' })).status).toBe(pattern.test(id) && id.length <= 64 ? 200 : 422);
    }
    for (const channel of [...channels, null, 'fax']) {
      expect((await post('/analyze', { customer_id: 'C-1', text: 't', channel })).status).toBe(channel === 'fax' ? 422 : 200);
    }
  });
});

if (!existsSync(SPEC)) console.warn(`skipped the OpenAPI comparison: ${SPEC.pathname} is absent`);

/**
 * `npm start` without HELPDESK_CONFIG: the write-back is a dry run, one JSON line per push in
 * HELPDESK_DRY_RUN_FILE, instead of a call to a helpdesk. Its own file: one stack per process.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_DEFAULTS_ENV } from '../support/local-stack-env.ts';
import { signers } from '../../infra/sign/index.ts';
import { startLocalStack, type LocalStack } from '../../infra/start.ts';

let stack: LocalStack;
let dir: string;
let file: string;
const lines: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bridge-dry-run-'));
  file = join(dir, 'helpdesk-updates.jsonl');
  stack = await startLocalStack({
    port: 0,
    env: {
      ...LOCAL_DEFAULTS_ENV,
      HELPDESK_DRY_RUN_FILE: file,
    },
    poller: { maximumBatchingWindowMs: 0 },
    logFormat: 'pretty',
    print: (line) => lines.push(line),
  });
});

afterAll(async () => {
  await stack?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function readLines(): Promise<Record<string, unknown>[]> {
  try {
    const text = await readFile(file, 'utf8');
    return text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
  } catch {
    return [];
  }
}

describe('the local stack without HELPDESK_CONFIG', () => {
  it('says the write-back is a dry run, and appends the push-back to the JSONL file', async () => {
    expect(lines.join('\n')).toContain(`DRY RUN appended to ${file}`);
    const body = Buffer.from(JSON.stringify({ ticket_id: 'T-900', subject: 'The app crashes', body: 'Every time I open it I get an error.', customer_id: 'C-1' }));
    const url = `${stack.url}/webhook/ticket-created`;
    const headers = signers.generic?.({ method: 'POST', url, body, secret: 'local-dev-secret', nowMs: Date.now() }).headers ?? {};
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    expect(response.status).toBe(202);

    let entries: Record<string, unknown>[] = [];
    const until = Date.now() + 10_000;
    while (entries.length === 0 && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 50));
      entries = await readLines();
    }
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      dryRun: true,
      provider: 'generic',
      eventId: 'generic:ticket.created:T-900',
      ticketId: 'T-900',
      eventType: 'ticket.created',
      tags: expect.arrayContaining(['technical']),
      fields: expect.objectContaining({ ai_category: 'technical' }),
      steps: ['classify', 'route', 'sentiment'],
    });
    // The JSONL line is written before the event is marked done, and its readable line printed.
    const doneLine = () => lines.some((l) => l.includes('✓ done') && l.includes('T-900') && l.includes('dry-run'));
    const printedBy = Date.now() + 10_000;
    while (!doneLine() && Date.now() < printedBy) await new Promise((r) => setTimeout(r, 20));
    expect(doneLine()).toBe(true);
  });
});

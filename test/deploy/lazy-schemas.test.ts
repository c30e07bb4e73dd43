/**
 * Issue #10: building schemas (zod/mini then, lib/schema.ts now) was a large share of what the
 * handlers did while their bundles loaded, though none is needed then — as deployed the secrets come from Secrets Manager at the
 * first request, most containers never meet a connector or HubSpot settings, and the queue
 * message and Simpli answers are checked only when a record is processed. The schemas are built on
 * first use (lib/lazy.ts); this pins that loading each handler module, configured as deployed,
 * calls no schema builder of lib/schema.ts, and that the counter does see the builders once a
 * schema is needed (so the test can fail).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

const built = vi.hoisted(() => [] as string[]);

// Every lower-case function export of lib/schema.ts (z.string, z.object, z.union…) records its
// call; the module's calls to its own functions do not pass through this namespace.
vi.mock('../../lib/schema.ts', async (importOriginal) => {
  const actual = await importOriginal<Record<string, unknown>>();
  return Object.fromEntries(
    Object.entries(actual).map(([name, value]) => [
      name,
      typeof value === 'function' && /^[a-z]/.test(name)
        ? (...args: unknown[]) => {
            built.push(name);
            return (value as (...a: unknown[]) => unknown)(...args);
          }
        : value,
    ]),
  );
});

// What the template gives each function: secrets and helpdesk settings by ARN, nothing inline
// (infra/bench/cold-start.ts FUNCTION_ENV is the same, for the cold-start figure).
const DEPLOYED_ENV: Readonly<Record<string, string>> = {
  AWS_REGION: 'us-east-1',
  QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/TicketQueue',
  WEBHOOK_SECRETS_ARN: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:webhook-secrets',
  HELPDESK_CONFIG_ARN: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:helpdesk-config',
  LEDGER_TABLE: 'Ledger',
  DEAD_LETTER_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/DeadLetterQueue',
  TRIAGE_URL: 'https://triage.example.com',
  SENTIMENT_URL: 'https://sentiment.example.com',
  QA_URL: 'https://qa.example.com',
  REPLY_URL: 'https://reply.example.com',
  RECONCILE_PROVIDERS: 'zendesk,freshdesk',
};

beforeAll(() => {
  for (const [name, value] of Object.entries(DEPLOYED_ENV)) vi.stubEnv(name, value);
  for (const name of ['WEBHOOK_SECRETS', 'HELPDESK_CONFIG']) vi.stubEnv(name, undefined);
});
afterAll(() => {
  vi.unstubAllEnvs();
});

describe('the handlers build no schema while they load (issue #10)', () => {
  for (const [name, load] of [
    ['IngestFunction', () => import('../../functions/ingest/handler.ts')],
    ['ProcessFunction', () => import('../../functions/process/handler.ts')],
    ['ReconcileFunction', () => import('../../functions/reconcile/handler.ts')],
  ] as const) {
    it(`${name}: importing the handler module calls no schema builder`, async () => {
      vi.resetModules(); // each handler evaluates its whole module graph afresh, as in its own container
      built.length = 0;
      const module = await load();
      expect(typeof module.handler).toBe('function');
      expect(built, `schema builders called at load: ${[...new Set(built)].join(', ')}`).toEqual([]);
    });
  }

  it('the schemas are built when first needed: parsing a secret, a connector, a queue message, HubSpot settings', async () => {
    const { parseHelpdeskConfig, parseWebhookSecrets } = await import('../../lib/config.ts');
    const { decodeQueuedEvent } = await import('../../lib/queue-message.ts');
    const { readSettings } = await import('../../lib/providers/hubspot/settings.ts');

    built.length = 0;
    parseWebhookSecrets('{"generic": ["a-random-secret-of-at-least-24-bytes"]}', 'WEBHOOK_SECRETS');
    expect(built).toContain('record');

    built.length = 0;
    parseHelpdeskConfig('{"jira": {"preset": "jira", "baseUrl": "https://example.atlassian.net", "email": "a@example.com", "token": "t"}}', 'HELPDESK_CONFIG');
    expect(built, 'the connector specification schema').toContain('discriminatedUnion');

    built.length = 0;
    expect(() => decodeQueuedEvent('{"v": 2}')).toThrow(/not a bridge event/);
    expect(built).toContain('object');

    built.length = 0;
    readSettings({ accessToken: 'pat-na1-x' });
    expect(built).toContain('looseObject');
  });
});

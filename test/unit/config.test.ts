import { describe, expect, it } from 'vitest';
import { loadIngestConfig, loadProcessConfig, parseHelpdeskConfig, parseIngestHelpdeskConfig, parseWebhookSecrets } from '../../lib/config.ts';
import { ConfigError } from '../../lib/errors.ts';

const simpli = { TRIAGE_URL: 'http://triage:8000/', SENTIMENT_URL: 'http://s:8000', QA_URL: 'http://qa:8000', REPLY_URL: 'http://r:8000' };
const processEnv = { ...simpli, LEDGER_TABLE: 'Ledger', DEAD_LETTER_QUEUE_URL: 'http://q/dlq' };

function configError(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('loadProcessConfig', () => {
  it('applies the documented defaults and trims trailing slashes', () => {
    const config = loadProcessConfig(processEnv);
    expect(config.simpli).toMatchObject({ triageUrl: 'http://triage:8000', draftReplies: false, timeoutMs: 10_000, qaTimeoutMs: 30_000, apiKey: undefined });
    expect(config).toMatchObject({ maxReceiveCount: 5, leaseSeconds: 120, ledgerTtlDays: 30, confidenceThreshold: 0.6 });
  });

  it('DETAILED_METRICS: EMF metrics unless it is false, and a clear error for anything else', () => {
    expect(loadProcessConfig(processEnv).detailedMetrics).toBe(true);
    expect(loadProcessConfig({ ...processEnv, DETAILED_METRICS: 'false' }).detailedMetrics).toBe(false);
    expect(loadIngestConfig({ QUEUE_URL: 'http://q', WEBHOOK_SECRETS: '{}', DETAILED_METRICS: 'false' }).detailedMetrics).toBe(false);
    expect(configError(() => loadProcessConfig({ ...processEnv, DETAILED_METRICS: 'off' }))).toMatch(/DETAILED_METRICS must be true or false, got "off"/);
  });

  it('names the missing or malformed variable and says what to put there', () => {
    expect(configError(() => loadProcessConfig({ ...processEnv, TRIAGE_URL: '' }))).toMatch(/TRIAGE_URL is not set.*Simpli service base URL/);
    expect(configError(() => loadProcessConfig({ ...processEnv, QA_URL: 'qa:8000' }))).toMatch(/QA_URL must be an http\(s\) URL/);
    expect(configError(() => loadProcessConfig({ ...processEnv, DRAFT_REPLIES: 'yes' }))).toMatch(/DRAFT_REPLIES must be true or false/);
    expect(configError(() => loadProcessConfig({ ...processEnv, CONFIDENCE_THRESHOLD: '2' }))).toMatch(/CONFIDENCE_THRESHOLD must be a number from 0 to 1/);
    expect(configError(() => loadProcessConfig({ ...processEnv, HELPDESK_CONFIG: '{"zendesk": 1}' }))).toMatch(/HELPDESK_CONFIG has an invalid entry at zendesk/);
  });
});

describe('loadIngestConfig', () => {
  it('requires the webhook secrets, inline or by ARN', () => {
    expect(configError(() => loadIngestConfig({ QUEUE_URL: 'http://q' }))).toMatch(/WEBHOOK_SECRETS_ARN/);
    expect(loadIngestConfig({ QUEUE_URL: 'http://q', WEBHOOK_SECRETS_ARN: 'arn:aws:secretsmanager:x' }).webhookSecrets.secretArn).toBe('arn:aws:secretsmanager:x');
  });

  it('rejects secrets JSON for an unknown provider or of the wrong shape at start', () => {
    expect(configError(() => loadIngestConfig({ QUEUE_URL: 'http://q', WEBHOOK_SECRETS: '{"zendsk": ["s"]}' }))).toMatch(/invalid entry at zendsk/);
    expect(configError(() => loadIngestConfig({ QUEUE_URL: 'http://q', WEBHOOK_SECRETS: '{"zendesk": "s"}' }))).toMatch(/invalid entry at zendesk/);
    expect(configError(() => loadIngestConfig({ QUEUE_URL: 'http://q', WEBHOOK_SECRETS: '{' }))).toMatch(/not valid JSON/);
  });

  it('parses several active secrets per provider', () => {
    expect(parseWebhookSecrets('{"zendesk": ["old", "new"]}', 'x')).toEqual({ zendesk: ['old', 'new'] });
  });
});

describe('HELPDESK_CONFIG allowedIps', () => {
  it('stops the cold start on a bad range, naming the provider, the entry and the fix', () => {
    const env = { QUEUE_URL: 'http://q', WEBHOOK_SECRETS: '{}', HELPDESK_CONFIG: '{"zendesk": {"allowedIps": ["192.0.2.0/24", "10.0.0.1/8"]}}' };
    expect(configError(() => loadIngestConfig(env))).toMatch(/^HELPDESK_CONFIG\.zendesk\.allowedIps\[1\] "10\.0\.0\.1\/8" has bits set after the \/8 prefix \(did you mean 10\.0\.0\.0\/8\?\)/);
    expect(configError(() => loadIngestConfig({ ...env, HELPDESK_CONFIG: '{"hubspot": {"allowedIps": []}}' }))).toMatch(/HELPDESK_CONFIG\.hubspot\.allowedIps must be a non-empty list/);
  });

  it('is checked by ingest only, the one function that enforces it (the others do not bundle lib/ip-allow.ts)', () => {
    const bad = '{"hubspot": {"allowedIps": []}}';
    expect(configError(() => parseIngestHelpdeskConfig(bad, 'HELPDESK_CONFIG'))).toMatch(/allowedIps must be a non-empty list/);
    expect(loadProcessConfig({ ...processEnv, HELPDESK_CONFIG: bad }).helpdeskConfig.inline).toEqual({ hubspot: { allowedIps: [] } });
    expect(parseHelpdeskConfig(bad, 'HELPDESK_CONFIG')).toEqual({ hubspot: { allowedIps: [] } });
  });

  it('names the secret when the settings come from Secrets Manager', () => {
    expect(configError(() => parseIngestHelpdeskConfig('{"intercom": {"allowedIps": "34.231.68.152"}}', 'the secret named by HELPDESK_CONFIG_ARN'))).toMatch(
      /^the secret named by HELPDESK_CONFIG_ARN → intercom\.allowedIps must be a non-empty list/,
    );
  });

  it('accepts valid lists as they are', () => {
    const config = parseIngestHelpdeskConfig('{"generic": {"allowedIps": ["192.0.2.0/24", "2001:db8::/32", "203.0.113.7"]}}', 'HELPDESK_CONFIG');
    expect(config.generic?.allowedIps).toEqual(['192.0.2.0/24', '2001:db8::/32', '203.0.113.7']);
  });
});

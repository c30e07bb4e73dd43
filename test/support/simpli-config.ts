/** The SimpliConfig of a test: every service at one fake server's URL, the template's other defaults. */
import type { SimpliConfig } from '../../lib/config.ts';

export function simpliConfigAt(url: string, overrides: Partial<SimpliConfig> = {}): SimpliConfig {
  return {
    triageUrl: url,
    sentimentUrl: url,
    qaUrl: url,
    replyUrl: url,
    apiKey: undefined,
    draftReplies: false,
    draftStyle: 'friendly',
    draftLanguage: 'en',
    timeoutMs: 2_000,
    qaTimeoutMs: 2_000,
    ...overrides,
  };
}

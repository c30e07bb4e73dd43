/**
 * Zendesk Support: event-subscription and trigger webhooks in, Tags API and ticket updates out.
 * See helpdesks.md §1 and the README's Zendesk setup guide.
 */
import type { Provider } from '../types.ts';
import { normalizeZendesk } from './normalize.ts';
import { parseZendesk } from './parse.ts';
import { verifyZendesk } from './verify.ts';
import { zendeskWriteBack } from './write-back.ts';

export const zendeskProvider: Provider = {
  name: 'zendesk',
  verify: verifyZendesk,
  parse: parseZendesk,
  normalize: normalizeZendesk,
  writeBack: zendeskWriteBack,
};

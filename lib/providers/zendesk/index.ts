/**
 * Zendesk Support: event-subscription and trigger webhooks in, Tags API and ticket updates out.
 * See helpdesks.md §1 and the README's Zendesk setup guide.
 */
import type { Provider, ProviderIngest, ProviderProcess } from '../types.ts';
import { normalizeZendesk } from './normalize.ts';
import { parseZendesk } from './parse.ts';
import { verifyZendesk } from './verify.ts';
import { zendeskWriteBack } from './write-back.ts';

export const zendeskIngest: ProviderIngest = {
  name: 'zendesk',
  verify: verifyZendesk,
  parse: parseZendesk,
};

export const zendeskProcess: ProviderProcess = {
  name: 'zendesk',
  normalize: normalizeZendesk,
  writeBack: zendeskWriteBack,
};

/** Both halves, for tests and tools. `@__PURE__` lets esbuild drop it (and so the unused half) from each function bundle. */
export const zendeskProvider: Provider = /* @__PURE__ */ Object.assign({}, zendeskIngest, zendeskProcess);

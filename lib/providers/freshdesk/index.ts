/**
 * Freshdesk: automation-rule webhooks in (a shared token, no signature exists), ticket updates
 * and private notes out. See helpdesks.md §2 and the README's Freshdesk setup guide.
 */
import type { Provider, ProviderIngest, ProviderProcess } from '../types.ts';
import { normalizeFreshdesk } from './normalize.ts';
import { parseFreshdesk } from './parse.ts';
import { verifyFreshdesk } from './verify.ts';
import { freshdeskWriteBack } from './write-back.ts';

export const freshdeskIngest: ProviderIngest = {
  name: 'freshdesk',
  verify: verifyFreshdesk,
  parse: parseFreshdesk,
};

export const freshdeskProcess: ProviderProcess = {
  name: 'freshdesk',
  normalize: normalizeFreshdesk,
  writeBack: freshdeskWriteBack,
};

/** Both halves, for tests and tools. `@__PURE__` lets esbuild drop it (and so the unused half) from each function bundle. */
export const freshdeskProvider: Provider = /* @__PURE__ */ Object.assign({}, freshdeskIngest, freshdeskProcess);

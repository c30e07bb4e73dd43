/**
 * Freshdesk: automation-rule webhooks in (a shared token, no signature exists), ticket updates
 * and private notes out. See helpdesks.md §2 and the README's Freshdesk setup guide.
 */
import type { Provider } from '../types.ts';
import { normalizeFreshdesk } from './normalize.ts';
import { parseFreshdesk } from './parse.ts';
import { verifyFreshdesk } from './verify.ts';
import { freshdeskWriteBack } from './write-back.ts';

export const freshdeskProvider: Provider = {
  name: 'freshdesk',
  verify: verifyFreshdesk,
  parse: parseFreshdesk,
  normalize: normalizeFreshdesk,
  writeBack: freshdeskWriteBack,
};

/**
 * Intercom: signed notifications (`X-Hub-Signature: sha1=…`) for conversation and ticket topics,
 * in the API 2.x and the older 1.x item shape; write-back of tags, mapped attributes and an
 * admin note through the REST API on the workspace's regional host (helpdesks.md §3).
 */
import type { Provider, ProviderIngest, ProviderProcess } from '../types.ts';
import { normalizeIntercom } from './normalize.ts';
import { parseIntercom } from './parse.ts';
import { verifyIntercom } from './verify.ts';
import { intercomWriteBack } from './write-back.ts';

export const intercomIngest: ProviderIngest = {
  name: 'intercom',
  verify: verifyIntercom,
  parse: parseIntercom,
};

export const intercomProcess: ProviderProcess = {
  name: 'intercom',
  normalize: normalizeIntercom,
  writeBack: intercomWriteBack,
};

/** Both halves, for tests and tools. `@__PURE__` lets esbuild drop it (and so the unused half) from each function bundle. */
export const intercomProvider: Provider = /* @__PURE__ */ Object.assign({}, intercomIngest, intercomProcess);
